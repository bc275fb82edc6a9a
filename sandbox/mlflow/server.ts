/**
 * A local MLflow tracking server for one instance of the demo org, speaking MLflow's REST API
 * as the real Flask app does (`mlflow/server/handlers.py`): the read endpoints of tracking and
 * the model registry, request parsing from query strings or JSON bodies, the handler-level
 * validation that runs before the store, Flask's own 404/405 pages, and MLflow's basic-auth
 * app (or a Databricks-style bearer token) in front.
 */
import type { MlflowViewType } from '../../connectors/mlflow/types';
import type { DemoOrg } from '../demo-org';
import {
  startSandboxHttpServer,
  type Faults,
  type RequestStats,
  type SandboxHandler,
  type SandboxRequest,
  type SandboxResponse,
  proxyErrorPage,
} from '../http';
import { invalidParameter, MlflowError } from './errors';
import { createMlflowStore, MLFLOW_MAX_RESULTS, type MlflowStore } from './store';

export type MlflowAuth =
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string };

export interface MlflowSandboxOptions {
  org: DemoOrg;
  /** Which of the org's MLflow instances this server is, e.g. `prod`. */
  instance: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Off by default, like `mlflow server` without `--app-name basic-auth`. */
  auth?: MlflowAuth;
  faults?: Partial<Faults>;
  /** Seeds fault injection. Default: the org's seed. */
  seed?: number;
}

export interface SandboxServer {
  /** `http://127.0.0.1:<port>`; the API is under `/api/2.0/mlflow/`. */
  url: string;
  instance: string;
  stats: RequestStats;
  /** Live: change a field and the next request sees it. */
  faults: Faults;
  close(): Promise<void>;
}

/** What `GET /version` reports: an MLflow 3 server (model versions point at logged models). */
export const MLFLOW_SANDBOX_VERSION = '3.1.4';

export async function startMlflowSandbox(options: MlflowSandboxOptions): Promise<SandboxServer> {
  const store = createMlflowStore(options.org, options.instance);
  const server = await startSandboxHttpServer({
    name: `mlflow:${options.instance}`,
    port: options.port,
    host: options.host,
    faults: options.faults,
    seed: options.seed ?? options.org.seed,
    handler: createMlflowHandler(store, options.auth),
    faultResponse: mlflowFaultResponse,
  });
  return { url: server.url, instance: options.instance, stats: server.stats, faults: server.faults, close: server.close };
}

// ---- responses ------------------------------------------------------------------------------

const HTML = { 'content-type': 'text/html; charset=utf-8' };

/** `message_to_json`: proto JSON with snake_case names, indented by two. */
function ok(body: unknown): SandboxResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body, null, 2) };
}

function errorResponse(err: MlflowError): SandboxResponse {
  return { status: err.httpStatus, headers: { 'content-type': 'application/json' }, body: err.toJson() };
}

/** Werkzeug's NotFound page, which Flask serves for any path MLflow has no route for. */
const NOT_FOUND_PAGE =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n';

const METHOD_NOT_ALLOWED_PAGE =
  '<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n' +
  '<p>The method is not allowed for the requested URL.</p>\n';

/** Injected failures: MLflow's JSON for the codes it has, a proxy's page for the rest. */
export function mlflowFaultResponse(status: number): SandboxResponse {
  if (status === 429) {
    return errorResponse(new MlflowError('REQUEST_LIMIT_EXCEEDED', 'Too many requests. Please wait and try again.'));
  }
  if (status === 503) {
    return errorResponse(new MlflowError('TEMPORARILY_UNAVAILABLE', 'The service is temporarily unavailable. Please try again later.'));
  }
  if (status === 500) return errorResponse(new MlflowError('INTERNAL_ERROR', 'Internal server error'));
  return proxyErrorPage(status);
}


// ---- request messages -----------------------------------------------------------------------

type FieldKind = 'string' | 'int' | 'repeated' | 'viewType';

interface FieldSpec {
  kind: FieldKind;
  required?: boolean;
  /** The handler's `_assert_less_than_or_equal(int(x), max)`. */
  max?: number;
  /** Whether the handler's schema lists the field at all (type checks, required). */
  validated?: boolean;
}

