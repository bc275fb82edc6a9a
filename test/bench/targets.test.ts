/** #11's page targets hold at their limits and are missed just past them. */
import type { Latency, PageResult } from './results';
import { evaluateTargets } from './targets';
import type { CallCounts } from './upstream-calls';

const calls = (total: number): CallCounts => ({ total, bySource: { 'github:cloud': total }, byOperation: {}, throttled: 0 });
const latency = (p50Ms: number, p99Ms: number, rps: number, clients = 1): Latency => ({ clients, requests: 100, p50Ms, p99Ms, rps, upstreamCalls: 0, errors: 0 });

function page(overrides: { calls?: number; coldMs?: number; p50?: number; rps?: number; apolloRps?: number } = {}): PageResult {
  return {
    models: 1000,
    sandboxSetupMs: 1,
    warmUp: { ms: 1, calls: calls(5) },
    cold: { ms: overrides.coldMs ?? 150, boundMs: 100, calls: calls(overrides.calls ?? 60), errors: [] },
    warm: {
      modelgraph: { oneClient: latency(overrides.p50 ?? 5, 20, 200), manyClients: latency(10, 40, overrides.rps ?? 300, 16) },
      apollo: { oneClient: latency(60, 90, 15), manyClients: latency(500, 900, overrides.apolloRps ?? 30, 16) },
      hive: { oneClient: latency(60, 90, 15), manyClients: latency(500, 900, 30, 16) },
    },
    sameAnswer: { apollo: true, hive: true },
    primeErrors: {},
  };
}

const missed = (p: PageResult) => evaluateTargets({ pages: [p] }).filter((t) => !t.ok).map((t) => t.what);

it('meets every page target at their limits', () => {
  expect(missed(page({ calls: 60, coldMs: 200, p50: 10, rps: 300, apolloRps: 30 }))).toEqual([]);
});

it('misses each page target just past its limit', () => {
  expect(missed(page({ calls: 61 }))).toEqual(['portal page cold, listings warm, upstream calls (1,000 models)']);
  expect(missed(page({ coldMs: 201 }))).toEqual(['portal page cold latency (1,000 models)']);
  expect(missed(page({ p50: 10.1 }))).toEqual(['warm page p50, one client (1,000 models)']);
  expect(missed(page({ rps: 299 }))).toEqual(['warm page RPS, 16 clients, vs bare Apollo Gateway (1,000 models)']);
});
