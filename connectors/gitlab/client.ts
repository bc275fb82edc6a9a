import { walkLinkPages } from '../core/link-pages';
import { cachedLookup, createSourceCaches, createSourceHttpClient, isNotFoundError } from '../core/plumbing';
import type { GitlabInstanceConfig } from './config';
import { SourceCache } from '../core/cache/source-cache';
import type { Connector, ConnectorDeps } from '../core/connector';
import type { PersonIdentity } from '../core/graph';
import { SourceError, SourceErrorCode } from '../core/errors';
import { HttpClient, serializeParams, type ClassifiableResponse, type ResponseClassification } from '../core/http-client';
import { silentLogger, type Logger } from '../core/logger';
import { settle } from '../core/concurrency';
import { clampPageSize } from '../core/paginate';
import { readRateLimitHeaders } from '../core/rate-limit';
import { outsideRequestScope } from '../core/request-scope';
import { sourceName } from '../core/source';
import type { RateLimitReading } from '../core/source-health';
import type { CodeOwnersFile, Commit, GitHostConnector, GitReadBatch, GitReadResults, Repository } from '../git/types';
import { aliases, buildBatchQuery, gitlabGraphqlUrl, planBatches, type ProjectRead } from './graphql';
import { codeOwnersFromBlobs, mapCodeOwnersFile, mapCommit, mapProject, mapUserByEmail, projectFromGraphql, type GitlabMapContext } from './map';
import {
  GITLAB_CODEOWNERS_PATHS,
  GITLAB_PAGINATION,
  type GitlabCommit,
  type GitlabCommitDetail,
  type GitlabErrorBody,
  type GitlabGraphqlProject,
  type GitlabGraphqlResponse,
  type GitlabProject,
  type GitlabRepositoryFile,
  type GitlabUser,
  type GitlabVersion,
} from './types';
import { GITLAB_LIMITS } from './limits';

/**
 * The instance config, plus an optional `webUrl`: the root GitLab's own links use, for when
 * the API is reached at another address (a proxy, the sandbox standing in for gitlab.com).
 * Not in `gitlabInstanceSchema` yet; until it is, `url` is both.
 */
export type GitlabConnectorConfig = GitlabInstanceConfig & { webUrl?: string };

export interface GitlabConnectorDeps extends ConnectorDeps {
  /** Projects per page of a group listing, clamped to GitLab's documented 1..100. Default 100. */
  pageSize?: number;
}

type Params = Record<string, string | number | boolean | undefined>;

/**
 * GitLab REST API v4 (gitlab.com, self-managed, Dedicated) as a git host: projects,
 * commits, CODEOWNERS and group listings, read through the shared cache.
 *
 * Projects are addressed by their URL-encoded `path_with_namespace`
 * (`acme-data%2Fsupply-chain%2Fdemand-forecaster`), as `doc/api/rest/_index.md`
 * ("Namespaced paths") documents; file paths in the files API are URL-encoded the same way.
 */
export class GitlabConnector implements Connector, GitHostConnector {
  readonly kind = 'GITLAB' as const;
  readonly host = 'GITLAB' as const;
  readonly codeOwnersFlavor = 'gitlab' as const;
  readonly instance: string;
  readonly source: string;
  readonly webOrigin: string;

  private readonly ctx: GitlabMapContext;
  /** Projects, commits, CODEOWNERS: many small entries. */
  private readonly cache: SourceCache;
  /** Group listings: few, large entries, kept apart so small ones never push them out. */
  private readonly listings: SourceCache;
  private readonly pageSize: number;
  private readonly apiOrigin: string;
  /** `POST /api/graphql`; GitLab answers it anonymously too, for public projects. */
  private readonly graphqlUrl: string;
  private readonly logger: Logger;