type Message = Record<string, string | number | string[] | undefined>;

const VIEW_TYPES: Record<string, MlflowViewType> = { '1': 'ACTIVE_ONLY', '2': 'DELETED_ONLY', '3': 'ALL', ACTIVE_ONLY: 'ACTIVE_ONLY', DELETED_ONLY: 'DELETED_ONLY', ALL: 'ALL' };

function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/** `invalid_value(...)` + the handler's suffix, as `_validate_param_against_schema` words it. */
function invalidValue(param: string, value: unknown): MlflowError {
  return invalidParameter(
    `Invalid value ${JSON.stringify(value)} for parameter '${param}' supplied:  Hint: Value was of type '${pyTypeName(value)}'. ` +
      'See the API docs for more information about request parameters.',
  );
}

function missingValue(param: string): MlflowError {
  return invalidParameter(`Missing value for required parameter '${param}'. See the API docs for more information about request parameters.`);
}

/** `_get_request_json` with `force=True, silent=True`: a body that is not JSON reads as `{}`. */
function requestJson(req: SandboxRequest): Record<string, unknown> {
  if (req.method === 'POST') {
    const raw = req.headers['content-type'];
    const contentType = raw ? raw.split(';')[0] : undefined;
    if (contentType !== 'application/json') {
      const got = contentType !== undefined && /^[a-zA-Z0-9\-/;,+_ ]*$/.test(contentType) ? ` Got '${contentType}'.` : '';
      throw invalidParameter(`Bad Request. Content-Type must be one of [application/json].${got}`);
    }
  }
  if (req.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
    // Older clients double-encode the body as a JSON string.
    if (typeof parsed === 'string') parsed = JSON.parse(parsed);
  } catch {
    return {};
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/** Parses one proto field from JSON (protobuf's json_format rules, loosely); undefined = ParseError. */
function coerce(kind: FieldKind, value: unknown): string | number | string[] | undefined {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
      return undefined;
    case 'repeated':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
    case 'viewType':
      return VIEW_TYPES[String(value)];
  }
}

function typeCheck(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'int':
    case 'viewType':
      // `_assert_intlike`: int(x) must succeed.
      return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value));
    case 'repeated':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
}

/**
 * `_get_request_message`: a GET with a query string reads the declared fields from it
 * (repeated fields as repeated keys), anything else reads the JSON body; then the handler's
 * schema runs: required fields, type checks when proto parsing failed, and size limits.
 */
function requestMessage(req: SandboxRequest, fields: Record<string, FieldSpec>): Message {
  let raw: Record<string, unknown>;
  if (req.method === 'GET' && [...req.query.keys()].length > 0) {
    raw = {};
    for (const [name, spec] of Object.entries(fields)) {
      if (!req.query.has(name)) continue;
      raw[name] = spec.kind === 'repeated' ? req.query.getAll(name) : req.query.get(name);
    }
  } else {
    raw = requestJson(req);
  }

  const message: Message = {};
  let parsed = true;
  for (const [name, spec] of Object.entries(fields)) {
    if (!(name in raw) || raw[name] === null) continue;
    const value = coerce(spec.kind, raw[name]);
    if (value === undefined) parsed = false;
    else message[name] = value;
  }

  for (const [name, spec] of Object.entries(fields)) {
    if (!spec.validated && !spec.required && spec.max === undefined) continue;
    let value = raw[name];
    if (name === 'run_id' && value === undefined && 'run_uuid' in raw) value = raw.run_uuid;
    if (!(name in raw) && !spec.required && value === undefined) continue;
    if (spec.required && (value === undefined || value === null || value === '')) throw missingValue(name);
    if (!parsed && value !== undefined && !typeCheck(spec.kind, value)) throw invalidValue(name, value);
    if (spec.max !== undefined && value !== undefined && typeCheck('int', value) && Number(value) > spec.max) {
      throw invalidValue(name, value);
    }
  }
  return message;
}

// ---- endpoints ------------------------------------------------------------------------------

type Method = 'GET' | 'POST';

interface Endpoint {
  methods: Method[];
  fields: Record<string, FieldSpec>;
  run(store: MlflowStore, message: Message): unknown;
}

