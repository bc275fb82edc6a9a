/**
 * A local Jira for one instance of the demo org, in one of two flavours:
 *
 * - `cloud`: REST API v3 — `GET|POST /rest/api/3/search/jql` with opaque `nextPageToken`
 *   paging and `isLast`, ids only unless `fields` says otherwise, `maxResults` 1..5000
 *   (default 50) but at most 100 issues a page once real fields are asked; the removed
 *   `/rest/api/{2,3}/search` answers 410 with Atlassian's migration message; unbounded JQL
 *   is refused; Basic auth with an email and API token.
 * - `datacenter`: REST API v2 — `GET|POST /rest/api/2/search` with `startAt`/`maxResults`/
 *   `total`, the server capping `maxResults` (`jira.search.views.default.max`, default
 *   1000) and reporting the page size it used, `*navigable` fields by default and
 *   `validateQuery=warn`; Bearer personal access tokens.
 *
 * Both serve `GET /rest/api/{3|2}/myself` and `GET /rest/api/{3|2}/issue/{idOrKey}` (and
 * `expand=changelog` there and in searches: the issue's status moves), Cloud also
 * `GET /rest/api/3/issue/{idOrKey}/changelog`; both take the writes of `writes.ts` (create,
 * comment, edit labels, transitions), and answer
 * bad JQL with a 400 `ErrorCollection` in Jira's wording, and, through the shared fault
 * switch, 429s with `Retry-After` and the flavour's `X-RateLimit-*` headers.
 */
import type { DemoOrg } from '../demo-org';
import {
  startSandboxHttpServer,
  type Faults,
  type SandboxHandler,
  type SandboxRequest,
  type SandboxResponse,
} from '../http';
import type { SandboxServer } from '../mlflow/server';
import { hashSeed } from '../prng';
import { JqlError } from './jql';
import { apiRoot, changelogHistories, expandList, renderIssue, selectFields, type JiraSandboxFlavor, type RenderContext } from './render';
import { createJiraStore, type JiraSearchResult, type JiraStore } from './store';
import { handleIssueWrite } from './writes';

export type { JiraSandboxFlavor } from './render';

export type JiraSandboxAuth =
  /** Cloud: the account's email and an API token, sent as Basic. */
  | { type: 'basic'; email: string; apiToken: string }
  /** Data Center: a personal access token, sent as Bearer. */
  | { type: 'bearer'; token: string };

export interface JiraSandboxOptions {
  org: DemoOrg;
  /** The Jira instance this server is, e.g. `corp` (names the server in stats and fault seeds). */
  instance: string;
  flavor: JiraSandboxFlavor;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  faults?: Partial<Faults>;
  /** Off by default (every request is the service user). */
  auth?: JiraSandboxAuth;
  /** Seeds fault injection. Default: the org's seed. */
  seed?: number;
  /** Data Center's `jira.search.views.default.max`. Default 1000. */
  maxResultsCap?: number;
  /** Cloud: issues per `/search/jql` page once fields beyond ids are asked. Default 100. */
  cloudFieldsPageSize?: number;
}

export interface JiraHandlerOptions {
  flavor: JiraSandboxFlavor;
  auth?: JiraSandboxAuth;
  maxResultsCap?: number;
  cloudFieldsPageSize?: number;
}

/** `/search/jql`'s documented ceiling: "It returns max 5000 issues". */
export const JIRA_CLOUD_MAX_RESULTS = 5000;

export async function startJiraSandbox(options: JiraSandboxOptions): Promise<SandboxServer> {
  const store = createJiraStore(options.org, options.flavor);
  let live: Faults | undefined;
  const server = await startSandboxHttpServer({
    name: `jira:${options.instance}`,
    port: options.port,
    host: options.host,
    faults: options.faults,
    seed: options.seed ?? options.org.seed,
    handler: createJiraHandler(store, options),
    faultResponse: (status) => jiraFaultResponse(options.flavor, status, live?.retryAfterSeconds),
  });
  live = server.faults;
  return { url: server.url, instance: options.instance, stats: server.stats, faults: server.faults, close: server.close };
}

// ---- responses ------------------------------------------------------------------------

const JSON_TYPE = { 'content-type': 'application/json;charset=UTF-8' };

