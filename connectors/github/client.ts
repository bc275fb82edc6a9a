import { ifNoneMatch, walkLinkPages, type LinkPage } from '../core/link-pages';
import { settle } from '../core/concurrency';
import { clampPageSizes } from '../core/paginate';
import { createSourceCaches, createSourceHttpClient, isNotFoundError, nullIfNotFound } from '../core/plumbing';
import type { GithubInstanceConfig } from './config';
import { SourceCache } from '../core/cache/source-cache';
import type { Connector, ConnectorDeps } from '../core/connector';
import { SourceError, SourceErrorCode } from '../core/errors';
import {
  HttpClient,
  parseRetryAfter,
  serializeParams,
  type ClassifiableResponse,
  type HttpResponse,
  type ResponseClassification,
} from '../core/http-client';
import { silentLogger, type Logger } from '../core/logger';
import { readRateLimitHeaders } from '../core/rate-limit';
import { RateLimiter } from '../core/rate-limiter';
import { outsideRequestScope } from '../core/request-scope';
import { sourceName } from '../core/source';
import type { RateLimitReading } from '../core/source-health';
import type { CodeOwnersFile, Commit, GitHostConnector, GitReadBatch, GitReadResults, Repository } from '../git/types';
import { aliases, buildBatchQuery, githubGraphqlUrl, planBatches, type RepositoryRead } from './graphql';
import {
  mapCodeOwnersFile,
  mapCommit,
  mapContentFile,
  mapGraphqlCodeOwnersBlob,
  mapGraphqlCommit,
  mapGraphqlRepository,
  mapRepository,
  refFromContentUrl,
  type GithubMapContext,
  type RepositoryFile,
} from './map';
import {
  GITHUB_API_VERSION,
  GITHUB_CODEOWNERS_PATHS,
  GITHUB_MEDIA_TYPE,
  GITHUB_PAGE_LIMITS,
  type Commit as GithubCommit,
  type ContentFile,
  type ContentResponse,
  type FullRepository,
  type GraphqlBlob,
  type GraphqlCommit,
  type GraphqlError,
  type GraphqlRepository,
  type GraphqlResponse,
  type MinimalRepository,
  type RateLimitOverview,
  type ValidationError,
} from './types';
import { GITHUB_LIMITS, resolveGithubGraphqlRateLimit } from './limits';

export interface GithubConnectorDeps extends ConnectorDeps {
  /** Page sizes, clamped to GitHub's documented maximum of 100 (tests use small pages). Default 100. */
  pageSizes?: Partial<Record<keyof typeof GITHUB_PAGE_LIMITS, number>>;
  /**
   * How long past ttl + stale a cached response is kept only to be revalidated with its
   * ETag: GitHub answers an unchanged resource with a 304, which does not count against the
   * rate limit. Default 86400 (a day).
   */
  revalidateSeconds?: number;
  /** A Link-paginated listing longer than this many pages is an error. Default 1000. */
  maxPages?: number;
}

/** What is cached per conditional request: the mapped value and the ETag it came with. */
interface Validated<T> {
  etag: string | null;
  value: T;
}

/**
 * GitHub REST API (api.github.com, GitHub Enterprise Cloud, GitHub Enterprise Server under
 * `/api/v3`), API version 2022-11-28: repositories, commits and CODEOWNERS files.
 *
 * Every read is a conditional request once cached: a stale entry is revalidated with its
 * ETag, and GitHub's 304 costs no rate limit. Rate limits are waited out when the wait fits
 * the retry budget (see {@link classifyResponse}), else reported as SOURCE_RATE_LIMITED
 * with the wait in `retryAfterMs`.
 */
export class GithubConnector implements Connector, GitHostConnector {
  readonly kind = 'GITHUB' as const;
  readonly host = 'GITHUB' as const;
  readonly codeOwnersFlavor = 'github' as const;
  readonly instance: string;
  readonly source: string;
  readonly webOrigin: string;

