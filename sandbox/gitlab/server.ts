/**
 * A local GitLab for one instance of the demo org, speaking the REST API v4 as GitLab does for
 * the endpoints modelgraph reads: projects, group projects, commits and repository files, with
 * GitLab's shapes, offset pagination headers (`x-page`, `x-next-page`, `Link`, ...), error
 * bodies, authentication (PRIVATE-TOKEN or Bearer) and Rack::Attack rate limiting.
 *
 * Sources: `doc/api/projects.md`, `doc/api/groups.md`, `doc/api/commits.md`,
 * `doc/api/repository_files.md` and `lib/api/files.rb`, `doc/api/rest/_index.md` (pagination),
 * `doc/api/rest/authentication.md`, `doc/administration/settings/user_and_ip_rate_limits.md`
 * (RateLimit-* headers, 429 with a plain-text `Retry later` and Retry-After).
 */
import { createHash } from 'node:crypto';
import type { GitlabProject } from '../../connectors/gitlab/types';
import type { DemoOrg } from '../demo-org';
import { runGitlabGraphql } from './graphql';
import {
  json,
  parseJsonBody,
  proxyErrorPage,
  startSandboxHttpServer,
  type Faults,
  type SandboxHandler,
  type SandboxRequest,
  type SandboxResponse,
} from '../http';
import type { SandboxServer } from '../mlflow/server';
import { createGitlabStore, gitBlobId, type GitlabCommitRecord, type GitlabProjectRecord, type GitlabStore } from './store';

/**
 * Credentials the sandbox accepts. A personal/project/group access token (`privateToken`)
 * works in `PRIVATE-TOKEN`, `Authorization: Bearer` or `?private_token=`; an OAuth token
 * (`bearer`) only as `Authorization: Bearer` or `?access_token=`.
 */
export type GitlabAuth = { type: 'privateToken'; token: string } | { type: 'bearer'; token: string };

export interface GitlabSandboxOptions {
  org: DemoOrg;
  /** Which GitLab instance of the org this server is, e.g. `com`; names the server (`gitlab:com`). */
  instance: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Off by default: every request sees every project. When set, a wrong token gets 401 and a
   * request without one is anonymous, as on GitLab: public projects only, `/version` 401.
   */
  auth?: GitlabAuth;
  faults?: Partial<Faults>;
  /** Seeds fault injection. Default: the org's seed. */
  seed?: number;
  /** The root GitLab's links (`web_url`) use. Default `https://gitlab.com`, where the org's repositories live. */
  webUrl?: string;
  /**
   * Rack::Attack's API throttle: requests per client per one-minute window. GitLab.com allows
   * 2,000 authenticated API requests a minute; self-managed instances ship with it off.
   * `false` turns it off (no RateLimit-* headers). Default 2000.
   */
  rateLimit?: { requestsPerMinute: number } | false;
  /** For tests: the clock of the rate-limit window. Default `Date.now`. */
  now?: () => number;
}

/** What `GET /version` reports (the Metadata API shape, which `/version` mirrors since 15.5). */
export const GITLAB_SANDBOX_VERSION = { version: '18.2.1-ee', revision: '6f7d1a9c4e2', enterprise: true } as const;

export async function startGitlabSandbox(options: GitlabSandboxOptions): Promise<SandboxServer> {
  const store = createGitlabStore(options.org, { webUrl: options.webUrl });
  const now = options.now ?? Date.now;
  const limiter = options.rateLimit === false ? undefined : new RateLimiter(options.rateLimit?.requestsPerMinute ?? 2000, now);
  const server = await startSandboxHttpServer({
    name: `gitlab:${options.instance}`,
    port: options.port,
    host: options.host,
    faults: options.faults,
    seed: options.seed ?? options.org.seed,
    handler: createGitlabHandler(store, { auth: options.auth, limiter }),
    faultResponse: (status) => gitlabFaultResponse(status, now),
  });
  return { url: server.url, instance: options.instance, stats: server.stats, faults: server.faults, close: server.close };
}

// ---- responses ------------------------------------------------------------------------------

const JSON_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'max-age=0, private, must-revalidate',
  'x-content-type-options': 'nosniff',
};