  static fromConfig(config: GitlabConnectorConfig, deps: GitlabConnectorDeps): GitlabConnector {
    const source = sourceName('GITLAB', config.name);
    const logger = (deps.logger ?? silentLogger).child({ source });
    const { headers, secrets } = authHeaders(config.auth);
    const http = createSourceHttpClient(config, { ...deps, logger }, {
      source,
      limits: GITLAB_LIMITS,
      // A self-managed instance may live under a relative URL root (`https://host/gitlab`).
      baseURL: `${config.url.replace(/\/+$/, '')}/api/v4`,
      headers,
      secrets,
      parseErrorBody,
      classifyResponse,
      parseRateLimit,
    });
    return new GitlabConnector(config, http, { ...deps, logger });
  }

  private constructor(
    config: GitlabConnectorConfig,
    private readonly http: HttpClient,
    deps: GitlabConnectorDeps & { logger: Logger },
  ) {
    this.instance = config.name;
    this.source = http.source;
    const webUrl = (config.webUrl ?? config.url).replace(/\/+$/, '');
    this.webOrigin = new URL(webUrl).origin;
    this.apiOrigin = new URL(config.url).origin;
    this.graphqlUrl = gitlabGraphqlUrl(config.url);
    this.logger = deps.logger;
    this.ctx = { instance: config.name, webUrl, anonymous: config.auth.type === 'none' };
    ({ entries: this.cache, listings: this.listings } = createSourceCaches(config, deps, this.source));
    this.pageSize = clampPageSize(deps.pageSize, GITLAB_PAGINATION.maxPerPage);
  }

  /**
   * With credentials, `GET /version` (authenticated users only, so it proves the token);
   * without, one public project (`GET /projects?per_page=1&simple=true`).
   */
  async health(): Promise<void> {
    if (this.ctx.anonymous) await this.http.get<GitlabProject[]>('/projects', { per_page: 1, simple: true }, { route: '/projects' });
    else await this.http.get<GitlabVersion>('/version', undefined, { route: '/version' });
  }

  /** Releases the keep-alive sockets, so the process can exit. */
  close(): void {
    this.http.close();
  }

  /** `GET /projects/:id`; null when the project does not exist or these credentials cannot see it. */
  async getRepository(fullName: string): Promise<Repository | null> {
    const path = cleanPath(fullName);
    return this.lookup(projectKey(path), async () => {
      const dto = await this.http.get<GitlabProject>(projectPath(path), undefined, { route: '/projects/:id' });
      return mapProject(dto, this.ctx);
    });
  }

  /** `GET /projects/:id/repository/commits/:sha` (`stats=false`: the graph does not use them and they cost GitLab a diff). */
  async getCommit(fullName: string, sha: string): Promise<Commit | null> {
    const path = cleanPath(fullName);
    return this.lookup(`commit ${path.toLowerCase()} ${sha}`, async () => {
      const dto = await this.http.get<GitlabCommitDetail>(`${projectPath(path)}/repository/commits/${encodeURIComponent(sha)}`,
        { stats: false },
        { route: '/projects/:id/repository/commits/:sha' },
      );
      return mapCommit(dto, this.ctx, path);
    });
  }

  /**
   * `GET /users?search=<email>` ("Search for users by name, username, or public email";
   * administrators also match private emails): the one user whose public (or, as seen by an
   * administrator, primary) email is this one. A search also matches names and usernames
   * containing the text, so a user counts only when an email they show equals it. Cached
   * like any lookup, and asked only for emails nobody else has tied to a person.
   */
  async findAccountByEmail(email: string): Promise<PersonIdentity | null> {
    const wanted = email.trim().toLowerCase();
    if (!wanted.includes('@')) return null;
    return this.lookup(`user-by-email ${wanted}`, async () => {
      const users = await this.http.get<GitlabUser[]>('/users', { search: wanted, per_page: 20 }, { route: '/users' });
      return mapUserByEmail(Array.isArray(users) ? users : [], this.ctx, wanted);
    });
  }