  private readonly ctx: GithubMapContext;
  /** Repositories, commits, CODEOWNERS: many small entries. */
  private readonly cache: SourceCache;
  /** Whole org listings: few, large entries, kept apart so small ones never evict them. */
  private readonly listings: SourceCache;
  private readonly pageSizes: Record<keyof typeof GITHUB_PAGE_LIMITS, number>;
  private readonly maxPages: number;
  /** Where Link headers may point: the API's own origin. */
  private readonly apiOrigin: string;
  /**
   * GitHub's GraphQL endpoint, or undefined without a token: GitHub answers no anonymous
   * GraphQL query, so batches then fall back to the REST reads one by one.
   */
  private readonly graphqlUrl: string | undefined;
  /** GraphQL has its own budget at GitHub (points, and 2,000 a minute), apart from REST's. */
  private readonly graphqlLimiter: RateLimiter | undefined;
  private readonly logger: Logger;
  private readonly now: () => number;

  static fromConfig(config: GithubInstanceConfig, deps: GithubConnectorDeps): GithubConnector {
    const source = sourceName('GITHUB', config.name);
    const logger = (deps.logger ?? silentLogger).child({ source });
    const http = createGithubHttpClient(config, { ...deps, logger });
    return new GithubConnector(config, http, { ...deps, logger });
  }

  private constructor(
    config: GithubInstanceConfig,
    private readonly http: HttpClient,
    deps: GithubConnectorDeps & { logger: Logger },
  ) {
    this.instance = config.name;
    this.source = http.source;
    this.logger = deps.logger;
    this.now = deps.clock?.now ?? Date.now;
    this.webOrigin = githubWebOrigin(config.url, config.webUrl);
    this.ctx = { instance: config.name, webOrigin: this.webOrigin };
    ({ entries: this.cache, listings: this.listings } = createSourceCaches(config, deps, this.source, {
      revalidateSeconds: deps.revalidateSeconds ?? 86_400,
      now: deps.clock?.now,
    }));
    this.pageSizes = clampPageSizes(deps.pageSizes, GITHUB_PAGE_LIMITS);
    this.maxPages = deps.maxPages ?? 1000;
    this.apiOrigin = new URL(config.url).origin;
    this.graphqlUrl = config.auth.type === 'token' ? githubGraphqlUrl(config.url) : undefined;
    const graphqlLimit = resolveGithubGraphqlRateLimit(config.rateLimit);
    this.graphqlLimiter = graphqlLimit && new RateLimiter(`${this.source} graphql`, graphqlLimit, { now: deps.clock?.now });
  }

  /**
   * `GET /rate_limit`: authenticated, and documented as not counting against the rate limit.
   * GitHub Enterprise Server with rate limiting off (its default) answers it with 404 "Rate
   * limiting is not enabled.", which is a healthy, authenticated answer too.
   */
  async health(): Promise<void> {
    try {
      await this.http.get<RateLimitOverview>('/rate_limit', undefined, { route: '/rate_limit' });
    } catch (err) {
      if (err instanceof SourceError && err.status === 404 && /rate limiting is not enabled/i.test(err.message)) return;
      throw err;
    }
  }

  /** Releases the keep-alive sockets, so the process can exit. */
  close(): void {
    this.http.close();
  }

  /** `GET /repos/{owner}/{repo}` (repos/get); follows GitHub's 301 for a renamed repository. */
  async getRepository(fullName: string): Promise<Repository | null> {
    const repo = splitFullName(fullName);
    if (!repo) return null;
    return this.conditionalGet<FullRepository, Repository>(`repo ${repo.key}`, '/repos/{owner}/{repo}', repo.path, undefined, (dto) =>
      mapRepository(dto, this.ctx),
    );
  }

  /**
   * `GET /repos/{owner}/{repo}/commits/{ref}` (repos/get-commit). Null when the repository
   * is not visible (404) or has no such commit (422 "No commit found for SHA").
   */
  async getCommit(fullName: string, sha: string): Promise<Commit | null> {
    const repo = splitFullName(fullName);
    if (!repo || !sha.trim()) return null;
    return this.conditionalGet<GithubCommit, Commit>(
      `commit ${repo.key} ${sha}`,
      '/repos/{owner}/{repo}/commits/{ref}',
      `${repo.path}/commits/${encodeURIComponent(sha)}`,
      undefined,
      (dto) => mapCommit(dto, this.ctx, repo.fullName),
      isMissingCommit,
    );
  }

