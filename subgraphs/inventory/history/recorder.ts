/**
 * Records governance index builds into the history store: every complete build, at most
 * about once per `history.interval` (so a cache TTL of a minute does not write a snapshot a
 * minute), and on a schedule so that the numbers accumulate in a process nobody queries.
 */
import type { Logger } from '../../../connectors/core/logger';
import type { GovernanceIndexData } from '../governance/inventory-index';
import type { HistoryStore, RecordedFinding, RecordedLifecycle, SnapshotInput, SnapshotOrigin, SnapshotResult } from './types';

/** What one complete build found, as a snapshot records it. */
export function snapshotOf(data: GovernanceIndexData, takenAt: Date, origin: SnapshotOrigin): Omit<SnapshotInput, 'minIntervalMs'> {
  const teamsOf = (key: string | null) => (key === null ? [] : [...(data.models.get(key)?.teams ?? [])].sort().map((t) => `@${t}`));
  const findings: RecordedFinding[] = data.findings.map((f) => ({
    fingerprint: f.fingerprint,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    modelKey: f.model?.key ?? null,
    teams: teamsOf(f.model?.key ?? null),
    waived: f.waiver !== null,
  }));
  const lifecycles: RecordedLifecycle[] = [...data.models.values()].flatMap((m) =>
    m.lifecycle
      ? [
          {
            modelKey: m.key,
            teams: teamsOf(m.key),
            firstRunAt: m.lifecycle.firstRunAt,
            registeredAt: m.lifecycle.registeredAt,
            approvedAt: m.lifecycle.approvedAt,
            firstProductionAt: m.lifecycle.firstProductionAt,
            firstRunToProductionDays: m.lifecycle.firstRunToProductionDays,
          },
        ]
      : [],
  );
  return {
    takenAt,
    origin,
    findings,
    unevaluatedModels: [...data.models.values()].filter((m) => (m.unavailable?.length ?? 0) > 0).map((m) => m.key),
    lifecycles,
  };
}

/**
 * The slack under `interval` a snapshot still counts as due: the schedule's ticks and the
 * builds they start do not land to the millisecond, and a tick a second early must not wait
 * a whole interval more.
 */
export function minIntervalMs(intervalMs: number): number {
  return intervalMs - Math.min(intervalMs / 10, 60_000);
}

export interface HistoryRecorderOptions {
  /** `history.interval` in ms: 0 records every build. */
  intervalMs: number;
  logger?: Logger;
}

export class HistoryRecorder {
  private timer?: NodeJS.Timeout;
  /** The recording in progress, so that a build does not start a second one beside it. */
  private recording?: Promise<SnapshotResult | undefined>;

  constructor(
    readonly store: HistoryStore,
    private readonly options: HistoryRecorderOptions,
  ) {}

  /** The index's build listener: records, and reports (never throws) a failure. */
  readonly onBuilt = async (data: GovernanceIndexData, at: Date): Promise<void> => {
    await this.record(data, at, 'index');
  };

  async record(data: GovernanceIndexData, at: Date, origin: SnapshotOrigin): Promise<SnapshotResult | undefined> {
    const previous = this.recording;
    const run = (async () => {
      await previous?.catch(() => undefined);
      try {
        const result = await this.store.record({ ...snapshotOf(data, at, origin), minIntervalMs: origin === 'index' ? minIntervalMs(this.options.intervalMs) : 0 });
        if (result.recorded) {
          this.options.logger?.info('governance snapshot recorded', {
            store: this.store.description,
            origin,
            findings: data.findings.length,
            opened: result.opened,
            resolved: result.resolved,
          });
        }
        return result;
      } catch (err) {
        // The graph serves on; the next build tries again.
        this.options.logger?.warn('governance snapshot not recorded', { store: this.store.description, error: (err as Error).message });
        return undefined;
      }
    })();
    this.recording = run;
    return run;
  }

  /**
   * Every interval, asks for the index: a copy past its TTL is rebuilt (and the build
   * recorded) even when no query and no warm-up asks. Stops with `signal`.
   */
  schedule(read: () => Promise<unknown>, signal?: AbortSignal): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      read().catch((err: unknown) => this.options.logger?.warn('scheduled governance index build failed', { error: (err as Error).message }));
    }, this.options.intervalMs);
    this.timer.unref();
    signal?.addEventListener('abort', () => this.stop(), { once: true });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Waits for the recording in progress, if any (tests, shutdown). */
  async settled(): Promise<void> {
    await this.recording?.catch(() => undefined);
  }
}
