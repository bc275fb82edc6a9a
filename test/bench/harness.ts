/**
 * The benchmark of issue #11, as a library: `run.ts` is its command line, the tests run it
 * on a tiny organisation. For each size, the portal page cold (upstream calls per source,
 * latency against its critical path) and warm on three gateways over the same subgraphs
 * (modelgraph's, the bare Apollo Gateway, Hive Gateway); then reconcile and the inventory
 * report through the CLI against `modelgraph serve` in child processes (time, calls against
 * the vendors' limits, peak RSS). Targets are evaluated by `evaluateTargets`, printed by
 * `renderMarkdown`; nothing here special-cases what the code under test does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { readSupergraph } from '../../gateway/compose';
import { startStack } from '../../gateway/stack';
import { sandboxConfig, startSandbox, type Sandbox } from '../../sandbox';
import { PeopleDirectory } from '../../subgraphs/common/identity';
import { startApolloGateway } from '../helpers/apollo-gateway';
import { startHiveGateway } from '../helpers/hive-gateway';
import { PORTAL_PAGE_QUERY, PORTAL_PAGE_VARIABLES, PORTAL_PAGE_WAVES, WARM_LISTINGS_QUERY } from './portal-page';
import { REPO_ROOT, runCli, scratchDir, startServerProcess } from './processes';
import { checkVendorLimits, countCalls, recordCallTimes, resetCalls, type CallCounts, type LimitCheck } from './upstream-calls';

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

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const log = options.log ?? (() => undefined);
  const startedAt = new Date().toISOString();
  const pages: PageResult[] = [];
  let processes: ProcessResults | undefined;
  const recorded = { ...options };
  delete recorded.log;
  for (const models of options.sizes) {
    const sandbox = await timedSandbox(models, options.latencyMs, log);
    try {
      pages.push(await measurePortalPage(sandbox.sandbox, sandbox.ms, options, log));
      if (options.processModels === models) processes = await measureProcesses(sandbox.sandbox, options, log);
    } finally {
      await sandbox.sandbox.close();
    }
  }
  if (options.processModels !== undefined && !processes) {
    const sandbox = await timedSandbox(options.processModels, options.latencyMs, log);
    try {
      processes = await measureProcesses(sandbox.sandbox, options, log);
    } finally {
      await sandbox.sandbox.close();
    }
  }
  const result: BenchResult = {
    meta: { startedAt, node: process.version, platform: `${process.platform} ${process.arch}`, cpus: cpus().length, options: recorded },
    pages,
    processes,
    targets: [],
  };
  result.targets = evaluateTargets(result);
  return result;
}

async function timedSandbox(models: number, latencyMs: number, log: (line: string) => void) {
  log(`${models} models: starting the sandbox (${latencyMs} ms latency)`);
  const started = performance.now();
  const sandbox = await startSandbox({ models, faults: { latencyMs } });
  return { sandbox, ms: performance.now() - started };
}

/** The graph's configuration over the sandbox, as a config file would have it. */
export function benchConfig(sandbox: Sandbox, vendorRateLimits: boolean) {
  return {
    // No per-client limit: the throughput measurement is a few clients asking thousands of times.
    server: { port: 0, host: '127.0.0.1', rateLimit: { requestsPerMinute: 0 } },
    // No source entry expires while a size is measured, even when the vendors' limits make
    // its cold page take minutes: warm stays warm, and reconcile's warm run is warm.
    cache: { ttlSeconds: 3600, staleSeconds: 3600 },
    sources: sandboxConfig(sandbox, { vendorRateLimits }).sources,
    logLevel: 'silent' as const,
  };
}

export interface GraphQLAnswer {
  data?: unknown;
  errors?: Array<{ message: string }>;
}

/** One GraphQL request; with `timeoutMs`, a request still unanswered then is an answer with an error. */
export async function postQuery(url: string, query: string, variables: Record<string, unknown> = {}, timeoutMs?: number): Promise<GraphQLAnswer> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
      ...(timeoutMs !== undefined ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
    text = await res.text();
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return { errors: [{ message: `no answer within ${timeoutMs} ms` }] };
    throw err;
  }
  try {
    return JSON.parse(text) as GraphQLAnswer;
  } catch {
    return { errors: [{ message: `HTTP ${res.status}: ${text.slice(0, 200)}` }] };
  }
}