  /**
   * `GET /repos/{owner}/{repo}/commits?per_page=1[&sha=branch]` (repos/list-commits): the
   * newest commit. Null for an empty repository (409 "Git Repository is empty."), an unknown
   * branch or an invisible repository.
   */
  async getLatestCommit(fullName: string, branch?: string): Promise<Commit | null> {
    const repo = splitFullName(fullName);
    if (!repo) return null;
    const value = await this.conditionalGet<GithubCommit[], Commit | null>(
      `latest-commit ${repo.key} ${branch ?? ''}`,
      '/repos/{owner}/{repo}/commits',
      `${repo.path}/commits`,
      { per_page: 1, sha: branch || undefined },
      (list) => {
        if (!Array.isArray(list)) throw this.badResponse('list-commits answered with something other than an array');
        return list[0] ? mapCommit(list[0], this.ctx, repo.fullName) : null;
      },
      isMissingCommit,
    );
    return value ?? null;
  }

  /**
   * The CODEOWNERS file GitHub uses: the first of `.github/CODEOWNERS`, `CODEOWNERS` and
   * `docs/CODEOWNERS` that exists at `ref` (repos/get-content; a 404 moves on to the next).
   * Null when there is none, or the repository is not visible.
   *
   * The whole lookup is cached as one entry; revalidating it asks the earlier locations
   * again (a file may have appeared there) and the found one with its ETag.
   */
  async getCodeOwnersFile(fullName: string, ref?: string): Promise<CodeOwnersFile | null> {
    const repo = splitFullName(fullName);
    if (!repo) return null;
    const { value } = await this.cache.getOrRevalidate<Validated<CodeOwnersFile | null>>(
      `codeowners ${repo.key} ${ref ?? ''}`,
      async (previous) => {
        const held = previous?.value;
        for (const path of GITHUB_CODEOWNERS_PATHS) {
          const heldHere = held?.value?.path === path ? held : undefined;
          let res: HttpResponse<ContentResponse>;
          try {
            res = await this.http.request<ContentResponse>({
              method: 'GET',
              path: `${repo.path}/contents/${encodePath(path)}`,
              route: '/repos/{owner}/{repo}/contents/{path}',
              params: { ref: ref || undefined },
              headers: ifNoneMatch(heldHere?.etag),
            });
          } catch (err) {
            if (isNotFoundError(err)) continue;
            throw err;
          }
          if (res.status === 304) {
            if (!heldHere) throw this.badResponse('304 Not Modified to a request without If-None-Match');
            return { etag: res.headers.etag ?? heldHere.etag, value: heldHere.value };
          }
          // A directory (or a submodule) by that name is not a CODEOWNERS file; GitHub skips it too.
          if (!isContentFile(res.data)) continue;
          const file = res.data;
          const readAt = ref || refFromContentUrl(file.url) || (await this.getRepository(fullName))?.defaultBranch || 'HEAD';
          const mapped = mapCodeOwnersFile(file, readAt);
          if (!mapped) {
            throw this.badResponse(`${path} came without content (encoding "${file.encoding}", ${file.size} bytes)`);
          }
          return { etag: res.headers.etag ?? null, value: mapped };
        }
        return { etag: null, value: null };
      },
    );
    return value.value;
  }

  /**
   * One file's text at `ref` (default branch when omitted): `GET /repos/{owner}/{repo}/contents/{path}`
   * (repos/get-content), base64 decoded. Null when the path does not exist or is not a file
   * (a directory, a submodule); SOURCE_BAD_RESPONSE for a file GitHub sends without content
   * (over 1 MB). `ref` of the result: as asked, else as GitHub reports it in the file's URL,
   * else `HEAD`.
   */
  async getFile(fullName: string, path: string, ref?: string): Promise<RepositoryFile | null> {
    const repo = splitFullName(fullName);
    if (!repo) return null;
    const cleanPath = path.replace(/^\/+|\/+$/g, '');
    return this.conditionalGet<ContentResponse, RepositoryFile | null>(
      `file ${repo.key} ${ref ?? ''} ${cleanPath}`,
      '/repos/{owner}/{repo}/contents/{path}',
      `${repo.path}/contents/${encodePath(cleanPath)}`,
      { ref: ref || undefined },
      (data) => {
        if (!isContentFile(data)) return null;
        const file = mapContentFile(data, ref || refFromContentUrl(data.url) || 'HEAD');
        if (!file) throw this.badResponse(`${cleanPath} came without content (encoding "${data.encoding}", ${data.size} bytes)`);
        return file;
      },
    ).then((file) => file ?? null);
  }