function ok(body: unknown): SandboxResponse {
  return { status: 200, headers: JSON_TYPE, body: JSON.stringify(body) };
}

/** Jira's `ErrorCollection`. */
function errorCollection(status: number, errorMessages: string[], errors: Record<string, string> = {}): SandboxResponse {
  return { status, headers: JSON_TYPE, body: JSON.stringify({ errorMessages, errors }) };
}

const INVALID_PAYLOAD = 'Invalid request payload. Refer to the REST API documentation and try again.';
const ISSUE_NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';
const UNBOUNDED = 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.';
/** What Cloud answers on the removed search endpoints (CHANGE-2046). */
const SEARCH_REMOVED =
  'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. ' +
  'A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046';

/**
 * Injected failures. A 429 carries the flavour's rate-limit headers (Cloud: the
 * `X-RateLimit-*` set and `RateLimit-Reason`, with `X-RateLimit-Reset` an ISO 8601 minute,
 * "the request timestamp plus the Retry-After period"; Data Center: its token-bucket
 * headers); the shared server adds `Retry-After`. Bodies are ErrorCollections; gateway
 * errors are a proxy's HTML page.
 */
export function jiraFaultResponse(flavor: JiraSandboxFlavor, status: number, retryAfterSeconds = 1): SandboxResponse {
  if (status === 429) {
    const headers: Record<string, string> =
      flavor === 'cloud'
        ? {
            'x-ratelimit-limit': '350',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': `${new Date(Date.now() + retryAfterSeconds * 1000).toISOString().slice(0, 16)}Z`,
            'ratelimit-reason': 'jira-burst-based',
          }
        : {
            'x-ratelimit-limit': '20',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-interval-seconds': '1',
            'x-ratelimit-fillrate': '10',
          };
    const response = errorCollection(429, ['Rate limit exceeded.']);
    return { ...response, headers: { ...response.headers, ...headers } };
  }
  if (status === 500) return errorCollection(500, ['Internal server error']);
  if (status === 503) return errorCollection(503, ['Service Unavailable']);
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  return {
    status,
    headers: { 'content-type': 'text/html' },
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
  };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  502: 'Bad Gateway',
  504: 'Gateway Time-out',
};

// ---- auth -------------------------------------------------------------------------------

function authenticate(options: JiraHandlerOptions, req: SandboxRequest, baseUrl: string): SandboxResponse | undefined {
  const auth = options.auth;
  if (!auth) return undefined;
  const header = req.headers.authorization ?? '';
  if (auth.type === 'basic') {
    const match = /^Basic\s+(\S+)$/i.exec(header);
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon >= 0 && decoded.slice(0, colon) === auth.email && decoded.slice(colon + 1) === auth.apiToken) return undefined;
  } else {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match && match[1] === auth.token) return undefined;
  }
  // Seraph, Jira's authentication layer, says why in a header when credentials were sent.
  const headers: Record<string, string> = {
    'www-authenticate': `OAuth realm="${encodeURIComponent(baseUrl)}"`,
    ...(header ? { 'x-seraph-loginreason': 'AUTHENTICATED_FAILED' } : {}),
  };
  if (options.flavor === 'cloud') {
    return {
      status: 401,
      headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
      body: 'Client must be authenticated to access this resource.',
    };
  }
  const response = errorCollection(401, ['You are not authenticated. Authentication required to perform this operation.']);
  return { ...response, headers: { ...response.headers, ...headers } };
}

// ---- request parsing ------------------------------------------------------------------

class BadRequest extends Error {
  constructor(readonly response: SandboxResponse) {
    super('bad request');
  }
}

/** A JSON object body with only the listed properties (Jira's beans refuse unknown ones). */
function jsonBody(req: SandboxRequest, allowed: Record<string, 'string' | 'integer' | 'strings' | 'boolean' | 'integers' | 'any'>): Record<string, unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new BadRequest(errorCollection(415, ['Unsupported Media Type']));
  let body: unknown;
  try {
    body = JSON.parse(req.body.toString('utf8') || 'null');
  } catch {
    throw new BadRequest(errorCollection(400, [INVALID_PAYLOAD]));
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequest(errorCollection(400, [INVALID_PAYLOAD]));
  for (const [key, value] of Object.entries(body)) {
    const kind = allowed[key];
    const fits =
      value === null ||
      kind === 'any' ||
      (kind === 'string' && typeof value === 'string') ||
      (kind === 'integer' && Number.isInteger(value)) ||
      (kind === 'boolean' && typeof value === 'boolean') ||
      (kind === 'strings' && Array.isArray(value) && value.every((v) => typeof v === 'string')) ||
      (kind === 'integers' && Array.isArray(value) && value.every((v) => Number.isInteger(v)));
    if (!kind || !fits) throw new BadRequest(errorCollection(400, [INVALID_PAYLOAD]));
  }
  return body as Record<string, unknown>;
}

