import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openHistoryStore } from '../../../subgraphs/inventory/history/open-store';

/**
 * Two processes on one SQLite file at once, as two `serve` replicas sharing a volume would
 * be: each migrates the fresh file and records the same build. SQLite serialises their
 * IMMEDIATE transactions, so the schema is made once, one snapshot is kept (the other is
 * within the interval), and every finding has one open episode. The processes run the
 * built code (`npm test` builds first).
 */

const OPEN_STORE = join(__dirname, '..', '..', '..', 'dist', 'subgraphs', 'inventory', 'history', 'open-store.js');
const run = promisify(execFile);

const SCRIPT = `
const { openHistoryStore } = require(process.env.OPEN_STORE);
(async () => {
  const store = await openHistoryStore({ path: process.env.DB, postgresSchema: 'unused' });
  // Both start recording at the same instant, as far as two processes can.
  while (Date.now() < Number(process.env.START_AT)) {}
  const findings = Array.from({ length: 200 }, (_, i) => ({
    fingerprint: 'fp-' + i, rule: 'NO_OWNER', severity: 'MEDIUM', message: 'm', modelKey: 'm' + (i % 7), teams: [], waived: false,
  }));
  const result = await store.record({ takenAt: new Date(Number(process.env.TAKEN_AT)), origin: 'index', findings, unevaluatedModels: [], lifecycles: null, minIntervalMs: 60000 });
  await store.close();
  process.stdout.write(JSON.stringify(result));
})().catch((err) => { console.error(err); process.exit(1); });
`;

describe('SQLite history shared by two processes', () => {
  let dir: string;
  beforeAll(() => {
    // `npm test` builds first; a bare `jest` without a build fails here, saying so, rather than skipping.
    if (!existsSync(OPEN_STORE)) throw new Error(`${OPEN_STORE} is missing: run \`npm run build\` (npm test does) first`);
    dir = mkdtempSync(join(tmpdir(), 'modelgraph-history-procs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates once and records the same build once, each finding opened once', async () => {
    const db = join(dir, 'history.sqlite');
    const env = { ...process.env, OPEN_STORE, DB: db, START_AT: String(Date.now() + 1500), TAKEN_AT: String(Date.parse('2026-04-01T00:00:00Z')) };
    const results = await Promise.all([0, 1].map(() => run(process.execPath, ['-e', SCRIPT], { env })));
    const outcomes = results.map((r) => JSON.parse(r.stdout) as { recorded: boolean; opened: number });
    expect(outcomes.map((o) => o.recorded).sort()).toEqual([false, true]);
    expect(outcomes.find((o) => o.recorded)!.opened).toBe(200);
    const store = await openHistoryStore({ path: db, postgresSchema: 'unused' });
    try {
      expect(await store.migrate()).toEqual([]);
      expect(await store.snapshots()).toHaveLength(1);
      const page = await store.episodes({}, { first: 500 });
      expect(page.totalCount).toBe(200);
      expect(new Set(page.episodes.map((e) => e.fingerprint)).size).toBe(200);
    } finally {
      await store.close();
    }
  }, 30_000);
});