  /**
   * `GET /projects/:id/repository/commits?ref_name=<branch>&per_page=1`: the newest commit on
   * the branch, the default branch when none is named (GitLab's own default for `ref_name`).
   * Null for an empty repository, an unknown branch or project.
   */
  async getLatestCommit(fullName: string, branch?: string): Promise<Commit | null> {
    const path = cleanPath(fullName);
    return this.lookup(`latest-commit ${path.toLowerCase()} ${branch ?? ''}`, async () => {
      const list = await this.http.get<GitlabCommit[]>(`${projectPath(path)}/repository/commits`,
        { ref_name: branch || undefined, per_page: 1 },
        { route: '/projects/:id/repository/commits' },
      );
      const newest = Array.isArray(list) ? list[0] : undefined;
      return newest ? mapCommit(newest, this.ctx, path) : null;
    });
  }

  /**
   * The CODEOWNERS file GitLab would use at `ref`: the first of `CODEOWNERS`,
   * `docs/CODEOWNERS`, `.gitlab/CODEOWNERS` that exists. The files API requires `ref`, so
   * without one the project's default branch is looked up first (usually a cache hit: the
   * repository was asked for already); an empty repository has none and so no CODEOWNERS.
   */
  async getCodeOwnersFile(fullName: string, ref?: string): Promise<CodeOwnersFile | null> {
    const path = cleanPath(fullName);
    const at = ref || (await this.getRepository(path))?.defaultBranch;
    if (!at) return null;
    return this.lookup(codeOwnersKey(path, at), async () => {
      for (const candidate of GITLAB_CODEOWNERS_PATHS) {
        try {
          const file = await this.http.get<GitlabRepositoryFile>(
            `${projectPath(path)}/repository/files/${encodeURIComponent(candidate)}`,
            { ref: at },
            { route: '/projects/:id/repository/files/:file_path' },
          );
          return mapCodeOwnersFile(file, candidate, at);
        } catch (err) {
          // Only "404 File Not Found" sends us on to the next location: a missing project
          // ("404 Project Not Found") or ref ("404 Commit Not Found") is missing there too.
          if (isNotFoundError(err) && isGitlabNotFound(err, 'File')) continue;
          throw err;
        }
      }
      return null;
    });
  }

  /**
   * Every project of a group and its subgroups (`GET /groups/:id/projects?include_subgroups=true`),
   * ordered by id so that offset pages stay stable while projects are created, following the
   * pagination links to the end. Projects merely shared with the group are left out
   * (`with_shared` defaults to true in GitLab). Empty when the group does not exist or is
   * not visible with these credentials (GitLab answers both with 404).
   */
  async listGroupProjects(group: string): Promise<Repository[]> {
    const path = cleanPath(group);
    const { value } = await this.listings.getOrLoad(`group-projects ${path.toLowerCase()}`, async () => {
      try {
        const dtos = await this.collectPages<GitlabProject>('/groups/:id/projects', `/groups/${encodeURIComponent(path)}/projects`, {
          include_subgroups: true,
          with_shared: false,
          order_by: 'id',
          sort: 'asc',
          per_page: this.pageSize,
        });
        // Offset pages can repeat a project when one is created or deleted mid-walk.
        const seen = new Set<string>();
        const repos: Repository[] = [];
        for (const dto of dtos) {
          const id = String(dto.id ?? dto.path_with_namespace);
          if (seen.has(id)) continue;
          seen.add(id);
          repos.push(mapProject(dto, this.ctx));
        }
        return repos;
      } catch (err) {
        if (isNotFoundError(err)) return [];
        throw err;
      }
    });
    return value;
  }

  /** {@link GitHostConnector.listOwnerRepositories}: a top-level group with all its subgroups. */
  listOwnerRepositories(owner: string): Promise<Repository[]> {
    return this.listGroupProjects(owner);
  }


  // ---- batches ----------------------------------------------------------------------

