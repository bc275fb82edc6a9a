/**
 * A local Databricks workspace host fronting one Unity Catalog metastore, serving the reads
 * modelgraph makes of the Unity Catalog REST API (`/api/2.1/unity-catalog/`):
 *
 *   GET  /api/2.1/unity-catalog/models                                  ListRegisteredModels
 *   GET  /api/2.1/unity-catalog/models/{full_name}                      GetRegisteredModel
 *   GET  /api/2.1/unity-catalog/models/{full_name}/versions             ListModelVersions
 *   GET  /api/2.1/unity-catalog/models/{full_name}/versions/{version}   GetModelVersion
 *   GET  /api/2.1/unity-catalog/models/{full_name}/aliases/{alias}      GetByAlias
 *   GET  /api/2.1/unity-catalog/schemas?catalog_name=                   ListSchemas
 *   GET  /api/2.1/unity-catalog/catalogs                                ListCatalogs
 *
 * and the workspace's OAuth endpoints for machine-to-machine (client credentials) auth:
 *
 *   GET  /oidc/.well-known/oauth-authorization-server   (what the Databricks SDKs discover)
 *   GET  /oidc/.well-known/openid-configuration         (the same metadata, for OIDC clients)
 *   POST /oidc/v1/token                                  RFC 6749 §4.4
 *
 * Every `/api/` request needs `Authorization: Bearer <token>`: the workspace's personal access
 * token, or an access token this server issued and that has not expired. Errors carry
 * Databricks' body `{"error_code", "message"}`; the token endpoint's carry RFC 6749 §5.2's
 * `{"error", "error_description"}`.
 */
import { randomBytes } from 'node:crypto';
import type { DemoOrg } from '../demo-org';
import { proxyErrorPage, startSandboxHttpServer, type Faults, type SandboxHandler, type SandboxRequest, type SandboxResponse } from '../http';
import type { SandboxServer } from '../mlflow/server';
import { seedUnityCatalog, UC_SANDBOX_CLIENT, UC_SANDBOX_TOKEN } from './seed';
import { createUcStore, databricksError, invalidParameter, stringifyDatabricksJson, UC_SANDBOX_PAGE_SIZE, UcError, type UcPageSizes, type UcStore } from './store';

/** Databricks issues one-hour OAuth access tokens. */
export const UC_SANDBOX_TOKEN_TTL_SECONDS = 3600;
/** The scopes the token endpoint grants; `all-apis` is what the SDKs ask for. */
export const UC_SANDBOX_SCOPES = ['all-apis', 'sql', 'offline_access'] as const;

export interface UcSandboxOptions {
  org: DemoOrg;
  /** The modelgraph instance name this server stands for, e.g. `prod`. */
  instance: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  faults?: Partial<Faults>;
  /** The personal access token accepted. Default {@link UC_SANDBOX_TOKEN}. */
  token?: string;
  /** The OAuth client allowed at `/oidc/v1/token`. Default {@link UC_SANDBOX_CLIENT}. */
  client?: { clientId: string; clientSecret: string };
  /** Lifetime of issued access tokens (`expires_in`). Default 3600. */
  tokenTtlSeconds?: number;
  /** The clock tokens expire by. Default `Date.now`. */
  now?: () => number;
  /** Seeds fault injection. Default: the org's seed. */
  seed?: number;
  /** Default {@link UC_SANDBOX_PAGE_SIZE}. */
  pageSizes?: UcPageSizes;
}

/** The OAuth side of a running sandbox: what it issued, for tests and benchmarks. */
export interface UcOAuthState {
  /** Access tokens issued by `POST /oidc/v1/token` (successful requests). */
  readonly issued: number;
  /** Token requests refused (bad client, grant, scope or body). */
  readonly refused: number;
  /** Forgets every issued token: they answer 401 from then on. */
  revokeAll(): void;
}

export interface UcSandboxServer extends SandboxServer {
  oauth: UcOAuthState;
}