const str = (v: Message[string]): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: Message[string]): string[] => (Array.isArray(v) ? v : []);
const num = (v: Message[string]): number | undefined => (typeof v === 'number' ? v : undefined);
const viewType = (v: Message[string]): MlflowViewType => (typeof v === 'string' && v in VIEW_TYPES ? VIEW_TYPES[v]! : 'ACTIVE_ONLY');

const SEARCH_FIELDS = {
  filter: { kind: 'string', validated: true },
  order_by: { kind: 'repeated', validated: true },
  page_token: { kind: 'string', validated: true },
} satisfies Record<string, FieldSpec>;

const ENDPOINTS: Record<string, Endpoint> = {
  'experiments/search': {
    methods: ['GET', 'POST'],
    fields: { ...SEARCH_FIELDS, view_type: { kind: 'viewType', validated: true }, max_results: { kind: 'int', validated: true } },
    // No proto default: an omitted max_results reaches the store as 0 and is rejected (mlflow#10819).
    run: (store, m) =>
      store.searchExperiments({
        maxResults: num(m.max_results) ?? 0,
        pageToken: str(m.page_token),
        filter: str(m.filter),
        orderBy: list(m.order_by),
        viewType: viewType(m.view_type),
      }),
  },
  'experiments/get': {
    methods: ['GET'],
    fields: { experiment_id: { kind: 'string', required: true } },
    run: (store, m) => store.getExperiment(str(m.experiment_id)!),
  },
  'experiments/get-by-name': {
    methods: ['GET'],
    fields: { experiment_name: { kind: 'string', required: true } },
    run: (store, m) => store.getExperimentByName(str(m.experiment_name)!),
  },
  'runs/search': {
    methods: ['POST'],
    fields: {
      experiment_ids: { kind: 'repeated', validated: true },
      filter: { kind: 'string', validated: true },
      run_view_type: { kind: 'viewType' },
      max_results: { kind: 'int', validated: true, max: MLFLOW_MAX_RESULTS.runs },
      order_by: { kind: 'repeated', validated: true },
      page_token: { kind: 'string' },
    },
    run: (store, m) =>
      store.searchRuns({
        experimentIds: list(m.experiment_ids),
        filter: str(m.filter),
        runViewType: viewType(m.run_view_type),
        maxResults: num(m.max_results) ?? 1000,
        orderBy: list(m.order_by),
        pageToken: str(m.page_token),
      }),
  },
  'runs/get': {
    methods: ['GET'],
    fields: { run_id: { kind: 'string', required: true }, run_uuid: { kind: 'string' } },
    run: (store, m) => store.getRun(str(m.run_id) ?? str(m.run_uuid)!),
  },
  'registered-models/search': {
    methods: ['GET'],
    fields: { ...SEARCH_FIELDS, max_results: { kind: 'int', validated: true, max: MLFLOW_MAX_RESULTS.registeredModels } },
    run: (store, m) =>
      store.searchRegisteredModels({
        filter: str(m.filter),
        maxResults: num(m.max_results) ?? 100,
        orderBy: list(m.order_by),
        pageToken: str(m.page_token),
      }),
  },
  'registered-models/get': {
    methods: ['GET'],
    fields: { name: { kind: 'string', required: true } },
    run: (store, m) => store.getRegisteredModel(str(m.name)!),
  },
  'registered-models/get-latest-versions': {
    methods: ['GET', 'POST'],
    fields: { name: { kind: 'string', required: true }, stages: { kind: 'repeated', validated: true } },
    run: (store, m) => store.getLatestVersions(str(m.name)!, list(m.stages)),
  },
  'registered-models/alias': {
    methods: ['GET'],
    fields: { name: { kind: 'string', required: true }, alias: { kind: 'string', required: true } },
    run: (store, m) => store.getModelVersionByAlias(str(m.name)!, str(m.alias)!),
  },
  'model-versions/get': {
    methods: ['GET'],
    fields: { name: { kind: 'string', required: true }, version: { kind: 'string', required: true } },
    run: (store, m) => store.getModelVersion(str(m.name)!, str(m.version)!),
  },
  'model-versions/get-download-uri': {
    methods: ['GET'],
    fields: { name: { kind: 'string' }, version: { kind: 'string' } },
    run: (store, m) => store.getModelVersionDownloadUri(str(m.name) ?? '', str(m.version) ?? ''),
  },
  'model-versions/search': {
    methods: ['GET'],
    // The proto default (200,000) applies when max_results is omitted, not the store's 10,000.
    fields: { ...SEARCH_FIELDS, max_results: { kind: 'int', validated: true, max: MLFLOW_MAX_RESULTS.modelVersions } },
    run: (store, m) =>
      store.searchModelVersions({
        filter: str(m.filter),
        maxResults: num(m.max_results) ?? MLFLOW_MAX_RESULTS.modelVersions,
        orderBy: list(m.order_by),
        pageToken: str(m.page_token),
      }),
  },
};