  /**
   * Every repository of an organization: `GET /orgs/{org}/repos?per_page=100&sort=full_name`
   * (repos/list-for-org), following `Link: rel="next"`. Each page is revalidated with its
   * own ETag. An unknown organization is SOURCE_NOT_FOUND.
   */
  listOrgRepositories(org: string): Promise<Repository[]> {
    return this.listRepositories(`org-repositories ${org.toLowerCase()}`, '/orgs/{org}/repos', `/orgs/${encodeURIComponent(org)}/repos`);
  }

  /**
   * Every repository of a top-level owner: the organization's (as listOrgRepositories), or,
   * when no organization has that name, the user's public ones (`GET /users/{username}/repos`,
   * repos/list-for-user). SOURCE_NOT_FOUND when neither exists.
   */
  async listOwnerRepositories(owner: string): Promise<Repository[]> {
    try {
      return await this.listOrgRepositories(owner);
    } catch (err) {
      if (!isNotFoundError(err)) throw err;
    }
    return this.listRepositories(`user-repositories ${owner.toLowerCase()}`, '/users/{username}/repos', `/users/${encodeURIComponent(owner)}/repos`);
  }

  private async listRepositories(key: string, route: string, path: string): Promise<Repository[]> {
    const first = `${path}?${serializeParams({ per_page: this.pageSizes.orgRepositories, sort: 'full_name' })}`;
    const { value } = await this.listings.getOrRevalidate<LinkPage<Repository>[]>(key, (previous) =>
      walkLinkPages<MinimalRepository, Repository>(this.http, first, (dto) => mapRepository(dto, this.ctx), {
        previous: previous?.value,
        maxPages: this.maxPages,
        route,
        origin: this.apiOrigin,
      }),
    );
    return value.flatMap((page) => page.items);
  }


  // ---- batches ----------------------------------------------------------------------

  /**
   * {@link GitHostConnector.readBatch}: what the cache holds fresh is served from it, the
   * rest in as few GraphQL queries as the bounds of graphql.ts allow (one for a page of 50
   * repositories with their commits and CODEOWNERS), every entry then stored under the key
   * its single-key method uses. Entries served stale are refreshed by a background query.
   *
   * GraphQL has no ETags: an entry a batch loads is stored without one, and a REST read
   * revalidating it later loads it whole once. Without a token every key goes through its
   * REST method (conditional requests and all), GitHub's GraphQL API being token-only.
   */
  async readBatch(batch: GitReadBatch): Promise<GitReadResults> {
    const repositories = batch.repositories ?? [];
    const commits = batch.commits ?? [];
    const codeOwners = batch.codeOwners ?? [];
    if (!this.graphqlUrl) {
      const [r, c, o] = await Promise.all([
        settle(repositories.map((fullName) => this.getRepository(fullName))),
        settle(commits.map((k) => this.getCommit(k.fullName, k.sha))),
        settle(codeOwners.map((k) => this.getCodeOwnersFile(k.fullName, k.ref))),
      ]);
      return { repositories: r, commits: c, codeOwners: o };
    }

    // Every key once, by its cache key; a key that names no GitHub repository is null.
    const wanted = new Map<string, BatchKey>();
    const keyOf = (entry: BatchKey | undefined) => {
      if (entry && !wanted.has(entry.cacheKey)) wanted.set(entry.cacheKey, entry);
      return entry?.cacheKey;
    };
    const repoKeys = repositories.map((fullName) => keyOf(batchKey('repo', fullName)));
    const commitKeys = commits.map((k) => keyOf(k.sha.trim() ? batchKey('commit', k.fullName, k.sha.trim()) : undefined));
    const ownerKeys = codeOwners.map((k) => keyOf(batchKey('codeowners', k.fullName, k.ref ?? '')));

    const values = new Map<string, unknown>();
    const missing: BatchKey[] = [];
    const stale: BatchKey[] = [];
    const held = await Promise.all([...wanted.values()].map((k) => this.cache.peekServable<Validated<unknown>>(k.cacheKey)));
    [...wanted.values()].forEach((k, i) => {
      const entry = held[i];
      if (!entry) return missing.push(k);
      values.set(k.cacheKey, entry.value.value);
      if (!entry.fresh) stale.push(k);
    });
    if (stale.length) {
      outsideRequestScope(() => this.loadBatch(stale)).catch((err: unknown) =>
        this.logger.warn('background refresh of a GraphQL batch failed; serving the stale entries', { error: String(err) }),
      );
    }
    if (missing.length) for (const [key, value] of await this.loadBatch(missing)) values.set(key, value);

    const pick = <T>(key: string | undefined): T | null | Error => (key === undefined ? null : ((values.get(key) ?? null) as T | null | Error));
    return {
      repositories: repoKeys.map((k) => pick<Repository>(k)),
      commits: commitKeys.map((k) => pick<Commit>(k)),
      codeOwners: ownerKeys.map((k) => pick<CodeOwnersFile>(k)),
    };
  }