export async function startUnityCatalogSandbox(options: UcSandboxOptions): Promise<UcSandboxServer> {
  const store = createUcStore(seedUnityCatalog(options.org), options.pageSizes ?? UC_SANDBOX_PAGE_SIZE);
  const { handler, oauth } = createUnityCatalogHandler(store, {
    token: options.token,
    client: options.client,
    tokenTtlSeconds: options.tokenTtlSeconds,
    now: options.now,
  });
  const server = await startSandboxHttpServer({
    name: `unity_catalog:${options.instance}`,
    port: options.port,
    host: options.host,
    faults: options.faults,
    seed: options.seed ?? options.org.seed,
    handler,
    faultResponse: unityCatalogFaultResponse,
  });
  return { url: server.url, instance: options.instance, stats: server.stats, faults: server.faults, close: server.close, oauth };
}

// ---- routing --------------------------------------------------------------------------------

type Operation = 'listModels' | 'getModel' | 'listVersions' | 'getVersion' | 'getByAlias' | 'listSchemas' | 'listCatalogs';

interface Route {
  operation: Operation;
  fullName?: string;
  version?: string;
  alias?: string;
}

const API = '/api/2.1/unity-catalog';

/** Where the SDKs discover the token endpoint (RFC 8414), and the OpenID Connect equivalent. */
const DISCOVERY_PATHS = new Set(['/oidc/.well-known/oauth-authorization-server', '/oidc/.well-known/openid-configuration']);

