/**
 * The benchmark's harness on a tiny organisation: it runs end to end (three gateways, the
 * CLI in child processes: needs `npm run build`), its table and JSON have the rows and
 * columns the README describes, and the calls it reports are the sandboxes' own counts
 * for the same query.
 */
import { configSchema } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { SOURCE_MODULES } from '../../connectors/sources';
import { startStack } from '../../gateway/stack';
import { sandboxConfig, startSandbox } from '../../sandbox';
import { PeopleDirectory } from '../../subgraphs/common/identity';
import { benchConfig, postQuery, runBench } from './harness';
import { GATEWAYS, type BenchResult } from './results';
import { renderMarkdown } from './markdown';
import { PORTAL_PAGE_QUERY, PORTAL_PAGE_VARIABLES, WARM_LISTINGS_QUERY } from './portal-page';

const MODELS = 20;
let result: BenchResult;

beforeAll(async () => {
  result = await runBench({
    sizes: [MODELS],
    latencyMs: 1,
    processModels: MODELS,
    clients: 2,
    oneClientRequests: 2,
    manyClientsRequests: 4,
    maxSecondsPerMeasurement: 5,
    vendorRateLimits: false,
  });
}, 180_000);

it('reports the cold page calls the sandboxes themselves count for the same query', async () => {
  const sandbox = await startSandbox({ models: MODELS });
  const stack = await startStack(configSchema.parse(benchConfig(sandbox, false)), silentLogger, {
    people: PeopleDirectory.fromData(sandboxConfig(sandbox).peopleAliases),
  });
  try {
    // As the harness does: the start-up's warm-up, then the listings query.
    await stack.warmedUp;
    await postQuery(stack.graphqlUrl, WARM_LISTINGS_QUERY);
    for (const server of sandbox.all()) server.stats.reset();
    await postQuery(stack.graphqlUrl, PORTAL_PAGE_QUERY, PORTAL_PAGE_VARIABLES);
    // Every source the registry knows, named as the tables name them (`<config key>:<instance>`).
    const own = Object.fromEntries(
      SOURCE_MODULES.flatMap((m) => Object.entries(sandbox[m.configKey]).map(([name, server]) => [`${m.configKey}:${name}`, server.stats.total])),
    );
    const [page] = result.pages;
    expect(page.cold.errors).toEqual([]);
    expect(page.cold.calls.bySource).toEqual(own);
    expect(page.cold.calls.total).toBe(Object.values(own).reduce((a, b) => a + b, 0));
    expect(page.cold.calls.total).toBeGreaterThan(0);
  } finally {
    await stack.close();
    await sandbox.close();
  }
}, 60_000);

it('measures every gateway warm, with the same answer and no upstream calls', () => {
  const [page] = result.pages;
  expect(page.models).toBe(MODELS);
  expect(page.cold.boundMs).toBe(4);
  for (const gateway of GATEWAYS) {
    expect(page.warm[gateway].oneClient).toMatchObject({ clients: 1, requests: 2, upstreamCalls: 0, errors: 0 });
    expect(page.warm[gateway].manyClients).toMatchObject({ clients: 2, requests: 4, upstreamCalls: 0, errors: 0 });
    expect(page.warm[gateway].manyClients.rps).toBeGreaterThan(0);
  }
  expect(page.sameAnswer).toEqual({ apollo: true, hive: true });
  expect(page.primeErrors).toEqual({});
});

it('runs reconcile and the report in child processes, with their peak RSS and calls', () => {
  const p = result.processes!;
  expect(p.models).toBe(MODELS);
  expect([p.reconcile.cold.failed, p.reconcile.warm.failed, p.report.failed]).toEqual([undefined, undefined, undefined]);
  expect(p.reconcile.cold.calls.total).toBeGreaterThan(0);
  expect(p.reconcile.findings).toBeGreaterThan(0);
  expect(p.report.rows).toBeGreaterThanOrEqual(MODELS);
  for (const rss of [p.reconcile.serverPeakRssBytes, p.reconcile.clientPeakRssBytes, p.report.serverPeakRssBytes, p.report.clientPeakRssBytes]) {
    // A node process: tens of MiB at least, and well under the machine.
    expect(rss).toBeGreaterThan(20 * 1024 * 1024);
  }
  expect(p.reconcile.cold.startupMs).toBeLessThan(p.reconcile.cold.ms);
  // Every source called was checked against its vendor's limit.
  const called = Object.entries(p.reconcile.cold.calls.bySource).filter(([, n]) => n > 0).map(([source]) => source);
  const checked = new Set(p.reconcile.cold.limits.map((l) => l.unit.split(' ')[0]));
  expect([...checked].sort()).toEqual(called.sort());
});

it('prints the tables and every target of #11', () => {
  const text = renderMarkdown(result);
  expect(text).toContain('| models | upstream calls | per source | cold | critical path | listing warm-up |');
  expect(text).toMatch(/\| 20 \| bare @apollo\/gateway \| .+ \| \d+(\.\d+)?x \|/);
  expect(text).toContain('| reconcile, cold |');
  expect(text).toContain('| inventory report, cold |');
  const ids = result.targets.map((t) => t.id);
  expect(ids.filter((id) => id === '1')).toHaveLength(1);
  expect(ids.filter((id) => id === '2')).toHaveLength(1);
  expect(ids.filter((id) => id === '4')).toHaveLength(4);
  expect(ids.filter((id) => id === '5')).toHaveLength(7);
  for (const t of result.targets) expect(text).toContain(t.what);
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
});