/** Real MLflow routes the sandbox does not serve because it is read-only. */
const WRITE_ROUTES: Record<string, string[]> = {
  'registered-models/alias': ['POST', 'DELETE'],
};

const API_PREFIXES = ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'];

function allowHeader(methods: readonly string[]): string {
  const all = new Set([...methods, 'OPTIONS']);
  if (all.has('GET')) all.add('HEAD');
  return [...all].sort().join(', ');
}

// ---- auth -----------------------------------------------------------------------------------

function authenticate(auth: MlflowAuth | undefined, req: SandboxRequest): SandboxResponse | undefined {
  if (!auth || req.path.startsWith('/health')) return undefined;
  const header = req.headers.authorization ?? '';
  if (auth.type === 'basic') {
    const match = /^Basic\s+(\S+)$/i.exec(header);
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon >= 0 && decoded.slice(0, colon) === auth.username && decoded.slice(colon + 1) === auth.password) return undefined;
    // mlflow/server/auth: make_basic_auth_response().
    return {
      status: 401,
      headers: { ...HTML, 'www-authenticate': 'Basic realm="mlflow"' },
      body:
        'You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow ' +
        'on how to authenticate.',
    };
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match && match[1] === auth.token) return undefined;
  return errorResponse(
    new MlflowError(
      'UNAUTHENTICATED',
      match ? 'Invalid access token.' : 'Credential was not sent or was of an unsupported type for this API.',
    ),
  );
}

// ---- the handler ----------------------------------------------------------------------------

export function createMlflowHandler(store: MlflowStore, auth?: MlflowAuth): SandboxHandler {
  return (req) => {
    const denied = authenticate(auth, req);
    if (denied) return denied;

    if (req.path === '/health') return { status: 200, headers: HTML, body: 'OK' };
    if (req.path === '/version') return { status: 200, headers: HTML, body: MLFLOW_SANDBOX_VERSION };

    const prefix = API_PREFIXES.find((p) => req.path.startsWith(p));
    const route = prefix ? req.path.slice(prefix.length) : undefined;
    const endpoint = route !== undefined ? ENDPOINTS[route] : undefined;
    if (!endpoint || route === undefined) return { status: 404, headers: HTML, body: NOT_FOUND_PAGE };

    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const writeMethods = WRITE_ROUTES[route] ?? [];
    if (req.method === 'OPTIONS') {
      return { status: 200, headers: { ...HTML, allow: allowHeader([...endpoint.methods, ...writeMethods]) } };
    }
    if (writeMethods.includes(method)) {
      return errorResponse(new MlflowError('NOT_IMPLEMENTED', `The sandbox is read-only: ${req.method} ${req.path} is not served.`));
    }
    if (!endpoint.methods.includes(method as Method)) {
      return {
        status: 405,
        headers: { ...HTML, allow: allowHeader([...endpoint.methods, ...writeMethods]) },
        body: METHOD_NOT_ALLOWED_PAGE,
      };
    }

    try {
      const message = requestMessage({ ...req, method }, endpoint.fields);
      return ok(endpoint.run(store, message));
    } catch (err) {
      if (err instanceof MlflowError) return errorResponse(err);
      return errorResponse(new MlflowError('INTERNAL_ERROR', `Internal error: ${String(err)}`));
    }
  };
}