export function errorsOf(answer: GraphQLAnswer): string[] {
  return (answer.errors ?? []).map((e) => e.message.slice(0, 300));
}

/**
 * The portal page at one size: the listings warmed by a cheap query, then the page cold on
 * modelgraph's gateway, then warm on each gateway in turn (one priming request each first).
 */
async function measurePortalPage(sandbox: Sandbox, sandboxSetupMs: number, options: BenchOptions, log: (line: string) => void): Promise<PageResult> {
  const models = sandbox.org.models.length;
  const demo = sandboxConfig(sandbox);
  const stack = await startStack(configSchema.parse(benchConfig(sandbox, options.vendorRateLimits)), silentLogger, {
    people: PeopleDirectory.fromData(demo.peopleAliases),
  });
  try {
    log(`${models} models: warming the listings, then the cold page`);
    const { warmUp, cold } = await measureColdPage(sandbox, stack.graphqlUrl);

    const warm = {} as PageResult['warm'];
    const sameAnswer = {} as PageResult['sameAnswer'];
    let reference: string | undefined;
    const primeErrors: PageResult['primeErrors'] = {};
    for (const name of GATEWAYS) {
      const gateway =
        name === 'modelgraph'
          ? { graphqlUrl: stack.graphqlUrl, close: async () => undefined }
          : name === 'apollo'
            ? await startApolloGateway(stack, readSupergraph())
            : await startHiveGateway(stack, readSupergraph());
      try {
        log(`${models} models: warm page on ${GATEWAY_TITLES[name]}`);
        // Every gateway primed alike (modelgraph's again: a cold answer with errors is not kept).
        const primed = await postQuery(gateway.graphqlUrl, PORTAL_PAGE_QUERY, PORTAL_PAGE_VARIABLES);
        if (primed.errors) primeErrors[name] = errorsOf(primed).slice(0, 5);
        if (name === 'modelgraph') reference = JSON.stringify(primed.data);
        else sameAnswer[name] = !primed.errors && !primeErrors.modelgraph && JSON.stringify(primed.data) === reference;
        const oneClient = await measureWarm(sandbox, gateway.graphqlUrl, 1, options.oneClientRequests, options.maxSecondsPerMeasurement);
        const manyClients = await measureWarm(sandbox, gateway.graphqlUrl, options.clients, options.manyClientsRequests, options.maxSecondsPerMeasurement);
        warm[name] = { oneClient, manyClients };
      } finally {
        await gateway.close();
      }
    }
    return {
      models,
      sandboxSetupMs: round(sandboxSetupMs),
      warmUp: { ms: round(warmUp.ms), calls: warmUp.calls },
      cold: { ms: round(cold.ms), boundMs: PORTAL_PAGE_WAVES * options.latencyMs, calls: cold.calls, errors: errorsOf(cold.answer) },
      warm,
      sameAnswer,
      primeErrors,
    };
  } finally {
    await stack.close();
  }
}

/**
 * The portal page cold on a graph whose linking listings are warm: the warm-up query
 * first, then the page, each with its own time and upstream calls.
 */
export async function measureColdPage(sandbox: Sandbox, graphqlUrl: string) {
  const warmUp = await timedCalls(sandbox, async () => {
    const answer = await postQuery(graphqlUrl, WARM_LISTINGS_QUERY);
    if (answer.errors) throw new Error(`the warm-up query failed: ${errorsOf(answer).join('; ')}`);
  });
  const cold = await timedCalls(sandbox, () => postQuery(graphqlUrl, PORTAL_PAGE_QUERY, PORTAL_PAGE_VARIABLES));
  return { warmUp: { ms: warmUp.ms, calls: warmUp.calls }, cold: { ms: cold.ms, calls: cold.calls, answer: cold.value } };
}

/** Runs `fn` with the counters zeroed first: its time and exactly the upstream calls it caused. */
async function timedCalls<T>(sandbox: Sandbox, fn: () => Promise<T>): Promise<{ ms: number; calls: CallCounts; value: T }> {
  resetCalls(sandbox);
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, calls: countCalls(sandbox), value };
}

