import type { ConnectionConfig } from './config';
import { SourceCache, type SourceCacheOptions } from './cache/source-cache';
import type { ConnectorDeps } from './connector';
import { SourceError, SourceErrorCode } from './errors';
import { HttpClient, type HttpClientOptions } from './http-client';
import type { Logger } from './logger';
import { RateLimiter } from './rate-limiter';
import type { SourceHealthRecorder } from './source-health';
import { resolveConcurrency, resolveRateLimit, type RateLimitConfig, type VendorLimits } from './vendor-rate-limits';

/**
 * What every connector's `fromConfig` builds from the connection settings all source
 * instances share (timeout, concurrency, retry, breaker, cache): one HTTP client and two
 * caches, so that those settings mean the same for every product.
 */

/** The product-specific half of an HttpClient: where, how to authenticate, how to read errors. */
export type HttpClientSpecifics = Pick<
  HttpClientOptions,
  'source' | 'baseURL' | 'headers' | 'secrets' | 'parseErrorBody' | 'classifyResponse' | 'parseRateLimit' | 'int64Fields'
> & {
  /** The vendor's defaults (the kind's `limits.ts`), under the instance's own settings. */
  limits: VendorLimits;
};

export function createSourceHttpClient(
  config: ConnectionConfig,
  deps: Pick<ConnectorDeps, 'clock' | 'health'> & { logger: Logger },
  specifics: HttpClientSpecifics,
): HttpClient {
  const { limits, ...http } = specifics;
  return new HttpClient({
    ...http,
    health: healthRecorder(deps, specifics.source),
    timeoutMs: config.timeoutMs,
    maxConcurrency: resolveConcurrency(limits, config.maxConcurrency),
    retry: config.retry,
    breaker: config.breaker && {
      failureThreshold: config.breaker.failureThreshold,
      resetAfterMs: config.breaker.resetSeconds === undefined ? undefined : config.breaker.resetSeconds * 1000,
    },
    rememberFailureMs: rememberFailureMs(config),
    rateLimiter: createRateLimiter(specifics.source, limits, config.rateLimit, deps.clock?.now),
    logger: deps.logger,
    sleep: deps.clock?.sleep,
    now: deps.clock?.now,
  });
}

/**
 * The source's client-side limiter: its vendor's default limit (the kind's `limits.ts`) with
 * the instance's `rateLimit` over it; undefined when turned off or the vendor has none.
 */
export function createRateLimiter(
  source: string,
  limits: VendorLimits,
  config: RateLimitConfig | undefined,
  now?: () => number,
): RateLimiter | undefined {
  const limit = resolveRateLimit(limits.rateLimit, config);
  return limit && new RateLimiter(source, limit, { now });
}

export interface SourceCaches {
  /** Single objects and searches: many small entries. */
  entries: SourceCache;
  /**
   * Whole listings: few, large entries, kept apart so that thousands of small ones never
   * push them out of the in-process layer.
   */
  listings: SourceCache;
}

/** JSON length of the listings kept decoded per source instance: about twice that in heap. */
const LISTINGS_LOCAL_BYTES = 64 * 1024 * 1024;
/**
 * JSON length of the other entries (a run, a model's tickets, a repository's CODEOWNERS)
 * kept decoded per source instance. A page reads a few hundred; a governance index build
 * reads every model's, and without a bound on their weight 10,000 models' runs, tickets and
 * files stayed decoded in every process (~100 MiB of heap at 10,000 models) after the build
 * had moved on. Past it an entry is parsed again from the shared cache.
 */
const ENTRIES_LOCAL_BYTES = 8 * 1024 * 1024;

/**
 * Listings kept warm: refreshed once half their ttl has passed (the warm-up reads them at
 * least that often), so that a request never waits for one or sees one stale; and loaded by
 * one replica at a time, for at most two minutes (a 10,000-model registry listed within its
 * vendor's rate limit takes tens of seconds), while the others serve what they hold.
 */
const WARM_LISTINGS: Pick<SourceCacheOptions, 'refreshAhead' | 'clusterLockSeconds'> = { refreshAhead: 0.5, clusterLockSeconds: 120 };

