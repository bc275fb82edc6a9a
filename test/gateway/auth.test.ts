import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { configSchema } from '../../config/schema';
import { createAuthenticator, hashApiKey, newApiKey, wwwAuthenticate, type Authenticator } from '../../gateway/auth/authenticate';

/**
 * Authentication against a real JWKS endpoint on loopback, with keys `jose` makes here: the
 * tokens an identity provider would issue, and the ones an attacker would try.
 */

const ISSUER = 'https://idp.test/';
const AUDIENCE = 'modelgraph';

let jwksServer: Server;
let jwksUrl: string;
let jwksFetches = 0;
let published: JWK[] = [];
let current: { privateKey: KeyLike; kid: string };
let rotated: { privateKey: KeyLike; kid: string; jwk: JWK };

beforeAll(async () => {
  const a = await generateKeyPair('RS256', { extractable: true });
  const b = await generateKeyPair('ES256', { extractable: true });
  current = { privateKey: a.privateKey, kid: 'key-a' };
  rotated = { privateKey: b.privateKey, kid: 'key-b', jwk: { ...(await exportJWK(b.publicKey)), kid: 'key-b', alg: 'ES256', use: 'sig' } };
  published = [{ ...(await exportJWK(a.publicKey)), kid: 'key-a', alg: 'RS256', use: 'sig' }];
  jwksServer = createServer((_req, res) => {
    jwksFetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
});

function authConfig(extra: Record<string, unknown> = {}) {
  return configSchema.parse({
    server: {
      auth: {
        mode: 'required',
        jwt: { jwksUrl, issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256', 'ES256'], scopesClaim: 'scope', ...extra },
        apiKeys: [{ name: 'ci-reconcile', hash: hashApiKey(API_KEY), scopes: ['jira:read'] }],
      },
    },
  }).server.auth;
}

const API_KEY = 'mgk_test-key-0123456789abcdefghijklmnopqrstuv';

async function token(
  claims: Record<string, unknown> = {},
  options: { key?: { privateKey: KeyLike; kid: string }; alg?: string; exp?: string | number; iss?: string; aud?: string } = {},
) {
  const key = options.key ?? current;
  return new SignJWT({ scope: 'jira:read mlflow:read', email: 'Elena.Nguyen@acme.io', ...claims })
    .setProtectedHeader({ alg: options.alg ?? (key === current ? 'RS256' : 'ES256'), kid: key.kid })
    .setSubject('user-123')
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '5m')
    .sign(key.privateKey);
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('JWT against a JWKS endpoint', () => {
  let auth: Authenticator;
  beforeAll(async () => {
    auth = await createAuthenticator(authConfig());
  });

  it('accepts a valid token, with its subject, email and scopes', async () => {
    const outcome = await auth.authenticate(bearer(await token()));
    expect(outcome).toEqual({
      ok: true,
      caller: { kind: 'jwt', id: 'user-123', email: 'elena.nguyen@acme.io', scopes: ['jira:read', 'mlflow:read'] },
    });
  });

  it.each([
    ['expired', () => token({}, { exp: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
    ['for another audience', () => token({}, { aud: 'another-api' }), /"aud" claim/],
    ['from another issuer', () => token({}, { iss: 'https://evil.test/' }), /"iss" claim/],
  ])('refuses a token %s', async (_name, make, reason) => {
    const outcome = await auth.authenticate(bearer(await make()));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.description).toMatch(reason);
    expect(!outcome.ok && outcome.error).toBe('invalid_token');
  });

  it('allows the configured clock skew, and no more', async () => {
    const justExpired = await token({}, { exp: Math.floor(Date.now() / 1000) - 10 });
    expect((await auth.authenticate(bearer(justExpired))).ok).toBe(true);
    const strict = await createAuthenticator(authConfig({ clockSkewSeconds: 0 }));
    expect((await strict.authenticate(bearer(justExpired))).ok).toBe(false);
  });

  it('refuses alg "none" and a tampered signature', async () => {
    const valid = await token();
    const [header, payload, signature] = valid.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'key-a' })).toString('base64url')}.${payload}.`;
    expect((await auth.authenticate(bearer(none))).ok).toBe(false);

    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...claims, scope: 'admin jira:read mlflow:read' })).toString('base64url');
    const tampered = await auth.authenticate(bearer(`${header}.${forged}.${signature}`));
    expect(tampered.ok).toBe(false);
    expect(!tampered.ok && tampered.description).toMatch(/signature/);
  });

  it('refuses an algorithm outside the allowed list, even with a valid signature', async () => {
    const rsOnly = await createAuthenticator(authConfig({ algorithms: ['RS256'] }));
    published = [...published, rotated.jwk];
    try {
      const outcome = await rsOnly.authenticate(bearer(await token({}, { key: rotated })));
      expect(outcome.ok).toBe(false);
    } finally {
      published = published.filter((k) => k.kid !== 'key-b');
    }
  });

  it('refetches the JWKS once for an unknown kid: a rotated key is accepted at once, a made-up one costs one fetch', async () => {
    const fresh = await createAuthenticator(authConfig());
    expect((await fresh.authenticate(bearer(await token()))).ok).toBe(true);
    const before = jwksFetches;
    // The identity provider rotates in key-b; the gateway has not seen it yet.
    published = [...published, rotated.jwk];
    try {
      expect((await fresh.authenticate(bearer(await token({}, { key: rotated })))).ok).toBe(true);
      expect(jwksFetches - before).toBe(1);
      // Made-up kids within the cooldown do not make the gateway hammer the provider.
      const unknown = { privateKey: rotated.privateKey, kid: 'made-up' };
      for (let i = 0; i < 5; i++) {
        const outcome = await fresh.authenticate(bearer(await token({}, { key: unknown })));
        expect(outcome.ok).toBe(false);
      }
      expect(jwksFetches - before).toBeLessThanOrEqual(2);
    } finally {
      published = published.filter((k) => k.kid !== 'key-b');
    }
  });

  it('reads scopes from an array claim at a dotted path', async () => {
    const roles = await createAuthenticator(authConfig({ scopesClaim: 'realm_access.roles' }));
    const outcome = await roles.authenticate(bearer(await token({ scope: undefined, realm_access: { roles: ['admin', 'jira:read'] } })));
    expect(outcome.ok && outcome.caller.scopes).toEqual(['admin', 'jira:read']);
  });

  it('verifies against static PEM keys without any JWKS fetch', async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(pair.publicKey);
    const staticAuth = await createAuthenticator(
      configSchema.parse({
        server: { auth: { mode: 'required', jwt: { publicKeys: [{ pem, kid: 'pem-1', alg: 'RS256' }], issuer: ISSUER, audience: AUDIENCE } } },
      }).server.auth,
    );
    const before = jwksFetches;
    expect((await staticAuth.authenticate(bearer(await token({}, { key: { privateKey: pair.privateKey, kid: 'pem-1' }, alg: 'RS256' })))).ok).toBe(true);
    expect((await staticAuth.authenticate(bearer(await token()))).ok).toBe(false);
    expect(jwksFetches).toBe(before);
  });
});

describe('API keys', () => {
  let auth: Authenticator;
  beforeAll(async () => {
    auth = await createAuthenticator(authConfig());
  });

  it('accepts the key as a bearer token or in X-API-Key, as the key name with its scopes', async () => {
    const expected = { ok: true, caller: { kind: 'apiKey', id: 'ci-reconcile', scopes: ['jira:read'] } };
    expect(await auth.authenticate(bearer(API_KEY))).toEqual(expected);
    expect(await auth.authenticate({ 'x-api-key': API_KEY })).toEqual(expected);
  });

  it('refuses a wrong key, a key one character off, and both headers at once', async () => {
    expect((await auth.authenticate(bearer(newApiKey()))).ok).toBe(false);
    expect((await auth.authenticate({ 'x-api-key': `${API_KEY.slice(0, -1)}w` })).ok).toBe(false);
    const both = await auth.authenticate({ 'x-api-key': API_KEY, authorization: `Bearer ${API_KEY}` });
    expect(both.ok).toBe(false);
  });

  it('keeps only hashes in the config: the hash is SHA-256 of the key', () => {
    expect(hashApiKey('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('refusals', () => {
  it('asks for credentials on a missing Authorization, RFC 6750 style', async () => {
    const auth = await createAuthenticator(authConfig());
    const outcome = await auth.authenticate({});
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(wwwAuthenticate(outcome)).toBe('Bearer realm="modelgraph"');
    const bad = await auth.authenticate({ authorization: 'Basic dXNlcjpwYXNz' });
    expect(!bad.ok && wwwAuthenticate(bad)).toMatch(/^Bearer realm="modelgraph", error="invalid_request"/);
  });

  it('lets everyone in as anonymous when auth is off', async () => {
    const open = await createAuthenticator({ mode: 'none' });
    expect(open.required).toBe(false);
    expect(await open.authenticate({})).toEqual({ ok: true, caller: { kind: 'anonymous', id: 'anonymous', scopes: [] } });
  });
});

describe('the config', () => {
  it('stores API keys only as hashes and names the key when one is wrong', () => {
    const result = configSchema.safeParse({ server: { auth: { mode: 'required', apiKeys: [{ name: 'x', hash: API_KEY }] } } });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(/sha256/);
  });

  it('needs jwt or apiKeys in mode required, and a JWKS URL or keys for jwt', () => {
    expect(configSchema.safeParse({ server: { auth: { mode: 'required' } } }).success).toBe(false);
    expect(configSchema.safeParse({ server: { auth: { mode: 'required', jwt: { issuer: ISSUER, audience: AUDIENCE } } } }).success).toBe(false);
    expect(configSchema.safeParse({ server: { auth: { mode: 'required', jwt: { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], jwksUrl } } } }).success).toBe(false);
  });
});