/**
 * A warm page unanswered this long is broken, not slow (the bare gateways answer in
 * seconds at 16 clients): counted as an error, so that it cannot hold the run.
 */
const WARM_REQUEST_TIMEOUT_MS = 30_000;

/** `clients` loops sharing `requests` page requests (or `maxSeconds`, whichever ends first). */
async function measureWarm(sandbox: Sandbox, url: string, clients: number, requests: number, maxSeconds: number): Promise<Latency> {
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  const { ms, calls } = await timedCalls(sandbox, async () => {
    const stopAt = performance.now() + maxSeconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (issued < requests && performance.now() < stopAt) {
          issued++;
          const started = performance.now();
          const answer = await postQuery(url, PORTAL_PAGE_QUERY, PORTAL_PAGE_VARIABLES, WARM_REQUEST_TIMEOUT_MS);
          latencies.push(performance.now() - started);
          // A fast error is no warm page: counted, and the targets say so.
          if (answer.errors) errors++;
        }
      }),
    );
  });
  latencies.sort((a, b) => a - b);
  return {
    clients,
    requests: latencies.length,
    p50Ms: round(quantile(latencies, 0.5)),
    p99Ms: round(quantile(latencies, 0.99)),
    rps: round((latencies.length * 1000) / ms),
    upstreamCalls: calls.total,
    errors,
  };
}

/**
 * Reconcile (cold on a fresh server, then warm against the same one) and the inventory
 * report (on another fresh server), each through the CLI against `modelgraph serve`.
 */
async function measureProcesses(sandbox: Sandbox, options: BenchOptions, log: (line: string) => void): Promise<ProcessResults> {
  const models = sandbox.org.models.length;
  const scratch = scratchDir();
  const aliasesFile = join(scratch.dir, 'people.json');
  writeFileSync(aliasesFile, JSON.stringify(sandboxConfig(sandbox).peopleAliases));
  const config = { ...benchConfig(sandbox, options.vendorRateLimits), logLevel: 'warn', people: { aliasesFile } };

  log(`${models} models: reconcile, cold (fresh server process)`);
  resetCalls(sandbox);
  let recorder = recordCallTimes(sandbox);
  const server = await startServerProcess(config, scratch, 'reconcile-server');
  let reconcile: ProcessResults['reconcile'] | undefined;
  let serverPeakRssBytes: number | undefined;
  try {
    const args = ['reconcile', '--endpoint', server.graphqlUrl, '--format', 'json'];
    const cold = await runCli(args, scratch, 'reconcile-cold');
    const coldCalls = countCalls(sandbox);
    recorder.stop();
    const limits = checkVendorLimits(recorder.times());
    const parsed = failure(cold, [0, 1]) ? undefined : (JSON.parse(cold.stdout) as { findings: unknown[]; waived: unknown[] });

    log(`${models} models: reconcile, warm (same server)`);
    resetCalls(sandbox);
    const warm = await runCli(args, scratch, 'reconcile-warm');
    reconcile = {
      cold: { ms: round(cold.ms), startupMs: roundOpt(cold.startupMs), calls: coldCalls, limits, failed: failure(cold, [0, 1]) },
      warm: { ms: round(warm.ms), startupMs: roundOpt(warm.startupMs), calls: countCalls(sandbox), failed: failure(warm, [0, 1]) },
      findings: parsed ? parsed.findings.length + parsed.waived.length : 0,
      clientPeakRssBytes: Math.max(cold.peakRssBytes ?? 0, warm.peakRssBytes ?? 0) || undefined,
    };
  } finally {
    // Stopped even when the run failed; its exit writes the peak RSS.
    serverPeakRssBytes = (await server.stop()).peakRssBytes;
  }
  reconcile.serverPeakRssBytes = serverPeakRssBytes;

  log(`${models} models: inventory report (fresh server process)`);
  resetCalls(sandbox);
  recorder = recordCallTimes(sandbox);
  const reportServer = await startServerProcess(config, scratch, 'report-server');
  let report: ProcessResults['report'] | undefined;
  try {
    const out = join(scratch.dir, 'inventory.csv');
    const run = await runCli(
      ['report', join(REPO_ROOT, 'reports', 'inventory.graphql'), '--endpoint', reportServer.graphqlUrl, '--format', 'csv', '--out', out],
      scratch,
      'report',
    );
    const calls = countCalls(sandbox);
    recorder.stop();
    const failed = failure(run, [0]);
    const rows = failed ? 0 : readFileSync(out, 'utf8').split('\n').filter((line) => line.length > 0).length - 1;
    report = { ms: round(run.ms), startupMs: roundOpt(run.startupMs), calls, rows, failed, limits: checkVendorLimits(recorder.times()), clientPeakRssBytes: run.peakRssBytes };
  } finally {
    serverPeakRssBytes = (await reportServer.stop()).peakRssBytes;
  }
  report.serverPeakRssBytes = serverPeakRssBytes;
  return { models, reconcile, report };
}

