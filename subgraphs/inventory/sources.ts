/**
 * `Query.sources`: every configured source instance and how it is doing. Each process
 * records the calls it makes itself (connectors/core/source-health.ts), so in the
 * all-in-one process one registry knows every source; in a split deployment the inventory
 * also asks each subgraph process for its `/sources`, and merges what several processes
 * saw of one source (the inventory and the mlflow subgraph both call MLflow).
 */
import { sourceName, type SourceKind } from '../../connectors/core/source';
import type { CircuitState, SourceHealth } from '../../connectors/core/source-health';
import { SIGNATURE_HEADER, SOURCES_REQUEST_LINE, signBody } from '../../lib/request-signature';

export interface SourceStatus {
  name: string;
  kind: SourceKind;
  instance: string;
  reachable: boolean | null;
  calls: number;
  errors: number;
  lastSuccessAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
  latency: { lastMs: number; p50Ms: number; p95Ms: number; samples: number } | null;
  cacheHits: number;
  cacheMisses: number;
  cacheHitRatio: number | null;
  rateLimit: { limit: number | null; remaining: number | null; resetAt: string | null; resource: string | null } | null;
  circuit: CircuitState | null;
}

export interface SourceStatusReader {
  read(): Promise<SourceStatus[]>;
}

export interface SourceStatusOptions {
  /** Every configured instance, listed even before its first call. */
  configured: ReadonlyArray<{ kind: SourceKind; instance: string }>;
  /** This process's own registry. */
  local?: () => SourceHealth[];
  /** GraphQL URLs of the other subgraph processes; their `/sources` is read beside each. */
  remote?: readonly string[];
  /** The subgraph secret: the other processes answer `/sources` only to a signed request. */
  secret?: string;
  timeoutMs?: number;
}

const CIRCUIT_RANK: Record<CircuitState, number> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

const latest = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);

/** What two processes saw of one source, as one: counts add up, the newest reading wins. */
export function mergeHealth(a: SourceHealth, b: SourceHealth): SourceHealth {
  const activity = (h: SourceHealth) => latest(h.lastSuccessAt, h.lastErrorAt) ?? '';
  const newer = activity(b) > activity(a) ? b : a;
  const hits = a.cache.hits + b.cache.hits;
  const misses = a.cache.misses + b.cache.misses;
  return {
    ...newer,
    calls: a.calls + b.calls,
    errors: a.errors + b.errors,
    lastSuccessAt: latest(a.lastSuccessAt, b.lastSuccessAt),
    lastErrorAt: latest(a.lastErrorAt, b.lastErrorAt),
    lastError: (a.lastError?.at ?? '') >= (b.lastError?.at ?? '') ? a.lastError : b.lastError,
    latencyMs: (a.latencyMs?.samples ?? 0) >= (b.latencyMs?.samples ?? 0) ? a.latencyMs : b.latencyMs,
    cache: { hits, misses, hitRatio: hits + misses > 0 ? hits / (hits + misses) : null },
    rateLimit: newer.rateLimit ?? a.rateLimit ?? b.rateLimit,
    circuit:
      a.circuit && b.circuit ? (CIRCUIT_RANK[a.circuit] >= CIRCUIT_RANK[b.circuit] ? a.circuit : b.circuit) : (a.circuit ?? b.circuit),
  };
}

export function toSourceStatus(kind: SourceKind, instance: string, health: SourceHealth | undefined): SourceStatus {
  return {
    name: sourceName(kind, instance),
    kind,
    instance,
    reachable: health?.reachable ?? null,
    calls: health?.calls ?? 0,
    errors: health?.errors ?? 0,
    lastSuccessAt: health?.lastSuccessAt ?? null,
    lastError: health?.lastError ?? null,
    latency: health?.latencyMs
      ? { lastMs: health.latencyMs.last, p50Ms: health.latencyMs.p50, p95Ms: health.latencyMs.p95, samples: health.latencyMs.samples }
      : null,
    cacheHits: health?.cache.hits ?? 0,
    cacheMisses: health?.cache.misses ?? 0,
    cacheHitRatio: health?.cache.hitRatio ?? null,
    rateLimit: health?.rateLimit ?? null,
    circuit: health?.circuit ?? null,
  };
}

/** Another process may run another version: keep only entries of the shape this one reads. */
function isSourceHealth(value: unknown): value is SourceHealth {
  const h = value as Partial<SourceHealth> | null;
  return (
    typeof h === 'object' &&
    h !== null &&
    typeof h.source === 'string' &&
    typeof h.calls === 'number' &&
    typeof h.errors === 'number' &&
    typeof h.cache === 'object' &&
    h.cache !== null &&
    typeof h.cache.hits === 'number' &&
    typeof h.cache.misses === 'number'
  );
}

async function readRemote(graphqlUrl: string, timeoutMs: number, secret: string | undefined): Promise<SourceHealth[]> {
  try {
    const headers: Record<string, string> = secret ? { [SIGNATURE_HEADER]: signBody(secret, SOURCES_REQUEST_LINE) } : {};
    const res = await fetch(new URL('/sources', graphqlUrl), { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return [];
    const body = (await res.json()) as { sources?: unknown[] };
    return Array.isArray(body.sources) ? body.sources.filter(isSourceHealth) : [];
  } catch {
    // A process that cannot be asked leaves its sources "not known" (reachable null), not failed:
    // the source itself may be fine.
    return [];
  }
}

export function createSourceStatusReader(options: SourceStatusOptions): SourceStatusReader {
  return {
    async read() {
      const remote = await Promise.all((options.remote ?? []).map((url) => readRemote(url, options.timeoutMs ?? 2000, options.secret)));
      const byName = new Map<string, SourceHealth>();
      for (const health of [...(options.local?.() ?? []), ...remote.flat()]) {
        const seen = byName.get(health.source);
        byName.set(health.source, seen ? mergeHealth(seen, health) : health);
      }
      return options.configured
        .map(({ kind, instance }) => toSourceStatus(kind, instance, byName.get(sourceName(kind, instance))))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}
