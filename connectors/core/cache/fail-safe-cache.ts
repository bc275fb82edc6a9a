import { silentLogger, type Logger } from '../logger';
import type { KeyValueCache } from './types';

/** At most one warn line per this many ms, however many operations fail. */
const LOG_INTERVAL_MS = 30_000;

/**
 * Turns every backend failure into a miss (get) or a no-op (set, delete): the cache
 * makes the gateway faster, and must never be the reason a query fails.
 */
export class FailSafeCache implements KeyValueCache {
  private lastLoggedAt = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly inner: KeyValueCache,
    private readonly logger: Logger = silentLogger,
    /** Told of every failure (the log line is rate-limited, this is not): the Redis errors metric. Default: none. */
    private readonly onError?: (operation: 'get' | 'set' | 'delete') => void,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return await this.inner.get(key);
    } catch (err) {
      this.report('get', err);
      return undefined;
    }
  }

  async set(key: string, value: string, options?: { ttlSeconds?: number }): Promise<void> {
    try {
      await this.inner.set(key, value, options);
    } catch (err) {
      this.report('set', err);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.inner.delete(key);
    } catch (err) {
      this.report('delete', err);
    }
  }

  /**
   * A backend that cannot answer cannot say another process holds the key: true, so that
   * whatever the lock guards is done here rather than by nobody.
   */
  async setIfAbsent(key: string, value: string, options: { ttlSeconds: number }): Promise<boolean> {
    if (!this.inner.setIfAbsent) return true;
    try {
      return await this.inner.setIfAbsent(key, value, options);
    } catch (err) {
      this.report('set', err);
      return true;
    }
  }

  private report(op: 'get' | 'set' | 'delete', err: unknown): void {
    this.onError?.(op);
    const now = Date.now();
    if (now - this.lastLoggedAt < LOG_INTERVAL_MS) {
      this.suppressed++;
      return;
    }
    this.logger.warn('cache backend failed; treated as a miss', {
      op,
      error: err instanceof Error ? err.message : String(err),
      suppressed: this.suppressed,
    });
    this.lastLoggedAt = now;
    this.suppressed = 0;
  }
}