/** Why a CLI run failed, or undefined when it exited with one of `codes`. */
function failure(run: { exitCode: number | null; stderr: string }, codes: number[]): string | undefined {
  if (run.exitCode !== null && codes.includes(run.exitCode)) return undefined;
  return `exit ${run.exitCode}: ${run.stderr.trim().split('\n').slice(-5).join(' / ').slice(0, 600)}`;
}

// ---- targets -----------------------------------------------------------------------------------

const MiB = 1024 * 1024;

/** #11's targets, each against what this run observed. */
export function evaluateTargets(result: Pick<BenchResult, 'pages' | 'processes'>): Target[] {
  const targets: Target[] = [];
  const add = (id: string, what: string, observed: string, limit: string, ok: boolean) => targets.push({ id, what, observed, limit, ok });
  for (const page of result.pages) {
    const at = `${page.models.toLocaleString('en-US')} models`;
    const clean = page.cold.errors.length === 0;
    add('1', `portal page cold, listings warm, upstream calls (${at})`, `${page.cold.calls.total}${clean ? '' : ' (with errors)'}`, '<= 60', clean && page.cold.calls.total <= 60);
    add('2', `portal page cold latency (${at})`, `${page.cold.ms} ms`, `<= ${2 * page.cold.boundMs} ms (2x ${page.cold.boundMs} ms critical path)`, clean && page.cold.ms <= 2 * page.cold.boundMs);
    const mine = page.warm.modelgraph;
    add('4', `warm page p50, one client (${at})`, `${mine.oneClient.p50Ms} ms`, '<= 10 ms', mine.oneClient.p50Ms <= 10);
    add('4', `warm page p99, one client (${at})`, `${mine.oneClient.p99Ms} ms`, '<= 50 ms', mine.oneClient.p99Ms <= 50);
    const apollo = page.warm.apollo.manyClients.rps;
    const ratio = apollo > 0 ? mine.manyClients.rps / apollo : Infinity;
    add('4', `warm page RPS, ${mine.manyClients.clients} clients, vs bare Apollo Gateway (${at})`, `${mine.manyClients.rps} vs ${apollo} (${ratio.toFixed(1)}x)`, '>= 10x', ratio >= 10);
    const warmCalls = GATEWAYS.reduce((n, g) => n + page.warm[g].oneClient.upstreamCalls + page.warm[g].manyClients.upstreamCalls, 0);
    const warmErrors = GATEWAYS.reduce((n, g) => n + page.warm[g].oneClient.errors + page.warm[g].manyClients.errors, 0) + Object.keys(page.primeErrors).length;
    add('4', `warm page: same answer on every gateway, no errors, no upstream calls (${at})`,
      `${Object.entries(page.sameAnswer).filter(([, same]) => !same).map(([name]) => `${name} differs`).join(', ') || 'same'}; ${warmErrors} errors; ${warmCalls} calls`,
      'same, 0 errors, 0 calls',
      Object.values(page.sameAnswer).every(Boolean) && warmErrors === 0 && warmCalls === 0);
  }
  const p = result.processes;
  if (p) {
    const at = `${p.models.toLocaleString('en-US')} models`;
    const { cold, warm } = p.reconcile;
    const github = Object.entries(cold.calls.bySource).filter(([source]) => source.startsWith('github:')).reduce((n, [, c]) => n + c, 0);
    add('5', `reconcile cold: GitHub calls (${at})`, String(github), '<= 1,500', github <= 1500);
    const over = cold.limits.filter((l) => !l.ok);
    add('5', `reconcile cold: every vendor's limit (${at})`, over.length === 0 ? 'within' : over.map(describeOverLimit).join('; '), 'none exceeded', over.length === 0);
    add('5', `reconcile cold: upstream 429s / throttling (${at})`, String(cold.calls.throttled), '0', cold.calls.throttled === 0);
    add('5', `reconcile cold time, after the CLI's start-up (${at})`, timeWithStartup(cold), '< 60 s', !cold.failed && workMs(cold) < 60_000);
    add('5', `reconcile warm time, after the CLI's start-up (${at})`, timeWithStartup(warm), '< 2 s', !warm.failed && workMs(warm) < 2_000);
    add('5', `reconcile: server peak RSS (${at})`, mib(p.reconcile.serverPeakRssBytes), '< 512 MiB', (p.reconcile.serverPeakRssBytes ?? Infinity) < 512 * MiB);
    add('5', `inventory report: server peak RSS (${at})`, mib(p.report.serverPeakRssBytes) + (p.report.failed ? `, report FAILED ${p.report.failed}` : ''), '< 512 MiB', !p.report.failed && (p.report.serverPeakRssBytes ?? Infinity) < 512 * MiB);
  }
  return targets;
}

