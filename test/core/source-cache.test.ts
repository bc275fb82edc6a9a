import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceCache, type SourceCacheOptions } from '../../connectors/core/cache/source-cache';
import type { KeyValueCache } from '../../connectors/core/cache/types';
import { createLogger } from '../../connectors/core/logger';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks (a background refresh and its store) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Caches `value` under 'k' and waits until it is stored: until then the load stays joinable in flight. */
async function prime(c: SourceCache, value: string): Promise<void> {
  await c.getOrLoad('k', async () => value);
  await settle();
}

describe('SourceCache', () => {
  let clock: number;
  let backend: MemoryCache;
  let logLines: Array<Record<string, unknown>>;

  function cache(options: Partial<SourceCacheOptions> = {}, source = 'test:x'): SourceCache {
    return new SourceCache(backend, source, {
      ttlSeconds: 10,
      staleSeconds: 50,
      now: () => clock,
      logger: createLogger({ write: (line) => logLines.push(JSON.parse(line)) }),
      ...options,
    });
  }

  beforeEach(() => {
    clock = 1_700_000_000_000;
    backend = new MemoryCache({ now: () => clock });
    logLines = [];
  });

  it('peekServable hands a fresh entry, then a stale one marked so, then nothing', async () => {
    const c = cache();
    await expect(c.peekServable('k')).resolves.toBeUndefined();
    await c.put('k', 'v1');
    await expect(c.peekServable('k')).resolves.toEqual({ value: 'v1', fresh: true });
    clock += 10_000; // ttl 10 s: stale from here, for 50 s
    await expect(c.peekServable('k')).resolves.toEqual({ value: 'v1', fresh: false });
    // peek, for callers that do not refresh in the background, sees only fresh entries.
    await expect(c.peek('k')).resolves.toBeUndefined();
    clock += 50_000;
    await expect(c.peekServable('k')).resolves.toBeUndefined();
  });

  it('loads on a miss, stores under the source prefix, then hits', async () => {
    const load = jest.fn(async () => ({ name: 'model-a' }));
    const c = cache();

    await expect(c.getOrLoad('k', load)).resolves.toEqual({ value: { name: 'model-a' }, state: 'miss' });
    clock += 9_999;
    await expect(c.getOrLoad('k', load)).resolves.toEqual({ value: { name: 'model-a' }, state: 'hit' });

    expect(load).toHaveBeenCalledTimes(1);
    expect(JSON.parse((await backend.get('modelgraph:v1:test:x:k')) ?? 'null')).toEqual({
      v: { name: 'model-a' },
      t: 1_700_000_000_000,
    });
  });

  it('keeps sources apart', async () => {
    await cache({}, 'mlflow:prod').getOrLoad('k', async () => 'prod');

    await expect(cache({}, 'mlflow:dev').getOrLoad('k', async () => 'dev')).resolves.toEqual({ value: 'dev', state: 'miss' });
  });

  it('stores with a backend ttl of ttl + stale, stale defaulting to 5 × ttl', async () => {
    const sets: Array<number | undefined> = [];
    const recording: KeyValueCache = {
      get: async () => undefined,
      set: async (_key, _value, options) => void sets.push(options?.ttlSeconds),
      delete: async () => undefined,
    };

    await new SourceCache(recording, 'test:x', { ttlSeconds: 10 }).getOrLoad('a', async () => 1);
    await new SourceCache(recording, 'test:x', { ttlSeconds: 10, staleSeconds: 0 }).getOrLoad('a', async () => 1);

    expect(sets).toEqual([60, 10]);
  });

  it('after ttl serves the stale value at once and refreshes it once in the background', async () => {
    const c = cache();
    await prime(c, 'v1');
    clock += 10_000;
    const refresh = deferred<string>();
    const load = jest.fn(() => refresh.promise);

    const results = await Promise.all(Array.from({ length: 5 }, () => c.getOrLoad('k', load)));

    expect(results).toEqual(Array(5).fill({ value: 'v1', state: 'stale' }));
    expect(load).toHaveBeenCalledTimes(1);
    refresh.resolve('v2');
    await settle();
    await expect(c.getOrLoad('k', load)).resolves.toEqual({ value: 'v2', state: 'hit' });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('keeps serving the stale value when the refresh fails, and logs it', async () => {
    const c = cache();
    await prime(c, 'v1');
    clock += 30_000;
    const failing = jest.fn(async () => {
      throw new Error('upstream down');
    });

    await expect(c.getOrLoad('k', failing)).resolves.toEqual({ value: 'v1', state: 'stale' });
    await settle();
    await expect(c.getOrLoad('k', failing)).resolves.toEqual({ value: 'v1', state: 'stale' });
    await settle();

    expect(failing).toHaveBeenCalledTimes(2);
    expect(logLines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'cache refresh failed; serving the entry held until it expires', source: 'test:x', error: 'upstream down' }),
    );
  });

  it('loads again once the entry is older than ttl + stale', async () => {
    const c = cache();
    await prime(c, 'v1');
    clock += 60_000;

    await expect(c.getOrLoad('k', async () => 'v2')).resolves.toEqual({ value: 'v2', state: 'miss' });
  });

  it('propagates a load error when nothing stale exists, and caches nothing', async () => {
    const c = cache();

    await expect(c.getOrLoad('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(c.getOrLoad('k', () => { throw new Error('sync boom'); })).rejects.toThrow('sync boom');
    await expect(c.getOrLoad('k', async () => 'ok')).resolves.toEqual({ value: 'ok', state: 'miss' });
  });

  it('coalesces concurrent identical loads into one', async () => {
    const c = cache();
    const gate = deferred<string>();
    const load = jest.fn(() => gate.promise);

    const pending = Array.from({ length: 10 }, () => c.getOrLoad('k', load));
    await settle();
    gate.resolve('shared');
    const results = await Promise.all(pending);

    expect(load).toHaveBeenCalledTimes(1);
    expect(results).toEqual(Array(10).fill({ value: 'shared', state: 'miss' }));
  });

  it('shares a load failure among the coalesced callers, then tries again', async () => {
    const c = cache();
    const load = jest.fn(async () => {
      throw new Error('down');
    });

    const results = await Promise.allSettled(Array.from({ length: 3 }, () => c.getOrLoad('k', load)));

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(load).toHaveBeenCalledTimes(1);
    await expect(c.getOrLoad('k', async () => 'back')).resolves.toEqual({ value: 'back', state: 'miss' });
  });

  it('with ttl 0 stores nothing but still coalesces', async () => {
    const c = cache({ ttlSeconds: 0 });
    const gate = deferred<number>();
    const load = jest.fn(() => gate.promise);

    const pending = Array.from({ length: 10 }, () => c.getOrLoad('k', load));
    gate.resolve(42);
    expect(await Promise.all(pending)).toEqual(Array(10).fill({ value: 42, state: 'miss' }));
    await settle();
    await expect(c.getOrLoad('k', async () => 43)).resolves.toEqual({ value: 43, state: 'miss' });

    expect(load).toHaveBeenCalledTimes(1);
    expect(backend.size).toBe(0);
  });

  it('serves a fresh entry from the process without asking the backend, and not once it is stale', async () => {
    let now = 1_000_000;
    let gets = 0;
    const inner = new MemoryCache({ now: () => now });
    const counting: KeyValueCache = {
      get: (k) => {
        gets++;
        return inner.get(k);
      },
      set: (k, v, o) => inner.set(k, v, o),
      delete: (k) => inner.delete(k),
    };
    const c = new SourceCache(counting, 'test:x', { ttlSeconds: 10, staleSeconds: 10, now: () => now });
    await c.getOrLoad('k', async () => ({ big: 'listing' }));
    await settle();
    gets = 0;
    const first = await c.getOrLoad('k', async () => ({ big: 'other' }));
    const second = await c.getOrLoad('k', async () => ({ big: 'other' }));
    expect(first).toEqual({ value: { big: 'listing' }, state: 'hit' });
    expect(second.value).toBe(first.value); // the same decoded object, no JSON parse
    expect(gets).toBe(0);

    now += 10_001; // stale: the backend path decides (stale-while-revalidate)
    await expect(c.getOrLoad('k', async () => ({ big: 'fresh' }))).resolves.toEqual({
      value: { big: 'listing' },
      state: 'stale',
    });
    expect(gets).toBe(1);
  });

  it('treats a failing backend as a miss', async () => {
    const broken: KeyValueCache = {
      get: async () => {
        throw new Error('ECONNREFUSED');
      },
      set: async () => {
        throw new Error('ECONNREFUSED');
      },
      delete: async () => undefined,
    };
    const c = new SourceCache(broken, 'test:x', {
      ttlSeconds: 10,
      // No in-process layer: what is under test is the backend failing.
      localEntries: 0,
      logger: createLogger({ write: (line) => logLines.push(JSON.parse(line)) }),
    });

    await expect(c.getOrLoad('k', async () => 'a')).resolves.toEqual({ value: 'a', state: 'miss' });
    await expect(c.getOrLoad('k', async () => 'b')).resolves.toEqual({ value: 'b', state: 'miss' });
    // Rate-limited: one line however many operations fail.
    expect(logLines.filter((l) => l.msg === 'cache backend failed; treated as a miss')).toHaveLength(1);
  });

  it('treats a corrupt entry as a miss', async () => {
    await backend.set('modelgraph:v1:test:x:k', 'not json');
    await backend.set('modelgraph:v1:test:x:j', '{"v":1}');

    await expect(cache().getOrLoad('k', async () => 'fresh')).resolves.toEqual({ value: 'fresh', state: 'miss' });
    await expect(cache().getOrLoad('j', async () => 'fresh')).resolves.toEqual({ value: 'fresh', state: 'miss' });
  });

  it('rejects a negative ttl at construction', () => {
    expect(() => new SourceCache(backend, 'test:x', { ttlSeconds: -1 })).toThrow('test:x: cache ttlSeconds must be >= 0');
  });
});

describe('SourceCache.getOrRevalidate (conditional requests)', () => {
  let clock: number;
  let backend: MemoryCache;
  let logLines: Array<Record<string, unknown>>;
  const T0 = 1_700_000_000_000;

  function cache(options: Partial<SourceCacheOptions> = {}): SourceCache {
    return new SourceCache(backend, 'test:x', {
      ttlSeconds: 10,
      staleSeconds: 50,
      now: () => clock,
      logger: createLogger({ write: (line) => logLines.push(JSON.parse(line)) }),
      ...options,
    });
  }

  /** What a connector stores: the body and the validator that came with it. */
  interface Validated {
    etag: string;
    body: string;
  }

  beforeEach(() => {
    clock = T0;
    backend = new MemoryCache({ now: () => clock });
    logLines = [];
  });

  it('loads with no previous entry on a miss, then hits without loading', async () => {
    const c = cache();
    const load = jest.fn(async (previous: unknown) => ({ etag: '"a"', body: `v1 after ${JSON.stringify(previous)}` }));

    await expect(c.getOrRevalidate<Validated>('k', load)).resolves.toEqual({
      value: { etag: '"a"', body: 'v1 after undefined' },
      state: 'miss',
    });
    await settle();
    clock += 9_999;
    await expect(c.getOrRevalidate<Validated>('k', load)).resolves.toMatchObject({ state: 'hit' });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('serves a stale entry at once and revalidates it in the background with the entry it holds', async () => {
    const c = cache();
    await c.getOrRevalidate<Validated>('k', async () => ({ etag: '"a"', body: 'v1' }));
    await settle();
    clock = T0 + 15_000;
    const previousSeen: unknown[] = [];
    // A 304: the held value is handed back unchanged, and must be stored again as new.
    const revalidate = jest.fn(async (previous: { value: Validated; storedAt: number } | undefined) => {
      previousSeen.push(previous);
      return previous!.value;
    });

    await expect(c.getOrRevalidate<Validated>('k', revalidate)).resolves.toEqual({
      value: { etag: '"a"', body: 'v1' },
      state: 'stale',
    });
    await settle();

    expect(previousSeen).toEqual([{ value: { etag: '"a"', body: 'v1' }, storedAt: T0 }]);
    // Refreshed: stored at the revalidation time, so fresh for another ttl.
    expect(JSON.parse((await backend.get('modelgraph:v1:test:x:k')) ?? 'null')).toEqual({
      v: { etag: '"a"', body: 'v1' },
      t: T0 + 15_000,
    });
    clock = T0 + 24_000;
    await expect(c.getOrRevalidate<Validated>('k', revalidate)).resolves.toMatchObject({ state: 'hit' });
    expect(revalidate).toHaveBeenCalledTimes(1);
  });

  it('keeps serving the stale entry when the revalidation fails', async () => {
    const c = cache();
    await c.getOrRevalidate<Validated>('k', async () => ({ etag: '"a"', body: 'v1' }));
    await settle();
    clock = T0 + 20_000;
    const failing = jest.fn(async () => {
      throw new Error('upstream down');
    });

    await expect(c.getOrRevalidate<Validated>('k', failing)).resolves.toMatchObject({ value: { body: 'v1' }, state: 'stale' });
    await settle();
    await expect(c.getOrRevalidate<Validated>('k', failing)).resolves.toMatchObject({ value: { body: 'v1' }, state: 'stale' });
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'cache refresh failed; serving the entry held until it expires' }));
  });

  it('keeps an entry revalidateSeconds past ttl + stale, for revalidation only', async () => {
    const sets: Array<number | undefined> = [];
    const recording: KeyValueCache = {
      get: (key) => backend.get(key),
      set: async (key, value, options) => {
        sets.push(options?.ttlSeconds);
        await backend.set(key, value, options);
      },
      delete: (key) => backend.delete(key),
    };
    const c = new SourceCache(recording, 'test:x', { ttlSeconds: 10, staleSeconds: 50, revalidateSeconds: 3600, now: () => clock });
    await c.getOrRevalidate<Validated>('k', async () => ({ etag: '"a"', body: 'v1' }));
    await settle();
    expect(sets).toEqual([3660]);

    clock = T0 + 60_000 + 1_000_000;
    const revalidate = jest.fn(async (previous: { value: Validated; storedAt: number } | undefined) => ({
      etag: '"b"',
      body: `v2, was ${previous?.value.body} from ${previous?.storedAt}`,
    }));
    // Too old to serve: the caller waits for the revalidation ('miss'), which is given the entry.
    await expect(c.getOrRevalidate<Validated>('k', revalidate)).resolves.toEqual({
      value: { etag: '"b"', body: `v2, was v1 from ${T0}` },
      state: 'miss',
    });
  });

  it('without revalidateSeconds an entry older than ttl + stale is gone: load gets nothing', async () => {
    const c = cache();
    await c.getOrRevalidate<Validated>('k', async () => ({ etag: '"a"', body: 'v1' }));
    await settle();
    clock = T0 + 60_000;
    const load = jest.fn(async (previous: unknown) => ({ etag: '"b"', body: String(previous) }));

    await expect(c.getOrRevalidate<Validated>('k', load)).resolves.toEqual({ value: { etag: '"b"', body: 'undefined' }, state: 'miss' });
  });

  it('leaves getOrLoad as it was when revalidateSeconds is set: an entry past ttl + stale is a miss', async () => {
    const c = cache({ revalidateSeconds: 3600 });
    await c.getOrLoad('k', async () => 'v1');
    await settle();
    clock = T0 + 61_000;

    await expect(c.getOrLoad('k', async () => 'v2')).resolves.toEqual({ value: 'v2', state: 'miss' });
    await expect(c.peek('k')).resolves.toBe('v2');
  });

  it('with ttl 0 stores nothing and never hands a previous entry', async () => {
    const c = cache({ ttlSeconds: 0 });
    const load = jest.fn(async (previous: unknown) => ({ etag: '"a"', body: String(previous) }));

    await c.getOrRevalidate<Validated>('k', load);
    await settle();
    await expect(c.getOrRevalidate<Validated>('k', load)).resolves.toEqual({ value: { etag: '"a"', body: 'undefined' }, state: 'miss' });
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('coalesces concurrent revalidations of one key', async () => {
    const c = cache();
    const load = jest.fn(async () => ({ etag: '"a"', body: 'v1' }));

    await Promise.all(Array.from({ length: 5 }, () => c.getOrRevalidate<Validated>('k', load)));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('rejects a negative revalidateSeconds at construction', () => {
    expect(() => cache({ revalidateSeconds: -1 })).toThrow('test:x: cache revalidateSeconds must be >= 0');
  });
});
