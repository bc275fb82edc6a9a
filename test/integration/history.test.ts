import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { runReconcile } from '../../cli/reconcile';
import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { openHistoryStore } from '../../subgraphs/inventory/history/open-store';
import { captureStream } from '../cli/report/streams';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';

/**
 * The governance history through the gateway, over the demo sandbox, with each store on a
 * real server: SQLite in a temporary directory, PostgreSQL at 127.0.0.1:5432 in a schema of
 * its own. The index build a query causes is recorded, and the history, the trends and
 * `Finding.firstSeenAt` answer from it; `reconcile --record` adds a snapshot of its own.
 */

const PG_URL = process.env.MODELGRAPH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let sandbox: Sandbox;
let dir: string;
const schema = `history_it_${process.pid}_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  sandbox = await startSandbox({ models: 12 });
  dir = mkdtempSync(join(tmpdir(), 'modelgraph-history-it-'));
}, 30_000);

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

const backends = [
  { name: 'sqlite', history: () => ({ enabled: true, path: join(dir, 'history.sqlite') }) },
  { name: 'postgres', history: () => ({ enabled: true, postgresUrl: PG_URL, postgresSchema: schema }) },
];

describe.each(backends)('history in $name, through the graph', (backend) => {
  let stack: Stack;
  const started = Date.now();

  beforeAll(async () => {
    stack = await startDemoGraph(sandbox, { history: backend.history() });
  }, 30_000);

  afterAll(async () => {
    await stack?.close();
  });

  async function graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const body = await postGraphql(stack.graphqlUrl, query, variables);
    expect(body.errors).toBeUndefined();
    return body.data as T;
  }

  it('records the build a query causes: each finding is first seen then, and open', async () => {
    const { findings } = await graphql<{ findings: { totalCount: number; nodes: Array<{ fingerprint: string; firstSeenAt: string; resolvedAt: null }> } }>(
      '{ findings(first: 500, includeWaived: true) { totalCount nodes { fingerprint firstSeenAt resolvedAt } } }',
    );
    expect(findings.totalCount).toBeGreaterThan(3);
    const seen = new Set(findings.nodes.map((f) => f.firstSeenAt));
    expect(seen.size).toBe(1);
    const at = Date.parse([...seen][0]!);
    expect(at).toBeGreaterThanOrEqual(started);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(findings.nodes.every((f) => f.resolvedAt === null)).toBe(true);

    const { findingHistory } = await graphql<{ findingHistory: { totalCount: number; nodes: Array<{ fingerprint: string; open: boolean; model: { key: string } | null; modelKey: string | null }> } }>(
      '{ findingHistory(first: 500) { totalCount nodes { fingerprint open modelKey model { key } } } }',
    );
    expect(findingHistory.totalCount).toBe(findings.totalCount);
    expect(new Set(findingHistory.nodes.map((e) => e.fingerprint))).toEqual(new Set(findings.nodes.map((f) => f.fingerprint)));
    expect(findingHistory.nodes.every((e) => e.open && e.model?.key === (e.modelKey ?? undefined))).toBe(true);
  });

  it('answers the trends: opened this week by severity, and models reaching production per month', async () => {
    const { findingTrends, findings } = await graphql<{
      findingTrends: Array<{ group: string; opened: number; resolved: number; openAtEnd: number }>;
      findings: { nodes: Array<{ severity: string }> };
    }>('{ findingTrends(period: WEEK, groupBy: SEVERITY) { group opened resolved openAtEnd } findings(first: 500, includeWaived: true) { nodes { severity } } }');
    const bySeverity: Record<string, number> = {};
    for (const f of findings.nodes) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    expect(Object.fromEntries(findingTrends.map((t) => [t.group, t.opened]))).toEqual(bySeverity);
    const { productionTrends } = await graphql<{ productionTrends: Array<{ models: number; medianDaysToProduction: number | null }> }>(
      '{ productionTrends(period: MONTH) { models medianDaysToProduction } }',
    );
    expect(productionTrends.reduce((n, t) => n + t.models, 0)).toBeGreaterThan(3);
  });

  it('reconcile --record adds a snapshot of its own, opening nothing the index already recorded', async () => {
    const out = captureStream();
    const err = captureStream();
    // runReconcile closes the store it opens.
    const openHistory = () => openHistoryStore({ path: join(dir, 'history.sqlite'), postgresSchema: schema, ...backend.history() });
    const code = await runReconcile(
      { failOn: 'HIGH', format: 'json', rules: [], endpoint: stack.graphqlUrl, record: true },
      { stdout: out, stderr: err, openHistory, now: () => Date.now() + 1000 },
    );
    expect(code).toBe(1);
    expect(err.text()).toMatch(/recorded in (sqlite|postgres):.*: 0 opened, 0 resolved/);
    expect(JSON.parse(out.text()).findings.length).toBeGreaterThan(0);
    const again = await openHistoryStore({ path: join(dir, 'history.sqlite'), postgresSchema: schema, ...backend.history() });
    try {
      expect((await again.snapshots()).map((s) => s.origin)).toEqual(['index', 'reconcile']);
    } finally {
      await again.close();
    }
  });
});

describe('with history off', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startDemoGraph(sandbox);
  }, 30_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('findingHistory and findingTrends say history is off; productionTrends reads the index', async () => {
    const history = await postGraphql(stack.graphqlUrl, '{ findingHistory { totalCount } }');
    expect(history.errors?.[0]?.extensions?.code).toBe('HISTORY_DISABLED');
    expect(history.errors?.[0]?.message).toMatch(/history\.enabled/);
    const trends = await postGraphql(stack.graphqlUrl, '{ findingTrends { group } }');
    expect(trends.errors?.[0]?.extensions?.code).toBe('HISTORY_DISABLED');
    const production = await postGraphql(stack.graphqlUrl, '{ productionTrends(period: MONTH) { models } findings(first: 1) { nodes { firstSeenAt } } }');
    expect(production.errors).toBeUndefined();
    expect(production.data.productionTrends.reduce((n: number, t: { models: number }) => n + t.models, 0)).toBeGreaterThan(3);
    expect(production.data.findings.nodes[0].firstSeenAt).toBeNull();
  });
});
