import type { Registry } from 'prom-client';
import { redact } from './errors';
import { sourceName, type SourceKind } from './source';
import { SourceMetrics, statusClass, type CacheLayer, type CacheLookupResult } from './source-metrics';

/**
 * Per-source health telemetry, recorded in process: what `Query.sources` (and each subgraph
 * process's `GET /sources`) reports about every configured source instance.
 *
 * Everything here is plain counters and a small ring buffer, updated synchronously on the
 * request path; nothing is read back until someone asks for a snapshot.
 */

/** The error code of a call the open circuit breaker refused without sending anything. */
export const CIRCUIT_OPEN = 'CIRCUIT_OPEN';

/** How many latency samples each source keeps by default. */
export const DEFAULT_LATENCY_SAMPLES = 200;

/** Longest error message kept; upstream bodies can be pages long. */
const MAX_MESSAGE = 500;

export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** One upstream attempt as a recorder is told about it. */
export interface CallOutcome {
  ok: boolean;
  /**
   * From sending to the end of the answer. Absent when nothing was sent (the circuit was
   * open, no connection slot was free within the budget): such a call counts as an error
   * but would only skew the latency figures.
   */
  latencyMs?: number;
  /** The upstream's HTTP status, when it answered. */
  status?: number;
  /** Expected when `ok` is false. The message must hold no secret; it is redacted again anyway. */
  error?: { code: string; message: string };
  /**
   * The route template (`GET /repos/{owner}/{repo}`) or SDK operation (`DescribeEndpoint`):
   * a metric label, so never a path with ids in it. Default: `other`.
   */
  route?: string;
  /** HTTP method; SDK calls say `POST`, as their protocol does. Default: `GET`. */
  method?: string;
  /** 1 for a call's first attempt, 2 for its first retry... Default: 1. */
  attempt?: number;
}

/** Which layer answered a cache lookup, and how; see {@link SourceHealthRecorder.recordCache}. */
export interface CacheLookup {
  result: CacheLookupResult;
  layer: CacheLayer;
}

/** What an upstream said about its rate limit in one response; any field may be missing. */
export interface RateLimitReading {
  limit?: number;
  remaining?: number;
  /** ISO 8601. */
  resetAt?: string;
  /** Which of the vendor's limits this is (GitHub `core`/`search`, Azure `subscription-reads`). */
  resource?: string;
}

export interface SourceHealth {
  /** `mlflow:prod`, as {@link sourceName} spells it. */
  source: string;
  kind: SourceKind;
  instance: string;
  /** Null until the first call; afterwards whether the latest call succeeded. */
  reachable: boolean | null;
  calls: number;
  errors: number;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
  /** Over the latest calls that have a latency (see {@link CallOutcome.latencyMs}); null before the first. */
  latencyMs: { last: number; p50: number; p95: number; samples: number } | null;
  cache: { hits: number; misses: number; hitRatio: number | null };
  /** The latest reading; null while the upstream has reported none (MLflow, Vertex AI, SageMaker never do). */
  rateLimit: { limit: number | null; remaining: number | null; resetAt: string | null; resource: string | null } | null;
  /** Null when the source has no breaker attached. */
  circuit: CircuitState | null;
}

/** The recording side of one source instance; see {@link SourceHealthRegistry.recorder}. */
export interface SourceHealthRecorder {
  readonly source: string;
  readonly kind: SourceKind;
  readonly instance: string;
  /** One per upstream attempt: a retried request records each of its attempts. */
  recordCall(outcome: CallOutcome): void;
  /**
   * One per cache lookup: a fresh or stale entry served is a hit; a load is a miss.
   * `lookup` says which layer answered and whether the entry was stale (for the metrics);
   * without it, a hit counts as a fresh one from the shared layer.
   */
  recordCache(hit: boolean, lookup?: CacheLookup): void;
  /** A cache backend operation (Redis) that failed and was treated as a miss or skipped. */
  recordCacheError(operation: string): void;
  /** A background refresh of a cache entry that failed (the entry held keeps serving until it expires). */
  recordRefreshFailure(): void;
  /** The latest reading replaces the previous one whole (a different resource can answer next). */
  recordRateLimit(reading: RateLimitReading): void;
  /**
   * One per call the client-side rate limiter held back (`refused`: the wait would have
   * passed the request's deadline or the retry budget, and nothing was sent). Optional, so
   * that recorders written before the limiter still fit.
   */
  recordRateLimitWait?(wait: { waitMs: number; refused: boolean }): void;
  /** The breaker's state is read when a snapshot is taken, so it is never stale. */
  attachCircuit(read: () => CircuitState): void;
  snapshot(): SourceHealth;
}