export function createSourceCaches(
  config: ConnectionConfig,
  deps: ConnectorDeps & { logger: Logger },
  source: string,
  extra: Pick<SourceCacheOptions, 'revalidateSeconds' | 'now'> = {},
): SourceCaches {
  const options: SourceCacheOptions = {
    ttlSeconds: config.cache?.ttlSeconds ?? deps.cacheDefaults.ttlSeconds,
    staleSeconds: config.cache?.staleSeconds ?? deps.cacheDefaults.staleSeconds,
    logger: deps.logger,
    health: healthRecorder(deps, source),
    ...extra,
  };
  return {
    entries: new SourceCache(deps.cache, source, { ...options, localEntries: 10_000, localBytes: ENTRIES_LOCAL_BYTES }),
    // Bounded by weight rather than by count alone: a warm page reads a listing entry per
    // model group (SageMaker versions), far more than the 64 a count bound could afford for
    // listings of tens of thousands of versions, and each entry pushed out is a JSON parse.
    listings: new SourceCache(deps.cache, source, {
      ...options,
      localEntries: 4096,
      localBytes: LISTINGS_LOCAL_BYTES,
      ...(deps.cacheDefaults.warmListings ? WARM_LISTINGS : {}),
    }),
  };
}

/**
 * How long a source's failure is remembered across requests when the config says nothing:
 * long enough that a burst of queries pays for an outage once, short enough that a recovered
 * source is asked again within seconds (the breaker handles sources that stay down).
 */
export const DEFAULT_REMEMBER_FAILURE_SECONDS = 5;

/** `breaker.rememberFailureSeconds` in ms. */
export function rememberFailureMs(config: Pick<ConnectionConfig, 'breaker'>): number {
  return (config.breaker?.rememberFailureSeconds ?? DEFAULT_REMEMBER_FAILURE_SECONDS) * 1000;
}

/** The source's recorder, when the process records health; keyed by the `<kind>:<instance>` name every connector already has. */
function healthRecorder(deps: Pick<ConnectorDeps, 'health'>, source: string): SourceHealthRecorder | undefined {
  return deps.health?.recorderFor(source);
}

/**
 * The upstream said the thing does not exist: SOURCE_NOT_FOUND, which is an HTTP 404 for
 * REST sources (codeForStatus) and the vendor's "no such resource" error for SDK sources
 * (SageMaker's ResourceNotFound, sent with status 400). The one meaning of "not found" for
 * every connector; a connector that must tell kinds of 404 apart narrows it, never widens it.
 */
export function isNotFoundError(err: unknown): err is SourceError {
  return err instanceof SourceError && err.code === SourceErrorCode.SOURCE_NOT_FOUND;
}

/** A single lookup of something that does not exist is an answer (null), not a failure. */
export async function nullIfNotFound<T>(
  pending: Promise<T>,
  isMissing: (err: unknown) => boolean = isNotFoundError,
): Promise<T | null> {
  try {
    return await pending;
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/**
 * A single lookup through the cache, where "not found" is an answer (null) cached like any
 * other, so that something nobody can see does not cost an upstream call per request.
 */
export async function cachedLookup<T>(
  cache: SourceCache,
  key: string,
  load: () => Promise<T>,
  isMissing: (err: unknown) => boolean = isNotFoundError,
): Promise<T | null> {
  const { value } = await cache.getOrLoad<T | null>(key, () => nullIfNotFound((async () => load())(), isMissing));
  return value;
}

/**
 * `load` for each distinct id, side by side (the HTTP client's concurrency limit paces them),
 * as a map holding every requested id: a registry's per-model reads where the vendor has no
 * batch call.
 */
export async function loadEach<T>(ids: readonly string[], load: (id: string) => Promise<T>): Promise<Map<string, T>> {
  const unique = [...new Set(ids)];
  const values = await Promise.all(unique.map((id) => load(id)));
  return new Map(unique.map((id, i) => [id, values[i]!]));
}
