import type { SourceKind } from './source';

/** What every connector is, whatever product it speaks to. */
export interface Connector {
  readonly kind: SourceKind;
  /** The configured instance name (`prod`). */
  readonly instance: string;
  /** `<kind>:<instance>` (`mlflow:prod`): the name used in errors, logs and cache keys. */
  readonly source: string;
  /** Resolves when the upstream answers an authenticated, cheap read; rejects with a SourceError. */
  health(): Promise<void>;
  /** Releases sockets and timers; the connector is not used afterwards. */
  close(): void;
}

/** What every connector's `fromConfig` is given besides its own config. */
export interface ConnectorDeps {
  /** The cache backend (Redis or memory); the connector prefixes its keys with its source. */
  cache: import('./cache/types').KeyValueCache;
  /** Defaults for this source's cache entries; the instance's `cache` config overrides them. */
  cacheDefaults: {
    ttlSeconds: number;
    staleSeconds: number;
    /**
     * Listings (every model of a registry, every deployment) refreshed ahead of their expiry and
     * loaded once per cluster (see `cache.warmUp`). Default: false, refreshed once stale.
     */
    warmListings?: boolean;
  };
  logger?: import('./logger').Logger;
  /** The clock used for retry waits and budgets (tests make waits instant and record them). */
  clock?: { sleep?: (ms: number) => Promise<void>; now?: () => number };
  /** Where the source records its calls, cache lookups, rate limit and breaker state (`Query.sources`). Default: none. */
  health?: import('./source-health').SourceHealthRegistry;
}