function ok(body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status: 200, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** `render_api_error!` / `not_found!`: `{"message": "404 Project Not Found"}`. */
function message(status: number, text: string): SandboxResponse {
  return json(status, { message: text }, { 'cache-control': 'no-cache' });
}

/** Grape's own errors (parameter validation, unknown routes): `{"error": "ref is missing"}`. */
function grapeError(status: number, text: string): SandboxResponse {
  return json(status, { error: text }, { 'cache-control': 'no-cache' });
}

const UNAUTHORIZED = () => message(401, '401 Unauthorized');
const ROUTE_NOT_FOUND = () => grapeError(404, '404 Not Found');

/**
 * Injected failures: a throttled request as Rack::Attack answers it (plain text, rate-limit
 * headers; the sandbox's fault layer adds Retry-After), GitLab's JSON for 500, and the
 * load balancer's page for 502-504.
 */
export function gitlabFaultResponse(status: number, now: () => number = Date.now): SandboxResponse {
  if (status === 429) {
    const reset = Math.ceil(now() / 60_000) * 60;
    return {
      status,
      headers: {
        'content-type': 'text/plain',
        'ratelimit-name': 'throttle_authenticated_api',
        'ratelimit-limit': '2000',
        'ratelimit-observed': '2001',
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(reset),
        'ratelimit-resettime': new Date(reset * 1000).toUTCString(),
      },
      body: 'Retry later\n',
    };
  }
  if (status === 500) return message(500, '500 Internal Server Error');
  return proxyErrorPage(status);
}


// ---- rate limiting --------------------------------------------------------------------------

/**
 * Rack::Attack's fixed window: requests per client per minute, reset at the end of the window.
 * Every response carries the RateLimit-* headers; a throttled one also RateLimit-ResetTime and
 * Retry-After, and a plain-text body (`Retry later` by default).
 */
class RateLimiter {
  private readonly counts = new Map<string, { window: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  take(client: string, authenticated: boolean): { headers: Record<string, string>; throttled?: SandboxResponse } {
    const nowMs = this.now();
    const window = Math.floor(nowMs / 60_000);
    const entry = this.counts.get(client);
    const count = entry && entry.window === window ? entry.count + 1 : 1;
    this.counts.set(client, { window, count });
    const resetSeconds = (window + 1) * 60;
    const headers: Record<string, string> = {
      'ratelimit-name': authenticated ? 'throttle_authenticated_api' : 'throttle_unauthenticated_api',
      'ratelimit-limit': String(this.limit),
      'ratelimit-observed': String(count),
      'ratelimit-remaining': String(Math.max(0, this.limit - count)),
      'ratelimit-reset': String(resetSeconds),
    };
    if (count <= this.limit) return { headers };
    return {
      headers,
      throttled: {
        status: 429,
        headers: {
          'content-type': 'text/plain',
          ...headers,
          'ratelimit-resettime': new Date(resetSeconds * 1000).toUTCString(),
          'retry-after': String(Math.max(1, Math.ceil(resetSeconds - nowMs / 1000))),
        },
        body: 'Retry later\n',
      },
    };
  }
}

// ---- authentication -------------------------------------------------------------------------

type Caller = { kind: 'user'; client: string } | { kind: 'anonymous'; client: string } | { kind: 'invalid' };

function identify(req: SandboxRequest, auth: GitlabAuth | undefined): Caller {
  const privateToken = header(req, 'private-token') ?? req.query.get('private_token') ?? undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1] ?? req.query.get('access_token') ?? undefined;
  const presented = privateToken ?? bearer;
  const client = presented ? `token:${createHash('sha256').update(presented).digest('hex').slice(0, 16)}` : 'ip';
  if (!auth) return { kind: 'user', client };
  if (presented === undefined) return { kind: 'anonymous', client };
  // OAuth tokens are only read from the OAuth places; access tokens from any.
  const accepted = auth.type === 'bearer' ? bearer === auth.token && privateToken === undefined : presented === auth.token;
  return accepted ? { kind: 'user', client } : { kind: 'invalid' };
}

function header(req: SandboxRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// ---- the handler ----------------------------------------------------------------------------

interface HandlerOptions {
  auth?: GitlabAuth;
  limiter?: RateLimiter;
}

const API_PREFIX = '/api/v4/';
const GRAPHQL_PATH = '/api/graphql';

/**
 * `POST /api/graphql`: anonymous callers see public projects only; a wrong token is 401 with
 * GraphQL's error shape; the API throttle counts it like any API request.
 */
function graphql(store: GitlabStore, req: SandboxRequest, caller: Caller): SandboxResponse {
  if (req.method !== 'POST' && req.method !== 'GET') return grapeError(405, '405 Not Allowed');
  if (caller.kind === 'invalid') return json(401, { errors: [{ message: 'Invalid token' }] });
  const request = req.method === 'GET' ? { query: req.query.get('query'), variables: safeJson(req.query.get('variables')) } : parseJsonBody(req.body);
  return ok(runGitlabGraphql(store, request, { anonymous: caller.kind === 'anonymous' }));
}

function safeJson(text: string | null): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export function createGitlabHandler(store: GitlabStore, options: HandlerOptions = {}): SandboxHandler {
  return (req) => {
    const caller = identify(req, options.auth);
    let limitHeaders: Record<string, string> = {};
    if (options.limiter && caller.kind !== 'invalid') {
      const taken = options.limiter.take(caller.client, caller.kind === 'user');
      if (taken.throttled) return taken.throttled;
      limitHeaders = taken.headers;
    }
    const response = req.path === GRAPHQL_PATH ? graphql(store, req, caller) : route(store, req, caller);
    return { ...response, headers: { ...response.headers, ...limitHeaders } };
  };
}

function route(store: GitlabStore, req: SandboxRequest, caller: Caller): SandboxResponse {
  if (!req.path.startsWith(API_PREFIX)) return { status: 404, headers: { 'content-type': 'text/html' }, body: NOT_FOUND_PAGE };
  if (caller.kind === 'invalid') return UNAUTHORIZED();
  // Segments stay URL-encoded until split, so `acme-data%2Fml%2Fmodel` is one `:id`.
  const parts = req.path.slice(API_PREFIX.length).split('/');
  let segments: string[];
  try {
    segments = parts.map((p) => decodeURIComponent(p));
  } catch {
    return ROUTE_NOT_FOUND();
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return grapeError(405, '405 Not Allowed');
  const anonymous = caller.kind === 'anonymous';
  const [resource, id, ...rest] = segments;

  if (resource === 'version' && segments.length === 1) return anonymous ? UNAUTHORIZED() : ok(GITLAB_SANDBOX_VERSION);

  if (resource === 'projects' && segments.length === 1) {
    const visible = store.projects.filter((p) => !anonymous || p.visibility === 'public');
    return listProjects(req, visible, anonymous);
  }

  if (resource === 'projects' && id !== undefined) {
    const endpoint =
      rest.length === 0
        ? 'project'
        : rest.length === 2 && rest[0] === 'repository' && rest[1] === 'commits'
          ? 'commits'
          : rest.length === 3 && rest[0] === 'repository' && rest[1] === 'commits'
            ? 'commit'
            : rest.length === 3 && rest[0] === 'repository' && rest[1] === 'files'
              ? 'file'
              : undefined;
    // The route is matched first: `/projects/group/project` (a raw slash in `:id`) is no route at all.
    if (!endpoint) return ROUTE_NOT_FOUND();
    const project = store.findProject(id);
    // GitLab answers "not found" for a project the caller may not see, so as not to reveal it.
    if (!project || (anonymous && project.visibility !== 'public')) return message(404, '404 Project Not Found');
    switch (endpoint) {
      case 'project':
        return ok(project.dto);
      case 'commits':
        return listCommits(store, req, project);
      case 'commit':
        return getCommit(store, req, project, rest[2]!);
      case 'file':
        return getFile(store, req, project, rest[2]!);
    }
  }

  if (resource === 'users' && segments.length === 1) return anonymous ? UNAUTHORIZED() : listUsers(store, req);

  if (resource === 'groups' && id !== undefined && rest.length === 1 && rest[0] === 'projects') {
    const group = store.findGroup(id);
    if (!group || (anonymous && group.visibility !== 'public')) return message(404, '404 Group Not Found');
    const includeSubgroups = bool(req.query.get('include_subgroups'));
    if (includeSubgroups === null) return grapeError(400, 'include_subgroups is invalid');
    const visible = store.projectsOf(group, includeSubgroups).filter((p) => !anonymous || p.visibility === 'public');
    return listProjects(req, visible, anonymous);
  }

  return ROUTE_NOT_FOUND();
}

/**
 * `GET /users` as a regular (non-administrator) user sees it (`doc/api/users.md`): `username`
 * is an exact, case-insensitive match; `search` matches a name or username containing the
 * text, or a public email equal to it; offset pages. Administrators would also match private
 * emails, and see `email`: the sandbox's token is no administrator's.
 */
function listUsers(store: GitlabStore, req: SandboxRequest): SandboxResponse {
  const username = req.query.get('username')?.toLowerCase();
  const search = req.query.get('search')?.trim().toLowerCase();
  const users = store.users.filter(
    (u) =>
      (!username || u.username.toLowerCase() === username) &&
      (!search ||
        u.name.toLowerCase().includes(search) ||
        u.username.toLowerCase().includes(search) ||
        (u.public_email ?? '').toLowerCase() === search),
  );
  const paged = paginate(req, users, { totals: true });
  if ('error' in paged) return paged.error;
  return ok(paged.items, paged.headers);
}

const NOT_FOUND_PAGE =
  '<!DOCTYPE html>\n<html>\n<head><title>The page you\'re looking for could not be found (404)</title></head>\n' +
  '<body><h1>404</h1><p>Page not found</p></body>\n</html>\n';

const ORDER_BY = ['id', 'name', 'path', 'created_at', 'updated_at', 'last_activity_at', 'star_count'] as const;
const SIMPLE_FIELDS = [
  'id', 'description', 'name', 'name_with_namespace', 'path', 'path_with_namespace', 'created_at', 'default_branch',
  'tag_list', 'topics', 'ssh_url_to_repo', 'http_url_to_repo', 'web_url', 'readme_url', 'forks_count', 'avatar_url',
  'star_count', 'last_activity_at', 'namespace',
] as const;

/** `GET /projects` and `GET /groups/:id/projects`: filters, order and offset pages. */
function listProjects(req: SandboxRequest, projects: GitlabProjectRecord[], anonymous: boolean): SandboxResponse {
  const q = req.query;
  const orderBy = q.get('order_by') ?? 'created_at';
  if (!(ORDER_BY as readonly string[]).includes(orderBy)) return grapeError(400, 'order_by does not have a valid value');
  const sort = q.get('sort') ?? 'desc';
  if (sort !== 'asc' && sort !== 'desc') return grapeError(400, 'sort does not have a valid value');
  const archived = bool(q.get('archived'));
  if (archived === null) return grapeError(400, 'archived is invalid');
  const simple = bool(q.get('simple'));
  if (simple === null) return grapeError(400, 'simple is invalid');
  const visibility = q.get('visibility');
  const search = q.get('search')?.toLowerCase();

  let list = projects.filter(
    (p) =>
      (q.get('archived') === null || p.archived === archived) &&
      (!visibility || p.visibility === visibility) &&
      (!search || p.fullName.toLowerCase().includes(search) || String(p.dto.name).toLowerCase().includes(search)),
  );
  const key = (p: GitlabProjectRecord): string | number => {
    switch (orderBy) {
      case 'id':
        return p.id;
      case 'name':
        return String(p.dto.name).toLowerCase();
      case 'path':
        return p.dto.path!;
      case 'star_count':
        return p.dto.star_count ?? 0;
      case 'updated_at':
      case 'last_activity_at':
        return p.lastActivityAt;
      default:
        return p.createdAt;
    }
  };
  // Ties broken by id, as GitLab orders by (column, id).
  list = [...list].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : a.id - b.id;
    return sort === 'asc' ? c : -c;
  });
  const paged = paginate(req, list, { totals: true });
  if ('error' in paged) return paged.error;
  const body = paged.items.map((p) => (simple || anonymous ? simpleProject(p.dto) : p.dto));
  return ok(body, paged.headers);
}

function simpleProject(dto: GitlabProject): Record<string, unknown> {
  const source = dto as Record<string, unknown>;
  return Object.fromEntries(SIMPLE_FIELDS.map((f) => [f, source[f]]));
}

/** `GET /projects/:id/repository/commits`: `ref_name` (default branch when absent), `since`, `until`, pages. */
function listCommits(store: GitlabStore, req: SandboxRequest, project: GitlabProjectRecord): SandboxResponse {
  const q = req.query;
  const ref = q.get('ref_name') || project.dto.default_branch!;
  const since = q.get('since');
  const until = q.get('until');
  const sinceMs = since ? Date.parse(since) : undefined;
  const untilMs = until ? Date.parse(until) : undefined;
  if (sinceMs !== undefined && Number.isNaN(sinceMs)) return grapeError(400, 'since is invalid');
  if (untilMs !== undefined && Number.isNaN(untilMs)) return grapeError(400, 'until is invalid');
  const all = bool(q.get('all'));
  let commits: GitlabCommitRecord[] = all
    ? [...project.commits.values()].sort((a, b) => b.time - a.time)
    : // An unknown ref lists nothing rather than failing.
      (store.history(project, ref) ?? []);
  commits = commits.filter((c) => (sinceMs === undefined || c.time >= sinceMs) && (untilMs === undefined || c.time <= untilMs));
  // No x-total / x-total-pages here: GitLab leaves them out of the Commits API for performance.
  const paged = paginate(req, commits, { totals: false });
  if ('error' in paged) return paged.error;
  return ok(paged.items.map((c) => listedCommit(c)), paged.headers);
}

function listedCommit(c: GitlabCommitRecord): Record<string, unknown> {
  const { stats: _stats, status: _status, project_id: _projectId, last_pipeline: _pipeline, ...listed } = c.dto;
  return listed;
}

/** `GET /projects/:id/repository/commits/:sha` (a sha, an abbreviation or a branch). */
function getCommit(store: GitlabStore, req: SandboxRequest, project: GitlabProjectRecord, sha: string): SandboxResponse {
  const commit = store.resolveRef(project, sha);
  if (!commit) return message(404, '404 Commit Not Found');
  const stats = bool(req.query.get('stats'));
  if (stats === null) return grapeError(400, 'stats is invalid');
  const body: Record<string, unknown> = { ...commit.dto, project_id: project.id };
  if (req.query.get('stats') !== null && !stats) delete body.stats;
  return ok(body);
}

/** `GET /projects/:id/repository/files/:file_path?ref=` (`lib/api/files.rb`). */
function getFile(store: GitlabStore, req: SandboxRequest, project: GitlabProjectRecord, filePath: string): SandboxResponse {
  const ref = req.query.get('ref');
  if (ref === null) return grapeError(400, 'ref is missing');
  if (ref === '') return grapeError(400, 'ref is empty');
  const commit = store.resolveRef(project, ref);
  if (!commit) return message(404, '404 Commit Not Found');
  const file = project.files.get(filePath.replace(/^\/+/, ''));
  if (!file) return message(404, '404 File Not Found');
  const content = Buffer.from(file.content, 'utf8');
  const data = {
    file_name: file.path.slice(file.path.lastIndexOf('/') + 1),
    file_path: file.path,
    size: content.length,
    encoding: 'base64',
    content_sha256: createHash('sha256').update(content).digest('hex'),
    ref,
    blob_id: gitBlobId(file.content),
    commit_id: commit.sha,
    last_commit_id: file.lastCommitId,
    execute_filemode: false,
  };
  // `set_http_headers(blob_data)`: the same metadata as X-Gitlab-* headers.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(data)) {
    headers[`x-gitlab-${name.replace(/_/g, '-')}`] = String(value);
  }
  return ok({ ...data, content: content.toString('base64') }, headers);
}

