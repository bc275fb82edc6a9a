import { silentLogger, type Logger } from '../logger';
import { currentRequestScope, isRequestLimitError, outsideRequestScope, type RequestScope } from '../request-scope';
import type { SourceHealthRecorder } from '../source-health';
import type { CacheLayer } from '../source-metrics';
import { ClusterLock } from './cluster-lock';
import { FailSafeCache } from './fail-safe-cache';
import type { KeyValueCache } from './types';

export interface SourceCacheOptions {
  /** How long an entry is fresh, in seconds. 0 disables storing (concurrent loads are still coalesced). */
  ttlSeconds: number;
  /**
   * After ttl, how long a stale entry may still be served while revalidating in the
   * background (stale-while-revalidate); also served if the refresh fails.
   * Default: 5 × ttlSeconds.
   */
  staleSeconds?: number;
  /** Receives refresh failures and (through FailSafeCache) backend failures. Default: {@link silentLogger}. */
  logger?: Logger;
  /** For tests: the clock that dates entries. Default: `Date.now`. */
  now?: () => number;
  /**
   * Fresh entries kept decoded in this process, in front of the backend (least recently
   * used evicted). Large listings (tens of thousands of versions) then cost neither a
   * Redis round trip nor a JSON parse per request. 0 turns it off. Default: 256.
   */
  localEntries?: number;
  /**
   * The most those decoded entries may weigh together, counted as the length of their JSON:
   * a bound on memory that lets many small entries stay decoded where a count alone would
   * have to be set for the largest. Default: no bound but {@link localEntries}.
   */
  localBytes?: number;
  /**
   * After ttl + stale, how long an entry is still kept in the backend: never served as it
   * is, only handed to {@link SourceCache.getOrRevalidate}'s `load`, which can then ask the
   * upstream whether it changed (an ETag and `If-None-Match`) instead of loading it whole.
   * Default: 0 — entries leave the backend at ttl + stale.
   */
  revalidateSeconds?: number;
  /** Told of every lookup: a fresh or stale entry served is a hit, a load a miss. Default: none. */
  health?: Pick<SourceHealthRecorder, 'recordCache'> & Partial<Pick<SourceHealthRecorder, 'recordCacheError' | 'recordRefreshFailure'>>;
  /**
   * Refresh-ahead: a fresh entry older than this share of `ttlSeconds` (between 0 and 1) is
   * served and refreshed in the background, so that an entry read at least that often never
   * turns stale (what keeps the listings warm, with the warm-up's periodic reads). Default:
   * off, an entry is refreshed once stale.
   */
  refreshAhead?: number;
  /**
   * Loads take a lock in the backend (see {@link ClusterLock}) for at most this many seconds,
   * so that replicas sharing Redis load an entry once between them: on a miss the others wait
   * for the loading replica's entry instead of asking the upstream too; a background refresh
   * that finds the lock taken is left to its holder, and the entry held keeps serving.
   * Default: no lock (each process loads on its own; loads within one are always joined).
   */
  clusterLockSeconds?: number;
}

/** How often a replica waiting for another's load looks for its entry. */
const LOCK_POLL_MS = 100;

export type CacheState = 'hit' | 'stale' | 'miss';

/** A stored entry as {@link SourceCache.getOrRevalidate} hands it to `load`. */
export interface CachedEntry<T> {
  value: T;
  /** When it was loaded or last revalidated, epoch ms (possibly by another replica's clock). */
  storedAt: number;
}

/** What is stored: the value and when it was loaded (epoch ms), so any replica can judge its age. */
interface Stored<T> {
  v: T;
  t: number;
}

/** Bumped when the stored shape changes, so that old replicas and new ones never read each other's entries. */
const KEY_VERSION = 'v1';

/**
 * One source instance's view of the shared cache: keys prefixed
 * `modelgraph:v1:<source>:`, stale-while-revalidate, and in-process coalescing of
 * identical loads, so that a burst of identical queries costs the upstream one call.
 *
 * The backend is wrapped in {@link FailSafeCache} here (unless it already is one), so a
 * caller can pass a bare `RedisCache`: a backend failure is always a miss, never an error.
 *
 * There is deliberately no flush method: a source must not be able to wipe the entries
 * of another, and entries expire by themselves.
 *
 * Values must survive `JSON.stringify` unchanged (plain data; ISO strings, not Dates), and
 * are shared between callers through the in-process layer: treat them as immutable.
 */
