import { once } from 'node:events';
import net from 'node:net';
import type { Redis } from 'ioredis';
import { RedisCache, createRedisClient } from '../../connectors/core/cache/redis-cache';
import { SourceCache, type SourceCacheOptions } from '../../connectors/core/cache/source-cache';
import { createLogger, type Logger } from '../../connectors/core/logger';
import { waitFor } from '../helpers/wait-for';

// Against a real Redis: CI sets REDIS_URL=redis://127.0.0.1:6379. Skipped only without it.
const REDIS_URL = process.env.REDIS_URL;
const describeRedis = REDIS_URL ? describe : describe.skip;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function capture(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { logger: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }), lines };
}

/** A TCP relay between the client and Redis, so that a test can cut Redis off mid-way. */
class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;

  private constructor(target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        // A cut connection errors on both ends; that is the point of the proxy, not a failure.
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    proxy.server.listen(0, '127.0.0.1');
    await once(proxy.server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Stops listening and kills the open connections, as a crashed Redis would. */
  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.server.close(resolve));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

/** A port where nothing listens: bound, then released. */
async function deadPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describeRedis('SourceCache on a real Redis', () => {
  const redisUrl = REDIS_URL as string;
  // Unique per run, so parallel CI jobs sharing one Redis never see each other's keys.
  const source = `test:run-${process.pid}-${Date.now().toString(36)}`;
  const prefix = `modelgraph:v1:${source}:`;
  const clients: Redis[] = [];
  const proxies: TcpProxy[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  let admin: Redis;

  function client(url = redisUrl, logger: Logger = capture().logger): Redis {
    const c = createRedisClient(url, logger);
    clients.push(c);
    return c;
  }

  async function ready(c: Redis): Promise<Redis> {
    if (c.status !== 'ready') await once(c, 'ready');
    return c;
  }

  function sourceCache(redis: Redis, options: Partial<SourceCacheOptions> = {}): SourceCache {
    return new SourceCache(new RedisCache(redis), source, { ttlSeconds: 30, ...options });
  }

  /** getOrLoad answers before the entry is written; other replicas see it once SET lands. */
  const stored = (key: string) =>
    waitFor(async () => (await admin.exists(prefix + key)) === 1, { timeoutMs: 2000, what: `${key} to be stored in Redis` });

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    admin = await ready(client());
  });

  afterEach(() => {
    expect(unhandled).toEqual([]);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    // disconnect() rather than quit(): quit would wait on the clients whose Redis is gone.
    for (const c of clients) c.disconnect();
    for (const p of proxies) await p.close();
  });

  it('RedisCache sets with a millisecond TTL, gets and deletes', async () => {
    const cache = new RedisCache(admin);
    await cache.set(`${prefix}raw`, 'value', { ttlSeconds: 5 });

    expect(await cache.get(`${prefix}raw`)).toBe('value');
    const pttl = await admin.pttl(`${prefix}raw`);
    expect(pttl).toBeGreaterThan(4000);
    expect(pttl).toBeLessThanOrEqual(5000);
    await cache.delete(`${prefix}raw`);
    expect(await cache.get(`${prefix}raw`)).toBeUndefined();
  });

  it('serves a hit from Redis to a second replica', async () => {
    const replicaA = sourceCache(await ready(client()));
    const replicaB = sourceCache(await ready(client()));
    const loadA = jest.fn(async () => ({ name: 'churn', version: '3' }));
    const loadB = jest.fn(async () => ({ name: 'never', version: '0' }));

    await expect(replicaA.getOrLoad('model', loadA)).resolves.toEqual({ value: { name: 'churn', version: '3' }, state: 'miss' });
    await stored('model');
    await expect(replicaB.getOrLoad('model', loadB)).resolves.toEqual({ value: { name: 'churn', version: '3' }, state: 'hit' });

    expect(loadA).toHaveBeenCalledTimes(1);
    expect(loadB).not.toHaveBeenCalled();
    // Backend TTL is ttl + stale (30 + 150 s).
    expect(await admin.pttl(prefix + 'model')).toBeGreaterThan(170_000);
  });

  it('lets Redis expire an entry after ttl + stale', async () => {
    const cache = sourceCache(await ready(client()), { ttlSeconds: 1, staleSeconds: 0 });
    const load = jest.fn(async () => 'value');

    await cache.getOrLoad('short', load);
    await stored('short');
    await expect(cache.getOrLoad('short', load)).resolves.toEqual({ value: 'value', state: 'hit' });
    await sleep(1200);

    expect(await admin.exists(prefix + 'short')).toBe(0);
    await expect(cache.getOrLoad('short', load)).resolves.toEqual({ value: 'value', state: 'miss' });
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('serves the stale entry when the upstream fails, and keeps it', async () => {
    let skew = 0;
    const options = { ttlSeconds: 1, staleSeconds: 60, now: () => Date.now() + skew };
    const redis = await ready(client());
    await sourceCache(redis, options).getOrLoad('stale', async () => 'old');
    await stored('stale');
    // Another replica reads it five seconds later, as far as SourceCache can tell: stale,
    // well within the stale window. (A second instance, so that no load of the first is
    // still in flight to be joined instead of refreshing.)
    const replica = sourceCache(redis, options);
    skew = 5000;
    const failing = jest.fn(async () => {
      throw new Error('upstream down');
    });

    await expect(replica.getOrLoad('stale', failing)).resolves.toEqual({ value: 'old', state: 'stale' });
    await waitFor(() => failing.mock.calls.length === 1, { timeoutMs: 2000, what: 'the background refresh to call the upstream' });
    await sleep(20);
    await expect(replica.getOrLoad('stale', failing)).resolves.toEqual({ value: 'old', state: 'stale' });
    expect(JSON.parse((await admin.get(prefix + 'stale')) ?? 'null')).toMatchObject({ v: 'old' });
  });

  it('coalesces concurrent identical calls into one load', async () => {
    const cache = sourceCache(await ready(client()));
    const load = jest.fn(async () => {
      await sleep(50);
      return 'once';
    });

    const results = await Promise.all(Array.from({ length: 10 }, () => cache.getOrLoad('burst', load)));

    expect(load).toHaveBeenCalledTimes(1);
    expect(results).toEqual(Array(10).fill({ value: 'once', state: 'miss' }));
  });

  it('keeps answering when Redis becomes unreachable mid-way', async () => {
    const target = new URL(redisUrl);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
    proxies.push(proxy);
    const viaProxy = new URL(redisUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const log = capture();
    const redis = await ready(client(viaProxy.toString(), log.logger));
    // No in-process layer: what is under test is the Redis path failing.
    const cache = new SourceCache(new RedisCache(redis), source, { ttlSeconds: 30, logger: log.logger, localEntries: 0 });

    await cache.getOrLoad('cut', async () => 'from upstream');
    await stored('cut');
    await expect(cache.getOrLoad('cut', async () => 'unused')).resolves.toEqual({ value: 'from upstream', state: 'hit' });

    await proxy.close();

    const started = Date.now();
    const load = jest.fn(async () => 'without redis');
    for (let i = 0; i < 3; i++) {
      await expect(cache.getOrLoad('cut', load)).resolves.toEqual({ value: 'without redis', state: 'miss' });
    }
    expect(load).toHaveBeenCalledTimes(3);
    // Each call fails fast (no offline queue, 500 ms command timeout), not after a reconnect.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'cache backend failed; treated as a miss' }));
  });

  it('answers without Redis when nothing listens, and logs the outage once', async () => {
    const log = capture();
    const redis = client(`redis://127.0.0.1:${await deadPort()}`, log.logger);
    // No in-process layer: what is under test is the Redis path failing.
    const cache = new SourceCache(new RedisCache(redis), source, { ttlSeconds: 30, logger: log.logger, localEntries: 0 });
    const load = jest.fn(async () => 'no cache');

    const started = Date.now();
    await expect(cache.getOrLoad('dead', load)).resolves.toEqual({ value: 'no cache', state: 'miss' });
    await expect(cache.getOrLoad('dead', load)).resolves.toEqual({ value: 'no cache', state: 'miss' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(load).toHaveBeenCalledTimes(2);

    const outage = () => log.lines.filter((l) => l.msg === 'redis cache unavailable; requests go to the upstreams uncached');
    await waitFor(() => outage().length > 0, { timeoutMs: 2000, what: 'the outage to be logged' });
    // ioredis reconnects (and errors) every few hundred ms; the log stays at one line.
    await sleep(500);
    expect(outage()).toHaveLength(1);
    expect(outage()[0]).toMatchObject({ level: 'warn', code: 'ECONNREFUSED' });
  });
});
