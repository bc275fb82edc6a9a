import { Counter, Histogram, type Registry } from 'prom-client';
import type { RebuildObserver } from './ttl-value';

/** The inventory's indexes, by the name their metrics carry. */
export type IndexName = 'governance';

/**
 * Rebuilds of the inventory's indexes (every model's facts read from the sources): how many,
 * how they ended, how long they took. A build that keeps failing leaves the old index served until
 * its stale window ends; these are where that shows before callers see errors.
 */
export class IndexRebuildMetrics {
  private readonly rebuilds: Counter<'index' | 'outcome'>;
  private readonly duration: Histogram<'index' | 'outcome'>;

  constructor(registry: Registry) {
    this.rebuilds = new Counter({
      name: 'modelgraph_index_rebuilds_total',
      help: "Rebuilds of the inventory's governance index (findings, lifecycle, owners), by outcome (ok, error).",
      labelNames: ['index', 'outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'modelgraph_index_rebuild_duration_seconds',
      help: "Duration of one rebuild of an inventory index: every model's facts read from the sources.",
      labelNames: ['index', 'outcome'],
      // From a small demo (well under a second) to a cold build over 10,000 models (a minute or more).
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600],
      registers: [registry],
    });
  }

  observer(index: IndexName): RebuildObserver {
    return (outcome, durationMs) => {
      this.rebuilds.inc({ index, outcome });
      this.duration.observe({ index, outcome }, durationMs / 1000);
    };
  }
}