export class SourceCache {
  private readonly backend: KeyValueCache;
  private readonly source: string;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly revalidateMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly health: SourceCacheOptions['health'];
  /** Decoded fresh entries with the length of their JSON, most recently used last. */
  private readonly local = new Map<string, { stored: Stored<unknown>; bytes: number }>();
  private readonly localEntries: number;
  private readonly localBytes: number;
  private localBytesHeld = 0;
  private readonly refreshAheadMs: number;
  private readonly lock?: ClusterLock;
  private readonly lockMs: number;
  /** When a refresh-ahead of a key was last tried: at most one try per {@link retryRefreshMs}. */
  private readonly refreshTried = new Map<string, number>();
  private readonly retryRefreshMs: number;
  /**
   * Loads in progress per full key: misses and background refreshes alike, so neither is
   * ever doubled; with the request scope the load runs in (undefined: a background one).
   */
  private readonly inflight = new Map<string, { loading: Promise<unknown>; scope: RequestScope | undefined }>();

  constructor(backend: KeyValueCache, source: string, options: SourceCacheOptions) {
    if (!source) throw new Error('SourceCache: `source` is required');
    const ttl = options.ttlSeconds;
    const stale = options.staleSeconds ?? 5 * ttl;
    if (!Number.isFinite(ttl) || ttl < 0) throw new Error(`${source}: cache ttlSeconds must be >= 0, got ${ttl}`);
    if (!Number.isFinite(stale) || stale < 0) throw new Error(`${source}: cache staleSeconds must be >= 0, got ${stale}`);
    const revalidate = options.revalidateSeconds ?? 0;
    if (!Number.isFinite(revalidate) || revalidate < 0) {
      throw new Error(`${source}: cache revalidateSeconds must be >= 0, got ${revalidate}`);
    }
    this.logger = (options.logger ?? silentLogger).child({ source });
    this.backend =
      backend instanceof FailSafeCache
        ? backend
        : new FailSafeCache(backend, this.logger, (operation) => this.health?.recordCacheError?.(operation));
    this.source = source;
    this.prefix = `modelgraph:${KEY_VERSION}:${source}:`;
    this.ttlMs = ttl * 1000;
    this.staleMs = stale * 1000;
    this.revalidateMs = revalidate * 1000;
    this.now = options.now ?? Date.now;
    this.localEntries = options.localEntries ?? 256;
    this.localBytes = options.localBytes ?? Infinity;
    this.health = options.health;
    const ahead = options.refreshAhead;
    if (ahead !== undefined && !(ahead > 0 && ahead < 1)) throw new Error(`${source}: cache refreshAhead must be between 0 and 1, got ${ahead}`);
    this.refreshAheadMs = ahead === undefined ? Infinity : ahead * this.ttlMs;
    // A try that found another replica refreshing is not repeated on every read meanwhile.
    this.retryRefreshMs = Math.min(5_000, Math.max(250, (this.ttlMs - Math.min(this.refreshAheadMs, this.ttlMs)) / 4));
    this.lockMs = (options.clusterLockSeconds ?? 0) * 1000;
    if (this.lockMs > 0) this.lock = new ClusterLock(this.backend, this.lockMs / 1000);
  }

  /**
   * The cached value for `key` if fresh ('hit'); a stale one at once while one background
   * refresh runs ('stale'); otherwise the result of `load`, stored ('miss').
   *
   * `load` errors reach the caller only when there is nothing stale to serve; a failed
   * background refresh is logged and the stale entry kept until it expires.
   *
   * The value is returned as soon as it is loaded and written to the backend just after,
   * so another replica may miss for a few milliseconds; in this process, calls in that
   * window join the finished load instead of loading again.
   *
   * Request scopes (see request-scope.ts): a load this call starts runs in the caller's
   * scope, and its upstream calls are charged to it; a call that joins a load already in
   * flight is charged nothing; a background refresh runs outside any scope, so it is
   * neither charged to, nor cut by the deadline of, the request that happened to see the
   * stale entry.
   */
  getOrLoad<T>(key: string, load: () => Promise<T>): Promise<{ value: T; state: CacheState }> {
    // The held entry only matters to loads that revalidate; this one ignores it.
    return this.getOrRevalidate<T>(key, () => load());
  }

