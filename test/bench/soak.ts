/**
 * `npm run soak [-- --minutes N]`: the real `modelgraph serve` process under N minutes of
 * steady portal load, to find what a benchmark of seconds cannot — a leak, a cache that
 * grows without bound, errors that appear only after the cache has turned over a few times.
 *
 * The graph runs as its own process (the CLI, as deployed) over sandbox upstreams with
 * network-like latency and a short cache TTL, so entries expire and refresh all along.
 * Clients replay what a portal asks (a page of models, one model's detail, the findings);
 * the server's RSS is sampled, every error counted, and a summary printed. It exits 1 when
 * any request failed or the RSS kept growing over the second half of the run.
 *
 * Options (or environment): --minutes (SOAK_MINUTES, 10), --clients (SOAK_CLIENTS, 8),
 * --models (SOAK_MODELS, 200), --latency-ms (SOAK_LATENCY_MS, 20),
 * --max-growth-mb (SOAK_MAX_GROWTH_MB, 50: RSS growth allowed over the second half),
 * --no-response-cache (SOAK_RESPONSE_CACHE=off: to tell the gateway cache's own growth from a leak).
 * Not part of `npm test`.
 */
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sandboxConfig, startSandbox } from '../../sandbox';
import { AddressInUseError, listenOnFreePort, saysAddressInUse } from '../helpers/free-port';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    clients: { type: 'string' },
    models: { type: 'string' },
    'latency-ms': { type: 'string' },
    'max-growth-mb': { type: 'string' },
    'no-response-cache': { type: 'boolean' },
  },
});

function setting(option: string | undefined, env: string, fallback: number): number {
  const raw = option ?? process.env[env];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${env}: a non-negative number, got "${raw}"`);
  return value;
}

const MINUTES = setting(values.minutes, 'SOAK_MINUTES', 10);
const CLIENTS = Math.max(1, Math.floor(setting(values.clients, 'SOAK_CLIENTS', 8)));
const MODELS = Math.floor(setting(values.models, 'SOAK_MODELS', 200));
const LATENCY_MS = setting(values['latency-ms'], 'SOAK_LATENCY_MS', 20);
const MAX_GROWTH_MB = setting(values['max-growth-mb'], 'SOAK_MAX_GROWTH_MB', 50);
const RESPONSE_CACHE = !(values['no-response-cache'] ?? process.env.SOAK_RESPONSE_CACHE === 'off');
const SAMPLE_MS = 5_000;

/** What a portal asks, in the proportions it asks them. */
const PORTAL = [
  {
    name: 'page',
    weight: 6,
    query: `query Page($after: String) { models(first: 20, after: $after) { totalCount pageInfo { endCursor }
      nodes { key refs { kind instance } versions { version stage source { kind } } tickets { key status } repository { url } codeOwners { handle } } } }`,
  },
  {
    name: 'model',
    weight: 3,
    query: `query Model($key: ID!) { model(key: $key) { key findings { rule severity }
      versions { version stage ... on MlflowModelVersion { run { metrics { key value } commit { sha } } } ... on CloudModelVersion { approval } }
      deployments { endpointName trafficPercent } lifecycle { firstRunToProductionDays } } }`,
  },
  { name: 'findings', weight: 1, query: '{ findings(first: 50) { totalCount nodes { rule severity model { key } } } }' },
] as const;

interface Sample {
  atMs: number;
  rssMb: number;
}

/** The resident set of `pid`, in MB (`ps` reads it on Linux and macOS alike). */
function rssMb(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Least-squares slope of RSS over time, in MB per minute. */
function slopeMbPerMinute(samples: readonly Sample[]): number {
  if (samples.length < 2) return 0;
  const xs = samples.map((s) => s.atMs / 60_000);
  const ys = samples.map((s) => s.rssMb);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i] - my), 0);
  const den = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/**
 * `modelgraph serve` on `port`, once it answers /healthz. Its stderr is the warnings. When it
 * exits first, the error says why: an AddressInUseError when the port was taken meanwhile.
 */
async function startServer(port: number, configDir: string, sources: unknown) {
  const configPath = join(configDir, 'modelgraph.json');
  // A short TTL: entries expire, are served stale and refreshed many times over the run.
  writeFileSync(
    configPath,
    JSON.stringify({
      server: { port, host: '127.0.0.1', rateLimit: { requestsPerMinute: 0 } },
      cache: { ttlSeconds: 10, staleSeconds: 20, responses: { enabled: RESPONSE_CACHE } },
      sources,
      logLevel: 'warn',
    }),
  );
  const server = spawn(process.execPath, [join(__dirname, '..', '..', '..', 'bin', 'modelgraph.js'), 'serve', '--config', configPath], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const warnings: string[] = [];
  server.stderr!.on('data', (chunk: Buffer) => warnings.push(...chunk.toString().trim().split('\n')));
  const exited = once(server, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  // 'close': its stderr is read to the end, the reason it exited included.
  let closed = false;
  void once(server, 'close').then(() => (closed = true));
  for (let ready = false; !ready; ) {
    if (closed) {
      const message = `modelgraph serve exited before it was ready:\n${warnings.join('\n')}`;
      throw saysAddressInUse(warnings.join('\n')) ? new AddressInUseError(message) : new Error(message);
    }
    // Bounded: whatever else took the port may accept and never answer.
    ready = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { server, warnings, exited, url: `http://127.0.0.1:${port}/graphql` };
}