  /**
   * {@link GitHostConnector.readBatch}: projects and CODEOWNERS the cache holds fresh are
   * served from it, the rest read by GraphQL (ten projects a query, each with its CODEOWNERS
   * candidates in one `blobs` read) and stored under the keys the single-key methods use.
   * Stale entries are served and refreshed by a background query. Commits go through
   * {@link getCommit}, one cached REST call each (see graphql.ts for why).
   */
  async readBatch(batch: GitReadBatch): Promise<GitReadResults> {
    const commits = settle((batch.commits ?? []).map((k) => this.getCommit(k.fullName, k.sha)));
    const repoPaths = (batch.repositories ?? []).map(cleanPath);
    const owners = (batch.codeOwners ?? []).map((k) => ({ path: cleanPath(k.fullName), ref: k.ref || null }));

    const values = new Map<string, unknown>();
    const missing = new Map<string, Set<string | null>>();
    const stale = new Map<string, Set<string | null>>();
    const want = (into: Map<string, Set<string | null>>, path: string, ref?: string | null) => {
      const refs = into.get(path.toLowerCase()) ?? new Set<string | null>();
      if (ref !== undefined) refs.add(ref);
      into.set(path.toLowerCase(), refs);
    };
    const peek = async (key: string): Promise<'fresh' | 'stale' | 'missing'> => {
      if (values.has(key)) return 'fresh';
      const held = await this.cache.peekServable<unknown>(key);
      if (!held) return 'missing';
      values.set(key, held.value);
      return held.fresh ? 'fresh' : 'stale';
    };
    await Promise.all(
      [...new Set(repoPaths)].map(async (path) => {
        const state = await peek(projectKey(path));
        if (state !== 'fresh') want(state === 'stale' ? stale : missing, path);
      }),
    );
    await Promise.all(
      owners.map(async ({ path, ref }) => {
        let at = ref;
        if (at === null) {
          // Keyed by the default branch, as getCodeOwnersFile keys it: known from a cached project only.
          const state = await peek(projectKey(path));
          if (state === 'missing') return want(missing, path, null);
          const project = values.get(projectKey(path)) as Repository | null;
          if (!project?.defaultBranch) return;
          at = project.defaultBranch;
        }
        const state = await peek(codeOwnersKey(path, at));
        if (state !== 'fresh') want(state === 'stale' ? stale : missing, path, ref);
      }),
    );
    const reads = (wanted: Map<string, Set<string | null>>): ProjectRead[] =>
      [...wanted].map(([fullPath, refs]) => ({ fullPath, codeOwnersRefs: [...refs] }));
    if (stale.size) {
      outsideRequestScope(() => this.loadBatch(reads(stale))).catch((err: unknown) =>
        this.logger.warn('background refresh of a GraphQL batch failed; serving the stale entries', { error: String(err) }),
      );
    }
    const failed = missing.size ? await this.loadBatch(reads(missing), values) : new Map<string, Error>();

    const cachedProject = (path: string) => (values.get(projectKey(path)) ?? null) as Repository | null;
    const projectOf = (path: string) => failed.get(path.toLowerCase()) ?? cachedProject(path);
    return {
      repositories: repoPaths.map(projectOf),
      commits: await commits,
      codeOwners: owners.map(({ path, ref }) => {
        const error = failed.get(path.toLowerCase());
        if (error) return error;
        const at = ref ?? cachedProject(path)?.defaultBranch;
        return at ? ((values.get(codeOwnersKey(path, at)) ?? null) as CodeOwnersFile | null) : null;
      }),
    };
  }

  /**
   * Reads projects by GraphQL, storing every answer in the cache (and into `values`, when
   * given). Returns the error per lower-cased path whose query failed.
   */
  private async loadBatch(reads: readonly ProjectRead[], values?: Map<string, unknown>): Promise<Map<string, Error>> {
    const failed = new Map<string, Error>();
    const store = (key: string, value: unknown) => {
      values?.set(key, value);
      void this.cache.put(key, value);
    };
    await Promise.all(
      planBatches(reads).map(async (batch) => {
        try {
          await this.queryBatch(batch, store);
        } catch (err) {
          if (!(err instanceof SourceError)) throw err;
          for (const read of batch) failed.set(read.fullPath.toLowerCase(), err);
        }
      }),
    );
    return failed;
  }

