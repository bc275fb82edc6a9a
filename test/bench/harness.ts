/**
 * The benchmark of issue #11, as a library: `run.ts` is its command line, the tests run it
 * on a tiny organisation. For each size, the portal page cold (upstream calls per source,
 * latency against its critical path) and warm on three gateways over the same subgraphs
 * (modelgraph's, the bare Apollo Gateway, Hive Gateway); then reconcile and the inventory
 * report through the CLI against `modelgraph serve` in child processes (time, calls against
 * the vendors' limits, peak RSS). Targets are evaluated in targets.ts, printed by
 * markdown.ts; nothing here special-cases what the code under test does.
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
import { GATEWAY_TITLES, GATEWAYS, type BenchOptions, type BenchResult, type Latency, type PageResult, type ProcessResults } from './results';
import { evaluateTargets } from './targets';
import { checkVendorLimits, countCalls, recordCallTimes, resetCalls, type CallCounts } from './upstream-calls';

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
    const { warmUp, cold } = await measureColdPage(sandbox, stack.graphqlUrl, stack.warmedUp);

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
export async function measureColdPage(sandbox: Sandbox, graphqlUrl: string, warmedUp: Promise<void> = Promise.resolve()) {
  const warmUp = await timedCalls(sandbox, async () => {
    // The start-up's own warm-up (cache.warmUp: listings, deployments, indexes), as a
    // production process does it; the query after it costs nothing once it is done.
    await warmedUp;
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
