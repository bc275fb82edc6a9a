import type { KeyValueCache } from '../../connectors/core/cache/types';

/** An answer as kept: its data, when it was stored and until when it may be served (epoch ms). */
export interface StoredResponse {
  data: Record<string, unknown>;
  storedAt: number;
  expiresAt: number;
}

interface Encoded {
  d: Record<string, unknown>;
  t: number;
  x: number;
}

export interface ResponseStoreOptions {
  /** Shared by every gateway replica (Redis, behind FailSafeCache); undefined: this process only. */
  shared?: KeyValueCache;
  /** Answers kept decoded in this process, least recently used evicted. */
  maxEntries: number;
  /** What they may weigh together, as the length of their JSON; a larger answer is not kept at all, shared or not. */
  maxBytes: number;
  /** Default: `Date.now`. */
  now?: () => number;
}

const PREFIX = 'modelgraph:v1:responses:';

/**
 * Whole answers by key: decoded in this process (a hit costs neither a round trip nor a
 * JSON parse of a page of hundreds of kilobytes), and in the shared cache when there is one,
 * so that every replica answers what one has executed.
 *
 * An entry is never rewritten before it expires (it is stored after a miss only), so the
 * decoded copy and the shared one are the same answer. The expiry is checked on every read:
 * Redis drops entries by its own clock, and a replica's clock may run ahead. The shared
 * cache is expected to turn its own failures into misses (FailSafeCache): a cache that is
 * down costs an execution, never an error.
 */
export class ResponseStore {
  private readonly local = new Map<string, { entry: StoredResponse; bytes: number }>();
  private localBytes = 0;
  private readonly now: () => number;

  constructor(private readonly options: ResponseStoreOptions) {
    if (!(options.maxEntries >= 1) || !(options.maxBytes >= 1)) throw new RangeError('ResponseStore: maxEntries and maxBytes must be >= 1');
    this.now = options.now ?? Date.now;
  }

  async get(key: string): Promise<StoredResponse | undefined> {
    const held = this.local.get(key);
    if (held) {
      this.forget(key);
      if (held.entry.expiresAt <= this.now()) return undefined;
      this.remember(key, held.entry, held.bytes);
      return held.entry;
    }
    const raw = await this.options.shared?.get(PREFIX + key);
    if (raw === undefined) return undefined;
    const entry = decode(raw);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    this.remember(key, entry, raw.length);
    return entry;
  }

  /** Stores `data` until `expiresAt`; false (nothing stored) when that is already past or the answer too large. */
  async set(key: string, data: Record<string, unknown>, expiresAt: number): Promise<boolean> {
    const now = this.now();
    const ttlMs = expiresAt - now;
    if (!(ttlMs > 0)) return false;
    const json = JSON.stringify({ d: data, t: now, x: expiresAt } satisfies Encoded);
    if (json.length > this.options.maxBytes) return false;
    this.remember(key, { data, storedAt: now, expiresAt }, json.length);
    await this.options.shared?.set(PREFIX + key, json, { ttlSeconds: ttlMs / 1000 });
    return true;
  }

  private remember(key: string, entry: StoredResponse, bytes: number): void {
    this.forget(key);
    this.local.set(key, { entry, bytes });
    this.localBytes += bytes;
    while (this.local.size > this.options.maxEntries || this.localBytes > this.options.maxBytes) {
      this.forget(this.local.keys().next().value as string);
    }
  }

  private forget(key: string): void {
    const held = this.local.get(key);
    if (!held) return;
    this.local.delete(key);
    this.localBytes -= held.bytes;
  }
}

function decode(raw: string): StoredResponse | undefined {
  try {
    const parsed = JSON.parse(raw) as Partial<Encoded> | null;
    // Anything else was not written by this version: a miss, overwritten by the next answer.
    if (parsed && typeof parsed.x === 'number' && typeof parsed.t === 'number' && parsed.d && typeof parsed.d === 'object') {
      return { data: parsed.d, storedAt: parsed.t, expiresAt: parsed.x };
    }
  } catch {
    // Same: a corrupt entry is a miss.
  }
  return undefined;
}