function intParam(req: SandboxRequest, name: string): number | undefined {
  const raw = req.query.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) {
    throw new BadRequest({
      status: 400,
      headers: { 'content-type': 'application/problem+json;charset=UTF-8' },
      body: JSON.stringify({ type: 'about:blank', title: 'Bad Request', status: 400, detail: `Failed to convert '${name}' with value: '${raw}'`, instance: req.path }),
    });
  }
  return Number(raw);
}

function search(store: JiraStore, jql: string, validate: 'strict' | 'warn'): JiraSearchResult {
  try {
    return store.search(jql, { validate });
  } catch (err) {
    if (err instanceof JqlError) throw new BadRequest(errorCollection(400, err.messages));
    throw err;
  }
}

// ---- paging tokens ----------------------------------------------------------------------

/** Opaque to clients; bound to the JQL it was issued for. */
function encodeToken(jql: string, offset: number): string {
  return Buffer.from(JSON.stringify({ q: hashSeed('jql', jql), o: offset })).toString('base64url');
}

function decodeToken(token: string, jql: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { q?: unknown; o?: unknown };
    if (parsed.q === hashSeed('jql', jql) && Number.isInteger(parsed.o) && (parsed.o as number) >= 0) return parsed.o as number;
  } catch {
    // falls through: not a token of ours
  }
  return undefined;
}

// ---- endpoints --------------------------------------------------------------------------

function searchJqlCloud(store: JiraStore, options: JiraHandlerOptions, req: SandboxRequest, ctx: RenderContext): SandboxResponse {
  let jql: string;
  let token: string | undefined;
  let maxResults: number | undefined;
  let fieldsParam: string[] | undefined;
  let expand: string[];
  if (req.method === 'POST') {
    const body = jsonBody(req, {
      jql: 'string',
      nextPageToken: 'string',
      maxResults: 'integer',
      fields: 'strings',
      expand: 'string',
      properties: 'strings',
      fieldsByKeys: 'boolean',
      reconcileIssues: 'integers',
    });
    jql = (body.jql as string | undefined) ?? '';
    token = (body.nextPageToken as string | undefined) ?? undefined;
    maxResults = (body.maxResults as number | undefined) ?? undefined;
    fieldsParam = (body.fields as string[] | undefined) ?? undefined;
    expand = expandList([body.expand as string | undefined]);
  } else {
    jql = req.query.get('jql') ?? '';
    token = req.query.get('nextPageToken') ?? undefined;
    maxResults = intParam(req, 'maxResults');
    fieldsParam = req.query.getAll('fields');
    expand = expandList(req.query.getAll('expand'));
  }
  const requested = maxResults ?? 50;
  if (requested < 1 || requested > JIRA_CLOUD_MAX_RESULTS) {
    return errorCollection(400, [`The maxResults parameter must be between 1 and ${JIRA_CLOUD_MAX_RESULTS}.`]);
  }
  let offset = 0;
  if (token) {
    const decoded = decodeToken(token, jql);
    if (decoded === undefined) return errorCollection(400, ['The provided next page token is invalid or expired.']);
    offset = decoded;
  }
  const result = search(store, jql, 'strict');
  if (!result.bounded) return errorCollection(400, [UNBOUNDED]);
  const fields = selectFields(fieldsParam, 'id');
  // "To manage page size, API may return fewer items per page where a large number of
  // fields or properties are requested": ids alone come 5000 at a time, fields 100.
  const pageSize = fields.size === 0 ? requested : Math.min(requested, options.cloudFieldsPageSize ?? 100);
  const page = result.issues.slice(offset, offset + pageSize);
  const isLast = offset + page.length >= result.issues.length;
  return ok({
    issues: page.map((issue) => renderIssue(issue, ctx, fields, expand)),
    ...(isLast ? {} : { nextPageToken: encodeToken(jql, offset + page.length) }),
    isLast,
  });
}

