import { silentLogger, type Logger } from '../logger';
import { MemoryCache } from './memory-cache';
import type { KeyValueCache } from './types';

export interface BreakerCacheOptions {
  /**
   * Consecutive failed commands that open the breaker. A timeout opens it at once: each
   * one cost a request a whole command timeout, and the next would cost the same.
   * Default: 3.
   */
  failureThreshold?: number;
  /** Whether a failure was a timeout (the remote is hung, not refusing). Default: ioredis' "Command timed out". */
  isTimeout?: (err: unknown) => boolean;
  /** Answers when the remote is healthy again (Redis: PING); run in the background while open. */
  probe: () => Promise<unknown>;
  /** Between probes while open, in ms. Default: 1000. */
  probeIntervalMs?: number;
  /** Entries the in-memory cache that serves while the breaker is open holds. Default: 10000. */
  fallbackEntries?: number;
  /** Told of every transition, at warn (opened) and info (closed). Default: {@link silentLogger}. */
  logger?: Logger;
}

export type BreakerCacheState = 'closed' | 'open';

/**
 * A remote cache (Redis) behind a circuit breaker, with a local one to fall back on.
 *
 * Closed: every command goes to the remote, and its failures propagate (FailSafeCache,
 * above, makes them misses). Open: no command goes to the remote at all — the local cache
 * answers — while a probe asks the remote in the background whether it is back; the first
 * probe that answers closes the breaker, and the local entries are dropped (the remote,
 * shared with the other replicas, is the copy that counts).
 *
 * Why: a hung Redis (SIGSTOP, a full network buffer) accepts commands and never answers,
 * so without this every cache read of every request waits out the command timeout, for
 * as long as Redis stays hung. With it a hung Redis costs one command timeout per process.
 */
export class BreakerCache implements KeyValueCache {
  private state: BreakerCacheState = 'closed';
  private failures = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly threshold: number;
  private readonly isTimeout: (err: unknown) => boolean;
  private readonly probeIntervalMs: number;
  private fallback: MemoryCache;
  private readonly logger: Logger;

  constructor(
    private readonly remote: KeyValueCache,
    private readonly options: BreakerCacheOptions,
  ) {
    this.threshold = Math.max(1, options.failureThreshold ?? 3);
    this.isTimeout = options.isTimeout ?? isCommandTimeout;
    this.probeIntervalMs = Math.max(1, options.probeIntervalMs ?? 1_000);
    this.fallback = new MemoryCache({ maxEntries: options.fallbackEntries });
    this.logger = options.logger ?? silentLogger;
  }

  get status(): BreakerCacheState {
    return this.state;
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

  /** Stops probing; for shutdown. */
  close(): void {
    this.closed = true;
    clearTimeout(this.probeTimer);
  }

  private async route<T>(command: (cache: KeyValueCache) => Promise<T>): Promise<T> {
    if (this.state === 'open') return command(this.fallback);
    try {
      const result = await command(this.remote);
      this.failures = 0;
      return result;
    } catch (err) {
      this.failures++;
      if (this.state === 'closed' && (this.isTimeout(err) || this.failures >= this.threshold)) this.open(err);
      throw err;
    }
  }

  private open(err: unknown): void {
    this.state = 'open';
    this.logger.warn('redis cache breaker open: serving from memory until redis answers again', {
      failures: this.failures,
      error: err instanceof Error ? err.message : String(err),
    });
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.closed) return;
    this.probeTimer = setTimeout(() => void this.runProbe(), this.probeIntervalMs);
    // A probe is no reason to keep the process alive.
    this.probeTimer.unref();
  }

  private async runProbe(): Promise<void> {
    try {
      await this.options.probe();
    } catch {
      this.scheduleProbe();
      return;
    }
    if (this.closed) return;
    this.state = 'closed';
    this.failures = 0;
    // Entries written while open never reached the remote; the remote is the shared copy.
    this.fallback = new MemoryCache({ maxEntries: this.options.fallbackEntries });
    this.logger.info('redis cache breaker closed: redis answers again');
  }
}

function isCommandTimeout(err: unknown): boolean {
  return err instanceof Error && /timed out/i.test(err.message);
}