  /** Loads these keys by GraphQL (all of them, each stored), one query per planned batch, in parallel. */
  private async loadBatch(keys: readonly BatchKey[]): Promise<Map<string, unknown>> {
    const byRepo = new Map<string, { read: RepositoryRead; repo: BatchKey | undefined }>();
    for (const k of keys) {
      const group = byRepo.get(k.repo.key) ?? { read: { owner: k.owner, name: k.name, commits: [], codeOwnersRefs: [] }, repo: undefined };
      if (k.kind === 'commit' && !group.read.commits.includes(k.arg)) group.read.commits.push(k.arg);
      if (k.kind === 'codeowners' && !group.read.codeOwnersRefs.includes(k.arg)) group.read.codeOwnersRefs.push(k.arg);
      byRepo.set(k.repo.key, group);
    }
    const found = new Map<string, unknown>();
    await Promise.all(
      planBatches([...byRepo.values()].map((g) => g.read)).map(async (reads) => {
        let answers: Map<string, unknown>;
        try {
          answers = await this.queryBatch(reads);
        } catch (err) {
          if (!(err instanceof SourceError)) throw err;
          // The whole query failed: so did every key it carried.
          for (const read of reads) for (const key of keysOfRead(read)) found.set(key, err);
          return;
        }
        for (const [key, value] of answers) found.set(key, value);
      }),
    );
    // Only what was asked is handed back; the repository entry of a commit's read is stored too.
    const result = new Map<string, unknown>();
    for (const k of keys) result.set(k.cacheKey, found.has(k.cacheKey) ? found.get(k.cacheKey) : null);
    return result;
  }

  /**
   * One GraphQL query for `reads`: its answer per cache key (stored as it comes), null for
   * what GitHub has not got, an error for what failed alone. A CODEOWNERS blob GraphQL sends
   * no whole text of (too large) is read by REST instead.
   */
  private async queryBatch(reads: readonly RepositoryRead[]): Promise<Map<string, unknown>> {
    const { query, variables } = buildBatchQuery(reads);
    const res = await this.http.request<GraphqlResponse<Record<string, BatchRepositoryData | null>>>({
      method: 'POST',
      path: this.graphqlUrl!,
      route: '/graphql',
      body: { query, variables },
      // A query reads only; sending it again is safe.
      idempotent: true,
      rateLimiter: this.graphqlLimiter,
    });
    const body = res.data;
    const errors = Array.isArray(body?.errors) ? body!.errors : [];
    const limited = errors.find((e) => e?.type === 'RATE_LIMITED');
    if (limited) {
      // GitHub answers a spent GraphQL budget with a 200; its headers say when it resets.
      const reset = Number(res.headers['x-ratelimit-reset']);
      throw new SourceError({
        source: this.source,
        code: SourceErrorCode.SOURCE_RATE_LIMITED,
        message: limited.message || 'GraphQL rate limit exceeded',
        retryAfterMs: Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - this.now()) : undefined,
      });
    }
    const data = body?.data;
    if (!data || typeof data !== 'object') {
      const detail = errors.map((e) => e?.message).filter(Boolean).join('; ');
      throw this.badResponse(`the GraphQL batch query came back without data${detail ? `: ${detail}` : ''}`);
    }
    const errorAt = (path: Array<string | number>): GraphqlError | undefined =>
      errors.find((e) => Array.isArray(e?.path) && path.every((p, i) => e.path![i] === p) && e.path!.length === path.length);

