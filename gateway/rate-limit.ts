import type { Redis } from 'ioredis';
import type { RedisBreaker } from '../connectors/core/cache/redis-breaker';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Caller } from '../lib/caller';

/**
 * Requests per client per minute, counted in Redis when the cache has it (so every gateway
 * replica counts against one limit) and in memory otherwise; `rate-limiter-flexible` does
 * the counting. A Redis that fails falls back to the in-memory count rather than letting
 * everyone through or refusing everyone; with a {@link RedisBreaker}, a Redis that hangs
 * costs one command timeout, after which the memory counts until Redis answers again.
 */
export interface ClientRateLimiter {
  /** `retryAfterSeconds` when the client is over its limit. */
  take(clientKey: string): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number; limit: number }>;
}

export function createRateLimiter(options: {
  requestsPerMinute: number;
  redis?: Redis;
  /** Shared with the cache: while it is open, the memory counts and Redis is not asked. */
  redisBreaker?: RedisBreaker;
}): ClientRateLimiter | undefined {
  if (options.requestsPerMinute <= 0) return undefined;
  const common = { points: options.requestsPerMinute, duration: 60 };
  const memory = new RateLimiterMemory({ ...common, keyPrefix: 'modelgraph-rl' });
  const shared: RateLimiterAbstract | undefined = options.redis
    ? new RateLimiterRedis({
        ...common,
        storeClient: options.redis,
        keyPrefix: 'modelgraph:ratelimit',
        // A Redis that does not answer must not hold every request up.
        rejectIfRedisNotReady: true,
        // Without a breaker the library falls back itself; with one, the breaker must see
        // Redis fail (below) to stop asking it.
        ...(options.redisBreaker ? {} : { insuranceLimiter: memory }),
      })
    : undefined;
  const breaker = options.redisBreaker;
  const consume = async (clientKey: string) => {
    if (!shared || (breaker && !breaker.available)) return memory.consume(clientKey, 1);
    if (!breaker) return shared.consume(clientKey, 1);
    try {
      return await breaker.run(() => shared.consume(clientKey, 1));
    } catch (err) {
      // Over the limit is Redis' answer; an Error is Redis failing: count in memory.
      if (err instanceof RateLimiterRes) throw err;
      return memory.consume(clientKey, 1);
    }
  };
  return {
    async take(clientKey) {
      try {
        await consume(clientKey);
        return { ok: true };
      } catch (res) {
        if (res instanceof RateLimiterRes) {
          return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)), limit: options.requestsPerMinute };
        }
        // The store failed and so did the insurance: let the request through.
        return { ok: true };
      }
    },
  };
}

/** Whose limit a request counts against: the key's name, the token's subject, or (auth off) the address. */
export function rateLimitKey(caller: Caller, remoteAddress: string | undefined): string | undefined {
  switch (caller.kind) {
    case 'apiKey':
      return `key:${caller.id}`;
    case 'jwt':
      return `sub:${caller.id}`;
    case 'anonymous':
      return `ip:${remoteAddress ?? 'unknown'}`;
  }
}