export interface SourceHealthRegistryOptions {
  /** For tests: the clock that dates calls and errors. Default: `Date.now`. */
  now?: () => number;
  /** Latency samples kept per source. Default {@link DEFAULT_LATENCY_SAMPLES}. */
  latencySamples?: number;
  /**
   * The Prometheus registry the sources' metrics go to (see source-metrics.ts): one per
   * process runtime, so that several stacks in one process (tests) never share counters.
   * Default: none, no metrics.
   */
  metrics?: Registry;
  /**
   * The kinds a source name may name (the sources registry's, which core cannot import): a
   * misspelt name then fails when its connector is built, not in `Query.sources`. Default:
   * any name of the right shape (tests).
   */
  kinds?: readonly SourceKind[];
}

/**
 * Every source instance's recorder, one registry per process runtime. Asking twice for the
 * same source gives the same recorder, so that the HTTP client, the caches and the breaker
 * of one instance add up in one place.
 */
export class SourceHealthRegistry {
  private readonly recorders = new Map<string, Recorder>();
  private readonly now: () => number;
  private readonly latencySamples: number;
  private readonly metrics: SourceMetrics | undefined;
  private readonly kinds: ReadonlySet<string> | undefined;

  constructor(options: SourceHealthRegistryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.kinds = options.kinds && new Set(options.kinds);
    this.metrics = options.metrics && new SourceMetrics(options.metrics, () => this.snapshot());
    const samples = options.latencySamples ?? DEFAULT_LATENCY_SAMPLES;
    if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`latencySamples must be a positive integer, got ${samples}`);
    this.latencySamples = samples;
  }

  recorder(kind: SourceKind, instance: string): SourceHealthRecorder {
    const source = sourceName(kind, instance);
    let recorder = this.recorders.get(source);
    if (!recorder) {
      recorder = new Recorder(kind, instance, source, this.now, this.latencySamples, this.metrics);
      this.recorders.set(source, recorder);
    }
    return recorder;
  }

  /** The recorder of a name {@link sourceName} produced; throws for any other string. */
  recorderFor(source: string): SourceHealthRecorder {
    const parsed = parseSourceName(source);
    if (!parsed || (this.kinds && !this.kinds.has(parsed.kind))) {
      const kinds = this.kinds ? `, the kind one of ${[...this.kinds].map((k) => k.toLowerCase()).join(', ')}` : '';
      throw new Error(`"${source}" is not a source name (<kind>:<instance>${kinds})`);
    }
    return this.recorder(parsed.kind, parsed.instance);
  }

  /** Every source recorded so far, sorted by source name. */
  snapshot(): SourceHealth[] {
    return [...this.recorders.values()]
      .map((r) => r.snapshot())
      .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  }
}

/**
 * The inverse of {@link sourceName}: lets shared plumbing, which is handed only the source
 * name, find the recorder without every connector passing its kind along. It reads the
 * shape only (core does not list the kinds; connectors/sources.ts does): names come from
 * {@link sourceName}, never from users.
 */
export function parseSourceName(source: string): { kind: SourceKind; instance: string } | undefined {
  const colon = source.indexOf(':');
  if (colon <= 0 || colon === source.length - 1) return undefined;
  const written = source.slice(0, colon);
  if (!/^[a-z][a-z0-9_]*$/.test(written)) return undefined;
  const kind = written.toUpperCase();
  return { kind: kind as SourceKind, instance: source.slice(colon + 1) };
}

/** {@link CircuitBreaker.status} as the graph spells it. */
export function circuitState(status: 'closed' | 'open' | 'half-open'): CircuitState {
  return status === 'closed' ? 'CLOSED' : status === 'open' ? 'OPEN' : 'HALF_OPEN';
}

class Recorder implements SourceHealthRecorder {
  private calls = 0;
  private errors = 0;
  private lastOk: boolean | null = null;
  private lastSuccessAt: number | null = null;
  private lastError: { code: string; message: string; at: number } | null = null;
  private readonly latencies: number[] = [];
  /** Where the next sample goes once the buffer is full. */
  private nextSlot = 0;
  private lastLatency: number | null = null;
  private hits = 0;
  private misses = 0;
  private rateLimit: SourceHealth['rateLimit'] = null;
  private circuit: (() => CircuitState) | undefined;

