/**
 * A FIFO counting semaphore: at most `max` functions run at once, the rest wait in arrival
 * order (so that a burst of requests is served fairly and none starves).
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`Semaphore max must be a positive integer, got ${max}`);
  }

  /** Functions currently running. */
  get inFlight(): number {
    return this.active;
  }

  /** Functions waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `fn` once a slot is free. `signal` aborts the wait only (not `fn` once started):
   * the waiter leaves the queue and the returned promise rejects with the signal's reason.
   */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal!.reason);
      };
      const waiter = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
    if (next) next();
    else this.active--;
  }
}

/** Each promise's value, or its error in its place. */
export async function settle<T>(promises: ReadonlyArray<Promise<T>>): Promise<Array<T | Error>> {
  const settled = await Promise.allSettled(promises);
  return settled.map((r) => (r.status === 'fulfilled' ? r.value : r.reason instanceof Error ? r.reason : new Error(String(r.reason))));
}