    const answers = new Map<string, unknown>();
    const store = (key: string, value: unknown) => {
      answers.set(key, value);
      if (!(value instanceof Error)) void this.cache.put<Validated<unknown>>(key, { etag: null, value });
    };
    const rest: Array<Promise<void>> = [];
    reads.forEach((read, i) => {
      const alias = aliases.repository(i);
      const repo = splitFullName(`${read.owner}/${read.name}`)!;
      const node = data[alias];
      if (!node) {
        // NOT_FOUND (or no error at all) is an answer: the repository is not there for this token.
        const failed = errorAt([alias]);
        const outcome = failed && failed.type !== 'NOT_FOUND' ? this.fieldError(failed) : null;
        for (const key of keysOfRead(read)) (outcome ? answers.set(key, outcome) : store(key, null));
        return;
      }
      store(`repo ${repo.key}`, mapGraphqlRepository(node, this.ctx));
      read.commits.forEach((sha, j) => {
        const key = `commit ${repo.key} ${sha}`;
        const commit = node[aliases.commit(j)] as GraphqlCommit | null | undefined;
        const failed = errorAt([alias, aliases.commit(j)]);
        if (failed && failed.type !== 'NOT_FOUND') answers.set(key, this.fieldError(failed));
        // A tree, a tag or nothing by that id is no commit: null, as REST's 422 is.
        else store(key, commit?.oid ? mapGraphqlCommit(commit, this.ctx, repo.fullName) : null);
      });
      read.codeOwnersRefs.forEach((ref, k) => {
        const key = `codeowners ${repo.key} ${ref}`;
        const readAt = ref || node.defaultBranchRef?.name || 'HEAD';
        // GitHub's own order: the first location holding a file wins; a directory is skipped.
        const location = GITHUB_CODEOWNERS_PATHS.findIndex((_, l) => typeof (node[aliases.codeOwners(k, l)] as GraphqlBlob | null)?.byteSize === 'number');
        if (location < 0) return store(key, null);
        const blob = node[aliases.codeOwners(k, location)] as GraphqlBlob;
        const file = mapGraphqlCodeOwnersBlob(blob, GITHUB_CODEOWNERS_PATHS[location]!, readAt);
        if (file) return store(key, file);
        rest.push(
          this.getCodeOwnersFile(repo.fullName, ref || undefined).then(
            (viaRest) => void answers.set(key, viaRest),
            (err: unknown) => void answers.set(key, err instanceof Error ? err : new Error(String(err))),
          ),
        );
      });
    });
    await Promise.all(rest);
    return answers;
  }

  /** A field GitHub failed alone: FORBIDDEN (an SSO-protected org, say) or anything else it reports. */
  private fieldError(error: GraphqlError): SourceError {
    return new SourceError({
      source: this.source,
      code: error.type === 'FORBIDDEN' ? SourceErrorCode.SOURCE_FORBIDDEN : SourceErrorCode.SOURCE_BAD_RESPONSE,
      message: error.message || `GraphQL error ${error.type ?? ''}`.trim(),
    });
  }

  // ---- plumbing -------------------------------------------------------------------

  /**
   * A GET through the cache, revalidated with its ETag once stale. A response `missing`
   * recognises (by default a 404) is cached as null: a lookup of what does not exist is an
   * answer, and asking again within the ttl would cost rate limit for the same answer.
   */
  private async conditionalGet<TDto, TOut>(
    key: string,
    route: string,
    path: string,
    params: Record<string, string | number | undefined> | undefined,
    map: (dto: TDto) => TOut,
    missing: (err: unknown) => boolean = isNotFoundError,
  ): Promise<TOut | null> {
    const { value } = await this.cache.getOrRevalidate<Validated<TOut | null>>(key, async (previous) => {
      const held = previous?.value;
      const res = await nullIfNotFound(this.http.request<TDto>({ method: 'GET', path, route, params, headers: ifNoneMatch(held?.etag) }), missing);
      if (res === null) return { etag: null, value: null };
      if (res.status === 304) {
        if (!held) throw this.badResponse('304 Not Modified to a request without If-None-Match');
        // Unchanged: the held value is stored again as new, without a body having come.
        return { etag: res.headers.etag ?? held.etag, value: held.value };
      }
      return { etag: res.headers.etag ?? null, value: map(res.data) };
    });
    return value.value;
  }

  private badResponse(detail: string): SourceError {
    return new SourceError({ source: this.source, code: SourceErrorCode.SOURCE_BAD_RESPONSE, message: detail });
  }
}