function searchDataCenter(store: JiraStore, options: JiraHandlerOptions, req: SandboxRequest, ctx: RenderContext): SandboxResponse {
  let jql: string;
  let startAt: number | undefined;
  let maxResults: number | undefined;
  let fieldsParam: string[] | undefined;
  let validate: unknown;
  let expand: string[];
  if (req.method === 'POST') {
    const body = jsonBody(req, {
      jql: 'string',
      startAt: 'integer',
      maxResults: 'integer',
      fields: 'strings',
      expand: 'any',
      properties: 'strings',
      fieldsByKeys: 'boolean',
      validateQuery: 'any',
    });
    jql = (body.jql as string | undefined) ?? '';
    startAt = (body.startAt as number | undefined) ?? undefined;
    maxResults = (body.maxResults as number | undefined) ?? undefined;
    fieldsParam = (body.fields as string[] | undefined) ?? undefined;
    validate = body.validateQuery;
    // Data Center takes `expand` as a string or a list in a POST body.
    expand = expandList(Array.isArray(body.expand) ? (body.expand as string[]) : [body.expand as string | undefined]);
  } else {
    jql = req.query.get('jql') ?? '';
    startAt = intParam(req, 'startAt');
    maxResults = intParam(req, 'maxResults');
    fieldsParam = req.query.getAll('fields');
    validate = req.query.get('validateQuery');
    expand = expandList(req.query.getAll('expand'));
  }
  const warn = validate === false || ['false', 'warn', 'none'].includes(String(validate).toLowerCase());
  const result = search(store, jql, warn ? 'warn' : 'strict');
  const cap = options.maxResultsCap ?? 1000;
  // Over the cap is truncated to it, and the response says what was used.
  const used = Math.max(0, Math.min(maxResults ?? 50, cap));
  const from = Math.max(0, startAt ?? 0);
  const fields = selectFields(fieldsParam, '*navigable');
  return ok({
    expand: 'schema,names',
    startAt: from,
    maxResults: used,
    total: result.issues.length,
    issues: result.issues.slice(from, from + used).map((issue) => renderIssue(issue, ctx, fields, expand)),
    ...(result.warnings.length > 0 ? { warningMessages: result.warnings } : {}),
  });
}

function myself(options: JiraHandlerOptions, ctx: RenderContext): SandboxResponse {
  const email = options.auth?.type === 'basic' ? options.auth.email : 'svc-modelgraph@acme.io';
  const avatarUrls = Object.fromEntries([16, 24, 32, 48].map((s) => [`${s}x${s}`, `${ctx.baseUrl}/secure/useravatar?size=${s}`]));
  const common = {
    emailAddress: email,
    avatarUrls,
    displayName: 'modelgraph service account',
    active: true,
    timeZone: 'Etc/UTC',
    locale: 'en_US',
    groups: { size: 1, items: [] },
    applicationRoles: { size: 1, items: [] },
    expand: 'groups,applicationRoles',
  };
  if (options.flavor === 'cloud') {
    const accountId = '712020:7c1a4b0e-5d2f-4c55-9d3e-8f1b2a6c0d11';
    return ok({ self: `${apiRoot(ctx)}/user?accountId=${accountId}`, accountId, accountType: 'atlassian', ...common });
  }
  return ok({ self: `${apiRoot(ctx)}/user?username=svc-modelgraph`, key: 'JIRAUSER10000', name: 'svc-modelgraph', deleted: false, ...common });
}

function getIssue(store: JiraStore, req: SandboxRequest, ctx: RenderContext, idOrKey: string): SandboxResponse {
  const issue = store.getIssue(idOrKey);
  if (!issue) return errorCollection(404, [ISSUE_NOT_FOUND]);
  return ok(renderIssue(issue, ctx, selectFields(req.query.getAll('fields'), '*all'), expandList(req.query.getAll('expand'))));
}

/**
 * Cloud's `GET /rest/api/3/issue/{issueIdOrKey}/changelog`: a `PageBeanChangelog` of the
 * issue's changelogs, oldest first, paged by `startAt` and `maxResults` (default and
 * maximum 100).
 */
