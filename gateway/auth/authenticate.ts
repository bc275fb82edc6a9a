import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  exportJWK,
  importSPKI,
  jwtVerify,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { JwtConfig, ServerAuthConfig } from '../../config/schema';
import { ANONYMOUS, type Caller } from '../../lib/caller';

/**
 * Who is calling: a JWT verified against the identity provider's keys, or an API key whose
 * SHA-256 the config lists. JOSE is `jose`'s; nothing here parses or checks a signature by hand.
 */

export type AuthOutcome =
  | { ok: true; caller: Caller }
  /** `error` follows RFC 6750 (`invalid_request`, `invalid_token`); `description` is safe to show. */
  | { ok: false; error?: 'invalid_request' | 'invalid_token'; description: string };

export interface Authenticator {
  /** Whether callers must prove who they are (false: everyone is anonymous and sees everything). */
  readonly required: boolean;
  authenticate(headers: IncomingHttpHeaders): Promise<AuthOutcome>;
}

export const API_KEY_HEADER = 'x-api-key';
const REALM = 'modelgraph';

/** The `WWW-Authenticate` value of a 401, as RFC 6750 writes it. */
export function wwwAuthenticate(outcome: Extract<AuthOutcome, { ok: false }>): string {
  if (!outcome.error) return `Bearer realm="${REALM}"`;
  return `Bearer realm="${REALM}", error="${outcome.error}", error_description="${outcome.description.replace(/"/g, "'")}"`;
}

/** What the config stores for an API key: `sha256:<hex>`. */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** A new API key: 32 random bytes, prefixed so secret scanners recognise it. */
export function newApiKey(): string {
  return `mgk_${randomBytes(32).toString('base64url')}`;
}

export async function createAuthenticator(config: ServerAuthConfig | undefined): Promise<Authenticator> {
  if (!config || config.mode === 'none') {
    return { required: false, authenticate: async () => ({ ok: true, caller: ANONYMOUS }) };
  }
  const keys = (config.apiKeys ?? []).map((k) => ({
    name: k.name,
    digest: Buffer.from(k.hash.slice('sha256:'.length), 'hex'),
    scopes: k.scopes,
  }));
  const jwt = config.jwt ? await jwtVerifier(config.jwt) : undefined;

  function byApiKey(presented: string): AuthOutcome {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    // Every entry is compared, so the time taken says nothing about which one matched.
    let found: (typeof keys)[number] | undefined;
    for (const key of keys) if (timingSafeEqual(key.digest, digest) && !found) found = key;
    if (!found) return { ok: false, error: 'invalid_token', description: 'unknown API key' };
    return { ok: true, caller: { kind: 'apiKey', id: found.name, scopes: found.scopes } };
  }

  return {
    required: true,
    async authenticate(headers) {
      const apiKey = single(headers[API_KEY_HEADER]);
      const authorization = single(headers.authorization);
      if (apiKey !== undefined && authorization !== undefined) {
        return { ok: false, error: 'invalid_request', description: 'send either Authorization or X-API-Key, not both' };
      }
      if (apiKey !== undefined) {
        return keys.length > 0 ? byApiKey(apiKey) : { ok: false, error: 'invalid_token', description: 'API keys are not accepted here' };
      }
      if (authorization === undefined) return { ok: false, description: 'authentication required' };
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) return { ok: false, error: 'invalid_request', description: 'Authorization must be "Bearer <token>"' };
      const token = match[1]!;
      if (looksLikeJwt(token)) {
        return jwt ? jwt(token) : { ok: false, error: 'invalid_token', description: 'JWTs are not accepted here' };
      }
      return keys.length > 0 ? byApiKey(token) : { ok: false, error: 'invalid_token', description: 'the bearer token is not a JWT' };
    },
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

async function jwtVerifier(config: JwtConfig): Promise<(token: string) => Promise<AuthOutcome>> {
  const local: JWK[] = [];
  for (const key of config.publicKeys ?? []) {
    if ('pem' in key) {
      const jwk = await exportJWK(await importSPKI(key.pem, key.alg, { extractable: true }));
      local.push({ ...jwk, alg: key.alg, ...(key.kid ? { kid: key.kid } : {}) });
    } else {
      local.push(key.jwk as unknown as JWK);
    }
  }
  const localSet = local.length > 0 ? createLocalJWKSet({ keys: local } as JSONWebKeySet) : undefined;
  const remoteSet = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl), {
        cacheMaxAge: config.jwksCacheSeconds * 1000,
        cooldownDuration: 30_000,
        timeoutDuration: 5_000,
      })
    : undefined;
  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (localSet) {
      try {
        return await localSet(header, token);
      } catch (err) {
        if (!remoteSet || !(err instanceof joseErrors.JWKSNoMatchingKey)) throw err;
      }
    }
    try {
      return await remoteSet!(header, token);
    } catch (err) {
      // jose refetches for an unknown kid only once its cooldown has passed; a key the
      // provider has just rotated in must work at once. One forced refetch per kid, and at
      // most one a second, so made-up kids cannot make the gateway hammer the provider.
      const kid = header.kid ?? '';
      const now = Date.now();
      if (!(err instanceof joseErrors.JWKSNoMatchingKey) || refetchedKids.has(kid) || now - lastForcedRefetch < 1_000) throw err;
      lastForcedRefetch = now;
      if (refetchedKids.size > 1_000) refetchedKids.clear();
      refetchedKids.add(kid);
      await remoteSet!.reload();
      return remoteSet!(header, token);
    }
  };
  const refetchedKids = new Set<string>();
  let lastForcedRefetch = 0;

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        clockTolerance: config.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      return { ok: false, error: 'invalid_token', description: describeJoseError(err) };
    }
    const email = claimAt(payload, config.emailClaim);
    return {
      ok: true,
      caller: {
        kind: 'jwt',
        id: String(payload.sub),
        ...(typeof email === 'string' && email.includes('@') ? { email: email.toLowerCase() } : {}),
        scopes: scopesOf(claimAt(payload, config.scopesClaim)),
      },
    };
  };
}

/** A claim by name, or by a dotted path into nested objects (`realm_access.roles`); a name with dots that exists as one claim wins. */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function scopesOf(claim: unknown): string[] {
  if (typeof claim === 'string') return claim.split(/\s+/).filter(Boolean);
  if (Array.isArray(claim)) return claim.filter((s): s is string => typeof s === 'string');
  return [];
}

/** Why a token was refused, in words safe to send back: never the token, never a key. */
function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' || err.claim === 'iat') return 'the token is not valid yet';
    return `the token's "${err.claim}" claim is not accepted`;
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'the token\'s algorithm is not accepted';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no known key matches the token';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token\'s signature does not verify';
  if (err instanceof joseErrors.JWKSTimeout || (err instanceof Error && /fetch|ECONN|JWKS/i.test(err.message))) {
    return 'the identity provider\'s keys could not be fetched';
  }
  return 'the token is malformed';
}