  /**
   * {@link getOrLoad} for upstreams that answer conditional requests: `load` is given the
   * entry held for `key` (when there is one) so that it can revalidate it — send its ETag
   * in `If-None-Match` and, on a 304, return the held value, which is then stored again as
   * new. Everything else is as in getOrLoad: a fresh entry is a 'hit' without calling
   * `load`; a stale one is served at once ('stale') while `load(entry)` runs in the
   * background; with nothing servable, `load` runs now ('miss') and is given the entry
   * kept past ttl + stale for `revalidateSeconds`, or undefined.
   */
  async getOrRevalidate<T>(
    key: string,
    load: (previous: CachedEntry<T> | undefined) => Promise<T>,
  ): Promise<{ value: T; state: CacheState }> {
    // A load that fails was a miss all the same.
    let state: CacheState = 'miss';
    let layer: CacheLayer = 'shared';
    try {
      const result = await this.lookup(key, load);
      state = result.state;
      layer = result.layer;
      this.noteFreshUntil(result.storedAt);
      return { value: result.value, state };
    } finally {
      this.recordLookup({ result: state, layer });
    }
  }

  private async lookup<T>(
    key: string,
    load: (previous: CachedEntry<T> | undefined) => Promise<T>,
  ): Promise<{ value: T; state: CacheState; layer: CacheLayer; storedAt: number }> {
    const fullKey = this.prefix + key;
    if (this.ttlMs === 0) {
      const value = await this.coalesce(fullKey, () => load(undefined), false);
      return { value, state: 'miss', layer: 'shared', storedAt: this.now() };
    }

    const local = this.freshLocal<T>(fullKey);
    if (local) {
      this.refreshAheadOf(fullKey, local, load);
      return { value: local.v, state: 'hit', layer: 'process', storedAt: local.t };
    }

    const raw = await this.backend.get(fullKey);
    const entry = this.parse<T>(raw);
    const previous = entry && { value: entry.v, storedAt: entry.t };
    if (entry && previous) {
      this.remember(fullKey, entry, raw?.length ?? 0);
      // A negative age (a replica's clock ahead of ours) counts as fresh.
      const age = this.now() - entry.t;
      if (age < this.ttlMs) {
        this.refreshAheadOf(fullKey, entry, load);
        return { value: entry.v, state: 'hit', layer: 'shared', storedAt: entry.t };
      }
      if (age < this.ttlMs + this.staleMs) {
        this.refresh(fullKey, () => load(previous), entry.v);
        currentRequestScope()?.noteStale(this.source, age);
        return { value: entry.v, state: 'stale', layer: 'shared', storedAt: entry.t };
      }
    }
    const value = this.lock
      ? await this.coalesce(fullKey, () => this.loadOnceInCluster(fullKey, () => load(previous)), false)
      : await this.coalesce(fullKey, () => load(previous), true);
    // Stored just after with about this time: its entry is fresh until about now + ttl.
    return { value, state: 'miss', layer: 'shared', storedAt: this.now() };
  }

  /**
   * Tells the request (if any) until when the value it was just handed stays fresh: its
   * answer must not be reused past the earliest such time (see RequestScope.noteFreshUntil).
   * A stale entry's time is already past, which marks the answer not reusable at all.
   */
  private noteFreshUntil(storedAt: number): void {
    currentRequestScope()?.noteFreshUntil(storedAt + this.ttlMs);
  }

  /**
   * The fresh value for `key`, or undefined; loads nothing. With {@link put}, for callers
   * that fetch many entities in one upstream call and cache them one by one (so that the
   * next request finds each, however its batch is composed).
   */
  async peek<T>(key: string): Promise<T | undefined> {
    const found = await this.peekEntry<T>(key);
    // Whoever peeks loads what it did not find (in a batch), so not found is a miss.
    this.recordLookup({ result: found ? 'hit' : 'miss', layer: found?.layer ?? 'shared' });
    return found?.value;
  }

