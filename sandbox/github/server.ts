/**
 * A local GitHub REST API for the demo org's GitHub organisation, answering as api.github.com
 * does (API version 2022-11-28) for what modelgraph reads — or, with `enterprise`, as a GitHub
 * Enterprise Server under `/api/v3`:
 *
 * - `GET /repos/{owner}/{repo}` (also `/repositories/{id}`), `GET /orgs/{org}/repos`
 *   (also `/organizations/{id}/repos`, where its `Link` headers point, as GitHub's do),
 *   `GET /users/{username}/repos`, `GET /repos/{owner}/{repo}/commits[/{ref}]`,
 *   `GET /repos/{owner}/{repo}/contents/{path}`, `GET /rate_limit`, `GET /`;
 * - `per_page` (default 30, at most 100) and `page`, with `Link` headers (prev, next, last,
 *   first) holding absolute URLs;
 * - an `ETag` on every 200, and a 304 without a body for a matching `If-None-Match`, which
 *   does not count against the rate limit when the request is authenticated;
 * - `x-ratelimit-limit/remaining/reset/used/resource` per identity (token, or anonymous) with
 *   an hourly budget, and the primary-limit 403 once it is spent;
 * - 401 `Bad credentials` for a wrong token; private and internal repositories are 404 to
 *   anonymous callers; 404 `Not Found` bodies in GitHub's shape (`message`,
 *   `documentation_url`, `status`).
 *
 * GitHub Enterprise Server has rate limiting off unless an administrator turns it on, so in
 * `enterprise` mode it is off by default: no `x-ratelimit-*` headers, and `/rate_limit` is
 * 404 "Rate limiting is not enabled.".
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { DemoOrg } from '../demo-org';
import {
  parseJsonBody,
  startSandboxHttpServer,
  type Faults,
  type SandboxHandler,
  type SandboxRequest,
  type SandboxResponse,
} from '../http';
import type { SandboxServer } from '../mlflow/server';
import { hashSeed } from '../prng';
import { runGithubGraphql } from './graphql';
import {
  createGithubStore,
  gitBlobSha,
  WEB_FLOW,
  type GithubSandboxStore,
  type SandboxCommit,
  type SandboxRepository,
} from './store';

/** The token a client must send (as `Authorization: Bearer <token>` or `token <token>`). */
export interface GithubSandboxAuth {
  type: 'token';
  token: string;
}

export interface GithubRateLimitOptions {
  /** Requests per hour for an authenticated identity. Default 5000. */
  limit?: number;
  /** Requests per hour without a token. Default 60. */
  anonymousLimit?: number;
}

export interface GithubSandboxOptions {
  org: DemoOrg;
  /** Names the server (`github:<instance>`) in stats and fault seeds, e.g. `cloud`. */
  instance: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  faults?: Partial<Faults>;
  /**
   * When set, a request without a token is anonymous (public repositories only, the
   * anonymous budget) and a wrong token is 401. Default: no auth, every request is the
   * org's service account and sees everything.
   */
  auth?: GithubSandboxAuth;
  /** Serve GitHub Enterprise Server's API under `/api/v3`. Default false (api.github.com). */
  enterprise?: boolean;
  /**
   * The primary rate limit, or false for none. Default: on (5000/60 per hour) for
   * api.github.com, off for GitHub Enterprise Server (its own default).
   */
  rateLimit?: GithubRateLimitOptions | false;
  /**
   * Web origin of links (`html_url`). Default: https://github.com, or the sandbox's own URL
   * in `enterprise` mode (a GHES serves web and API on one host).
   */
  webOrigin?: string;
  /** Seeds fault injection. Default: the org's seed. */
  seed?: number;
  /** For tests: the clock of the rate-limit windows. Default `Date.now`. */
  now?: () => number;
}

export async function startGithubSandbox(options: GithubSandboxOptions): Promise<SandboxServer> {
  const store = createGithubStore(options.org);
  const server = await startSandboxHttpServer({
    name: `github:${options.instance}`,
    port: options.port,
    host: options.host,
    faults: options.faults,
    seed: options.seed ?? options.org.seed,
    handler: createGithubHandler(store, options),
    faultResponse: githubFaultResponse,
  });
  return { url: server.url, instance: options.instance, stats: server.stats, faults: server.faults, close: server.close };
}

// ---- responses ------------------------------------------------------------------------------

