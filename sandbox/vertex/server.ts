/**
 * A local Vertex AI REST v1 server for the demo org's Google Cloud project, speaking the
 * methods the discovery document describes for the model registry and endpoints:
 *
 *   GET /v1/projects/{project}/locations/{location}/models                   models.list
 *   GET /v1/projects/{project}/locations/{location}/models/{model}[@version] models.get
 *   GET /v1/projects/{project}/locations/{location}/models/{model}:listVersions
 *   GET /v1/projects/{project}/locations/{location}/endpoints                endpoints.list
 *   GET /v1/projects/{project}/locations/{location}/endpoints/{endpoint}     endpoints.get
 *
 * with an OAuth bearer token required (401 UNAUTHENTICATED otherwise), IAM's 403 for a
 * project it does not hold, the regional host's 400 for another location, Google's JSON
 * error body, and the front end's HTML 404 for paths no method serves.
 */
import type { DemoOrg } from '../demo-org';
import { startSandboxHttpServer, type Faults, type SandboxHandler, type SandboxRequest, type SandboxResponse } from '../http';
import type { SandboxServer } from '../mlflow/server';
import { ERROR_INFO, HELP, VertexError, canonicalCodeFor, frontEndNotFound, invalidArgument, permissionDenied } from './errors';
import { seedVertex, type VertexSeed } from './seed';
import { createVertexStore, VERTEX_SANDBOX_PAGE_SIZE, type ListArgs, type VertexStore } from './store';

/** The access token the sandbox accepts unless told another. */
export const VERTEX_SANDBOX_TOKEN = 'ya29.sandbox-vertex-access-token-0001';

export interface VertexSandboxOptions {
  org: DemoOrg;
  /** The modelgraph instance name this server stands for, e.g. `prod`. */
  instance: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  faults?: Partial<Faults>;
  /** The bearer token requests must carry. Default {@link VERTEX_SANDBOX_TOKEN}. */
  token?: string;
  /** Seeds fault injection. Default: the org's seed. */
  seed?: number;
  /** Default {@link VERTEX_SANDBOX_PAGE_SIZE}. */
  pageSizes?: { default: number; max: number };
}

export async function startVertexSandbox(options: VertexSandboxOptions): Promise<SandboxServer> {
  const store = createVertexStore(seedVertex(options.org), options.pageSizes ?? VERTEX_SANDBOX_PAGE_SIZE);
  const server = await startSandboxHttpServer({
    name: `vertex_ai:${options.instance}`,
    port: options.port,
    host: options.host,
    faults: options.faults,
    seed: options.seed ?? options.org.seed,
    handler: createVertexHandler(store, { token: options.token ?? VERTEX_SANDBOX_TOKEN }),
    faultResponse: (status) => vertexFaultResponse(status, store.seed),
  });
  return { url: server.url, instance: options.instance, stats: server.stats, faults: server.faults, close: server.close };
}

// ---- routing --------------------------------------------------------------------------------

type Method = 'models.list' | 'models.get' | 'models.listVersions' | 'endpoints.list' | 'endpoints.get';

interface Route {
  method: Method;
  project: string;
  location: string;
  /** The model or endpoint id (with `@version` for models.get). */
  id?: string;
}

const PARENT = '/v1/projects/([^/]+)/locations/([^/]+)';
const ROUTES: Array<{ pattern: RegExp; method: Method }> = [
  { pattern: new RegExp(`^${PARENT}/models$`), method: 'models.list' },
  { pattern: new RegExp(`^${PARENT}/models/([^/:]+):listVersions$`), method: 'models.listVersions' },
  { pattern: new RegExp(`^${PARENT}/models/([^/:]+)$`), method: 'models.get' },
  { pattern: new RegExp(`^${PARENT}/endpoints$`), method: 'endpoints.list' },
  { pattern: new RegExp(`^${PARENT}/endpoints/([^/:]+)$`), method: 'endpoints.get' },
];

/** The IAM permission each method checks. */
const PERMISSIONS: Record<Method, string> = {
  'models.list': 'aiplatform.models.list',
  'models.get': 'aiplatform.models.get',
  'models.listVersions': 'aiplatform.models.list',
  'endpoints.list': 'aiplatform.endpoints.list',
  'endpoints.get': 'aiplatform.endpoints.get',
};

/** The RPC each method is, as Google names it in error metadata. */
const RPCS: Record<Method, string> = {
  'models.list': 'google.cloud.aiplatform.v1.ModelService.ListModels',
  'models.get': 'google.cloud.aiplatform.v1.ModelService.GetModel',
  'models.listVersions': 'google.cloud.aiplatform.v1.ModelService.ListModelVersions',
  'endpoints.list': 'google.cloud.aiplatform.v1.EndpointService.ListEndpoints',
  'endpoints.get': 'google.cloud.aiplatform.v1.EndpointService.GetEndpoint',
};

function route(path: string): Route | undefined {
  let decoded: string;
  try {
    // `@` and `:` may arrive percent-encoded (`%40`, `%3A`).
    decoded = path.split('/').map(decodeURIComponent).join('/');
  } catch {
    return undefined;
  }
  for (const { pattern, method } of ROUTES) {
    const match = pattern.exec(decoded);
    if (match) return { method, project: match[1]!, location: match[2]!, id: match[3] };
  }
  return undefined;
}

