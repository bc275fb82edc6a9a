import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceCache } from '../../connectors/core/cache/source-cache';
import type { KeyValueCache } from '../../connectors/core/cache/types';
import { RequestScope, runInRequestScope } from '../../connectors/core/request-scope';

/**
 * What a request learns from the source cache about how long its answer may be reused
 * (RequestScope.freshUntil, reported to the gateway's response cache), and the byte bound of
 * the decoded in-process layer.
 */

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SourceCache tells the request until when its values stay fresh', () => {
  let clock: number;
  let backend: MemoryCache;
  const cache = () => new SourceCache(backend, 'test:x', { ttlSeconds: 10, staleSeconds: 50, now: () => clock });

  beforeEach(() => {
    clock = 1_000_000;
    backend = new MemoryCache({ now: () => clock });
  });

  async function inScope<T>(fn: () => Promise<T>): Promise<RequestScope> {
    const scope = new RequestScope({ requestId: 'r' });
    await runInRequestScope(scope, fn);
    return scope;
  }

  it('a value loaded now: now + ttl', async () => {
    const scope = await inScope(() => cache().getOrLoad('k', async () => 'v'));
    expect(scope.freshUntil).toBe(1_000_000 + 10_000);
  });

  it('a value stored earlier: when it was stored + ttl, the earliest of several', async () => {
    const c = cache();
    await c.getOrLoad('a', async () => 'a');
    await settle();
    clock += 4_000;
    await c.getOrLoad('b', async () => 'b');
    await settle();
    clock += 1_000;
    const scope = await inScope(async () => {
      await c.getOrLoad('b', async () => 'reloaded');
      await c.getOrLoad('a', async () => 'reloaded');
    });
    expect(scope.freshUntil).toBe(1_000_000 + 10_000);
  });

  it('a stale value: a time already past, so the answer is never reused', async () => {
    const c = cache();
    await c.getOrLoad('k', async () => 'v');
    await settle();
    clock += 11_000;
    const scope = await inScope(() => c.getOrLoad('k', async () => 'new'));
    expect(scope.freshUntil).toBeLessThanOrEqual(clock);
  });

  it('peek, peekServable and put report the same', async () => {
    const c = cache();
    await c.put('k', 'v');
    clock += 2_000;
    const peeked = await inScope(() => c.peek('k'));
    expect(peeked.freshUntil).toBe(1_000_000 + 10_000);
    const servable = await inScope(() => c.peekServable('k'));
    expect(servable.freshUntil).toBe(1_000_000 + 10_000);
    const put = await inScope(() => c.put('other', 'v'));
    expect(put.freshUntil).toBe(clock + 10_000);
  });

  it('ttl 0: now, so that nothing built from it is reused', async () => {
    const c = new SourceCache(backend, 'test:x', { ttlSeconds: 0, now: () => clock });
    const scope = await inScope(() => c.getOrLoad('k', async () => 'v'));
    expect(scope.freshUntil).toBe(clock);
  });
});

describe('SourceCache localBytes', () => {
  it('keeps decoded entries up to a weight, and parses again only what it pushed out', async () => {
    const inner = new MemoryCache();
    let reads = 0;
    const counting: KeyValueCache = {
      get: (k) => {
        reads++;
        return inner.get(k);
      },
      set: (k, v, o) => inner.set(k, v, o),
      delete: (k) => inner.delete(k),
    };
    const big = 'x'.repeat(1_000);
    const c = new SourceCache(counting, 'test:x', { ttlSeconds: 60, localEntries: 1_000, localBytes: 3_500 });
    for (const key of ['a', 'b', 'c', 'd']) await c.getOrLoad(key, async () => big);
    await settle();
    reads = 0;
    // About 1 KB each: the three most recent stay decoded, the first was pushed out.
    for (const key of ['b', 'c', 'd']) await c.getOrLoad(key, async () => 'reloaded');
    expect(reads).toBe(0);
    expect((await c.getOrLoad('a', async () => 'reloaded')).value).toBe(big);
    expect(reads).toBe(1);
  });
});
