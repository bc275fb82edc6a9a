import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { ResponseStore } from '../../gateway/response-cache/response-store';

describe('ResponseStore', () => {
  let clock: number;
  beforeEach(() => {
    clock = 1_000_000;
  });
  const now = () => clock;

  it('serves an answer until its expiry, not after', async () => {
    const store = new ResponseStore({ maxEntries: 10, maxBytes: 10_000, now });
    expect(await store.set('k', { a: 1 }, clock + 5_000)).toBe(true);
    clock += 4_999;
    expect(await store.get('k')).toEqual({ data: { a: 1 }, storedAt: 1_000_000, expiresAt: 1_005_000 });
    clock += 1;
    expect(await store.get('k')).toBeUndefined();
  });

  it('keeps nothing already expired, nor an answer heavier than maxBytes', async () => {
    const store = new ResponseStore({ maxEntries: 10, maxBytes: 100, now });
    expect(await store.set('past', { a: 1 }, clock)).toBe(false);
    expect(await store.set('big', { a: 'x'.repeat(200) }, clock + 1_000)).toBe(false);
    expect(await store.get('past')).toBeUndefined();
    expect(await store.get('big')).toBeUndefined();
  });

  it('evicts the least recently used past maxEntries', async () => {
    const store = new ResponseStore({ maxEntries: 2, maxBytes: 10_000, now });
    await store.set('a', { a: 1 }, clock + 1_000);
    await store.set('b', { b: 1 }, clock + 1_000);
    await store.get('a');
    await store.set('c', { c: 1 }, clock + 1_000);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
    expect(await store.get('c')).toBeDefined();
  });

  it('answers from the shared cache what another replica stored, with its expiry, for as long as that lasts', async () => {
    const shared = new MemoryCache({ now });
    const one = new ResponseStore({ shared, maxEntries: 10, maxBytes: 10_000, now });
    const two = new ResponseStore({ shared, maxEntries: 10, maxBytes: 10_000, now });
    await one.set('k', { a: 1 }, clock + 2_000);
    expect((await two.get('k'))?.data).toEqual({ a: 1 });
    clock += 2_000;
    expect(await two.get('k')).toBeUndefined();
  });

  it('takes a corrupt or foreign shared entry for a miss', async () => {
    const shared = new MemoryCache({ now });
    await shared.set('modelgraph:v1:responses:k', '{not json');
    await shared.set('modelgraph:v1:responses:j', '{"v":1}');
    const store = new ResponseStore({ shared, maxEntries: 10, maxBytes: 10_000, now });
    expect(await store.get('k')).toBeUndefined();
    expect(await store.get('j')).toBeUndefined();
  });
});
