/**
 * The one interface every cache backend implements (Apollo `KeyValueCache` style): three
 * methods, strings in and out, so that Redis and memory are interchangeable and the
 * wrappers (fail-safe, per-source prefix) compose over either.
 */
export interface KeyValueCache {
  /** undefined on a miss (absent or expired). */
  get(key: string): Promise<string | undefined>;
  /** `ttlSeconds` absent or 0: the entry does not expire. Fractions of a second are honoured. */
  set(key: string, value: string, options?: { ttlSeconds?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Stores `value` only when `key` holds nothing, and says whether it did: what a lock shared
   * by every replica is made of (Redis `SET key value PX ms NX`). Optional: without it a
   * backend cannot lock across processes, and each process then works on its own.
   */
  setIfAbsent?(key: string, value: string, options: { ttlSeconds: number }): Promise<boolean>;
}