function describeOverLimit(l: LimitCheck): string {
  const parts = [
    l.allowedPerSecond !== undefined && l.maxPerSecond > l.allowedPerSecond ? `${l.maxPerSecond}/s > ${l.allowedPerSecond}` : '',
    l.allowedPerMinute !== undefined && l.maxPerMinute > l.allowedPerMinute ? `${l.maxPerMinute}/min > ${l.allowedPerMinute}` : '',
    l.allowedPerHour !== undefined && l.maxPerHour > l.allowedPerHour ? `${l.maxPerHour}/h > ${l.allowedPerHour}` : '',
  ].filter(Boolean);
  return `${l.unit} ${parts.join(', ')}`;
}

// ---- the table ---------------------------------------------------------------------------------

/** The run as markdown: what `npm run bench` prints and the README shows. */
export function renderMarkdown(result: BenchResult): string {
  const { options } = result.meta;
  const out: string[] = [];
  const table = (header: string[], rows: string[][]) => {
    out.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), '');
  };
  out.push(
    `modelgraph benchmark, ${result.meta.startedAt}: node ${result.meta.node}, ${result.meta.platform}, ${result.meta.cpus} CPUs; ` +
      `${options.latencyMs} ms sandbox latency; vendor rate limits ${options.vendorRateLimits ? 'on' : 'off'}`,
    '',
    '### Portal page (50 models), cold, linking listings warm',
    '',
  );
  table(
    ['models', 'upstream calls', 'per source', 'cold', 'critical path', 'listing warm-up'],
    result.pages.map((p) => [
      p.models.toLocaleString('en-US'),
      String(p.cold.calls.total) + (p.cold.errors.length ? ` (${p.cold.errors.length} errors)` : ''),
      perSource(p.cold.calls),
      `${p.cold.ms} ms`,
      `${p.cold.boundMs} ms`,
      `${p.warmUp.ms} ms, ${p.warmUp.calls.total} calls`,
    ]),
  );
  out.push(`### Portal page warm: ${options.clients} clients' RPS and latency, same subgraphs and supergraph`, '');
  table(
    ['models', 'gateway', 'p50 / p99, 1 client', 'RPS, 1 client', `p50 / p99, ${options.clients} clients`, `RPS, ${options.clients} clients`, 'modelgraph RPS ratio'],
    result.pages.flatMap((p) =>
      GATEWAYS.map((g) => {
        const w = p.warm[g];
        const ratio = g === 'modelgraph' ? '' : `${(p.warm.modelgraph.manyClients.rps / Math.max(w.manyClients.rps, 1e-9)).toFixed(1)}x`;
        return [
          p.models.toLocaleString('en-US'),
          GATEWAY_TITLES[g],
          `${w.oneClient.p50Ms} / ${w.oneClient.p99Ms} ms${w.oneClient.errors ? ` (${w.oneClient.errors} with errors)` : ''}`,
          String(w.oneClient.rps),
          `${w.manyClients.p50Ms} / ${w.manyClients.p99Ms} ms${w.manyClients.errors ? ` (${w.manyClients.errors} with errors)` : ''}`,
          String(w.manyClients.rps),
          ratio,
        ];
      }),
    ),
  );
  const p = result.processes;
  if (p) {
    out.push(`### Reconcile and inventory report at ${p.models.toLocaleString('en-US')} models (CLI against \`modelgraph serve\`)`, '');
    const busiest = (limits: LimitCheck[]) =>
      limits
        .filter((l) => l.allowedPerSecond !== undefined || l.allowedPerMinute !== undefined || l.allowedPerHour !== undefined)
        .map((l) => `${l.unit} ${describeBusiest(l)}`)
        .join('; ') || 'no limited source called';
    table(
      ['run', 'time', 'upstream calls', 'per source', 'busiest windows vs vendor limit', '429s', 'server peak RSS', 'client peak RSS'],
      [
        ['reconcile, cold', timeWithStartup(p.reconcile.cold), String(p.reconcile.cold.calls.total), perSource(p.reconcile.cold.calls), busiest(p.reconcile.cold.limits), String(p.reconcile.cold.calls.throttled), mib(p.reconcile.serverPeakRssBytes), mib(p.reconcile.clientPeakRssBytes)],
        ['reconcile, warm', timeWithStartup(p.reconcile.warm), String(p.reconcile.warm.calls.total), perSource(p.reconcile.warm.calls), '', String(p.reconcile.warm.calls.throttled), '(same server)', ''],
        ['inventory report, cold', timeWithStartup(p.report), String(p.report.calls.total), perSource(p.report.calls), busiest(p.report.limits), String(p.report.calls.throttled), mib(p.report.serverPeakRssBytes), mib(p.report.clientPeakRssBytes)],
      ],
    );
    out.push(`${p.reconcile.findings} findings; the report has ${p.report.rows} rows.`, '');
  }
  out.push('### Targets (#11)', '');
  table(
    ['', '#', 'target', 'observed', 'limit'],
    result.targets.map((t) => [t.ok ? 'ok' : '**MISS**', t.id, t.what, t.observed, t.limit]),
  );
  const missed = result.targets.filter((t) => !t.ok).length;
  out.push(missed ? `${missed} target(s) missed` : 'all targets met');
  return `${out.join('\n')}\n`;
}

