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
}
