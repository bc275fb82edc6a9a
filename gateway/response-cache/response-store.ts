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

const PREFIX = 'modelgraph:v1:responses:';

/**
 * Whole answers by key, in a {@link KeyValueCache}: Redis shared by every gateway replica,
 * or memory. The backend drops an entry at its expiry; the expiry is checked again on read
 * all the same, since Redis counts in its own clock and an entry may have been written by a
 * replica whose clock runs ahead. The backend is expected to turn its own failures into
 * misses (FailSafeCache): a cache that is down costs an execution, never an error.
 */
export class ResponseStore {
  constructor(
    private readonly backend: KeyValueCache,
    private readonly options: {
      /** An entry longer than this (JSON length) is not stored. Default: no bound. */
      maxEntryBytes?: number;
      /** Default: `Date.now`. */
      now?: () => number;
    } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async get(key: string): Promise<StoredResponse | undefined> {
    const raw = await this.backend.get(PREFIX + key);
    if (raw === undefined) return undefined;
    let parsed: Partial<Encoded> | null;
    try {
      parsed = JSON.parse(raw) as Partial<Encoded> | null;
    } catch {
      return undefined;
    }
    if (!parsed || typeof parsed.x !== 'number' || typeof parsed.t !== 'number' || !parsed.d) return undefined;
    if (parsed.x <= this.now()) return undefined;
    return { data: parsed.d, storedAt: parsed.t, expiresAt: parsed.x };
  }

  /** Stores `data` until `expiresAt`; nothing when that is already past or the entry too large. */
  async set(key: string, data: Record<string, unknown>, expiresAt: number): Promise<boolean> {
    const now = this.now();
    const ttlMs = expiresAt - now;
    if (!(ttlMs > 0)) return false;
    const json = JSON.stringify({ d: data, t: now, x: expiresAt } satisfies Encoded);
    if (json.length > (this.options.maxEntryBytes ?? Infinity)) return false;
    await this.backend.set(PREFIX + key, json, { ttlSeconds: ttlMs / 1000 });
    return true;
  }
}
