import type { KeyValueCache } from './types';

export interface MemoryCacheOptions {
  /** Entries kept; past it the least recently used one is evicted. Default: 10000. */
  maxEntries?: number;
  /** For tests: the clock. Default: `Date.now`. */
  now?: () => number;
}

interface Entry {
  value: string;
  /** Epoch ms; Infinity for no expiry. */
  expiresAt: number;
}

/**
 * In-process LRU cache, for a single replica or for tests.
 *
 * A Map iterates in insertion order, so re-inserting an entry on access keeps the least
 * recently used one first: eviction is `keys().next()`, with no linked list to maintain.
 * Expired entries are dropped when read or when they reach the front of the queue.
 */
export class MemoryCache implements KeyValueCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(opts: MemoryCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError(`MemoryCache maxEntries must be a positive integer, got ${opts.maxEntries}`);
    }
    this.now = opts.now ?? Date.now;
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, options?: { ttlSeconds?: number }): Promise<void> {
    const ttl = options?.ttlSeconds;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: ttl ? this.now() + ttl * 1000 : Infinity });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async setIfAbsent(key: string, value: string, options: { ttlSeconds: number }): Promise<boolean> {
    // Checked and set with no await between: callers racing for it see one winner.
    const held = this.entries.get(key);
    if (held && held.expiresAt > this.now()) return false;
    void this.set(key, value, options);
    return true;
  }
}
