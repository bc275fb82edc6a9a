import type { ConnectionConfig } from '../../config/schema';
import { SourceCache, type SourceCacheOptions } from './cache/source-cache';
import type { ConnectorDeps } from './connector';
import { HttpClient, type HttpClientOptions } from './http-client';
import type { Logger } from './logger';

/**
 * What every connector's `fromConfig` builds from the connection settings all source
 * instances share (timeout, concurrency, retry, breaker, cache): one HTTP client and two
 * caches, so that those settings mean the same for every product.
 */

/** The product-specific half of an HttpClient: where, how to authenticate, how to read errors. */
export type HttpClientSpecifics = Pick<
  HttpClientOptions,
  'source' | 'baseURL' | 'headers' | 'secrets' | 'parseErrorBody' | 'classifyResponse'
>;

export function createSourceHttpClient(
  config: ConnectionConfig,
  deps: Pick<ConnectorDeps, 'clock'> & { logger: Logger },
  specifics: HttpClientSpecifics,
): HttpClient {
  return new HttpClient({
    ...specifics,
    timeoutMs: config.timeoutMs,
    maxConcurrency: config.maxConcurrency,
    retry: config.retry,
    breaker: config.breaker && {
      failureThreshold: config.breaker.failureThreshold,
      resetAfterMs: config.breaker.resetSeconds === undefined ? undefined : config.breaker.resetSeconds * 1000,
    },
    logger: deps.logger,
    sleep: deps.clock?.sleep,
    now: deps.clock?.now,
  });
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
    ...extra,
  };
  return {
    entries: new SourceCache(deps.cache, source, { ...options, localEntries: 10_000 }),
    listings: new SourceCache(deps.cache, source, { ...options, localEntries: 64 }),
  };
}
