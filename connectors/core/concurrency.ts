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

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
    if (next) next();
    else this.active--;
  }
}
