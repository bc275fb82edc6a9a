/**
 * `npm run bench [-- options]`: issue #11's benchmark. Prints markdown tables to stdout
 * (progress to stderr), writes the whole result as JSON, and exits 1 when a target is
 * missed, so the numbers cannot silently rot (2 when the run itself failed).
 *
 * Options (or environment):
 *   --quick                 sizes 100 and 1,000, fewer requests, reconcile/report at 1,000 (~2 min)
 *   --sizes 100,1000,10000  (BENCH_SIZES) organisation sizes for the portal page
 *   --process-models N      (BENCH_PROCESS_MODELS) size for reconcile and the report; 0 skips them
 *   --latency-ms 25         (BENCH_LATENCY_MS) injected before every sandbox answer
 *   --clients 16            (BENCH_CLIENTS) the concurrent clients of the warm measurement
 *   --requests N            (BENCH_REQUESTS) warm requests per measurement with many clients (a third with one)
 *   --vendor-rate-limits    each source's client-side limiter at its vendor's default, as deployed
 *                           (default off: the calls' own rates are what is held to the vendors' limits)
 *   --out FILE              (BENCH_OUT) the JSON, default bench-results.json
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench } from './harness';
import { renderMarkdown } from './markdown';
import type { BenchOptions } from './results';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    'process-models': { type: 'string' },
    'latency-ms': { type: 'string' },
    clients: { type: 'string' },
    requests: { type: 'string' },
    'vendor-rate-limits': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

function setting(option: string | undefined, env: string, fallback: number): number {
  const raw = option ?? process.env[env];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${env}: a whole number >= 0, got "${raw}"`);
  return value;
}

function options(): BenchOptions {
  const quick = values.quick;
  const rawSizes = values.sizes ?? process.env.BENCH_SIZES;
  const sizes = rawSizes ? rawSizes.split(',').map((s) => setting(s.trim(), 'BENCH_SIZES', 0)) : quick ? [100, 1_000] : [100, 1_000, 10_000];
  if (sizes.length === 0 || sizes.some((n) => n < 1)) throw new Error('--sizes: one or more sizes of at least 1 model');
  const processModels = setting(values['process-models'], 'BENCH_PROCESS_MODELS', quick ? 1_000 : 10_000);
  const requests = setting(values.requests, 'BENCH_REQUESTS', quick ? 300 : 1_000);
  return {
    sizes,
    latencyMs: setting(values['latency-ms'], 'BENCH_LATENCY_MS', 25),
    processModels: processModels === 0 ? undefined : processModels,
    clients: Math.max(1, setting(values.clients, 'BENCH_CLIENTS', 16)),
    oneClientRequests: Math.max(1, Math.round(requests / 3)),
    manyClientsRequests: Math.max(1, requests),
    // The bare gateways manage tens of pages a second: a cap keeps them from setting the run's length.
    maxSecondsPerMeasurement: quick ? 3 : 15,
    vendorRateLimits: values['vendor-rate-limits'] ?? false,
    log: (line) => process.stderr.write(`bench: ${line}\n`),
  };
}

async function main(): Promise<number> {
  const out = resolve(values.out ?? process.env.BENCH_OUT ?? 'bench-results.json');
  const result = await runBench(options());
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(renderMarkdown(result));
  process.stderr.write(`bench: the whole result is in ${out}\n`);
  return result.targets.every((t) => t.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