function getChangelog(store: JiraStore, req: SandboxRequest, ctx: RenderContext, idOrKey: string): SandboxResponse {
  const issue = store.getIssue(idOrKey);
  if (!issue) return errorCollection(404, [ISSUE_NOT_FOUND]);
  const all = changelogHistories(issue, ctx);
  const startAt = Math.max(0, intParam(req, 'startAt') ?? 0);
  const maxResults = Math.max(1, Math.min(intParam(req, 'maxResults') ?? 100, 100));
  const values = all.slice(startAt, startAt + maxResults);
  const self = `${apiRoot(ctx)}/issue/${encodeURIComponent(idOrKey)}/changelog?maxResults=${maxResults}&startAt=${startAt}`;
  return ok({ self, maxResults, startAt, total: all.length, isLast: startAt + values.length >= all.length, values });
}

function notFound(options: JiraHandlerOptions, req: SandboxRequest, baseUrl: string): SandboxResponse {
  if (options.flavor === 'cloud') {
    // Cloud's REST gateway answers unknown endpoints with RFC 7807.
    return {
      status: 404,
      headers: { 'content-type': 'application/problem+json;charset=UTF-8' },
      body: JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: `No endpoint ${req.method} ${req.path}.`, instance: req.path }),
    };
  }
  return errorCollection(404, [`null for uri: ${baseUrl}${req.path}`]);
}

function methodNotAllowed(allowed: string[]): SandboxResponse {
  return { status: 405, headers: { allow: [...allowed, 'OPTIONS'].join(','), 'content-type': 'text/plain;charset=UTF-8' }, body: '' };
}

export function createJiraHandler(store: JiraStore, options: JiraHandlerOptions): SandboxHandler {
  const version = options.flavor === 'cloud' ? '3' : '2';
  return (req) => {
    const baseUrl = `http://${req.headers.host ?? '127.0.0.1'}`;
    const ctx: RenderContext = { flavor: options.flavor, baseUrl, store };
    const match = /^\/rest\/api\/(2|3|latest)\/(.+?)\/?$/.exec(req.path);
    if (!match) return notFound(options, req, baseUrl);
    const denied = authenticate(options, req, baseUrl);
    if (denied) return denied;

    const [, requestedVersion, resource] = match as unknown as [string, string, string];
    // Data Center has only v2 (`latest` is an alias); Cloud serves v3 here (and v2's removed search).
    const apiVersion = requestedVersion === 'latest' && options.flavor === 'datacenter' ? '2' : requestedVersion;
    try {
      if (options.flavor === 'cloud' && resource === 'search' && (apiVersion === '2' || apiVersion === '3')) {
        return errorCollection(410, [SEARCH_REMOVED]);
      }
      if (apiVersion !== version) return notFound(options, req, baseUrl);
      if (resource === 'myself') return req.method === 'GET' ? myself(options, ctx) : methodNotAllowed(['GET']);
      if (options.flavor === 'cloud' && resource === 'search/jql') {
        return req.method === 'GET' || req.method === 'POST' ? searchJqlCloud(store, options, req, ctx) : methodNotAllowed(['GET', 'POST']);
      }
      if (options.flavor === 'datacenter' && resource === 'search') {
        return req.method === 'GET' || req.method === 'POST' ? searchDataCenter(store, options, req, ctx) : methodNotAllowed(['GET', 'POST']);
      }
      const changelog = /^issue\/([^/]+)\/changelog$/.exec(resource);
      if (changelog && options.flavor === 'cloud') {
        return req.method === 'GET' ? getChangelog(store, req, ctx, decodeURIComponent(changelog[1]!)) : methodNotAllowed(['GET']);
      }
      const written = handleIssueWrite(store, req, ctx, resource);
      if (written) return written;
      const issue = /^issue\/([^/]+)$/.exec(resource);
      if (issue) return req.method === 'GET' ? getIssue(store, req, ctx, decodeURIComponent(issue[1]!)) : methodNotAllowed(['GET']);
      return notFound(options, req, baseUrl);
    } catch (err) {
      if (err instanceof BadRequest) return err.response;
      throw err;
    }
  };
}
