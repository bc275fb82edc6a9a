import { MemoryCache } from './memory-cache';
import type { RedisBreaker } from './redis-breaker';
import type { KeyValueCache } from './types';

export interface BreakerCacheOptions {
  /** Entries the in-memory cache that serves while the breaker is open holds. Default: 10000. */
  fallbackEntries?: number;
}

/**
 * A remote cache (Redis) behind its {@link RedisBreaker}, with an in-memory cache to fall
 * back on. Closed: every command goes to the remote, and its failures propagate
 * (FailSafeCache, above, makes them misses). Open: the in-memory cache answers and no
 * command goes to the remote. Once the remote is back, what the in-memory cache holds is
 * dropped: the remote, shared with the other replicas, is the copy that counts.
 */
export class BreakerCache implements KeyValueCache {
  private fallback: MemoryCache;

  constructor(
    private readonly remote: KeyValueCache,
    private readonly breaker: RedisBreaker,
    private readonly options: BreakerCacheOptions = {},
  ) {
    this.fallback = this.newFallback();
  }

  get(key: string): Promise<string | undefined> {
    return this.route((cache) => cache.get(key));
  }

  set(key: string, value: string, options?: { ttlSeconds?: number }): Promise<void> {
    return this.route((cache) => cache.set(key, value, options));
  }

  delete(key: string): Promise<void> {
    return this.route((cache) => cache.delete(key));
  }

  setIfAbsent(key: string, value: string, options: { ttlSeconds: number }): Promise<boolean> {
    return this.route((cache) => (cache.setIfAbsent ? cache.setIfAbsent(key, value, options) : Promise.resolve(true)));
  }

  private route<T>(command: (cache: KeyValueCache) => Promise<T>): Promise<T> {
    if (!this.breaker.available) return command(this.fallback);
    if (this.fallback.size > 0) this.fallback = this.newFallback();
    return this.breaker.run(() => command(this.remote));
  }

  private newFallback(): MemoryCache {
    return new MemoryCache({ maxEntries: this.options.fallbackEntries });
  }
}