/** Path segments after the API root, each percent-decoded (`%2E` for a dot is accepted). */
function route(path: string): Route | undefined {
  if (!path.startsWith(`${API}/`)) return undefined;
  let segments: string[];
  try {
    segments = path.slice(API.length + 1).split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  const [kind, fullName, sub, leaf, ...rest] = segments;
  if (rest.length > 0 || segments.some((s) => s === '')) return undefined;
  if (kind === 'catalogs' && segments.length === 1) return { operation: 'listCatalogs' };
  if (kind === 'schemas' && segments.length === 1) return { operation: 'listSchemas' };
  if (kind !== 'models') return undefined;
  if (segments.length === 1) return { operation: 'listModels' };
  if (segments.length === 2) return { operation: 'getModel', fullName };
  if (sub === 'versions' && segments.length === 3) return { operation: 'listVersions', fullName };
  if (sub === 'versions' && segments.length === 4) return { operation: 'getVersion', fullName, version: leaf };
  if (sub === 'aliases' && segments.length === 4) return { operation: 'getByAlias', fullName, alias: leaf };
  return undefined;
}

export interface UcHandlerOptions {
  token?: string;
  client?: { clientId: string; clientSecret: string };
  tokenTtlSeconds?: number;
  now?: () => number;
}

export function createUnityCatalogHandler(store: UcStore, options: UcHandlerOptions = {}): { handler: SandboxHandler; oauth: UcOAuthState } {
  const pat = options.token ?? UC_SANDBOX_TOKEN;
  const client = options.client ?? UC_SANDBOX_CLIENT;
  const ttlSeconds = options.tokenTtlSeconds ?? UC_SANDBOX_TOKEN_TTL_SECONDS;
  const now = options.now ?? Date.now;
  /** Issued access token -> expiry (epoch ms). */
  const issued = new Map<string, number>();
  const counts = { issued: 0, refused: 0 };
  const oauth: UcOAuthState = {
    get issued() {
      return counts.issued;
    },
    get refused() {
      return counts.refused;
    },
    revokeAll() {
      issued.clear();
    },
  };

  const handler: SandboxHandler = (req) => {
    if (DISCOVERY_PATHS.has(req.path) && (req.method === 'GET' || req.method === 'HEAD')) {
      return discovery(req);
    }
    if (req.path === '/oidc/v1/token') {
      if (req.method !== 'POST') return databricksError(405, 'BAD_REQUEST', `Method ${req.method} is not allowed on /oidc/v1/token.`, { allow: 'POST' });
      const res = token(req);
      if (res.status === 200) counts.issued++;
      else counts.refused++;
      return res;
    }
    if (!req.path.startsWith('/api/')) return endpointNotFound(req);
    try {
      authenticate(req);
      const target = req.method === 'GET' || req.method === 'HEAD' ? route(req.path) : undefined;
      if (!target) return endpointNotFound(req);
      return ok(dispatch(store, target, req.query));
    } catch (err) {
      if (err instanceof UcError) return err.toResponse();
      throw err;
    }
  };
  return { handler, oauth };

  function authenticate(req: SandboxRequest): void {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new UcError(401, 'UNAUTHENTICATED', 'Credential was not sent or was of an unsupported type for this API.');
    }
    const presented = match[1]!;
    if (presented === pat) return;
    const expiry = issued.get(presented);
    if (expiry !== undefined && now() < expiry) return;
    if (expiry !== undefined) issued.delete(presented);
    throw new UcError(401, 'UNAUTHENTICATED', expiry !== undefined ? 'Token is expired.' : 'Invalid access token.');
  }

  /** RFC 8414 metadata, as a workspace's `/oidc` issuer publishes it. */
  function discovery(req: SandboxRequest): SandboxResponse {
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        issuer: `${origin}/oidc`,
        authorization_endpoint: `${origin}/oidc/v1/authorize`,
        token_endpoint: `${origin}/oidc/v1/token`,
        jwks_uri: `${origin}/oidc/jwks.json`,
        response_types_supported: ['code', 'id_token'],
        grant_types_supported: ['client_credentials', 'authorization_code', 'refresh_token'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        code_challenge_methods_supported: ['S256'],
        scopes_supported: [...UC_SANDBOX_SCOPES],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      }),
    };
  }

  /** `POST /oidc/v1/token`: the client credentials grant (RFC 6749 §4.4), errors per §5.2. */
  function token(req: SandboxRequest): SandboxResponse {
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/x-www-form-urlencoded') {
      return oauthError(400, 'invalid_request', 'The request body must be application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(req.body.toString('utf8'));
    const basic = parseBasic(req.headers.authorization);
    const inBody = form.has('client_id') || form.has('client_secret');
    if (basic === 'malformed') {
      return oauthError(401, 'invalid_client', 'Client authentication failed: malformed Basic credentials.', { 'www-authenticate': 'Basic realm="oidc"' });
    }
    if (basic && inBody && form.has('client_secret')) {
      return oauthError(400, 'invalid_request', 'The client must authenticate with one method only: HTTP Basic or the request body.');
    }
    const presented = basic ?? { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '' };
    if (presented.id !== client.clientId || presented.secret !== client.clientSecret) {
      // §5.2: a client that tried the Authorization header gets 401 and a challenge.
      return oauthError(
        401,
        'invalid_client',
        presented.id === '' ? 'Client authentication failed: no client credentials.' : 'Client authentication failed.',
        basic ? { 'www-authenticate': 'Basic realm="oidc"' } : {},
      );
    }
    const grant = form.get('grant_type');
    if (!grant) return oauthError(400, 'invalid_request', 'Missing grant_type.');
    if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', `Unsupported grant_type '${grant}'.`);
    const requested = (form.get('scope') ?? 'all-apis').split(/\s+/).filter(Boolean);
    const unknown = requested.filter((s) => !(UC_SANDBOX_SCOPES as readonly string[]).includes(s));
    if (unknown.length > 0 || requested.length === 0) return oauthError(400, 'invalid_scope', `Invalid scope: ${unknown.join(' ') || '(empty)'}.`);
    const scope = requested.join(' ');
    const accessToken = mintToken(client.clientId, scope);
    issued.set(accessToken, now() + ttlSeconds * 1000);
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' },
      body: JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: ttlSeconds, scope }),
    };
  }

  /** A JWT-shaped opaque token, as Databricks' OAuth access tokens are JWTs. */
  function mintToken(subject: string, scope: string): string {
    const iat = Math.floor(now() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    return [
      part({ alg: 'RS256', kid: 'sandbox', typ: 'at+jwt' }),
      part({ client_id: subject, scope, sub: subject, iss: 'sandbox/oidc', aud: 'sandbox', iat, exp: iat + ttlSeconds, jti: randomBytes(8).toString('hex') }),
      randomBytes(32).toString('base64url'),
    ].join('.');
  }
}