  /**
   * {@link peek} for batch loaders that serve stale-while-revalidate themselves: the fresh
   * value, or a stale one (within the stale window) marked so, for the caller to refresh
   * with a batch of its own and {@link put}.
   */
  async peekServable<T>(key: string): Promise<{ value: T; fresh: boolean } | undefined> {
    let found: { value: T; fresh: boolean } | undefined;
    let layer: CacheLayer = 'shared';
    if (this.ttlMs > 0) {
      const fullKey = this.prefix + key;
      const local = this.freshLocal<T>(fullKey);
      if (local) {
        found = { value: local.v, fresh: true };
        layer = 'process';
        this.noteFreshUntil(local.t);
      } else {
        const raw = await this.backend.get(fullKey);
        const entry = this.parse<T>(raw);
        const age = entry ? this.now() - entry.t : Infinity;
        if (entry && age < this.ttlMs) {
          this.remember(fullKey, entry, raw?.length ?? 0);
          found = { value: entry.v, fresh: true };
          this.noteFreshUntil(entry.t);
        } else if (entry && age < this.ttlMs + this.staleMs) {
          found = { value: entry.v, fresh: false };
          currentRequestScope()?.noteStale(this.source, age);
          this.noteFreshUntil(entry.t);
        }
      }
    }
    this.recordLookup({ result: found === undefined ? 'miss' : found.fresh ? 'hit' : 'stale', layer });
    return found;
  }

  private async peekEntry<T>(key: string): Promise<{ value: T; layer: CacheLayer } | undefined> {
    if (this.ttlMs === 0) return undefined;
    const fullKey = this.prefix + key;
    const local = this.freshLocal<T>(fullKey);
    if (local) {
      this.noteFreshUntil(local.t);
      return { value: local.v, layer: 'process' };
    }
    const raw = await this.backend.get(fullKey);
    const entry = this.parse<T>(raw);
    if (!entry || this.now() - entry.t >= this.ttlMs) return undefined;
    this.remember(fullKey, entry, raw?.length ?? 0);
    this.noteFreshUntil(entry.t);
    return { value: entry.v, layer: 'shared' };
  }

  /**
   * Stores a value loaded elsewhere (see {@link peek}). The caller loaded it for the request
   * it runs in, which is told, as for a load of {@link getOrLoad}, how long it stays fresh.
   */
  async put<T>(key: string, value: T): Promise<void> {
    this.noteFreshUntil(this.now());
    if (this.ttlMs === 0) return;
    await this.store(this.prefix + key, value);
  }

  /** Counts a lookup for the source's health and for the request's log line. */
  /** Into the source's health and metrics, and the request's own count (its log line). */
  private recordLookup(lookup: { result: CacheState; layer: CacheLayer }): void {
    const hit = lookup.result !== 'miss';
    this.health?.recordCache(hit, lookup);
    currentRequestScope()?.recordCacheLookup(hit);
  }

  /** A background refresh of a fresh entry past the refresh-ahead age (see {@link SourceCacheOptions.refreshAhead}). */
  private refreshAheadOf<T>(fullKey: string, held: Stored<T>, load: (previous: CachedEntry<T> | undefined) => Promise<T>): void {
    const now = this.now();
    if (now - held.t < this.refreshAheadMs || this.inflight.has(fullKey)) return;
    const tried = this.refreshTried.get(fullKey);
    if (tried !== undefined && now - tried < this.retryRefreshMs) return;
    this.refreshTried.set(fullKey, now);
    this.refresh(fullKey, () => load({ value: held.v, storedAt: held.t }), held.v);
  }

  /**
   * Starts a background refresh unless a load of this key is already running. With a cluster
   * lock taken by another replica, the refresh is its holder's: `held` is kept meanwhile.
   * A failure is logged and counted, and `held` keeps serving until it expires.
   */
  private refresh<T>(fullKey: string, load: () => Promise<T>, held: T): void {
    if (this.inflight.has(fullKey)) return;
    const lock = this.lock;
    const run = lock
      ? async () => {
          const ran = await lock.tryRun(fullKey, () => this.loadAndStore(fullKey, load));
          return ran ? ran.value : held;
        }
      : load;
    outsideRequestScope(() => this.coalesce(fullKey, run, !lock)).catch((err: unknown) => {
      this.health?.recordRefreshFailure?.();
      this.logger.warn('cache refresh failed; serving the entry held until it expires', {
        key: fullKey,
        error: err instanceof Error ? err.message : String(err),
      });
    });
  }

  /**
   * A miss under the cluster lock: load and store it while holding the lock, or, while another
   * replica holds it, wait for that replica's entry rather than asking the upstream as well.
   * The wait ends with the entry, or when the lock is released or expires without one (that
   * replica failed or died): then this one takes the lock and loads.
   */
  private loadOnceInCluster<T>(fullKey: string, load: () => Promise<T>): Promise<T> {
    return this.lock!.runOrAwait(fullKey, {
      pollMs: LOCK_POLL_MS,
      work: () => this.loadAndStore(fullKey, load),
      theirs: async () => {
        const raw = await this.backend.get(fullKey);
        const entry = this.parse<T>(raw);
        if (!entry || this.now() - entry.t >= this.ttlMs) return undefined;
        this.remember(fullKey, entry, raw?.length ?? 0);
        return entry.v;
      },
      // Waiting costs no upstream call, but it may not outlast the request that waits.
      beforeWait: () => currentRequestScope()?.checkDeadline(this.source),
    });
  }

