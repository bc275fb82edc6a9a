import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoOrgOnDay, HISTORY_DEMO_DAYS, recordHistoryDemo } from '../../cli/history-demo';
import { openHistoryStore } from '../../subgraphs/inventory/history/open-store';
import type { HistoryStore } from '../../subgraphs/inventory/history/types';

/**
 * The demo week (`npm start -- --history-demo`): seven daily snapshots of the demo org as it
 * changes, on an injected clock, recorded into a real SQLite file. The findings the week's
 * events fix resolve on their day, and the one that comes back opens a second spell.
 */

const NOW = Date.parse('2026-06-15T12:00:00Z');
const DAY = 86_400_000;
let dir: string;
let store: HistoryStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelgraph-history-demo-'));
  store = await openHistoryStore({ path: join(dir, 'history.sqlite'), postgresSchema: 'unused' });
}, 30_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('recordHistoryDemo', () => {
  it('records a snapshot a day for a week before now, and the week\'s events open and resolve findings', async () => {
    const { days, org } = await recordHistoryDemo({ store, models: 14, now: NOW });
    expect(org.models).toHaveLength(15);
    expect(days).toHaveLength(HISTORY_DEMO_DAYS);
    expect(days.map((d) => d.takenAt.getTime())).toEqual(Array.from({ length: 7 }, (_, i) => NOW - (7 - i) * DAY));
    expect(days.every((d) => d.result.recorded)).toBe(true);
    const snapshots = await store.snapshots();
    expect(snapshots.map((s) => s.origin)).toEqual(Array(7).fill('demo'));

    const episodes = (await store.episodes({}, { first: 500 })).episodes;
    const spells = (model: string, rule: string) =>
      episodes
        .filter((e) => e.modelKey === model && e.rule === rule)
        .map((e) => [(e.openedAt - (NOW - 7 * DAY)) / DAY, e.resolvedAt === null ? null : (e.resolvedAt - (NOW - 7 * DAY)) / DAY])
        .sort((a, b) => a[0]! - b[0]!);
    expect(spells('lead-scorer', 'NO_OWNER')).toEqual([[0, 1]]);
    // One finding per unapproved serving version (two clouds serve it); the approval closes both.
    const unapproved = spells('credit-risk-scorer', 'PRODUCTION_WITHOUT_APPROVAL');
    expect(unapproved.length).toBeGreaterThan(0);
    expect(unapproved).toEqual(unapproved.map(() => [0, 2]));
    // Untraceable, fixed on day 4, and back on day 6: two spells.
    expect(spells('address-normalizer', 'UNTRACEABLE_VERSION')).toEqual([
      [0, 4],
      [6, null],
    ]);
    // The model added on day 3, in Production from an untracked notebook, unapproved.
    const added = demoOrgOnDay(3, { models: 14 }).models[14]!.key;
    expect(demoOrgOnDay(2, { models: 14 }).models.map((m) => m.key)).not.toContain(added);
    expect(spells(added, 'UNTRACEABLE_VERSION')).toEqual([[3, null]]);
    expect(spells(added, 'PRODUCTION_WITHOUT_APPROVAL')).toEqual([[3, null]]);
    // What nothing fixed stays open all week, seen every day.
    const stayed = episodes.filter((e) => e.openedAt === NOW - 7 * DAY && e.resolvedAt === null);
    expect(stayed.length).toBeGreaterThan(0);
    expect(stayed.every((e) => e.lastSeenAt === NOW - DAY)).toBe(true);
    expect(days.map((d) => d.result.opened - d.result.resolved).reduce((a, b) => a + b, 0)).toBe(episodes.filter((e) => e.resolvedAt === null).length);
  }, 120_000);
});
