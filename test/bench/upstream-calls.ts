/**
 * What the upstreams pay, read from the sandbox servers' own statistics: calls per source,
 * throttling answers, and the calls' arrival times checked against each vendor's documented
 * limits (each kind's connectors/<kind>/limits.ts). The benchmark and its tests count here, so
 * a figure in the table is exactly what the sandboxes saw.
 */
import type { RateLimit } from '../../connectors/core/rate-limiter';
import type { SourceKind } from '../../connectors/core/source';
import { VENDOR_RATE_LIMITS } from '../helpers/vendor-limits';
import { SOURCE_KINDS } from '../../gateway/stack';
import type { ObservedCall, Sandbox, SandboxServer } from '../../sandbox';

// The sandbox names its servers by the config's `sources` keys.
const KIND_OF = SOURCE_KINDS;
type SandboxKind = keyof typeof SOURCE_KINDS;

export interface SandboxSource {
  /** `<kind>:<instance>` as the sandbox names its servers, e.g. `github:cloud`. */
  source: string;
  kind: SourceKind;
  server: SandboxServer;
}

/** Every sandbox server, named as the tables name sources. */
export function sandboxSources(sandbox: Sandbox): SandboxSource[] {
  return (Object.keys(KIND_OF) as SandboxKind[]).flatMap((kind) =>
    Object.entries(sandbox[kind]).map(([instance, server]) => ({ source: `${kind}:${instance}`, kind: KIND_OF[kind], server })),
  );
}

export interface CallCounts {
  total: number;
  /** Every source, zero or not, so that tables of different runs line up. */
  bySource: Record<string, number>;
  /** Per API operation, for the sources that count them (SageMaker). */
  byOperation: Record<string, Record<string, number>>;
  /** 429s and vendors' own throttling errors. */
  throttled: number;
}

export function countCalls(sandbox: Sandbox): CallCounts {
  const counts: CallCounts = { total: 0, bySource: {}, byOperation: {}, throttled: 0 };
  for (const { source, server } of sandboxSources(sandbox)) {
    counts.total += server.stats.total;
    counts.bySource[source] = server.stats.total;
    counts.throttled += server.stats.throttled;
    if (Object.keys(server.stats.byOperation).length > 0) counts.byOperation[source] = { ...server.stats.byOperation };
  }
  return counts;
}

export function resetCalls(sandbox: Sandbox): void {
  for (const server of sandbox.all()) server.stats.reset();
}

/** `github:cloud 12, jira:corp 3`: the sources that were called, for messages. */
export function formatCalls(counts: CallCounts): string {
  const called = Object.entries(counts.bySource).filter(([, n]) => n > 0);
  return called.length === 0 ? 'none' : called.map(([source, n]) => `${source} ${n}`).join(', ');
}

/** Arrival times per limited unit: a source, or one SageMaker operation of it (AWS throttles per API). */
export interface CallTimes {
  /** e.g. `github:cloud`, `sagemaker:prod-us DescribeEndpoint`. */
  unit: string;
  kind: SourceKind;
  atMs: number[];
}

/** Records every call's arrival from now until `stop()`; `times()` reads them. */
export function recordCallTimes(sandbox: Sandbox): { times(): CallTimes[]; stop(): void } {
  const units = new Map<string, CallTimes>();
  const sources = sandboxSources(sandbox);
  for (const { source, kind, server } of sources) {
    server.stats.observe = (call: ObservedCall) => {
      const unit = kind === 'SAGEMAKER' && call.operation ? `${source} ${call.operation}` : source;
      let entry = units.get(unit);
      if (!entry) units.set(unit, (entry = { unit, kind, atMs: [] }));
      entry.atMs.push(call.atMs);
    };
  }
  return {
    times: () => [...units.values()],
    stop: () => sources.forEach(({ server }) => delete server.stats.observe),
  };
}

export interface LimitCheck {
  unit: string;
  calls: number;
  /** Most calls seen in any sliding second, minute and hour. */
  maxPerSecond: number;
  maxPerMinute: number;
  maxPerHour: number;
  /** What the vendor allows in those windows; absent where it states no such limit. */
  allowedPerSecond?: number;
  allowedPerMinute?: number;
  allowedPerHour?: number;
  ok: boolean;
}

/**
 * Each unit's busiest second, minute and hour against its vendor's limit. A token bucket
 * of `requestsPerSecond` and `burst` lets at most `burst + requestsPerSecond` calls into
 * any one second (a full bucket, then a second's refill), so that is what a second is held to.
 */
export function checkVendorLimits(times: readonly CallTimes[], limits: Readonly<Record<SourceKind, Readonly<RateLimit>>> = VENDOR_RATE_LIMITS): LimitCheck[] {
  return times.map(({ unit, kind, atMs }) => {
    const sorted = [...atMs].sort((a, b) => a - b);
    const limit = limits[kind];
    const allowedPerSecond = limit.requestsPerSecond === undefined ? undefined : (limit.burst ?? 1) + limit.requestsPerSecond;
    const check: LimitCheck = {
      unit,
      calls: sorted.length,
      maxPerSecond: maxInWindow(sorted, 1_000),
      maxPerMinute: maxInWindow(sorted, 60_000),
      maxPerHour: maxInWindow(sorted, 3_600_000),
      ...(allowedPerSecond !== undefined ? { allowedPerSecond } : {}),
      ...(limit.perMinute !== undefined ? { allowedPerMinute: limit.perMinute } : {}),
      ...(limit.perHour !== undefined ? { allowedPerHour: limit.perHour } : {}),
      ok: true,
    };
    check.ok =
      check.maxPerSecond <= (check.allowedPerSecond ?? Infinity) &&
      check.maxPerMinute <= (check.allowedPerMinute ?? Infinity) &&
      check.maxPerHour <= (check.allowedPerHour ?? Infinity);
    return check;
  });
}

/** The most of `sorted` (ascending times) inside any half-open window `[t, t + windowMs)`. */
export function maxInWindow(sorted: readonly number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
