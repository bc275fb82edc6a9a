import { MemoryCache } from '../../connectors/core/cache/memory-cache';

describe('MemoryCache', () => {
  let clock: number;
  const now = () => clock;

  beforeEach(() => {
    clock = 1_000_000;
  });

  it('returns what was set, and undefined for unknown or deleted keys', async () => {
    const cache = new MemoryCache({ now });
    await cache.set('a', 'A');

    expect(await cache.get('a')).toBe('A');
    expect(await cache.get('b')).toBeUndefined();
    await cache.delete('a');
    expect(await cache.get('a')).toBeUndefined();
  });

  it('expires an entry once its ttl has passed, and keeps one without ttl', async () => {
    const cache = new MemoryCache({ now });
    await cache.set('short', 'S', { ttlSeconds: 10 });
    await cache.set('forever', 'F');

    clock += 9_999;
    expect(await cache.get('short')).toBe('S');
    clock += 1;
    expect(await cache.get('short')).toBeUndefined();
    clock += 10 ** 9;
    expect(await cache.get('forever')).toBe('F');
  });

  it('honours fractional ttls', async () => {
    const cache = new MemoryCache({ now });
    await cache.set('k', 'v', { ttlSeconds: 0.5 });

    clock += 499;
    expect(await cache.get('k')).toBe('v');
    clock += 1;
    expect(await cache.get('k')).toBeUndefined();
  });

  it('overwriting resets the ttl', async () => {
    const cache = new MemoryCache({ now });
    await cache.set('k', 'old', { ttlSeconds: 1 });
    clock += 900;
    await cache.set('k', 'new', { ttlSeconds: 1 });
    clock += 900;

    expect(await cache.get('k')).toBe('new');
  });

  it('evicts the least recently used entry past maxEntries', async () => {
    const cache = new MemoryCache({ maxEntries: 3, now });
    await cache.set('a', '1');
    await cache.set('b', '2');
    await cache.set('c', '3');
    // Reading `a` makes `b` the least recently used.
    await cache.get('a');
    await cache.set('d', '4');

    expect(cache.size).toBe(3);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('1');
    expect(await cache.get('c')).toBe('3');
    expect(await cache.get('d')).toBe('4');
  });

  it('rejects a maxEntries below 1', () => {
    expect(() => new MemoryCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});