async function main(): Promise<number> {
  const sandbox = await startSandbox({ models: MODELS, faults: { latencyMs: LATENCY_MS } });
  const configDir = mkdtempSync(join(tmpdir(), 'modelgraph-soak-'));
  const { server, warnings, exited, url } = await listenOnFreePort((port) => startServer(port, configDir, sandboxConfig(sandbox).sources));

  const keys = sandbox.org.models.map((m) => m.key);
  const durations: number[] = [];
  const errors = new Map<string, number>();
  const byQuery = new Map<string, number>();
  const samples: Sample[] = [];
  const startedAt = Date.now();
  const endAt = startedAt + MINUTES * 60_000;
  const weighted = PORTAL.flatMap((q) => Array<(typeof PORTAL)[number]>(q.weight).fill(q));
  let n = 0;

  const countError = (what: string) => errors.set(what, (errors.get(what) ?? 0) + 1);

  async function client(): Promise<void> {
    let after: string | null = null;
    while (Date.now() < endAt) {
      const q = weighted[n++ % weighted.length];
      const variables = q.name === 'page' ? { after } : q.name === 'model' ? { key: keys[n % keys.length] } : {};
      const t0 = Date.now();
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q.query, variables }) });
        const body = (await res.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> };
        if (res.status !== 200) countError(`${q.name}: HTTP ${res.status}`);
        for (const e of body.errors ?? []) countError(`${q.name}: ${e.extensions?.code ?? 'UNKNOWN'}`);
        if (q.name === 'page') after = body.data?.models?.pageInfo?.endCursor ?? null;
      } catch (err) {
        countError(`${q.name}: ${(err as Error).message}`);
      }
      durations.push(Date.now() - t0);
      byQuery.set(q.name, (byQuery.get(q.name) ?? 0) + 1);
    }
  }

  const sampler = setInterval(() => {
    const sample = { atMs: Date.now() - startedAt, rssMb: rssMb(server.pid!) };
    samples.push(sample);
    process.stderr.write(`  ${(sample.atMs / 60_000).toFixed(1)} min: rss ${sample.rssMb.toFixed(0)} MB, ${durations.length} requests, ${[...errors.values()].reduce((a, b) => a + b, 0)} errors\n`);
  }, SAMPLE_MS);
  process.stderr.write(`soak: ${MINUTES} min, ${CLIENTS} clients, ${MODELS} models, ${LATENCY_MS} ms upstream latency\n`);
  await Promise.all(Array.from({ length: CLIENTS }, () => client()));
  clearInterval(sampler);
  samples.push({ atMs: Date.now() - startedAt, rssMb: rssMb(server.pid!) });

  server.kill('SIGTERM');
  const [code] = await exited;
  await sandbox.close();

  const sorted = [...durations].sort((a, b) => a - b);
  const seconds = (Date.now() - startedAt) / 1000;
  const secondHalf = samples.filter((s) => s.atMs >= (MINUTES * 60_000) / 2);
  const growthMb = secondHalf.length ? secondHalf[secondHalf.length - 1].rssMb - secondHalf[0].rssMb : 0;
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
  const rss = samples.map((s) => s.rssMb);
  const summary = {
    minutes: MINUTES,
    clients: CLIENTS,
    models: MODELS,
    requests: durations.length,
    perSecond: Math.round(durations.length / seconds),
    byQuery: Object.fromEntries(byQuery),
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 },
    errors: errorCount,
    errorsByKind: Object.fromEntries(errors),
    rssMb: {
      first: Math.round(rss[0] ?? 0),
      min: Math.round(Math.min(...rss)),
      max: Math.round(Math.max(...rss)),
      last: Math.round(rss.at(-1) ?? 0),
      secondHalfGrowth: Math.round(growthMb),
      secondHalfSlopePerMinute: Number(slopeMbPerMinute(secondHalf).toFixed(2)),
    },
    serverWarnings: warnings.length,
    serverExit: code,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  const ok = errorCount === 0 && growthMb <= MAX_GROWTH_MB && code === 0;
  process.stdout.write(
    ok
      ? `soak passed: ${durations.length} requests, no errors, RSS ${summary.rssMb.first} -> ${summary.rssMb.last} MB\n`
      : `soak FAILED: ${errorCount} errors, RSS grew ${summary.rssMb.secondHalfGrowth} MB over the second half (limit ${MAX_GROWTH_MB}), server exit ${code}\n`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
