import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CircuitState, SourceHealth } from './source-health';

/**
 * The Prometheus side of source health: what every upstream call and cache lookup of a
 * source instance adds to the process's `/metrics`. Fed by {@link SourceHealthRegistry}'s
 * recorders, so that the HTTP client, the SageMaker SDK middleware and the caches report
 * once, to one place, and `Query.sources` and `/metrics` never disagree.
 *
 * Every label value is bounded: a source is a configured instance (`mlflow:prod`), a route
 * is a template the connector names (`GET /repos/{owner}/{repo}/commits/{sha}`, an SDK
 * operation), never a path with ids in it; a status is its class.
 */

/** One upstream attempt as the metrics see it. */
export interface UpstreamAttempt {
  /** The route template or SDK operation; `other` when the call site named none. */
  route: string;
  method: string;
  /** `2xx`...`5xx`; `error` for a transport failure or timeout; `refused` when nothing was sent (open circuit, no connection slot or credentials in time). */
  statusClass: string;
  /** 1 for the first attempt of a call; a higher number is a retry. */
  attempt: number;
  latencyMs?: number;
}

export type CacheLookupResult = 'hit' | 'stale' | 'miss';
/** `process`: the decoded in-process copy; `shared`: the cache backend (Redis, or memory without it). */
export type CacheLayer = 'process' | 'shared';

/** Seconds; from a fast cache revalidation to a slow upstream search. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Seconds; from a spread-out burst to a wait for a vendor's window to reset. */
const LIMITER_WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const CIRCUIT_STATES: readonly CircuitState[] = ['CLOSED', 'HALF_OPEN', 'OPEN'];

export class SourceMetrics {
  private readonly requests: Counter<'source' | 'route' | 'method' | 'status_class'>;
  private readonly retries: Counter<'source' | 'route' | 'method'>;
  private readonly duration: Histogram<'source' | 'route' | 'method' | 'status_class'>;
  private readonly cacheLookups: Counter<'source' | 'layer' | 'result'>;
  private readonly cacheErrors: Counter<'source' | 'operation'>;
  private readonly refreshFailures: Counter<'source'>;
  private readonly limiterWaits: Counter<'source' | 'outcome'>;
  private readonly limiterWaitSeconds: Histogram<'source'>;

  /** `read` gives the current health of every source: breaker and rate-limit gauges are read from it at scrape time. */
  constructor(registry: Registry, read: () => readonly SourceHealth[]) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'modelgraph_upstream_requests_total',
      help: 'Upstream HTTP requests (or SDK attempts), retries included, by source instance, route template and status class.',
      labelNames: ['source', 'route', 'method', 'status_class'],
      registers,
    });
    this.retries = new Counter({
      name: 'modelgraph_upstream_retries_total',
      help: 'Upstream attempts that were retries of an earlier attempt of the same call.',
      labelNames: ['source', 'route', 'method'],
      registers,
    });
    this.duration = new Histogram({
      name: 'modelgraph_upstream_request_duration_seconds',
      help: 'Latency of one upstream attempt, from sending to the end of the answer.',
      labelNames: ['source', 'route', 'method', 'status_class'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.cacheLookups = new Counter({
      name: 'modelgraph_cache_lookups_total',
      help: 'Cache lookups by source instance, the layer that answered (process or shared) and result (hit, stale, miss).',
      labelNames: ['source', 'layer', 'result'],
      registers,
    });
    this.cacheErrors = new Counter({
      name: 'modelgraph_cache_backend_errors_total',
      help: 'Cache backend (Redis) operations that failed and were treated as a miss or skipped.',
      labelNames: ['source', 'operation'],
      registers,
    });
    this.refreshFailures = new Counter({
      name: 'modelgraph_cache_refresh_failures_total',
      help: 'Background refreshes of a cached entry (a listing kept warm, a stale entry) that failed; the entry held kept serving.',
      labelNames: ['source'],
      registers,
    });
    this.limiterWaits = new Counter({
      name: 'modelgraph_upstream_rate_limit_waits_total',
      help: "Calls the client-side rate limiter held back, by source instance and outcome: `waited` for a slot, or `refused` (the slot lay past the request's deadline or the retry budget; nothing was sent).",
      labelNames: ['source', 'outcome'],
      registers,
    });
    this.limiterWaitSeconds = new Histogram({
      name: 'modelgraph_upstream_rate_limit_wait_seconds',
      help: 'How long calls waited for the client-side rate limiter before being sent.',
      labelNames: ['source'],
      buckets: LIMITER_WAIT_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'modelgraph_source_circuit_state',
      help: 'Circuit breaker state per source instance: 1 for the current state, 0 for the others.',
      labelNames: ['source', 'state'],
      registers,
      collect() {
        this.reset();
        for (const health of read()) {
          // Every process builds every connector; one that never called a source has no say on its breaker.
          if (!health.circuit || health.calls === 0) continue;
          for (const state of CIRCUIT_STATES) this.set({ source: health.source, state: state.toLowerCase() }, health.circuit === state ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'modelgraph_source_rate_limit_remaining',
      help: "Requests left in the upstream's rate-limit window, as its latest response reported (GitHub, GitLab, Jira, Azure).",
      labelNames: ['source', 'resource'],
      registers,
      collect() {
        this.reset();
        for (const health of read()) {
          const remaining = health.rateLimit?.remaining;
          if (remaining !== null && remaining !== undefined) this.set({ source: health.source, resource: health.rateLimit?.resource ?? '' }, remaining);
        }
      },
    });
    new Gauge({
      name: 'modelgraph_source_rate_limit_limit',
      help: "The upstream's rate-limit window size, as its latest response reported.",
      labelNames: ['source', 'resource'],
      registers,
      collect() {
        this.reset();
        for (const health of read()) {
          const limit = health.rateLimit?.limit;
          if (limit !== null && limit !== undefined) this.set({ source: health.source, resource: health.rateLimit?.resource ?? '' }, limit);
        }
      },
    });
  }

  attempt(source: string, attempt: UpstreamAttempt): void {
    const labels = { source, route: attempt.route, method: attempt.method, status_class: attempt.statusClass };
    this.requests.inc(labels);
    if (attempt.latencyMs !== undefined && Number.isFinite(attempt.latencyMs)) {
      this.duration.observe(labels, Math.max(0, attempt.latencyMs) / 1000);
    }
    if (attempt.attempt > 1) this.retries.inc({ source, route: attempt.route, method: attempt.method });
  }

  cacheLookup(source: string, result: CacheLookupResult, layer: CacheLayer): void {
    this.cacheLookups.inc({ source, layer, result });
  }

  rateLimitWait(source: string, waitMs: number, refused: boolean): void {
    this.limiterWaits.inc({ source, outcome: refused ? 'refused' : 'waited' });
    if (!refused) this.limiterWaitSeconds.observe({ source }, Math.max(0, waitMs) / 1000);
  }

  cacheError(source: string, operation: string): void {
    this.cacheErrors.inc({ source, operation });
  }

  refreshFailure(source: string): void {
    this.refreshFailures.inc({ source });
  }
}

/** `2xx`...`5xx` for an HTTP status; `error` without one (transport failure, timeout). */
export function statusClass(status: number | undefined): string {
  return status === undefined || status < 100 || status > 599 ? 'error' : `${Math.floor(status / 100)}xx`;
}