function dispatch(store: UcStore, target: Route, query: URLSearchParams): unknown {
  const list = { maxResults: query.get('max_results'), pageToken: query.get('page_token') };
  // `include_browse` is accepted and ignored: the sandbox's caller may read everything.
  switch (target.operation) {
    case 'listModels':
      return store.listModels({ ...list, catalogName: query.get('catalog_name'), schemaName: query.get('schema_name') });
    case 'getModel':
      return store.getModel(target.fullName!, flag(query, 'include_aliases'));
    case 'listVersions':
      return store.listVersions(target.fullName!, list);
    case 'getVersion':
      return store.getVersion(target.fullName!, target.version!, flag(query, 'include_aliases'));
    case 'getByAlias':
      return store.getByAlias(target.fullName!, target.alias!, flag(query, 'include_aliases'));
    case 'listSchemas':
      return store.listSchemas({ ...list, catalogName: query.get('catalog_name') });
    case 'listCatalogs':
      return store.listCatalogs(list);
  }
}

function flag(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null || raw === '' || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() === 'true') return true;
  throw invalidParameter(`Invalid value for ${name}: '${raw}' is not a boolean.`);
}

function parseBasic(header: string | undefined): { id: string; secret: string } | 'malformed' | undefined {
  if (typeof header !== 'string' || !/^Basic\s/i.test(header)) return undefined;
  const decoded = Buffer.from(header.replace(/^Basic\s+/i, '').trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  // RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  } catch {
    return 'malformed';
  }
}

function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify({ error, error_description: description }),
  };
}

function endpointNotFound(req: SandboxRequest): SandboxResponse {
  const path = req.path.startsWith('/api/2.1/') ? req.path.slice('/api/2.1'.length) : req.path.startsWith('/api/2.0/') ? req.path.slice('/api/2.0'.length) : req.path;
  return databricksError(404, 'ENDPOINT_NOT_FOUND', `No API found for '${req.method} ${path}'`);
}

function ok(body: unknown): SandboxResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: stringifyDatabricksJson(body) };
}

/**
 * Injected failures as a workspace words them: 429 REQUEST_LIMIT_EXCEEDED (the HTTP layer
 * adds Retry-After), 503 TEMPORARILY_UNAVAILABLE, 500 INTERNAL_ERROR, the front end's HTML
 * for 502 and 504, and the error code of the status otherwise.
 */
export function unityCatalogFaultResponse(status: number): SandboxResponse {
  if (status === 429) {
    return databricksError(429, 'REQUEST_LIMIT_EXCEEDED', 'Exceeded the rate limit for Unity Catalog API requests in this workspace. Please retry later.');
  }
  if (status === 502 || status === 504) return proxyErrorPage(status);
  if (status === 503) return databricksError(503, 'TEMPORARILY_UNAVAILABLE', 'The service at /api/2.1/unity-catalog is temporarily unavailable. Please try again later.');
  if (status === 500) return databricksError(500, 'INTERNAL_ERROR', 'Internal error. Please try again later.');
  const codes: Record<number, string> = {
    400: 'BAD_REQUEST',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'RESOURCE_CONFLICT',
    501: 'NOT_IMPLEMENTED',
  };
  return databricksError(status, codes[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST'), `Injected HTTP ${status}.`);
}