  constructor(
    readonly kind: SourceKind,
    readonly instance: string,
    readonly source: string,
    private readonly now: () => number,
    private readonly capacity: number,
    private readonly metrics: SourceMetrics | undefined,
  ) {}

  recordCall(outcome: CallOutcome): void {
    this.calls++;
    this.metrics?.attempt(this.source, {
      route: outcome.route ?? 'other',
      method: outcome.method ?? 'GET',
      // No latency means nothing was sent (see CallOutcome.latencyMs): not the upstream's answer.
      statusClass: outcome.status === undefined && outcome.latencyMs === undefined ? 'refused' : statusClass(outcome.status),
      attempt: outcome.attempt ?? 1,
      latencyMs: outcome.latencyMs,
    });
    this.lastOk = outcome.ok;
    const at = this.now();
    if (outcome.ok) {
      this.lastSuccessAt = at;
    } else {
      this.errors++;
      const error = outcome.error ?? {
        code: 'UNKNOWN',
        message: outcome.status === undefined ? 'call failed' : `HTTP ${outcome.status}`,
      };
      this.lastError = { code: error.code, message: cleanMessage(error.message), at };
    }
    const latency = outcome.latencyMs;
    if (latency !== undefined && Number.isFinite(latency)) this.addLatency(Math.max(0, latency));
  }

  recordCache(hit: boolean, lookup?: CacheLookup): void {
    if (hit) this.hits++;
    else this.misses++;
    const result = lookup?.result ?? (hit ? 'hit' : 'miss');
    this.metrics?.cacheLookup(this.source, result, lookup?.layer ?? 'shared');
  }

  recordCacheError(operation: string): void {
    this.metrics?.cacheError(this.source, operation);
  }

  recordRefreshFailure(): void {
    this.metrics?.refreshFailure(this.source);
  }

  recordRateLimit(reading: RateLimitReading): void {
    const limit = count(reading.limit);
    const remaining = count(reading.remaining);
    const resetAt = isoOrNull(reading.resetAt);
    // A reading with nothing usable says nothing; it must not wipe a real one.
    if (limit === null && remaining === null && resetAt === null) return;
    this.rateLimit = { limit, remaining, resetAt, resource: reading.resource?.trim() || null };
  }

  recordRateLimitWait(wait: { waitMs: number; refused: boolean }): void {
    this.metrics?.rateLimitWait(this.source, wait.waitMs, wait.refused);
  }

  attachCircuit(read: () => CircuitState): void {
    this.circuit = read;
  }

  snapshot(): SourceHealth {
    let circuit: CircuitState | null = null;
    try {
      circuit = this.circuit ? this.circuit() : null;
    } catch {
      // A broken reader must not take the whole report down with it.
    }
    return {
      source: this.source,
      kind: this.kind,
      instance: this.instance,
      reachable: this.lastOk,
      calls: this.calls,
      errors: this.errors,
      lastSuccessAt: iso(this.lastSuccessAt),
      lastErrorAt: iso(this.lastError?.at ?? null),
      lastError: this.lastError && { code: this.lastError.code, message: this.lastError.message, at: iso(this.lastError.at)! },
      latencyMs: this.latencySummary(),
      cache: {
        hits: this.hits,
        misses: this.misses,
        hitRatio: this.hits + this.misses === 0 ? null : this.hits / (this.hits + this.misses),
      },
      rateLimit: this.rateLimit && { ...this.rateLimit },
      circuit,
    };
  }

  private addLatency(ms: number): void {
    this.lastLatency = ms;
    if (this.latencies.length < this.capacity) {
      this.latencies.push(ms);
      return;
    }
    this.latencies[this.nextSlot] = ms;
    this.nextSlot = (this.nextSlot + 1) % this.capacity;
  }

  private latencySummary(): SourceHealth['latencyMs'] {
    if (this.lastLatency === null) return null;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return { last: this.lastLatency, p50: percentile(sorted, 50), p95: percentile(sorted, 95), samples: sorted.length };
  }
}

/** Nearest rank: always a latency that was actually observed, never an interpolation. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function count(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
}

function isoOrNull(value: string | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * Callers pass messages the HTTP client already redacted with the source's own secrets;
 * this second pass catches what any message can carry without the caller knowing it is a
 * secret (a URL with credentials, a Bearer or Basic value an upstream echoed).
 */
function cleanMessage(message: string): string {
  const text = redact(message, []);
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}
