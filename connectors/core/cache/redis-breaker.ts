import type { Redis } from 'ioredis';
import { silentLogger, type Logger } from '../logger';

export interface RedisBreakerOptions {
  /**
   * Consecutive failed commands that open the breaker. A timeout opens it at once: each
   * one cost a request a whole command timeout, and the next would cost the same.
   * Default: 3.
   */
  failureThreshold?: number;
  /** Whether a failure was a timeout (Redis hung, not refusing). Default: ioredis' "Command timed out". */
  isTimeout?: (err: unknown) => boolean;
  /** Answers when Redis is healthy again (PING); run in the background while open. */
  probe: () => Promise<unknown>;
  /** Between probes while open, in ms. Default: 1000. */
  probeIntervalMs?: number;
  /** Told of every transition: opened at warn, closed at info. Default: {@link silentLogger}. */
  logger?: Logger;
  /**
   * False: Redis is not known to answer yet (a client still connecting), so start open,
   * quietly, until {@link RedisBreaker.markAvailable} or a probe says otherwise. Default: true.
   */
  initiallyAvailable?: boolean;
}

/**
 * A circuit breaker in front of one Redis client, shared by everything that uses it in the
 * process (the cache, the gateway's rate limiter).
 *
 * Why: a hung Redis (SIGSTOP, a full network buffer) accepts commands and never answers, so
 * without this every command of every request waits out the command timeout, for as long
 * as Redis stays hung. Once open, callers are told Redis is unavailable ({@link available})
 * and use their in-memory fallback without asking it; a probe asks Redis in the background,
 * and the first one answered closes the breaker. A hung Redis then costs one command timeout
 * per process; a refusing one, a few fast failures.
 */
export class RedisBreaker {
  private open = false;
  private failures = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly threshold: number;
  private readonly isTimeout: (err: unknown) => boolean;
  private readonly probeIntervalMs: number;
  private readonly logger: Logger;

  constructor(private readonly options: RedisBreakerOptions) {
    this.threshold = Math.max(1, options.failureThreshold ?? 3);
    this.isTimeout = options.isTimeout ?? isCommandTimeout;
    this.probeIntervalMs = Math.max(1, options.probeIntervalMs ?? 1_000);
    this.logger = options.logger ?? silentLogger;
    if (options.initiallyAvailable === false) {
      this.open = true;
      this.scheduleProbe();
    }
  }

  /**
   * The breaker of an ioredis client, closed whenever the client (re)connects: until its
   * first connection, commands would fail at once (no offline queue) and open it for
   * nothing; after a crash, 'ready' says Redis is back sooner than the next probe.
   */
  static forClient(client: Redis, logger: Logger): RedisBreaker {
    const breaker = new RedisBreaker({ probe: () => client.ping(), logger, initiallyAvailable: client.status === 'ready' });
    client.on('ready', () => breaker.markAvailable());
    return breaker;
  }

  /** Closes the breaker: Redis is known to answer (a fresh connection passed its ready check). */
  markAvailable(): void {
    if (!this.open || this.stopped) return;
    clearTimeout(this.probeTimer);
    this.close();
  }

  /** False while open: use the fallback, do not ask Redis. */
  get available(): boolean {
    return !this.open;
  }

  get status(): 'closed' | 'open' {
    return this.open ? 'open' : 'closed';
  }

  /**
   * Runs one Redis command and counts its outcome. Only an `Error` counts as a failure:
   * libraries that reject with a verdict (rate-limiter-flexible's "over the limit") are
   * answers from a live Redis.
   */
  async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      const result = await command();
      this.failures = 0;
      return result;
    } catch (err) {
      if (err instanceof Error) this.fail(err);
      else this.failures = 0;
      throw err;
    }
  }

  /** Stops probing; for shutdown. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.probeTimer);
  }

  private fail(err: Error): void {
    this.failures++;
    if (this.open || !(this.isTimeout(err) || this.failures >= this.threshold)) return;
    this.open = true;
    this.logger.warn('redis breaker open: using in-memory fallbacks until redis answers again', {
      failures: this.failures,
      error: err.message,
    });
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    this.probeTimer = setTimeout(() => void this.runProbe(), this.probeIntervalMs);
    // A probe is no reason to keep the process alive.
    this.probeTimer.unref();
  }

  private async runProbe(): Promise<void> {
    try {
      await this.options.probe();
    } catch {
      // Unless the client reconnected meanwhile (markAvailable).
      if (this.open) this.scheduleProbe();
      return;
    }
    if (this.stopped || !this.open) return;
    this.close();
  }

  private close(): void {
    const tripped = this.failures > 0;
    this.open = false;
    this.failures = 0;
    if (tripped) this.logger.info('redis breaker closed: redis answers again');
  }
}

function isCommandTimeout(err: unknown): boolean {
  return err instanceof Error && /timed out/i.test(err.message);
}
