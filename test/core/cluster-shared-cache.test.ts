import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { createRedisClient, RedisCache } from '../../connectors/core/cache/redis-cache';
import { SourceCache } from '../../connectors/core/cache/source-cache';
import type { KeyValueCache } from '../../connectors/core/cache/types';
import { createLogger } from '../../connectors/core/logger';
import { TtlValue } from '../../subgraphs/inventory/ttl-value';
import { waitFor } from '../helpers/wait-for';

/**
 * Replicas sharing one cache backend: each "replica" here is its own SourceCache or TtlValue
 * (its own in-process layer, in-flight map and clock) over the same backend, as two gateway
 * processes over one Redis are. Run over memory always, and over the real Redis when
 * REDIS_URL is set (CI sets it).
 */

const REDIS_URL = process.env.REDIS_URL;
const silent = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A load that takes `ms` and counts its calls. */
function slowLoad<T>(value: (n: number) => T, ms = 150) {
  const calls = { n: 0 };
  const load = async () => {
    calls.n++;
    await sleep(ms);
    return value(calls.n);
  };
  return { load, calls };
}

type Backend = { name: string; make(): Promise<{ cache: KeyValueCache; close(): Promise<void> }> };

const backends: Backend[] = [
  {
    name: 'memory',
    async make() {
      return { cache: new MemoryCache(), close: async () => undefined };
    },
  },
  ...(REDIS_URL
    ? [
        {
          name: 'redis',
          async make() {
            const client: Redis = createRedisClient(REDIS_URL, silent);
            // The client queues nothing while it connects (enableOfflineQueue: false).
            while (client.status !== 'ready') await sleep(10);
            return { cache: new RedisCache(client), close: async () => void client.disconnect() };
          },
        },
      ]
    : []),
];

describe.each(backends)('caches shared by replicas over $name', (backend) => {
  let shared: { cache: KeyValueCache; close(): Promise<void> };
  // Every test its own source name: Redis keeps entries between runs.
  let source: string;
  beforeEach(async () => {
    shared = await backend.make();
    source = `test:${randomUUID()}`;
  });
  afterEach(() => shared.close());

  const replica = (now: () => number = Date.now, ttlSeconds = 60) =>
    new SourceCache(shared.cache, source, { ttlSeconds, staleSeconds: 300, logger: silent, now, refreshAhead: 0.5, clusterLockSeconds: 10 });

  it('loads a missing listing once between replicas: the others wait for its entry', async () => {
    const { load, calls } = slowLoad((n) => [`listing ${n}`]);
    const [a, b, c] = [replica(), replica(), replica()];
    const answers = await Promise.all([a, b, c].map((r) => r.getOrLoad('list models', load)));
    expect(calls.n).toBe(1);
    expect(answers.map((x) => x.value)).toEqual([['listing 1'], ['listing 1'], ['listing 1']]);
  });

  it('a replica whose loader fails does not hold the others: the lock is released and the next one loads', async () => {
    let n = 0;
    const load = async () => {
      n++;
      await sleep(50);
      if (n === 1) throw new Error('upstream down');
      return 'ok';
    };
    const [a, b] = [replica(), replica()];
    const results = await Promise.allSettled([a.getOrLoad('k', load), b.getOrLoad('k', load)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(n).toBe(2);
  });

  it('refreshes an entry past half its ttl in the background, once between replicas, serving it meanwhile', async () => {
    let now = 1_000_000;
    const clock = () => now;
    const { load, calls } = slowLoad((n) => `v${n}`, 100);
    const [a, b] = [replica(clock), replica(clock)];
    expect((await a.getOrLoad('k', load)).value).toBe('v1');
    expect((await b.getOrLoad('k', load)).value).toBe('v1');
    expect(calls.n).toBe(1);

    now += 29_000; // under half the ttl: nothing to do
    await Promise.all([a.getOrLoad('k', load), b.getOrLoad('k', load)]);
    await sleep(150);
    expect(calls.n).toBe(1);

    now += 2_000; // past half: served fresh as it is, refreshed behind by one of the two
    const served = await Promise.all([a.getOrLoad('k', load), b.getOrLoad('k', load)]);
    expect(served.map((s) => [s.value, s.state])).toEqual([
      ['v1', 'hit'],
      ['v1', 'hit'],
    ]);
    // The refresh is in the shared entry: a replica that never held the key reads it (a peek
    // starts no refresh of its own), and only one of the two loaded it.
    await waitFor(async () => (await replica(clock).peek('k')) === 'v2', { what: 'the refreshed entry in the shared cache' });
    expect(calls.n).toBe(2);
  });

  it('a failed background refresh keeps the entry serving and is counted', async () => {
    let now = 1_000_000;
    const failures: string[] = [];
    const cache = new SourceCache(shared.cache, source, {
      ttlSeconds: 60,
      logger: silent,
      now: () => now,
      refreshAhead: 0.5,
      clusterLockSeconds: 10,
      health: { recordCache: () => undefined, recordRefreshFailure: () => void failures.push('refresh') },
    });
    await cache.getOrLoad('k', async () => 'v1');
    now += 40_000;
    const served = await cache.getOrLoad('k', async () => {
      throw new Error('upstream down');
    });
    expect(served).toEqual({ value: 'v1', state: 'hit' });
    await waitFor(() => failures.length > 0, { what: 'the failed refresh to be counted' });
    expect(failures).toEqual(['refresh']);
    expect((await cache.getOrLoad('k', async () => 'never')).value).toBe('v1');
  });
});

describe.each(backends)('an index shared by replicas over $name', (backend) => {
  let shared: { cache: KeyValueCache; close(): Promise<void> };
  let key: string;
  beforeEach(async () => {
    shared = await backend.make();
    key = `modelgraph:test:index:${randomUUID()}`;
  });
  afterEach(() => shared.close());

  const replica = (build: () => Promise<{ n: number }>, now: () => number = Date.now) =>
    new TtlValue(build, 60_000, now, 300_000, { shared: { cache: shared.cache, key, lockSeconds: 10 }, refreshAhead: 0.5 });

  it('is built by one replica; the others take its copy', async () => {
    const { load, calls } = slowLoad((n) => ({ n }), 300);
    const replicas = [replica(load), replica(load), replica(load)];
    const values = await Promise.all(replicas.map((r) => r.get()));
    expect(calls.n).toBe(1);
    expect(values).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);
    // A replica started later builds nothing either.
    expect(await replica(load).get()).toEqual({ n: 1 });
    expect(calls.n).toBe(1);
  });

  it('is rebuilt ahead of its ttl by one replica, and the others adopt the new copy once theirs is stale', async () => {
    let now = 5_000_000;
    const clock = () => now;
    const { load, calls } = slowLoad((n) => ({ n }), 50);
    const [a, b] = [replica(load, clock), replica(load, clock)];
    await a.get();
    expect(await b.get()).toEqual({ n: 1 });
    now += 31_000;
    expect(await Promise.all([a.get(), b.get()])).toEqual([{ n: 1 }, { n: 1 }]);
    await waitFor(async () => (JSON.parse((await shared.cache.get(key)) ?? 'null') as { value?: { n: number } } | null)?.value?.n === 2, {
      what: 'the rebuilt copy in the shared cache',
    });
    expect(calls.n).toBe(2);
    now += 29_500; // the first copy is past its ttl; the rebuilt one is not (nor past half of it)
    expect(await Promise.all([a.get(), b.get()])).toEqual([{ n: 2 }, { n: 2 }]);
    expect(calls.n).toBe(2);
  });
});
