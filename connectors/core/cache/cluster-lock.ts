import { randomUUID } from 'node:crypto';
import type { KeyValueCache } from './types';

/**
 * A lock every replica sharing a cache backend sees: one `SET key token PX ms NX` to take
 * it, released by whoever holds it or by its expiry (a replica that dies holding it stalls
 * the work for `ttlSeconds` at most). Over a backend without `setIfAbsent` (or one that
 * fails) it is always taken: the work is then done by every process, as without a lock.
 *
 * Not a fencing lock: a holder slower than the expiry may overlap with the next one. What it
 * guards here (refreshing a cache entry, rebuilding an index) is idempotent, so an overlap
 * costs upstream calls twice, never a wrong answer.
 */
export class ClusterLock {
  constructor(
    private readonly backend: KeyValueCache,
    private readonly ttlSeconds: number,
  ) {}

  /** Takes `name`; the release function when taken, undefined when another holder has it. */
  async tryAcquire(name: string): Promise<(() => Promise<void>) | undefined> {
    const key = lockKey(name);
    const token = randomUUID();
    const taken = this.backend.setIfAbsent ? await this.backend.setIfAbsent(key, token, { ttlSeconds: this.ttlSeconds }) : true;
    if (!taken) return undefined;
    return async () => {
      // Only our own: past the expiry another holder may have taken it. (Check and delete are
      // two commands; the window between them is what the expiry already allows.)
      if ((await this.backend.get(key)) === token) await this.backend.delete(key);
    };
  }

  /** Runs `work` holding `name` (released whatever happens); undefined when another holder has it. */
  async tryRun<T>(name: string, work: () => Promise<T>): Promise<{ value: T } | undefined> {
    const release = await this.tryAcquire(name);
    if (!release) return undefined;
    try {
      return { value: await work() };
    } finally {
      await release();
    }
  }

  /**
   * Runs `work` holding `name` (released whatever happens); while another holder has it,
   * looks every `pollMs` for that holder's result (`theirs`: undefined while there is none)
   * and returns it once there. A holder that fails or dies releases or lets the lock expire:
   * then this caller takes it and works. `beforeWait` may throw to stop waiting (a request's
   * deadline).
   */
  async runOrAwait<T>(
    name: string,
    options: { pollMs: number; work: () => Promise<T>; theirs: () => Promise<T | undefined>; beforeWait?: () => void },
  ): Promise<T> {
    for (;;) {
      const ran = await this.tryRun(name, options.work);
      if (ran) return ran.value;
      options.beforeWait?.();
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
      const found = await options.theirs();
      if (found !== undefined) return found;
    }
  }
}

export function lockKey(name: string): string {
  return `${name}:lock`;
}
