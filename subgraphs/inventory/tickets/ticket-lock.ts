import { ModelgraphError } from '../../../connectors/core/errors';
import { ClusterLock } from '../../../connectors/core/cache/cluster-lock';
import type { KeyValueCache } from '../../../connectors/core/cache/types';

/**
 * Serialises ticket runs on one Jira project, so that search-then-create (not atomic in
 * Jira) cannot file one finding twice: in this process by a queue per name, and, when a
 * cache every replica shares is given (Redis), across replicas by a {@link ClusterLock}
 * (`SET NX PX`) that expires if its holder dies.
 *
 * The cluster lock is no fencing lock: a run longer than `ttlSeconds` may overlap the next
 * holder's. A run creates at most one issue per finding, one at a time, and the fingerprint
 * search sees every issue created before it, so only an issue created inside the overlap
 * could be doubled; keep `ttlSeconds` well above a run. Over a failing Redis the lock is
 * always taken (FailSafeCache), which leaves the in-process queue.
 */
export class TicketLock {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly cluster?: ClusterLock;

  constructor(
    shared: KeyValueCache | undefined,
    private readonly options: { ttlSeconds: number; waitMs: number; pollMs?: number },
  ) {
    if (shared) this.cluster = new ClusterLock(shared, options.ttlSeconds);
  }

  /**
   * Runs `work` holding `name`; throws {@link TicketLockBusyError} when another replica holds
   * it past `waitMs` (the constructor's, or less for this call: a request's deadline).
   */
  async run<T>(name: string, work: () => Promise<T>, waitMs = this.options.waitMs): Promise<T> {
    const before = this.queues.get(name) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = before.then(() => mine);
    this.queues.set(name, tail);
    await before;
    try {
      return this.cluster ? await this.runShared(name, work, waitMs) : await work();
    } finally {
      done();
      if (this.queues.get(name) === tail) this.queues.delete(name);
    }
  }

  private async runShared<T>(name: string, work: () => Promise<T>, waitMs: number): Promise<T> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const ran = await this.cluster!.tryRun(name, work);
      if (ran) return ran.value;
      if (Date.now() >= deadline) throw new TicketLockBusyError(name, waitMs);
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 100));
    }
  }
}

/** Another replica's run held the lock for as long as this one could wait. */
export class TicketLockBusyError extends ModelgraphError {
  override readonly name = 'TicketLockBusyError';
  constructor(lock: string, waitedMs: number) {
    super('TICKET_RUN_IN_PROGRESS', `another ticket run held "${lock}" for the ${Math.round(waitedMs / 1000)} s this one could wait; try again`);
  }
}