export interface VertexHandlerOptions {
  token: string;
}

export function createVertexHandler(store: VertexStore, options: VertexHandlerOptions): SandboxHandler {
  const { seed } = store;
  return (req: SandboxRequest): SandboxResponse => {
    const target = req.method === 'GET' || req.method === 'HEAD' ? route(req.path) : undefined;
    if (!target) return frontEndNotFound(req.path);
    try {
      authenticate(req, options.token, target.method);
      checkParent(target, seed);
      return ok(dispatch(store, target, req.query));
    } catch (err) {
      if (err instanceof VertexError) return err.toResponse();
      throw err;
    }
  };
}

function dispatch(store: VertexStore, target: Route, query: URLSearchParams): unknown {
  const args: ListArgs = {
    pageSize: query.get('pageSize') ?? query.get('page_size'),
    pageToken: query.get('pageToken') ?? query.get('page_token'),
    filter: query.get('filter'),
    orderBy: query.get('orderBy') ?? query.get('order_by'),
    readMask: query.get('readMask') ?? query.get('read_mask'),
  };
  switch (target.method) {
    case 'models.list':
      return store.listModels(args);
    case 'models.get':
      return store.getModel(target.id!);
    case 'models.listVersions':
      return store.listModelVersions(target.id!, args);
    case 'endpoints.list':
      return store.listEndpoints(args);
    case 'endpoints.get':
      return store.getEndpoint(target.id!);
  }
}

/** Google's front end: no credential, or one that is not a valid OAuth access token. */
function authenticate(req: SandboxRequest, token: string, method: Method): void {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (match && match[1] === token) return;
  const missing = !match;
  throw new VertexError(
    'UNAUTHENTICATED',
    missing
      ? 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'
      : 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    [
      {
        '@type': ERROR_INFO,
        reason: missing ? 'CREDENTIALS_MISSING' : 'ACCESS_TOKEN_TYPE_UNSUPPORTED',
        domain: 'googleapis.com',
        metadata: { service: 'aiplatform.googleapis.com', method: RPCS[method] },
      },
    ],
    {
      'www-authenticate': missing
        ? 'Bearer realm="https://accounts.google.com/"'
        : 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
    },
  );
}

/** IAM denies a project the sandbox does not hold; the regional host refuses another location. */
function checkParent(target: Route, seed: VertexSeed): void {
  if (target.project !== seed.project && target.project !== seed.projectNumber) {
    throw permissionDenied(PERMISSIONS[target.method], `projects/${target.project}/locations/${target.location}`);
  }
  if (target.location !== seed.location) {
    const field = target.method.endsWith('.list') ? 'parent' : 'name';
    const why = `The provided location ID doesn't match the endpoint. The valid location ID is \`${seed.location}\`.`;
    throw invalidArgument(`List of found errors:\t1.Field: ${field}; Message: ${why}\t`, field, why);
  }
}

function ok(body: unknown): SandboxResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=UTF-8', vary: 'Origin, X-Origin, Referer' },
    body: `${JSON.stringify(body, null, 2)}\n`,
  };
}

/**
 * Injected failures as Google words them: a quota error for 429 (the HTTP layer adds
 * Retry-After), UNAVAILABLE for 503, INTERNAL for 500, the canonical code of any other
 * status, and the front end's HTML for a 502.
 */
export function vertexFaultResponse(status: number, seed: Pick<VertexSeed, 'projectNumber' | 'location'>): SandboxResponse {
  if (status === 502) {
    return {
      status,
      headers: { 'content-type': 'text/html; charset=UTF-8' },
      body: '<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 502 (Server Error)!!1</title>\n  <p><b>502.</b> <ins>That’s an error.</ins>\n  <p>The server encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds.  <ins>That’s all we know.</ins>\n',
    };
  }
  if (status === 429) {
    const metric = 'aiplatform.googleapis.com/resource_management_requests';
    const limit = 'ResourceManagementRequestsPerMinutePerProjectPerRegion';
    return new VertexError(
      'RESOURCE_EXHAUSTED',
      `Quota exceeded for quota metric 'Resource management (CRUD) requests' and limit 'Resource management (CRUD) requests per minute per region' of service 'aiplatform.googleapis.com' for consumer 'project_number:${seed.projectNumber}'.`,
      [
        {
          '@type': ERROR_INFO,
          reason: 'RATE_LIMIT_EXCEEDED',
          domain: 'googleapis.com',
          metadata: {
            consumer: `projects/${seed.projectNumber}`,
            quota_location: seed.location,
            quota_metric: metric,
            quota_limit: limit,
            quota_limit_value: '600',
            service: 'aiplatform.googleapis.com',
          },
        },
        {
          '@type': HELP,
          links: [{ description: 'Request a higher quota limit.', url: 'https://cloud.google.com/docs/quotas/help/request_increase' }],
        },
      ],
    ).toResponse();
  }
  if (status === 503) return new VertexError('UNAVAILABLE', 'The service is currently unavailable.').toResponse();
  if (status === 500) return new VertexError('INTERNAL', 'Internal error encountered.').toResponse();
  const code = canonicalCodeFor(status);
  const response = new VertexError(code, `Injected ${code}.`).toResponse();
  return { ...response, status };
}
