import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { BreakerCache } from '../../connectors/core/cache/breaker-cache';
import { RedisBreaker } from '../../connectors/core/cache/redis-breaker';
import { RedisCache, createRedisClient } from '../../connectors/core/cache/redis-cache';
import { SourceCache } from '../../connectors/core/cache/source-cache';
import { createLogger, type Logger } from '../../connectors/core/logger';
import { createRateLimiter } from '../../gateway/rate-limit';
import { FaultyTcpProxy } from '../helpers/faulty-tcp-proxy';
import { waitFor } from '../helpers/wait-for';

// Against a real Redis, through a proxy the test hangs and kills: CI sets REDIS_URL.
const REDIS_URL = process.env.REDIS_URL;
const describeRedis = REDIS_URL ? describe : describe.skip;

function capture(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { logger: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }), lines };
}

/** Runs `command`, and says whether it failed with a command timeout. */
async function timedOut(command: Promise<unknown>): Promise<boolean> {
  try {
    await command;
    return false;
  } catch (err) {
    if (/timed out/i.test((err as Error).message)) return true;
    throw err;
  }
}

describeRedis('RedisBreaker and BreakerCache in front of a real Redis that hangs and dies', () => {
  const target = new URL(REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `test:breaker-${process.pid}-${Date.now().toString(36)}:`;
  let proxy: FaultyTcpProxy;
  let redis: Redis;
  let breaker: RedisBreaker;
  let cache: BreakerCache;
  let log: ReturnType<typeof capture>;

  beforeEach(async () => {
    proxy = await FaultyTcpProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
    log = capture();
    redis = createRedisClient(`redis://127.0.0.1:${proxy.port}`, log.logger);
    if (redis.status !== 'ready') await once(redis, 'ready');
    breaker = new RedisBreaker({ probe: () => redis.ping(), probeIntervalMs: 50, logger: log.logger });
    cache = new BreakerCache(new RedisCache(redis), breaker);
  });

  afterEach(async () => {
    breaker.stop();
    redis.disconnect();
    await proxy.close();
  });

  afterAll(async () => {
    const admin = createRedisClient(REDIS_URL as string, createLogger({ level: 'silent' }));
    if (admin.status !== 'ready') await once(admin, 'ready');
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    admin.disconnect();
  });

  it('a hung Redis costs one command timeout, then no command until it answers a probe again', async () => {
    await cache.set(`${prefix}before`, 'from redis', { ttlSeconds: 60 });
    expect(await cache.get(`${prefix}before`)).toBe('from redis');

    proxy.hang();
    proxy.resetCounts();
    let timeouts = 0;
    for (let i = 0; i < 20; i++) {
      if (await timedOut(cache.get(`${prefix}k${i}`))) timeouts++;
    }
    expect(timeouts).toBe(1);
    expect(proxy.count('get')).toBe(1);
    expect(breaker.status).toBe('open');
    expect(log.lines.some((l) => l.level === 'warn' && String(l.msg).includes('breaker open'))).toBe(true);

    // While open, writes and reads stay in memory: nothing reaches Redis but probes.
    await cache.set(`${prefix}during`, 'from memory');
    expect(await cache.get(`${prefix}during`)).toBe('from memory');
    expect(proxy.count('set')).toBe(0);
    expect(proxy.count('get')).toBe(1);
    await waitFor(() => proxy.count('ping') >= 1, { timeoutMs: 5000, what: 'a probe (PING) to reach Redis' });

    proxy.forward();
    await waitFor(() => breaker.status === 'closed', { timeoutMs: 5000, what: 'the breaker to close once Redis answers again' });
    expect(await cache.get(`${prefix}before`)).toBe('from redis');
    // The memory layer's entries never reached Redis, and are not served once it is back.
    expect(await cache.get(`${prefix}during`)).toBeUndefined();
  });

  it('a killed Redis opens the breaker after a few fast failures; a revived one closes it', async () => {
    await cache.set(`${prefix}before`, 'from redis', { ttlSeconds: 60 });
    await proxy.kill();
    await waitFor(() => redis.status !== 'ready', { timeoutMs: 5000, what: 'the client to see Redis gone' });

    let failures = 0;
    for (let i = 0; i < 20; i++) {
      await cache.get(`${prefix}k${i}`).catch(() => failures++);
    }
    expect(failures).toBe(3);
    expect(breaker.status).toBe('open');

    await proxy.revive();
    await waitFor(() => breaker.status === 'closed', { timeoutMs: 5000, what: 'the breaker to close once Redis is revived' });
    expect(await cache.get(`${prefix}before`)).toBe('from redis');
  });

  it("the gateway's rate limiter shares the breaker: a hung Redis costs one command, then memory counts", async () => {
    const limiter = createRateLimiter({ requestsPerMinute: 5, redis, redisBreaker: breaker })!;
    const client = `${prefix}client-${Date.now()}`;
    expect(await limiter.take(client)).toEqual({ ok: true });
    proxy.hang();
    proxy.resetCounts();
    const verdicts = [];
    for (let i = 0; i < 10; i++) verdicts.push((await limiter.take(client)).ok);
    // The first take waited out one timeout and was counted in memory, as were the rest:
    // the limit still holds (5 a minute), counted from the hang on.
    expect(verdicts).toEqual([true, true, true, true, true, false, false, false, false, false]);
    expect(proxy.count('evalsha') + proxy.count('eval')).toBe(1);
    expect(breaker.status).toBe('open');
  });

  it('through SourceCache, every answer still comes while Redis hangs', async () => {
    const source = new SourceCache(cache, `${prefix}src`, { ttlSeconds: 30, localEntries: 0 });
    proxy.hang();
    proxy.resetCounts();
    let loads = 0;
    for (let i = 0; i < 10; i++) {
      const { value } = await source.getOrLoad(`key-${i % 2}`, async () => {
        loads++;
        return `value-${i % 2}`;
      });
      expect(value).toBe(`value-${i % 2}`);
    }
    // The first read timed out (a miss); after that the memory layer holds both entries.
    expect(proxy.count('get')).toBe(1);
    expect(loads).toBe(2);
  });
});