const DOCS = 'https://docs.github.com/rest';
const API_VERSION = '2022-11-28';
const JSON_TYPE = 'application/json; charset=utf-8';

function error(status: number, message: string, documentationUrl = DOCS): SandboxResponse {
  return body(status, { message, documentation_url: documentationUrl, status: String(status) });
}

function body(status: number, value: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(value) };
}

/** Injected failures as GitHub words them: secondary rate limits for 403/429, its error JSON otherwise. */
export function githubFaultResponse(status: number): SandboxResponse {
  if (status === 403 || status === 429) {
    return error(
      status,
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
        'If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.',
      'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    );
  }
  if (status === 500) return error(500, 'Server Error');
  return error(status, STATUS_CODES[status] ?? 'Error');
}

// ---- rate limits ----------------------------------------------------------------------------

interface Bucket {
  limit: number;
  used: number;
  /** Epoch seconds. */
  reset: number;
}

class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: Required<GithubRateLimitOptions>,
    private readonly now: () => number,
  ) {}

  /** The identity's window, started afresh once its reset has passed. */
  bucket(identity: string, anonymous: boolean): Bucket {
    const nowSeconds = Math.floor(this.now() / 1000);
    let bucket = this.buckets.get(identity);
    if (!bucket || nowSeconds >= bucket.reset) {
      bucket = { limit: anonymous ? this.options.anonymousLimit : this.options.limit, used: 0, reset: nowSeconds + 3600 };
      this.buckets.set(identity, bucket);
    }
    return bucket;
  }

  static headers(bucket: Bucket, resource: 'core' | 'graphql' = 'core'): Record<string, string> {
    return {
      'x-ratelimit-limit': String(bucket.limit),
      'x-ratelimit-remaining': String(Math.max(0, bucket.limit - bucket.used)),
      'x-ratelimit-reset': String(bucket.reset),
      'x-ratelimit-used': String(bucket.used),
      'x-ratelimit-resource': resource,
    };
  }
}

// ---- the handler ----------------------------------------------------------------------------

interface Caller {
  /** The rate-limit identity. */
  identity: string;
  anonymous: boolean;
}

interface RequestContext {
  caller: Caller;
  /** `http://127.0.0.1:1234` or `http://127.0.0.1:1234/api/v3`: what API URLs in bodies start with. */
  apiBase: string;
  webOrigin: string;
  accept: string;
}