  /** Joins the load in flight for this key, or starts one (and stores its result). */
  private coalesce<T>(fullKey: string, load: () => Promise<T>, store: boolean): Promise<T> {
    const scope = currentRequestScope();
    const running = this.inflight.get(fullKey);
    if (running) {
      const joined = running.loading as Promise<T>;
      if (running.scope === undefined || running.scope === scope) return joined;
      return joined.catch((err: unknown) => {
        // Another request's budget or deadline ended that load: no answer for this one,
        // which loads on its own account instead.
        if (!isRequestLimitError(err)) throw err;
        if (this.inflight.get(fullKey) === running) this.inflight.delete(fullKey);
        return this.coalesce(fullKey, load, store);
      });
    }
    // `new Promise` turns a synchronous throw in `load` into a rejection like any other.
    const loading = new Promise<T>((resolve) => resolve(load()));
    const entry = { loading, scope };
    this.inflight.set(fullKey, entry);
    // Callers get the value as soon as it loads; the key leaves `inflight` only once
    // stored, so a call arriving in between joins instead of loading again.
    loading
      .then(
        (value) => (store ? this.store(fullKey, value) : undefined),
        () => undefined,
      )
      .finally(() => {
        if (this.inflight.get(fullKey) === entry) this.inflight.delete(fullKey);
      })
      .catch(() => undefined);
    return loading;
  }

  /** Loads and stores (under a cluster lock: stored before the lock is let go). */
  private async loadAndStore<T>(fullKey: string, load: () => Promise<T>): Promise<T> {
    const value = await load();
    await this.store(fullKey, value);
    return value;
  }

  /** The entry kept decoded in process, while fresh (marked most recently used). */
  private freshLocal<T>(fullKey: string): Stored<T> | undefined {
    const local = this.local.get(fullKey);
    if (!local || this.now() - local.stored.t >= this.ttlMs) return undefined;
    this.local.delete(fullKey);
    this.local.set(fullKey, local);
    return local.stored as Stored<T>;
  }

  /**
   * Keeps a fresh entry decoded in process (`bytes`: the length of its JSON); a stale one is
   * left to the backend path. The least recently used go first once either bound is passed;
   * an entry heavier than the whole byte bound is not kept at all.
   */
  private remember(fullKey: string, entry: Stored<unknown>, bytes: number): void {
    if (this.localEntries === 0 || bytes > this.localBytes || this.now() - entry.t >= this.ttlMs) return;
    this.forget(fullKey);
    this.local.set(fullKey, { stored: entry, bytes });
    this.localBytesHeld += bytes;
    while (this.local.size > this.localEntries || this.localBytesHeld > this.localBytes) {
      this.forget(this.local.keys().next().value as string);
    }
  }

  private forget(fullKey: string): void {
    const held = this.local.get(fullKey);
    if (!held) return;
    this.local.delete(fullKey);
    this.localBytesHeld -= held.bytes;
  }

  private async store<T>(fullKey: string, value: T): Promise<void> {
    this.refreshTried.delete(fullKey);
    const stored: Stored<T> = { v: value, t: this.now() };
    let json: string;
    try {
      json = JSON.stringify(stored);
    } catch (err) {
      // A value that cannot be serialised is served uncached rather than failing the query.
      this.logger.warn('cache value not serialisable; not cached', {
        key: fullKey,
        error: err instanceof Error ? err.message : String(err),
      });
      this.remember(fullKey, stored, 0);
      return;
    }
    this.remember(fullKey, stored, json.length);
    await this.backend.set(fullKey, json, { ttlSeconds: (this.ttlMs + this.staleMs + this.revalidateMs) / 1000 });
  }

  private parse<T>(raw: string | undefined): Stored<T> | undefined {
    if (raw === undefined) return undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<Stored<T>> | null;
      // Anything else was not written by this version: treat it as absent, it will be overwritten.
      if (parsed && typeof parsed === 'object' && typeof parsed.t === 'number') return parsed as Stored<T>;
    } catch {
      // Same: a corrupt entry is a miss.
    }
    return undefined;
  }
}
