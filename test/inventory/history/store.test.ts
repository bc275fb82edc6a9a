import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openHistoryStore } from '../../../subgraphs/inventory/history/open-store';
import { findingTrends } from '../../../subgraphs/inventory/history/trends';
import type { HistoryStore, RecordedFinding, SnapshotInput } from '../../../subgraphs/inventory/history/types';

/**
 * The history stores against real databases: SQLite in a temporary directory and the
 * PostgreSQL server at 127.0.0.1:5432 (a schema of its own per run, dropped after). Both
 * run the same cases: the two must mean the same thing.
 */

const PG_URL = process.env.MODELGRAPH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DAY = 86_400_000;
/** The injected clock: three daily snapshots from here. */
const T0 = Date.parse('2026-03-02T06:00:00Z');

interface Backend {
  name: string;
  open(): Promise<HistoryStore>;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  let dir: string | undefined;
  let n = 0;
  return {
    name: 'sqlite',
    async open() {
      dir ??= mkdtempSync(join(tmpdir(), 'modelgraph-history-'));
      return openHistoryStore({ path: join(dir, `history-${n}.sqlite`), postgresSchema: 'unused' });
    },
    async cleanup() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      n++;
    },
  };
}

function postgresBackend(): Backend {
  let schema = '';
  const fresh = () => (schema = `history_test_${process.pid}_${randomBytes(4).toString('hex')}`);
  fresh();
  return {
    name: 'postgres',
    open: () => openHistoryStore({ path: 'unused', postgresUrl: PG_URL, postgresSchema: schema }),
    async cleanup() {
      const client = new Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
      fresh();
    },
  };
}

function f(fingerprint: string, modelKey: string | null, over: Partial<RecordedFinding> = {}): RecordedFinding {
  return {
    fingerprint,
    rule: 'NO_OWNER',
    severity: 'MEDIUM',
    message: `${fingerprint} on ${modelKey}`,
    modelKey,
    teams: modelKey ? [`@acme/${modelKey}-team`] : [],
    waived: false,
    ...over,
  };
}

function snapshot(at: number, findings: RecordedFinding[], over: Partial<SnapshotInput> = {}): SnapshotInput {
  return { takenAt: new Date(at), origin: 'index', findings, unevaluatedModels: [], lifecycles: null, ...over };
}

