import { outsideRequestScope } from '../../connectors/core/request-scope';
import type { Logger } from '../../connectors/core/logger';

/**
 * What `cache.warmUp` keeps warm: a read of something cached (a registry's listing, its
 * deployments, an index). Reads in `phase` 1 run first, side by side; then phase 2 (the
 * indexes, whose builds read the listings of phase 1).
 */
export interface WarmUpJob {
  name: string;
  phase: 1 | 2;
  run(): Promise<unknown>;
}

export interface WarmerOptions {
  /** Between the end of one round and the start of the next. */
  intervalMs: number;
  logger: Logger;
  /** Aborted when the process shuts down: no round starts after it. */
  signal: AbortSignal;
}

/**
 * Reads every job at start-up, then again every `intervalMs`. The reads themselves do the
 * work through the caches they read: a miss loads (once per cluster, see
 * `SourceCacheOptions.clusterLockSeconds`), an entry past half its ttl is refreshed in the
 * background (`refreshAhead`), so a request never waits for a listing or an index nor sees
 * one stale while the process is up. A failed read is logged and retried next round; the
 * copy held (if any) keeps serving, marked stale once past its ttl.
 */
export class Warmer {
  private timer?: NodeJS.Timeout;
  private rounds = 0;

  constructor(
    private readonly jobs: readonly WarmUpJob[],
    private readonly options: WarmerOptions,
  ) {
    options.signal.addEventListener('abort', () => clearTimeout(this.timer), { once: true });
  }

  /** Runs the first round (resolving when it is done, whatever failed) and schedules the next ones. */
  async start(): Promise<void> {
    await this.round();
  }

  private async round(): Promise<void> {
    if (this.options.signal.aborted) return;
    const first = this.rounds++ === 0;
    const started = performance.now();
    const failed: string[] = [];
    for (const phase of [1, 2] as const) {
      await Promise.all(
        this.jobs
          .filter((job) => job.phase === phase)
          .map(async (job) => {
            try {
              // Background work: charged to no request, cut by no request's deadline.
              await outsideRequestScope(() => job.run());
            } catch (err) {
              if (this.options.signal.aborted) return;
              failed.push(job.name);
              this.options.logger.warn('warm-up read failed; retried next round', {
                job: job.name,
                error: err instanceof Error ? err.message : String(err),
              });
            }
          }),
      );
    }
    if (first) {
      this.options.logger.info('warm-up done', {
        durationMs: Math.round(performance.now() - started),
        jobs: this.jobs.length,
        ...(failed.length ? { failed } : {}),
      });
    }
    if (this.options.signal.aborted) return;
    this.timer = setTimeout(() => void this.round(), this.options.intervalMs);
    // The process exits when everything else is done, warm-up or not.
    this.timer.unref();
  }
}

/**
 * How often the warm-up reads: a quarter of the ttl, so that an entry is read between half
 * its ttl (when refresh-ahead starts a refresh) and three quarters of it, leaving a quarter
 * for the refresh to land before the entry would turn stale. At least a second.
 */
export function warmUpIntervalMs(ttlSeconds: number): number {
  return Math.max(1000, (ttlSeconds * 1000) / 4);
}