  private async queryBatch(reads: readonly ProjectRead[], store: (key: string, value: unknown) => void): Promise<void> {
    const { query, variables } = buildBatchQuery(reads);
    const res = await this.http.request<GitlabGraphqlResponse<Record<string, GitlabGraphqlProject | null>>>({
      method: 'POST',
      path: this.graphqlUrl,
      route: '/api/graphql',
      body: { query, variables },
      // A query reads only; sending it again is safe.
      idempotent: true,
    });
    const data = res.data?.data;
    if (!data || typeof data !== 'object') {
      const detail = (res.data?.errors ?? []).map((e) => e?.message).filter(Boolean).join('; ');
      throw new SourceError({
        source: this.source,
        code: SourceErrorCode.SOURCE_BAD_RESPONSE,
        message: `the GraphQL batch query came back without data${detail ? `: ${detail}` : ''}`,
        status: res.status,
      });
    }
    const rest: Array<Promise<void>> = [];
    reads.forEach((read, i) => {
      const node = data[aliases.project(i)];
      if (!node) {
        // Missing or not visible: null, as REST's 404; nothing to read CODEOWNERS from either.
        store(projectKey(read.fullPath), null);
        return;
      }
      const project = mapProject(projectFromGraphql(node), this.ctx);
      store(projectKey(read.fullPath), project);
      read.codeOwnersRefs.forEach((ref, k) => {
        const at = ref ?? project.defaultBranch;
        // An empty repository has no branch, so no CODEOWNERS, and nothing to key it by.
        if (!at) return;
        const blobs = node.repository?.[aliases.blobs(k)];
        const found = codeOwnersFromBlobs(blobs && typeof blobs === 'object' ? (blobs.nodes ?? []) : [], at);
        if (found !== undefined) return store(codeOwnersKey(read.fullPath, at), found);
        // A file GraphQL sends no text of: the files API reads it (and caches it) instead.
        rest.push(this.getCodeOwnersFile(read.fullPath, at).then((file) => void store(codeOwnersKey(read.fullPath, at), file)));
      });
    });
    await Promise.all(rest);
  }

  // ---- plumbing -------------------------------------------------------------------

  /** A single lookup through the cache; a 404 is an answer (null), cached like any other. */
  private lookup<T>(key: string, load: () => Promise<T>): Promise<T | null> {
    return cachedLookup(this.cache, key, load);
  }

  /**
   * Offset pagination (`doc/api/rest/_index.md`): the `Link` header's `rel="next"` when GitLab
   * sends one ("use these links instead of generating your own URLs"; keyset pagination sends
   * only that), else `x-next-page`; an empty `x-next-page` and no link is the last page.
   */
  private async collectPages<T>(route: string, path: string, params: Params): Promise<T[]> {
    const pages = await walkLinkPages<T, T>(this.http, `${path}?${serializeParams(params)}`, (dto) => dto, {
      route,
      origin: this.apiOrigin,
      nextWithoutLink: (headers, refusedLink) => {
        const page = headers['x-next-page']?.trim();
        if (page && /^\d+$/.test(page)) return `${path}?${serializeParams({ ...params, page })}`;
        // The client sends its token with every request, so a link elsewhere is never followed.
        if (refusedLink) {
          throw new SourceError({
            source: this.source,
            code: SourceErrorCode.SOURCE_BAD_RESPONSE,
            message: `the next-page link points to another origin than ${this.apiOrigin} (is the instance's external_url right?); not following it`,
          });
        }
        return undefined;
      },
    });
    return pages.flatMap((p) => p.items);
  }
}

/** The cache keys getRepository and getCodeOwnersFile use. */
function projectKey(path: string): string {
  return `project ${path.toLowerCase()}`;
}

function codeOwnersKey(path: string, ref: string): string {
  return `codeowners ${path.toLowerCase()} ${ref}`;
}

function cleanPath(fullName: string): string {
  return fullName.trim().replace(/^\/+|\/+$/g, '');
}

function projectPath(fullName: string): string {
  return `/projects/${encodeURIComponent(fullName)}`;
}

/** GitLab words its 404s `404 <Resource> Not Found` (`not_found!` in `lib/api/helpers.rb`). */
function isGitlabNotFound(err: SourceError, resource: string): boolean {
  return err.message.includes(`404 ${resource} Not Found`);
}