function describeBusiest(l: LimitCheck): string {
  const parts: string[] = [];
  if (l.allowedPerSecond !== undefined) parts.push(`${l.maxPerSecond}/${l.allowedPerSecond} per s`);
  if (l.allowedPerMinute !== undefined) parts.push(`${l.maxPerMinute}/${l.allowedPerMinute} per min`);
  if (l.allowedPerHour !== undefined) parts.push(`${l.maxPerHour}/${l.allowedPerHour} per h`);
  return parts.join(', ');
}

function perSource(calls: CallCounts): string {
  const called = Object.entries(calls.bySource).filter(([, n]) => n > 0);
  return called.length === 0 ? '-' : called.map(([source, n]) => `${source} ${n}`).join(', ');
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${Math.round(bytes / MiB)} MiB`;
}

/** `12.3 s (+ 0.8 s start-up)`, and why it failed if it did. */
function timeWithStartup(run: ProcessRun): string {
  const time = run.startupMs === undefined ? seconds(run.ms) : `${seconds(workMs(run))} (+ ${seconds(run.startupMs)} start-up)`;
  return run.failed ? `${time}, FAILED ${run.failed.replace(/\|/g, '/')}` : time;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** Nearest-rank quantile of ascending `sorted`. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function roundOpt(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : round(ms);
}

function round(ms: number): number {
  return ms < 10 ? Math.round(ms * 100) / 100 : ms < 100 ? Math.round(ms * 10) / 10 : Math.round(ms);
}
