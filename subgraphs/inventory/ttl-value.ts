import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { ClusterLock } from '../../connectors/core/cache/cluster-lock';
import type { KeyValueCache } from '../../connectors/core/cache/types';
import { currentRequestScope } from '../../connectors/core/request-scope';
import { TRACER_NAME } from '../../connectors/core/tracing';

/** How one build of a {@link TtlValue} went, and its duration in ms. */
export type RebuildObserver = (outcome: 'ok' | 'error', durationMs: number, error?: unknown) => void;

/**
 * Where replicas share a {@link TtlValue}: the cache backend (Redis when configured), under
 * `key`, with a lock of `lockSeconds` so that one replica builds while the others wait for its
 * copy. The value must survive JSON (plain data: no Map, Set or Date).
 */
export interface SharedValueStore {
  cache: KeyValueCache;
  key: string;
  /** The longest a build may hold the lock; past it another replica may build too. */
  lockSeconds: number;
}

export interface TtlValueOptions {
  /**
   * What a build is called, for its trace (`rebuild <name> index`), and who is told how each
   * went and how long it took (the index rebuild metrics). Default: untraced, unobserved.
   */
  rebuilds?: { name: string; observe?: RebuildObserver };
  shared?: SharedValueStore;
  /**
   * A value older than this share of the ttl (0..1) is served and rebuilt in the background,
   * so that one read at least that often (the warm-up's) never lets it turn stale. Default: off.
   */
  refreshAhead?: number;
}

/** How often a replica waiting for another's build looks for its copy. */
const SHARED_POLL_MS = 250;
/** How often a replica whose copy is not fresh looks for a newer one. */
const SHARED_LOOKUP_INTERVAL_MS = 1000;

interface Built<T> {
  /** Epoch ms (possibly another replica's clock). */
  at: number;
  value: T;
}

/**
 * A value built on demand and kept for `ttlMs`; rebuilt by one caller at a time (and, with
 * a shared store, by one replica at a time). For `staleMs` after that, the old value is
 * served at once while a rebuild runs in the background (a build over a large inventory takes
 * minutes; nobody should wait for it twice). A failed background rebuild keeps the old value
 * until the stale window ends; then a caller waits for a build, and sees its error.
 */
export class TtlValue<T> {
  private built?: Built<T>;
  private sharedLookedAt = -Infinity;
  private building?: Promise<T>;
  private readonly rebuilds?: TtlValueOptions['rebuilds'];
  private readonly shared?: SharedValueStore & { lock: ClusterLock };
  private readonly refreshAheadMs: number;

  constructor(
    private readonly build: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly staleMs = 0,
    options: TtlValueOptions = {},
  ) {
    this.rebuilds = options.rebuilds;
    if (options.shared) this.shared = { ...options.shared, lock: new ClusterLock(options.shared.cache, options.shared.lockSeconds) };
    const ahead = options.refreshAhead;
    if (ahead !== undefined && !(ahead > 0 && ahead < 1)) throw new Error(`refreshAhead must be between 0 and 1, got ${ahead}`);
    this.refreshAheadMs = ahead === undefined ? Infinity : ahead * ttlMs;
  }

  async get(): Promise<T> {
    // Not fresh here: another replica may hold a newer copy. Looked up at most once a
    // second, so that requests during a stale window do not each read the snapshot.
    if (!this.isFresh(this.built) && this.shared && this.now() - this.sharedLookedAt >= SHARED_LOOKUP_INTERVAL_MS) {
      this.sharedLookedAt = this.now();
      await this.adoptShared();
    }
    const built = this.built;
    const age = built ? this.now() - built.at : Infinity;
    if (built && age < this.ttlMs + this.staleMs) {
      // An answer built from this value is reusable until it turns stale, not after (a stale
      // one's time is past: not at all). See RequestScope.noteFreshUntil.
      const scope = currentRequestScope();
      scope?.noteFreshUntil(built.at + this.ttlMs);
      // Past its TTL (a rebuild is running, or failed): the answer says so, as a stale source entry's does.
      if (age >= this.ttlMs && this.rebuilds) scope?.noteStale(`index:${this.rebuilds.name}`, age - this.ttlMs);
      if (age >= Math.min(this.refreshAheadMs, this.ttlMs)) this.rebuild(false).catch(() => undefined);
      return built.value;
    }
    const scope = currentRequestScope();
    const value = await this.rebuild(true);
    scope?.noteFreshUntil((this.built?.at ?? this.now()) + this.ttlMs);
    return value;
  }