function authHeaders(auth: GitlabInstanceConfig['auth']): { headers: Record<string, string>; secrets: string[] } {
  switch (auth.type) {
    case 'none':
      return { headers: {}, secrets: [] };
    case 'privateToken':
      // Personal, project and group access tokens (`doc/api/rest/authentication.md`).
      return { headers: { 'PRIVATE-TOKEN': auth.token }, secrets: [auth.token] };
    case 'bearer':
      // OAuth 2.0 tokens (access tokens are accepted this way too).
      return { headers: { Authorization: `Bearer ${auth.token}` }, secrets: [auth.token] };
  }
}

/**
 * A 429 without Retry-After waits until `RateLimit-Reset` (Unix seconds) or
 * `RateLimit-ResetTime` (an HTTP date) instead of the short default backoff. Rack::Attack's
 * throttles always send Retry-After; GitLab's application-level limits (files API on large
 * blobs, project export, ...) answer 429 without it, and their window is a minute or more
 * (`doc/administration/settings/user_and_ip_rate_limits.md`, "Response headers").
 * Everything else follows the client's default rules.
 */
export function classifyResponse(res: ClassifiableResponse, nowMs: number): ResponseClassification | undefined {
  if (res.status !== 429 || res.headers['retry-after'] !== undefined) return undefined;
  const resetSeconds = Number(res.headers['ratelimit-reset']);
  const resetMs = Number.isFinite(resetSeconds) && resetSeconds > 0 ? resetSeconds * 1000 : Date.parse(res.headers['ratelimit-resettime'] ?? '');
  if (!Number.isFinite(resetMs)) return undefined;
  return { retryable: true, delayMs: Math.max(0, resetMs - nowMs) };
}

/**
 * `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (epoch seconds) and
 * `RateLimit-Name` (the throttle, e.g. `throttle_authenticated_api`), as
 * `doc/administration/settings/user_and_ip_rate_limits.md` lists them. Instances without
 * user and IP rate limits (the self-managed default) send none.
 */
export function parseRateLimit(headers: Readonly<Record<string, string>>): RateLimitReading | undefined {
  return readRateLimitHeaders(
    headers,
    { limit: 'ratelimit-limit', remaining: 'ratelimit-remaining', reset: 'ratelimit-reset', resource: 'ratelimit-name' },
    'epoch-seconds',
  );
}

/**
 * GitLab's error bodies: `{"message": "404 Project Not Found"}`, `{"message": {"field":
 * ["is invalid"]}}`, `{"error": "ref is missing"}`, OAuth's `{"error": "invalid_token",
 * "error_description": "..."}`, and Rack::Attack's plain-text `Retry later` on 429.
 */
export function parseErrorBody(_status: number, body: unknown): { upstreamCode?: string; message?: string } {
  if (typeof body === 'string') {
    const text = body.trim();
    // An HTML page (a proxy, a sign-in redirect) says nothing the status does not.
    return text && !text.startsWith('<') ? { message: text.slice(0, 300) } : {};
  }
  if (!body || typeof body !== 'object') return {};
  const { message, error, error_description } = body as GitlabErrorBody;
  if (typeof message === 'string' && message.trim()) return { message: message.trim() };
  if (message && typeof message === 'object') {
    const text = flattenMessage(message);
    if (text) return { message: text };
  }
  if (typeof error === 'string' && error.trim()) {
    return typeof error_description === 'string' && error_description.trim()
      ? { upstreamCode: error.trim(), message: error_description.trim() }
      : { message: error.trim() };
  }
  return {};
}

/** `{"name": ["has already been taken"], "base": ["..."]}` to `name has already been taken; ...`. */
function flattenMessage(message: Record<string, unknown>): string {
  return Object.entries(message)
    .map(([key, value]) => {
      const text = Array.isArray(value)
        ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')
        : typeof value === 'string'
          ? value
          : JSON.stringify(value);
      return key === 'base' || key === 'error' ? text : `${key} ${text}`;
    })
    .filter(Boolean)
    .join('; ');
}