/**
 * The HTTP client exactly as the connector uses it: GitHub's media type and API version,
 * the bearer token, GitHub's error bodies and rate-limit rules.
 */
export function createGithubHttpClient(
  config: GithubInstanceConfig,
  deps: Pick<ConnectorDeps, 'logger' | 'clock' | 'health'>,
): HttpClient {
  const source = sourceName('GITHUB', config.name);
  const headers: Record<string, string> = {
    Accept: GITHUB_MEDIA_TYPE,
    'X-GitHub-Api-Version': GITHUB_API_VERSION,
  };
  const secrets: string[] = [];
  if (config.auth.type === 'token') {
    headers.Authorization = `Bearer ${config.auth.token}`;
    secrets.push(config.auth.token);
  }
  return createSourceHttpClient(config, { ...deps, logger: deps.logger ?? silentLogger }, {
    source,
    limits: GITHUB_LIMITS,
    baseURL: config.url.replace(/\/+$/, ''),
    headers,
    secrets,
    parseErrorBody,
    classifyResponse,
    parseRateLimit,
  });
}

/**
 * GitHub's rate limits (REST API docs, "Rate limits for the REST API" and "Troubleshooting"):
 * both primary and secondary limits answer 403 or 429.
 * - `retry-after` present: wait that long (secondary limits send it).
 * - `x-ratelimit-remaining: 0`: the primary limit; wait until `x-ratelimit-reset` (epoch
 *   seconds), plus a second as clocks differ and the reset is whole seconds.
 * - a secondary-limit message without either header: "wait for at least one minute".
 * Each is SOURCE_RATE_LIMITED when the wait does not fit the retry budget. Any other 403 is
 * SOURCE_FORBIDDEN and is not retried; any other 429 is left to the client's default rules.
 */
export function classifyResponse(res: ClassifiableResponse, nowMs: number): ResponseClassification | undefined {
  if (res.status !== 403 && res.status !== 429) return undefined;
  const rateLimited = SourceErrorCode.SOURCE_RATE_LIMITED;
  const retryAfter = parseRetryAfter(res.headers['retry-after'], nowMs);
  if (retryAfter !== undefined) return { retryable: true, delayMs: retryAfter, code: rateLimited };
  if (res.headers['x-ratelimit-remaining']?.trim() === '0') {
    const reset = Number(res.headers['x-ratelimit-reset']);
    if (!Number.isFinite(reset) || reset <= 0) return { retryable: false, code: rateLimited };
    return { retryable: true, delayMs: Math.max(0, reset * 1000 - nowMs) + 1000, code: rateLimited };
  }
  const message = res.body && typeof res.body === 'object' ? (res.body as { message?: unknown }).message : undefined;
  if (typeof message === 'string' && /secondary rate limit|abuse detection/i.test(message)) {
    return { retryable: true, delayMs: 60_000, code: rateLimited };
  }
  if (res.status === 403) return { retryable: false, code: SourceErrorCode.SOURCE_FORBIDDEN };
  return undefined;
}

/**
 * `x-ratelimit-limit`, `-remaining`, `-reset` (epoch seconds) and `-resource` (`core`,
 * `search`, `graphql`, ...), sent with every response; GitHub Enterprise Server with rate
 * limiting off sends none.
 */
