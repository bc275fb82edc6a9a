/**
 * What a benchmark run found, as bench-results.json holds it: measured by harness.ts,
 * judged by targets.ts, printed by markdown.ts.
 */
import type { CallCounts, LimitCheck } from './upstream-calls';

export type GatewayName = 'modelgraph' | 'apollo' | 'hive';
export const GATEWAYS: readonly GatewayName[] = ['modelgraph', 'apollo', 'hive'];
export const GATEWAY_TITLES: Readonly<Record<GatewayName, string>> = {
  modelgraph: "modelgraph's gateway",
  apollo: 'bare @apollo/gateway',
  hive: 'Hive Gateway',
};

export interface BenchOptions {
  /** Organisation sizes (models) the portal page is measured at. */
  sizes: number[];
  /** Injected before every sandbox answer. */
  latencyMs: number;
  /** Size reconcile and the inventory report run at (child processes); undefined: skipped. */
  processModels?: number;
  /** The "many clients" of the warm measurements (#11: 16). */
  clients: number;
  /** Requests per warm measurement with one client, and with `clients`. */
  oneClientRequests: number;
  manyClientsRequests: number;
  /** A warm measurement stops after this long even with requests left (a slow gateway). */
  maxSecondsPerMeasurement: number;
  /**
   * Each source's client-side limiter at its vendor's default, as deployed. Off (the
   * default of `npm run bench`), the calls go at their own pace, and their observed rates
   * are what is held to the vendors' limits: a limiter would hide an excess as waiting.
   */
  vendorRateLimits: boolean;
  /** Progress lines (stderr in `npm run bench`). */
  log?: (line: string) => void;
}

export interface Latency {
  clients: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests per second over the measurement. */
  rps: number;
  /** Upstream calls while it ran (warm: expected 0). */
  upstreamCalls: number;
  /** Answers with errors (a source refused or failed): counted in the latencies, never a warm page. */
  errors: number;
}

export interface PageResult {
  models: number;
  sandboxSetupMs: number;
  /** The cheap query that lists every registry, before the counters are reset. */
  warmUp: { ms: number; calls: CallCounts };
  cold: { ms: number; boundMs: number; calls: CallCounts; errors: string[] };
  warm: Record<GatewayName, { oneClient: Latency; manyClients: Latency }>;
  /** Whether the bare Apollo Gateway and Hive Gateway answered exactly what modelgraph's did. */
  sameAnswer: Record<Exclude<GatewayName, 'modelgraph'>, boolean>;
  /** Errors of each gateway's priming answer, when it had any. */
  primeErrors: Partial<Record<GatewayName, string[]>>;
}

export interface ProcessRun {
  /** The CLI's wall time, spawn to exit. */
  ms: number;
  /** Of which before its first request (node and the CLI loading): the same at any size, warm or cold. */
  startupMs?: number;
  calls: CallCounts;
  /** Set when the command failed (its exit code and the end of its stderr): a result, not a crash of the benchmark. */
  failed?: string;
}

/** A run's own work: from the CLI's first request to its exit. What the time targets hold. */
export function workMs(run: ProcessRun): number {
  return run.ms - (run.startupMs ?? 0);
}

export interface ProcessResults {
  models: number;
  reconcile: {
    /** Calls include the server's start-up; time is the CLI's run, from spawn to exit. */
    cold: ProcessRun & { limits: LimitCheck[] };
    warm: ProcessRun;
    findings: number;
    serverPeakRssBytes?: number;
    clientPeakRssBytes?: number;
  };
  report: ProcessRun & { rows: number; limits: LimitCheck[]; serverPeakRssBytes?: number; clientPeakRssBytes?: number };
}

export interface BenchResult {
  meta: {
    startedAt: string;
    node: string;
    platform: string;
    cpus: number;
    options: Omit<BenchOptions, 'log'>;
  };
  pages: PageResult[];
  processes?: ProcessResults;
  targets: Target[];
}

export interface Target {
  /** #11's numbering: 1 calls, 2 cold latency, 4 warm gateway, 5 reconcile and report. */
  id: string;
  what: string;
  observed: string;
  limit: string;
  ok: boolean;
}