describe.each([sqliteBackend(), postgresBackend()])('$name history store', (backend) => {
  const opened: HistoryStore[] = [];
  const open = async () => {
    const store = await backend.open();
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await backend.cleanup();
  });

  it('migrates once: a second start, or two at once, applies nothing more', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    expect(await a.migrate()).toEqual([]);
    expect(await b.migrate()).toEqual([]);
    const c = await open();
    expect(await c.migrate()).toEqual([]);
    // The tables are there and usable from every connection.
    await a.record(snapshot(T0, [f('a', 'm1')]));
    expect((await c.openSince()).get('a')).toBe(T0);
  });

  it('records first-seen, resolution and reappearance over three snapshots', async () => {
    const store = await open();
    const HIGH = { rule: 'FAILED_DEPLOYMENT', severity: 'HIGH' } as const;
    // Day 0: three findings; the deployment-only one has no model.
    const day0 = await store.record(snapshot(T0, [f('a', 'm1'), f('b', 'm1', HIGH), f('c', 'm2'), f('orphan', null, { rule: 'DEPLOYED_NOT_REGISTERED', severity: 'HIGH' })]));
    expect(day0).toMatchObject({ recorded: true, opened: 4, resolved: 0, open: 4 });
    // Day 1: b fixed, d new; c's model could not be evaluated, and its finding is not seen: it stays open.
    const day1 = await store.record(snapshot(T0 + DAY, [f('a', 'm1'), f('d', 'm3'), f('orphan', null)], { unevaluatedModels: ['m2'] }));
    expect(day1).toMatchObject({ recorded: true, opened: 1, resolved: 1, open: 4 });
    // Day 2: b is back (a new spell), the orphan deployment is gone, m2 evaluated without c.
    const day2 = await store.record(snapshot(T0 + 2 * DAY, [f('a', 'm1', { severity: 'HIGH', message: 'worse' }), f('b', 'm1', HIGH), f('d', 'm3')]));
    expect(day2).toMatchObject({ recorded: true, opened: 1, resolved: 2, open: 3 });

    const openSince = await store.openSince();
    expect(Object.fromEntries(openSince)).toEqual({ a: T0, b: T0 + 2 * DAY, d: T0 + DAY });

    const all = await store.episodes({}, { first: 100 });
    expect(all.totalCount).toBe(6);
    const spells = all.episodes.map((e) => [e.fingerprint, e.openedAt - T0, e.resolvedAt === null ? null : e.resolvedAt - T0, e.lastSeenAt - T0]);
    // Newest first.
    expect(spells).toEqual([
      ['b', 2 * DAY, null, 2 * DAY],
      ['d', DAY, null, 2 * DAY],
      ['orphan', 0, 2 * DAY, DAY],
      ['c', 0, 2 * DAY, 0],
      ['b', 0, DAY, 0],
      ['a', 0, null, 2 * DAY],
    ]);
    // The latest sighting's severity and wording.
    expect(all.episodes.find((e) => e.fingerprint === 'a')).toMatchObject({ severity: 'HIGH', message: 'worse', teams: ['@acme/m1-team'] });

    const snapshots = await store.snapshots();
    expect(snapshots.map((s) => [s.takenAt - T0, s.findings, s.opened, s.resolved])).toEqual([
      [0, 4, 4, 0],
      [DAY, 3, 1, 1],
      [2 * DAY, 3, 1, 2],
    ]);

    // Trends over the three days, by rule: what opened and resolved each day, and how long it took.
    const trends = findingTrends(await store.episodesBetween(null, null), { period: 'DAY', groupBy: 'RULE', since: T0, until: Date.UTC(2026, 2, 5) });
    const day = (i: number) => Date.UTC(2026, 2, 2 + i);
    expect(trends).toEqual([
      { periodStart: day(0), group: 'DEPLOYED_NOT_REGISTERED', opened: 1, resolved: 0, openAtEnd: 1, medianDaysToResolve: null },
      { periodStart: day(0), group: 'FAILED_DEPLOYMENT', opened: 1, resolved: 0, openAtEnd: 1, medianDaysToResolve: null },
      { periodStart: day(0), group: 'NO_OWNER', opened: 2, resolved: 0, openAtEnd: 2, medianDaysToResolve: null },
      { periodStart: day(1), group: 'DEPLOYED_NOT_REGISTERED', opened: 0, resolved: 0, openAtEnd: 1, medianDaysToResolve: null },
      { periodStart: day(1), group: 'FAILED_DEPLOYMENT', opened: 0, resolved: 1, openAtEnd: 0, medianDaysToResolve: 1 },
      { periodStart: day(1), group: 'NO_OWNER', opened: 1, resolved: 0, openAtEnd: 3, medianDaysToResolve: null },
      { periodStart: day(2), group: 'DEPLOYED_NOT_REGISTERED', opened: 0, resolved: 1, openAtEnd: 0, medianDaysToResolve: 2 },
      { periodStart: day(2), group: 'FAILED_DEPLOYMENT', opened: 1, resolved: 0, openAtEnd: 1, medianDaysToResolve: null },
      { periodStart: day(2), group: 'NO_OWNER', opened: 0, resolved: 1, openAtEnd: 2, medianDaysToResolve: 2 },
    ]);
  });

  it('filters and pages the episodes with cursors', async () => {
    const store = await open();
    await store.record(snapshot(T0, [f('a', 'm1'), f('b', 'm2', { severity: 'HIGH' }), f('c', 'm1', { severity: 'LOW' })]));
    await store.record(snapshot(T0 + DAY, [f('a', 'm1'), f('e', 'm2')]));
    expect((await store.episodes({ team: '@ACME/m1-team' }, { first: 10 })).episodes.map((e) => e.fingerprint)).toEqual(['c', 'a']);
    expect((await store.episodes({ severity: 'MEDIUM' }, { first: 10 })).episodes.map((e) => e.fingerprint)).toEqual(['e', 'b', 'a']);
    expect((await store.episodes({ state: 'RESOLVED' }, { first: 10 })).episodes.map((e) => e.fingerprint)).toEqual(['c', 'b']);
    expect((await store.episodes({ model: 'm2', state: 'OPEN' }, { first: 10 })).episodes.map((e) => e.fingerprint)).toEqual(['e']);
    // Open at some time after the resolutions: only those still open.
    expect((await store.episodes({ since: T0 + DAY + 1 }, { first: 10 })).episodes.map((e) => e.fingerprint)).toEqual(['e', 'a']);
    expect((await store.episodes({ until: T0 + 1 }, { first: 10 })).totalCount).toBe(3);
    const seen: string[] = [];
    let after: { openedAt: number; id: number } | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await store.episodes({}, { first: 2, after });
      expect(page.totalCount).toBe(4);
      seen.push(...page.episodes.map((e) => e.fingerprint));
      if (!page.hasNextPage) break;
      const last = page.episodes[page.episodes.length - 1]!;
      after = { openedAt: last.openedAt, id: last.id };
    }
    expect(seen).toEqual(['e', 'c', 'b', 'a']);
  });

  it('records nothing for a snapshot older than the latest, or sooner than the interval', async () => {
    const store = await open();
    await store.record(snapshot(T0, [f('a', 'm1')]));
    expect(await store.record(snapshot(T0 - 1000, []))).toMatchObject({ recorded: false });
    expect(await store.record(snapshot(T0 + 59_000, [], { minIntervalMs: 60_000 }))).toMatchObject({ recorded: false });
    // Another origin has its own interval.
    expect(await store.record(snapshot(T0 + 59_000, [f('a', 'm1')], { origin: 'reconcile', minIntervalMs: 60_000 }))).toMatchObject({ recorded: true });
    expect(await store.record(snapshot(T0 + 61_000, [], { minIntervalMs: 60_000 }))).toMatchObject({ recorded: true, resolved: 1 });
    expect((await store.snapshots()).map((s) => s.origin)).toEqual(['index', 'reconcile', 'index']);
  });

  it('two recorders of the same build open each finding once, and only one records within the interval', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const findings = Array.from({ length: 50 }, (_, i) => f(`fp-${i}`, `m${i % 5}`));
    const results = await Promise.all([
      a.record(snapshot(T0, findings, { minIntervalMs: 60_000 })),
      b.record(snapshot(T0, findings, { minIntervalMs: 60_000 })),
    ]);
    expect(results.map((r) => r.recorded).sort()).toEqual([false, true]);
    // Without an interval both record; the second finds every finding open already.
    const again = await Promise.all([a.record(snapshot(T0 + DAY, findings)), b.record(snapshot(T0 + DAY, findings))]);
    expect(again.map((r) => r.opened)).toEqual([0, 0]);
    const episodes = await a.episodes({}, { first: 500 });
    expect(episodes.totalCount).toBe(50);
    expect(new Set(episodes.episodes.map((e) => e.fingerprint)).size).toBe(50);
  });

  it('keeps each model\'s latest lifecycle', async () => {
    const store = await open();
    const lifecycle = (key: string, firstProductionAt: string | null) => ({
      modelKey: key,
      teams: ['@acme/risk'],
      firstRunAt: '2026-01-01T00:00:00Z',
      registeredAt: '2026-01-02T00:00:00Z',
      approvedAt: null,
      firstProductionAt,
      firstRunToProductionDays: firstProductionAt ? 10.5 : null,
    });
    await store.record(snapshot(T0, [], { lifecycles: [lifecycle('m1', null), lifecycle('m2', '2026-01-11T12:00:00Z')] }));
    await store.record(snapshot(T0 + DAY, [], { lifecycles: [lifecycle('m1', '2026-03-02T00:00:00Z')] }));
    const stored = await store.lifecycles();
    expect(stored.map((l) => [l.modelKey, l.firstProductionAt, l.firstRunToProductionDays, l.lastSeenAt - T0])).toEqual([
      ['m1', '2026-03-02T00:00:00Z', 10.5, DAY],
      ['m2', '2026-01-11T12:00:00Z', 10.5, 0],
    ]);
  });
});