export function parseRateLimit(headers: Readonly<Record<string, string>>): RateLimitReading | undefined {
  return readRateLimitHeaders(
    headers,
    { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset', resource: 'x-ratelimit-resource' },
    'epoch-seconds',
  );
}

/**
 * `basic-error` `{message, documentation_url, status}` and `validation-error` (with
 * `errors`): the message, with the validation details after it; the first error's `code`
 * as the upstream code. GitHub's own HTML pages (a 502 "Unicorn!") yield nothing.
 */
export function parseErrorBody(_status: number, body: unknown): { upstreamCode?: string; message?: string } {
  if (typeof body === 'string') {
    const text = body.trim();
    return text && !text.startsWith('<') ? { message: text.slice(0, 300) } : {};
  }
  if (!body || typeof body !== 'object') return {};
  const { message, errors } = body as ValidationError;
  const details = (Array.isArray(errors) ? errors : [])
    .map((e) =>
      typeof e === 'string' ? e : e && typeof e === 'object' ? e.message || [e.resource, e.field, e.code].filter(Boolean).join(' ') : '',
    )
    .filter(Boolean);
  const first = Array.isArray(errors) ? errors.find((e) => e && typeof e === 'object') : undefined;
  const code = first && typeof first === 'object' && typeof first.code === 'string' ? first.code : undefined;
  const text = typeof message === 'string' && message.trim() ? message.trim() : undefined;
  return {
    upstreamCode: code,
    message: text && details.length ? `${text} (${details.join('; ')})` : text ?? (details.join('; ') || undefined),
  };
}

/**
 * The web origin of an instance: `webUrl` when configured; else github.com for
 * api.github.com, `<sub>.ghe.com` for GHE.com's `api.<sub>.ghe.com`, and the API URL
 * without `/api/v3` for GitHub Enterprise Server.
 */
export function githubWebOrigin(apiUrl: string, webUrl?: string): string {
  if (webUrl) return webUrl.replace(/\/+$/, '');
  const url = new URL(apiUrl);
  const host = url.host.toLowerCase();
  if (host === 'api.github.com') return 'https://github.com';
  if (/^api\.[^.]+\.ghe\.com$/.test(host)) return `${url.protocol}//${host.slice('api.'.length)}`;
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${host}${path.replace(/\/api\/v3$/i, '')}`;
}

// ---- helpers ------------------------------------------------------------------------

interface RepoPath {
  fullName: string;
  /** Lower-cased `owner/name`: GitHub names are case-insensitive, cache keys must be too. */
  key: string;
  /** `/repos/{owner}/{repo}`, each part URL-encoded. */
  path: string;
}

/** `owner/name` (a trailing `.git` tolerated); undefined for anything else, e.g. a GitLab subgroup path. */
function splitFullName(fullName: string): RepoPath | undefined {
  const match = /^\s*([^/\s]+)\/([^/\s]+?)(?:\.git)?\s*$/.exec(fullName);
  if (!match) return undefined;
  const [, owner, name] = match as unknown as [string, string, string];
  return {
    fullName: `${owner}/${name}`,
    key: `${owner}/${name}`.toLowerCase(),
    path: `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`,
  };
}


/** A repository alias's answer: the repository's fields and the `c<j>`/`o<k>_<l>` objects inside it. */
type BatchRepositoryData = GraphqlRepository & Record<string, unknown>;

/** One key of a batch, with the cache key its single-key method uses. */
interface BatchKey {
  kind: 'repo' | 'commit' | 'codeowners';
  repo: RepoPath;
  owner: string;
  name: string;
  /** The sha (commit) or the ref, '' for the default branch (codeowners). */
  arg: string;
  cacheKey: string;
}

function batchKey(kind: BatchKey['kind'], fullName: string, arg = ''): BatchKey | undefined {
  const repo = splitFullName(fullName);
  if (!repo) return undefined;
  const [owner, name] = repo.fullName.split('/') as [string, string];
  const cacheKey = kind === 'repo' ? `repo ${repo.key}` : `${kind} ${repo.key} ${arg}`;
  return { kind, repo, owner, name, arg, cacheKey };
}

/** Every cache key a read answers. */
function keysOfRead(read: RepositoryRead): string[] {
  const key = `${read.owner}/${read.name}`.toLowerCase();
  return [
    `repo ${key}`,
    ...read.commits.map((sha) => `commit ${key} ${sha}`),
    ...read.codeOwnersRefs.map((ref) => `codeowners ${key} ${ref}`),
  ];
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** 404 (no such repository or branch), 409 (empty repository), 422 "No commit found for SHA". */
function isMissingCommit(err: unknown): boolean {
  if (isNotFoundError(err)) return true;
  if (!(err instanceof SourceError)) return false;
  return err.status === 409 || (err.status === 422 && /no commit found/i.test(err.message));
}

function isContentFile(data: ContentResponse): data is ContentFile {
  return !Array.isArray(data) && data !== null && typeof data === 'object' && data.type === 'file';
}