// ---- pagination -----------------------------------------------------------------------------

/**
 * Offset pagination (`doc/api/rest/_index.md`): `page` (default 1) and `per_page` (default 20,
 * at most 100), answered with `x-page`, `x-per-page`, `x-next-page`, `x-prev-page` (empty when
 * there is none), `x-total` and `x-total-pages` where the endpoint counts, and a `Link` header
 * with `prev`, `next`, `first` and (where counted) `last`.
 */
function paginate<T>(
  req: SandboxRequest,
  items: T[],
  options: { totals: boolean },
): { items: T[]; headers: Record<string, string> } | { error: SandboxResponse } {
  const perPageRaw = req.query.get('per_page');
  const pageRaw = req.query.get('page');
  if (perPageRaw !== null && !/^-?\d+$/.test(perPageRaw)) return { error: grapeError(400, 'per_page is invalid') };
  if (pageRaw !== null && !/^-?\d+$/.test(pageRaw)) return { error: grapeError(400, 'page is invalid') };
  let perPage = perPageRaw === null ? 20 : Number(perPageRaw);
  if (perPage < 1) perPage = 20;
  perPage = Math.min(perPage, 100);
  const page = Math.max(1, pageRaw === null ? 1 : Number(pageRaw));
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const next = page < totalPages ? page + 1 : undefined;
  const prev = page > 1 ? Math.min(page - 1, totalPages) : undefined;

  const host = header(req, 'host') ?? 'localhost';
  const link = (p: number) => {
    // The request's own parameters, then page and per_page, as GitLab writes its links.
    const params = new URLSearchParams(req.query);
    params.delete('page');
    params.delete('per_page');
    params.append('page', String(p));
    params.append('per_page', String(perPage));
    return `<http://${host}${req.path}?${params.toString()}>`;
  };
  const links = [
    ...(prev ? [`${link(prev)}; rel="prev"`] : []),
    ...(next ? [`${link(next)}; rel="next"`] : []),
    `${link(1)}; rel="first"`,
    ...(options.totals ? [`${link(totalPages)}; rel="last"`] : []),
  ];
  const headers: Record<string, string> = {
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-next-page': next ? String(next) : '',
    'x-prev-page': prev ? String(prev) : '',
    link: links.join(', '),
  };
  if (options.totals) {
    headers['x-total'] = String(items.length);
    headers['x-total-pages'] = String(totalPages);
  }
  return { items: slice, headers };
}

/** Grape's Boolean coercion: absent is false; anything but true/false/1/0 is invalid (null). */
function bool(value: string | null): boolean | null {
  if (value === null) return false;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return null;
}