export function createGithubHandler(
  store: GithubSandboxStore,
  options: Pick<GithubSandboxOptions, 'auth' | 'enterprise' | 'rateLimit' | 'webOrigin' | 'now'> = {},
): SandboxHandler {
  const prefix = options.enterprise ? '/api/v3' : '';
  const rateLimitOptions = options.rateLimit ?? (options.enterprise ? false : {});
  const limiter =
    rateLimitOptions === false
      ? undefined
      : new RateLimiter({ limit: rateLimitOptions.limit ?? 5000, anonymousLimit: rateLimitOptions.anonymousLimit ?? 60 }, options.now ?? Date.now);

  let requests = 0;
  // GraphQL sits beside the REST root: /graphql, or /api/graphql beside GHES's /api/v3.
  const graphqlPath = options.enterprise ? '/api/graphql' : '/graphql';

  return (req) => {
    requests = (requests + 1) >>> 0;
    let path = req.path;
    const graphql = path === graphqlPath;
    if (prefix && !graphql) {
      if (path !== prefix && !path.startsWith(`${prefix}/`)) return error(404, 'Not Found');
      path = path.slice(prefix.length) || '/';
    }
    const host = String(req.headers.host ?? '127.0.0.1');
    const origin = `http://${host}`;
    const ctx: RequestContext = {
      caller: { identity: 'anonymous', anonymous: true },
      apiBase: `${origin}${prefix}`,
      webOrigin: (options.webOrigin ?? (options.enterprise ? origin : 'https://github.com')).replace(/\/+$/, ''),
      accept: String(req.headers.accept ?? ''),
    };
    const common: Record<string, string> = {
      'x-github-api-version-selected': API_VERSION,
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': requestId(req, requests),
      vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
    };

    // Authentication first: a wrong token is refused whatever it asks for.
    const token = bearer(req.headers.authorization);
    if (options.auth) {
      if (token === undefined) ctx.caller = { identity: 'anonymous', anonymous: true };
      else if (token === options.auth.token) ctx.caller = { identity: `token:${token}`, anonymous: false };
      else return withHeaders(error(401, 'Bad credentials'), common);
    } else {
      ctx.caller = { identity: 'service-account', anonymous: false };
    }

    if (graphql) return withHeaders(graphqlRequest(store, req, ctx, limiter), common);

    if (path === '/rate_limit' && req.method === 'GET') {
      if (!limiter) return withHeaders(error(404, 'Rate limiting is not enabled.', `${DOCS}/rate-limit`), common);
      const bucket = limiter.bucket(ctx.caller.identity, ctx.caller.anonymous);
      const core = { limit: bucket.limit, used: bucket.used, remaining: bucket.limit - bucket.used, reset: bucket.reset };
      // The sandbox has no search API: its bucket is GitHub's (30 a minute, 10 anonymous), never spent.
      const searchLimit = ctx.caller.anonymous ? 10 : 30;
      const search = { limit: searchLimit, used: 0, remaining: searchLimit, reset: Math.floor(Date.now() / 1000) + 60 };
      // Not counted: GitHub documents /rate_limit as free.
      return withHeaders(body(200, { resources: { core, search }, rate: core }), { ...common, ...RateLimiter.headers(bucket) });
    }

    const bucket = limiter?.bucket(ctx.caller.identity, ctx.caller.anonymous);
    if (bucket && bucket.used >= bucket.limit) {
      return withHeaders(
        error(
          403,
          ctx.caller.anonymous
            ? "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)"
            : 'API rate limit exceeded for user ID 1.',
          'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        ),
        { ...common, ...RateLimiter.headers(bucket) },
      );
    }

    const response = req.method === 'GET' || req.method === 'HEAD' ? route(store, path, req.query, ctx) : error(404, 'Not Found');
    const headers: Record<string, string> = { ...common };

    if (response.status === 200) {
      const etag = `"${createHash('md5').update(response.body ?? '').update(ctx.caller.identity).digest('hex')}"`;
      headers.etag = etag;
      headers['cache-control'] = ctx.caller.anonymous ? 'public, max-age=60, s-maxage=60' : 'private, max-age=60, s-maxage=60';
      if (etagMatches(req.headers['if-none-match'], etag)) {
        // "does not count against your primary rate limit if a 304 response is returned and
        // the request was made while correctly authorized with an Authorization header".
        if (bucket && ctx.caller.anonymous) bucket.used++;
        return { status: 304, headers: { ...headers, ...(bucket ? RateLimiter.headers(bucket) : {}) } };
      }
    }
    if (bucket) {
      bucket.used++;
      Object.assign(headers, RateLimiter.headers(bucket));
    }
    return withHeaders(response, headers);
  };
}

/**
 * `POST /graphql`: token only ("This endpoint requires you to be authenticated."), budgeted
 * in points apart from REST (`x-ratelimit-resource: graphql`), 200 whatever the errors.
 */
function graphqlRequest(store: GithubSandboxStore, req: SandboxRequest, ctx: RequestContext, limiter: RateLimiter | undefined): SandboxResponse {
  if (req.method !== 'POST') return error(404, 'Not Found', 'https://docs.github.com/graphql');
  if (ctx.caller.anonymous) {
    return error(401, 'This endpoint requires you to be authenticated.', 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql');
  }
  const bucket = limiter?.bucket(`graphql:${ctx.caller.identity}`, false);
  const request = parseJsonBody(req.body);
  if (request === undefined) return body(400, { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/graphql' });
  const result = runGithubGraphql(store, request, { webOrigin: ctx.webOrigin, budget: bucket ?? null });
  return body(200, result.body, bucket ? RateLimiter.headers(bucket, 'graphql') : {});
}

function withHeaders(response: SandboxResponse, headers: Record<string, string>): SandboxResponse {
  return { ...response, headers: { ...headers, ...response.headers } };
}

function bearer(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^(?:bearer|token)\s+(\S+)\s*$/i.exec(value) : null;
  return match ? match[1] : undefined;
}

/** RFC 9110 weak comparison, as a GET's If-None-Match uses: `W/` is ignored, `*` matches. */
function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return value.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag));
}

/** `x-github-request-id`-shaped: unique per request of one server, the same on every run. */
function requestId(req: SandboxRequest, n: number): string {
  const h = hashSeed(req.path, n).toString(16).toUpperCase().padStart(8, '0');
  return `${h.slice(0, 4)}:${h.slice(4)}:${n.toString(16).toUpperCase()}`;
}

// ---- routes ---------------------------------------------------------------------------------

function route(store: GithubSandboxStore, path: string, query: URLSearchParams, ctx: RequestContext): SandboxResponse {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return body(200, rootDocument(ctx));

  if (parts[0] === 'orgs' && parts.length === 2) {
    if (parts[1]!.toLowerCase() !== store.org.toLowerCase()) return error(404, 'Not Found', `${DOCS}/orgs/orgs#get-an-organization`);
    return body(200, organization(store, ctx));
  }
  if ((parts[0] === 'orgs' || parts[0] === 'organizations') && parts.length === 3 && parts[2] === 'repos') {
    const known = parts[0] === 'orgs' ? parts[1]!.toLowerCase() === store.org.toLowerCase() : Number(parts[1]) === store.orgId;
    if (!known) return error(404, 'Not Found', `${DOCS}/repos/repos#list-organization-repositories`);
    return listOrgRepositories(store, query, ctx, `${ctx.apiBase}/organizations/${store.orgId}/repos`);
  }
  if (parts[0] === 'users' && parts.length === 3 && parts[2] === 'repos') {
    // Every repository belongs to the organisation: a person's own list is empty.
    if (!store.userIds.has(parts[1]!) || parts[1] === WEB_FLOW.login) return error(404, 'Not Found', `${DOCS}/repos/repos#list-repositories-for-a-user`);
    return body(200, []);
  }

  let repo: SandboxRepository | undefined;
  let rest: string[];
  if (parts[0] === 'repos' && parts.length >= 3) {
    repo = store.findRepository(parts[1]!, parts[2]!);
    rest = parts.slice(3);
  } else if (parts[0] === 'repositories' && parts.length >= 2 && /^\d+$/.test(parts[1]!)) {
    repo = store.findRepositoryById(Number(parts[1]));
    rest = parts.slice(2);
  } else {
    return error(404, 'Not Found');
  }
  // Private and internal repositories do not exist for whoever may not see them.
  if (!repo || (ctx.caller.anonymous && repo.visibility !== 'public')) {
    return error(404, 'Not Found', `${DOCS}/repos/repos#get-a-repository`);
  }

  if (rest.length === 0) return body(200, fullRepository(store, repo, ctx));
  if (rest[0] === 'commits' && rest.length === 1) return listCommits(repo, query, ctx, `${ctx.apiBase}/repositories/${repo.id}/commits`);
  if (rest[0] === 'commits' && rest.length >= 2) {
    const ref = rest.slice(1).join('/');
    const commit = resolveRef(repo, ref);
    if (!commit) return error(422, `No commit found for SHA: ${ref}`, `${DOCS}/commits/commits#get-a-commit`);
    return body(200, commitJson(store, repo, commit, ctx, true));
  }
  if (rest[0] === 'contents') return contents(repo, rest.slice(1).join('/'), query, ctx);
  return error(404, 'Not Found');
}

function rootDocument(ctx: RequestContext): Record<string, string> {
  return {
    current_user_url: `${ctx.apiBase}/user`,
    organization_repositories_url: `${ctx.apiBase}/orgs/{org}/repos{?type,page,per_page,sort}`,
    rate_limit_url: `${ctx.apiBase}/rate_limit`,
    repository_url: `${ctx.apiBase}/repos/{owner}/{repo}`,
    user_repositories_url: `${ctx.apiBase}/users/{user}/repos{?type,page,per_page,sort}`,
  };
}

// ---- listings -------------------------------------------------------------------------------

interface Page<T> {
  items: T[];
  link?: string;
}

/** `per_page` (default 30, at most 100) and `page` (from 1), with GitHub's Link relations. */
function paginate<T>(all: T[], query: URLSearchParams, linkBase: string): Page<T> {
  const perPage = Math.min(100, Math.max(1, intParam(query.get('per_page'), 30)));
  const page = Math.max(1, intParam(query.get('page'), 1));
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const params = new URLSearchParams(query);
  const at = (n: number) => {
    params.set('page', String(n));
    return `<${linkBase}?${params.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${at(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) rels.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (page > 1) rels.push(`${at(1)}; rel="first"`);
  return { items, link: rels.length ? rels.join(', ') : undefined };
}

function intParam(value: string | null, fallback: number): number {
  if (value === null || !/^\d+$/.test(value.trim())) return fallback;
  return Number(value);
}

function pageResponse<T>(page: Page<T>): SandboxResponse {
  return body(200, page.items, page.link ? { link: page.link } : {});
}

function listOrgRepositories(store: GithubSandboxStore, query: URLSearchParams, ctx: RequestContext, linkBase: string): SandboxResponse {
  const type = query.get('type') ?? 'all';
  const sort = query.get('sort') ?? 'created';
  const direction = query.get('direction') ?? (sort === 'full_name' ? 'asc' : 'desc');
  let repos = store.repositories.filter((r) => !ctx.caller.anonymous || r.visibility === 'public');
  if (type === 'public') repos = repos.filter((r) => r.visibility === 'public');
  else if (type === 'private') repos = repos.filter((r) => r.visibility !== 'public');
  else if (type === 'forks') repos = [];
  const key = (r: SandboxRepository): string | number =>
    sort === 'full_name' ? r.fullName.toLowerCase() : sort === 'created' ? r.createdAt : r.pushedAt;
  repos = [...repos].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    const order = x < y ? -1 : x > y ? 1 : a.id - b.id;
    return direction === 'asc' ? order : -order;
  });
  const page = paginate(repos, query, linkBase);
  return pageResponse({ ...page, items: page.items.map((r) => minimalRepository(store, r, ctx)) });
}

function listCommits(repo: SandboxRepository, query: URLSearchParams, ctx: RequestContext, linkBase: string): SandboxResponse {
  const ref = query.get('sha') || repo.defaultBranch;
  const head = resolveRef(repo, ref);
  if (!head) return error(404, 'Not Found', `${DOCS}/commits/commits#list-commits`);
  let history: SandboxCommit[] = [];
  for (let c: SandboxCommit | undefined = head; c; c = c.parents[0] ? repo.bySha.get(c.parents[0]) : undefined) history.push(c);
  const path = query.get('path')?.replace(/^\/+|\/+$/g, '');
  if (path) history = history.filter((c) => c.files.some((f) => f === path || f.startsWith(`${path}/`)));
  const author = query.get('author')?.toLowerCase();
  if (author) history = history.filter((c) => c.authorLogin?.toLowerCase() === author || c.author.email.toLowerCase() === author);
  const since = Date.parse(query.get('since') ?? '');
  if (!Number.isNaN(since)) history = history.filter((c) => c.committer.date >= since);
  const until = Date.parse(query.get('until') ?? '');
  if (!Number.isNaN(until)) history = history.filter((c) => c.committer.date <= until);
  const page = paginate(history, query, linkBase);
  return pageResponse({ ...page, items: page.items.map((c) => commitJson(undefined, repo, c, ctx, false)) });
}

/** A full sha, an unambiguous prefix of at least 4, a branch name, or `heads/<branch>`. */
function resolveRef(repo: SandboxRepository, ref: string): SandboxCommit | undefined {
  const branch = ref.replace(/^(refs\/)?heads\//, '');
  const head = repo.heads.get(branch);
  if (head) return head;
  const sha = ref.toLowerCase();
  if (!/^[0-9a-f]{4,40}$/.test(sha)) return undefined;
  const exact = repo.bySha.get(sha);
  if (exact) return exact;
  const matches = repo.commits.filter((c) => c.sha.startsWith(sha));
  return matches.length === 1 ? matches[0] : undefined;
}

// ---- contents -------------------------------------------------------------------------------

function contents(repo: SandboxRepository, rawPath: string, query: URLSearchParams, ctx: RequestContext): SandboxResponse {
  const ref = query.get('ref') || repo.defaultBranch;
  if (!resolveRef(repo, ref)) return error(404, `No commit found for the ref ${ref}`, `${DOCS}/repos/contents#get-repository-content`);
  const path = rawPath.replace(/^\/+|\/+$/g, '');
  const text = repo.files.get(path);
  if (text !== undefined) {
    if (/vnd\.github(\.v3)?\.raw/.test(ctx.accept)) {
      const type = ctx.accept.includes('v3.raw') ? 'application/vnd.github.v3.raw' : 'application/vnd.github.raw';
      return { status: 200, headers: { 'content-type': `${type}; charset=utf-8` }, body: text };
    }
    return body(200, contentFile(repo, path, text, ref, ctx));
  }
  // A directory: every file below it, one entry per immediate child.
  const dir = path ? `${path}/` : '';
  const children = new Map<string, { type: 'file' | 'dir'; text?: string }>();
  for (const [filePath, fileText] of repo.files) {
    if (!filePath.startsWith(dir)) continue;
    const [child, ...deeper] = filePath.slice(dir.length).split('/');
    if (!child) continue;
    if (deeper.length === 0) children.set(child, { type: 'file', text: fileText });
    else if (!children.has(child)) children.set(child, { type: 'dir' });
  }
  if (children.size === 0) return error(404, 'Not Found', `${DOCS}/repos/contents#get-repository-content`);
  const entries = [...children.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, child]) => {
      const childPath = `${dir}${name}`;
      if (child.type === 'file') {
        const { content: _content, encoding: _encoding, ...entry } = contentFile(repo, childPath, child.text!, ref, ctx);
        return entry;
      }
      const sha = createHash('sha1').update(`tree ${repo.fullName} ${childPath}`).digest('hex');
      return {
        name,
        path: childPath,
        sha,
        size: 0,
        url: `${ctx.apiBase}/repos/${repo.fullName}/contents/${childPath}?ref=${ref}`,
        html_url: `${ctx.webOrigin}/${repo.fullName}/tree/${ref}/${childPath}`,
        git_url: `${ctx.apiBase}/repos/${repo.fullName}/git/trees/${sha}`,
        download_url: null,
        type: 'dir',
      };
    });
  return body(200, entries);
}

function contentFile(repo: SandboxRepository, path: string, text: string, ref: string, ctx: RequestContext) {
  const sha = gitBlobSha(text);
  const self = `${ctx.apiBase}/repos/${repo.fullName}/contents/${path}?ref=${ref}`;
  const html = `${ctx.webOrigin}/${repo.fullName}/blob/${ref}/${path}`;
  const git = `${ctx.apiBase}/repos/${repo.fullName}/git/blobs/${sha}`;
  return {
    type: 'file' as const,
    encoding: 'base64',
    size: Buffer.byteLength(text, 'utf8'),
    name: path.slice(path.lastIndexOf('/') + 1),
    path,
    // GitHub wraps the base64 every 60 characters.
    content: `${(Buffer.from(text, 'utf8').toString('base64').match(/.{1,60}/g) ?? []).join('\n')}\n`,
    sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: ctx.webOrigin === 'https://github.com'
      ? `https://raw.githubusercontent.com/${repo.fullName}/${ref}/${path}`
      : `${ctx.webOrigin}/${repo.fullName}/raw/${ref}/${path}`,
    _links: { self, git, html },
  };
}

// ---- objects --------------------------------------------------------------------------------

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function nodeId(kind: string, id: number): string {
  return `${kind}_kgDO${Buffer.from(String(id)).toString('base64url')}`;
}

function simpleUser(login: string, id: number, type: 'User' | 'Organization', ctx: RequestContext) {
  const url = `${ctx.apiBase}/users/${login}`;
  return {
    login,
    id,
    node_id: nodeId(type === 'User' ? 'U' : 'O', id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `${ctx.webOrigin}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    user_view_type: 'public',
    site_admin: false,
  };
}

function organization(store: GithubSandboxStore, ctx: RequestContext) {
  return {
    login: store.org,
    id: store.orgId,
    node_id: nodeId('O', store.orgId),
    url: `${ctx.apiBase}/orgs/${store.org}`,
    repos_url: `${ctx.apiBase}/orgs/${store.org}/repos`,
    html_url: `${ctx.webOrigin}/${store.org}`,
    type: 'Organization',
    public_repos: store.repositories.filter((r) => r.visibility === 'public').length,
  };
}

function minimalRepository(store: GithubSandboxStore, repo: SandboxRepository, ctx: RequestContext) {
  const api = `${ctx.apiBase}/repos/${repo.fullName}`;
  const web = `${ctx.webOrigin}/${repo.fullName}`;
  const webHost = new URL(ctx.webOrigin).host;
  return {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    private: repo.visibility !== 'public',
    owner: simpleUser(store.org, store.orgId, 'Organization', ctx),
    html_url: web,
    description: repo.description,
    fork: false,
    url: api,
    // The hypermedia URL templates GitHub sends on every repository (its OpenAPI marks them
    // required); nothing here follows them, but a client validating the shape would fail.
    ...repositoryUrlTemplates(api),
    git_url: `git://${webHost}/${repo.fullName}.git`,
    ssh_url: `git@${webHost}:${repo.fullName}.git`,
    clone_url: `${web}.git`,
    svn_url: web,
    homepage: null,
    size: 128 + (repo.id % 4096),
    stargazers_count: repo.visibility === 'public' ? repo.id % 40 : 0,
    watchers_count: repo.visibility === 'public' ? repo.id % 40 : 0,
    language: 'Python',
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: repo.archived,
    disabled: false,
    open_issues_count: repo.id % 7,
    license: null,
    allow_forking: repo.visibility === 'public',
    is_template: false,
    web_commit_signoff_required: false,
    topics: repo.topics,
    visibility: repo.visibility,
    forks: 0,
    open_issues: repo.id % 7,
    watchers: repo.visibility === 'public' ? repo.id % 40 : 0,
    default_branch: repo.defaultBranch,
    pushed_at: iso(repo.pushedAt),
    created_at: iso(repo.createdAt),
    updated_at: iso(repo.pushedAt),
    ...(ctx.caller.anonymous ? {} : { permissions: { admin: false, maintain: false, push: false, triage: true, pull: true } }),
  };
}

/** GitHub's `*_url` fields of a repository, as api.github.com spells them. */
function repositoryUrlTemplates(api: string): Record<string, string> {
  return {
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
  };
}

function fullRepository(store: GithubSandboxStore, repo: SandboxRepository, ctx: RequestContext) {
  return {
    ...minimalRepository(store, repo, ctx),
    organization: simpleUser(store.org, store.orgId, 'Organization', ctx),
    network_count: 0,
    subscribers_count: 1 + (repo.id % 9),
  };
}

function commitJson(
  store: GithubSandboxStore | undefined,
  repo: SandboxRepository,
  c: SandboxCommit,
  ctx: RequestContext,
  detailed: boolean,
) {
  const api = `${ctx.apiBase}/repos/${repo.fullName}`;
  const web = `${ctx.webOrigin}/${repo.fullName}`;
  const tree = createHash('sha1').update(`tree ${c.sha}`).digest('hex');
  const account = (login: string | null) => {
    if (!login) return null;
    const id = login === WEB_FLOW.login ? WEB_FLOW.id : (store?.userIds.get(login) ?? 100_000 + (hashSeed('github-user-login', login) % 90_000_000));
    return simpleUser(login, id, 'User', ctx);
  };
  const out: Record<string, unknown> = {
    sha: c.sha,
    node_id: `C_kwDO${Buffer.from(c.sha.slice(0, 12)).toString('base64url')}`,
    commit: {
      author: { name: c.author.name, email: c.author.email, date: iso(c.author.date) },
      committer: { name: c.committer.name, email: c.committer.email, date: iso(c.committer.date) },
      message: c.message,
      tree: { sha: tree, url: `${api}/git/trees/${tree}` },
      url: `${api}/git/commits/${c.sha}`,
      comment_count: 0,
      verification:
        c.committerLogin === WEB_FLOW.login
          ? { verified: true, reason: 'valid', signature: '-----BEGIN PGP SIGNATURE-----\n…\n-----END PGP SIGNATURE-----\n', payload: `tree ${tree}\n`, verified_at: iso(c.committer.date) }
          : { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    url: `${api}/commits/${c.sha}`,
    html_url: `${web}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    author: account(c.authorLogin),
    committer: account(c.committerLogin),
    parents: c.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${web}/commit/${sha}` })),
  };
  if (detailed) {
    out.stats = { total: c.additions + c.deletions, additions: c.additions, deletions: c.deletions };
    out.files = c.files.map((filename, i) => {
      const additions = i === 0 ? c.additions : 0;
      const deletions = i === 0 ? c.deletions : 0;
      const text = repo.files.get(filename);
      return {
        sha: text !== undefined ? gitBlobSha(text) : createHash('sha1').update(`${c.sha} ${filename}`).digest('hex'),
        filename,
        status: c.parents.length === 0 ? 'added' : 'modified',
        additions,
        deletions,
        changes: additions + deletions,
        blob_url: `${web}/blob/${c.sha}/${filename}`,
        raw_url: `${web}/raw/${c.sha}/${filename}`,
        contents_url: `${api}/contents/${filename}?ref=${c.sha}`,
      };
    });
  }
  return out;
}