  /**
   * Builds now unless a build is under way (then joins it). With a shared store, the build
   * is this replica's only if it takes the lock; otherwise another replica is building, and
   * `wait` says whether to wait for its copy (nothing to serve meanwhile) or to return what
   * is held (a background refresh).
   */
  private rebuild(wait: boolean): Promise<T> {
    if (this.building) return this.building;
    const building = (this.shared ? this.sharedBuild(wait) : this.observedBuild()).finally(() => {
      if (this.building === building) this.building = undefined;
    });
    this.building = building;
    return building;
  }

  private async sharedBuild(wait: boolean): Promise<T> {
    const shared = this.shared!;
    const heldAt = this.built?.at;
    const work = async () => {
      // Another replica may have finished a build between our look and the lock.
      if (await this.adoptShared(heldAt)) return this.built!.value;
      const value = await this.observedBuild();
      await shared.cache.set(shared.key, JSON.stringify(this.built), { ttlSeconds: (this.ttlMs + this.staleMs) / 1000 });
      return value;
    };
    const held = this.built;
    if (!wait && held) return ((await shared.lock.tryRun(shared.key, work)) ?? { value: held.value }).value;
    return shared.lock.runOrAwait(shared.key, {
      pollMs: SHARED_POLL_MS,
      work,
      theirs: async () => ((await this.adoptShared(heldAt)) ? this.built!.value : undefined),
    });
  }


  /**
   * Takes the shared copy when it is newer than the one held (and than `after`, when given):
   * true when it did.
   */
  private async adoptShared(after?: number): Promise<boolean> {
    const shared = this.shared!;
    const raw = await shared.cache.get(shared.key);
    if (raw === undefined) return false;
    const newest = Math.max(this.built?.at ?? -Infinity, after ?? -Infinity);
    // Stored as JSON.stringify({at, value}): the date leads, and an older copy (a snapshot of
    // thousands of models) is not parsed just to be dropped.
    const at = /^\{"at":(\d+)/.exec(raw)?.[1];
    if (at !== undefined && Number(at) <= newest) return false;
    let copy: Built<T>;
    try {
      copy = JSON.parse(raw) as Built<T>;
    } catch {
      return false;
    }
    if (typeof copy?.at !== 'number' || copy.at <= newest) return false;
    this.built = copy;
    return true;
  }

  private isFresh(built: Built<T> | undefined): boolean {
    return !!built && this.now() - built.at < this.ttlMs;
  }

  private observedBuild(): Promise<T> {
    const started = performance.now();
    const observe = (outcome: 'ok' | 'error', error?: unknown) => this.rebuilds?.observe?.(outcome, performance.now() - started, error);
    return this.traced().then(
      (value) => {
        this.built = { at: this.now(), value };
        observe('ok');
        return value;
      },
      (err: unknown) => {
        observe('error', err);
        throw err;
      },
    );
  }

  /**
   * The build in a trace of its own: it is shared by every request that waits for it, and a
   * read of every model's facts would drown the trace of the one that happened to start it,
   * which is linked instead. The build's upstream calls are inside this trace.
   */
  private traced(): Promise<T> {
    if (!this.rebuilds) return this.build();
    const trigger = trace.getSpan(context.active())?.spanContext();
    return walkTracer.startActiveSpan(
      `rebuild ${this.rebuilds.name} index`,
      { root: true, links: trigger ? [{ context: trigger }] : [], attributes: { 'modelgraph.index': this.rebuilds.name } },
      async (span) => {
        try {
          return await this.build();
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }
}

const walkTracer = trace.getTracer(TRACER_NAME);
