import { Redis } from 'ioredis';
import { redact } from '../errors';
import type { Logger } from '../logger';
import type { KeyValueCache } from './types';

/**
 * Redis backend, shared by every replica of the gateway. Errors propagate: wrap it in
 * `FailSafeCache` (SourceCache does) so that a dead Redis is a miss, not an outage.
 */
export class RedisCache implements KeyValueCache {
  constructor(private readonly redis: Redis) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(key)) ?? undefined;
  }

  async set(key: string, value: string, options?: { ttlSeconds?: number }): Promise<void> {
    const ttl = options?.ttlSeconds;
    // PX rather than EX: EX takes whole seconds only and rejects 0.
    if (ttl && ttl > 0) await this.redis.set(key, value, 'PX', Math.max(1, Math.round(ttl * 1000)));
    else await this.redis.set(key, value);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key);
  }

  async setIfAbsent(key: string, value: string, options: { ttlSeconds: number }): Promise<boolean> {
    return (await this.redis.set(key, value, 'PX', Math.max(1, Math.round(options.ttlSeconds * 1000)), 'NX')) === 'OK';
  }
}

export interface RedisClientOptions {
  /** At most one 'error' line per this many ms; ioredis emits one per reconnect attempt. Default: 30000. */
  errorLogIntervalMs?: number;
  /** Longest wait between reconnect attempts, in ms. Default: 2000. */
  maxReconnectDelayMs?: number;
}

/**
 * An ioredis client tuned for a cache: when Redis is down, a command fails within about
 * half a second (and is a cache miss) instead of queueing until Redis returns, which
 * would stall every GraphQL request behind it. It keeps reconnecting in the background,
 * so the cache comes back by itself.
 */
export function createRedisClient(url: string, logger: Logger, options: RedisClientOptions = {}): Redis {
  const errorLogIntervalMs = options.errorLogIntervalMs ?? 30_000;
  const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 2_000;
  const secrets = urlSecrets(url);
  const redis = new Redis(url, {
    // Without a connection, fail the command now rather than hold it in memory.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    connectTimeout: 1_000,
    // Never give up (Redis may come back), but never wait long between tries either.
    retryStrategy: (times) => Math.min(times * 100, maxReconnectDelayMs),
    // disconnect() on a client whose Redis is gone otherwise keeps a 2 s timer, and the
    // process, alive for a socket that is already dead.
    disconnectTimeout: 200,
  });

  let lastLoggedAt = -Infinity;
  let suppressed = 0;
  let failing = false;
  // Without a listener ioredis prints "Unhandled error event" for every reconnect attempt.
  redis.on('error', (err: Error & { code?: string }) => {
    failing = true;
    const now = Date.now();
    if (now - lastLoggedAt < errorLogIntervalMs) {
      suppressed++;
      return;
    }
    logger.warn('redis cache unavailable; requests go to the upstreams uncached', {
      error: redact(err.message, secrets),
      code: err.code,
      suppressed,
    });
    lastLoggedAt = now;
    suppressed = 0;
  });
  redis.on('ready', () => {
    if (!failing) return;
    failing = false;
    logger.info('redis cache available again');
  });
  return redis;
}

function urlSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    return [parsed.password, decodeURIComponent(parsed.password)].filter(Boolean);
  } catch {
    return [];
  }
}
