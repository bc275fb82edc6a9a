import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceError, SourceErrorCode } from '../../../connectors/core/errors';
import type { ModelWithRequiredFacts } from '../../../subgraphs/inventory/governance/facts';
import { GovernanceIndex, type GovernanceSources } from '../../../subgraphs/inventory/governance/inventory-index';
import { DEFAULT_GOVERNANCE } from '../../../subgraphs/inventory/governance/types';
import type { LinkedModel } from '../../../subgraphs/inventory/linking';
import { openHistoryStore } from '../../../subgraphs/inventory/history/open-store';
import { HistoryRecorder, minIntervalMs } from '../../../subgraphs/inventory/history/recorder';
import type { HistoryStore } from '../../../subgraphs/inventory/history/types';

/**
 * The governance index's builds, recorded: only complete ones, at most once per interval, and
 * a model whose facts a source could not give keeps its open findings open.
 */

const HOUR = 3_600_000;
const T0 = Date.parse('2026-05-04T08:00:00Z');

const ref = (key: string) => ({ kind: 'MLFLOW' as const, instance: 'prod', nativeId: key, url: null });

/** A model nobody owns (NO_OWNER) unless `owned`; `ticketsDown`: Jira could not be read for it. */
function facts(key: string, options: { owned?: boolean; ticketsDown?: boolean } = {}): ModelWithRequiredFacts {
  return {
    key,
    mlflowVersions: [],
    cloudVersions: [],
    deployments: [],
    tickets: options.ticketsDown ? null : [],
    codeOwners: options.owned ? [{ kind: 'TEAM', handle: '@acme/risk', person: null }] : [],
  };
}

/** Sources whose answers a test changes between builds. */
function mutableSources() {
  const state = { models: new Map<string, ModelWithRequiredFacts>(), listingFails: false };
  const sources: GovernanceSources = {
    async listing() {
      if (state.listingFails) throw new SourceError({ code: SourceErrorCode.SOURCE_UNAVAILABLE, source: 'mlflow:prod', message: 'mlflow:prod is down' });
      const models: LinkedModel[] = [...state.models.keys()].map((key) => ({ key, name: key, refs: [ref(key)], linkEvidence: [] }));
      return { models, failures: [] };
    },
    reader: () => ({
      model: async (model: LinkedModel) => state.models.get(model.key)!,
      allDeployments: async () => [],
    }),
  };
  return { state, sources };
}

let dir: string;
let store: HistoryStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelgraph-recorder-'));
  store = await openHistoryStore({ path: join(dir, 'history.sqlite'), postgresSchema: 'unused' });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function indexWith(sources: GovernanceSources, recorder: HistoryRecorder, clock: { now: number }) {
  // A TTL of 0: every get() builds, as a copy past its TTL would.
  return new GovernanceIndex(sources, DEFAULT_GOVERNANCE, 0, () => clock.now, 0, undefined, { onBuilt: recorder.onBuilt });
}

describe('HistoryRecorder on the governance index', () => {
  it('records each complete build, with its time, the findings and the teams', async () => {
    const { state, sources } = mutableSources();
    state.models.set('churn', facts('churn'));
    state.models.set('fraud', facts('fraud', { owned: true }));
    const clock = { now: T0 };
    const index = indexWith(sources, new HistoryRecorder(store, { intervalMs: 0 }), clock);
    await index.get();
    const first = await store.episodes({}, { first: 10 });
    expect(first.episodes.map((e) => [e.modelKey, e.rule, e.openedAt])).toEqual([['churn', 'NO_OWNER', T0]]);
    // churn gets an owner: resolved at the next build.
    state.models.set('churn', facts('churn', { owned: true }));
    clock.now = T0 + HOUR;
    await index.get();
    const [episode] = (await store.episodes({}, { first: 10 })).episodes;
    expect(episode).toMatchObject({ modelKey: 'churn', resolvedAt: T0 + HOUR });
    const lifecycles = await store.lifecycles();
    expect(lifecycles.map((l) => [l.modelKey, l.teams])).toEqual([
      ['churn', ['@acme/risk']],
      ['fraud', ['@acme/risk']],
    ]);
  });

  it('records nothing for a failed build: an outage resolves nothing', async () => {
    const { state, sources } = mutableSources();
    state.models.set('churn', facts('churn'));
    const clock = { now: T0 };
    const index = indexWith(sources, new HistoryRecorder(store, { intervalMs: 0 }), clock);
    await index.get();
    state.listingFails = true;
    clock.now = T0 + HOUR;
    await expect(index.get()).rejects.toThrow(/down/);
    expect((await store.snapshots()).map((s) => s.takenAt)).toEqual([T0]);
    expect((await store.openSince()).size).toBe(1);
  });

  it('keeps the findings of a model whose facts were partly unavailable open', async () => {
    const { state, sources } = mutableSources();
    state.models.set('churn', facts('churn'));
    state.models.set('lead', facts('lead'));
    const clock = { now: T0 };
    const index = indexWith(sources, new HistoryRecorder(store, { intervalMs: 0 }), clock);
    await index.get();
    expect((await store.openSince()).size).toBe(2);
    // Jira could not be read for churn: NO_OWNER cannot be concluded, nor its absence. lead is fixed.
    state.models.set('churn', facts('churn', { ticketsDown: true }));
    state.models.set('lead', facts('lead', { owned: true }));
    clock.now = T0 + HOUR;
    const data = await index.get();
    expect(data.models.get('churn')!.findings).toEqual([]);
    expect(data.models.get('churn')!.unavailable).toEqual(['tickets']);
    const episodes = (await store.episodes({}, { first: 10 })).episodes;
    expect(Object.fromEntries(episodes.map((e) => [e.modelKey, e.resolvedAt]))).toEqual({ churn: null, lead: T0 + HOUR });
    // Seen again once Jira answers: still the first spell.
    state.models.set('churn', facts('churn'));
    clock.now = T0 + 2 * HOUR;
    await index.get();
    expect((await store.openSince()).get(episodes.find((e) => e.modelKey === 'churn')!.fingerprint)).toBe(T0);
  });

  it('records at most about once per interval', async () => {
    const { state, sources } = mutableSources();
    state.models.set('churn', facts('churn'));
    const clock = { now: T0 };
    const index = indexWith(sources, new HistoryRecorder(store, { intervalMs: HOUR }), clock);
    for (const minutes of [0, 20, 40, 55, 59.5, 90, 125, 150, 184.5]) {
      clock.now = T0 + minutes * 60_000;
      await index.get();
    }
    // 59.5 and 184.5 are within the slack (a tenth of the interval, at most a minute): ticks do
    // not land to the millisecond.
    expect((await store.snapshots()).map((s) => (s.takenAt - T0) / 60_000)).toEqual([0, 59.5, 125, 184.5]);
    expect(minIntervalMs(HOUR)).toBe(59 * 60_000);
    expect(minIntervalMs(5 * 60_000)).toBe(4.5 * 60_000);
    expect(minIntervalMs(0)).toBe(0);
  });

  it('reports a store that fails, and the build stands', async () => {
    const { state, sources } = mutableSources();
    state.models.set('churn', facts('churn'));
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args), info: () => undefined } as never;
    const recorder = new HistoryRecorder(store, { intervalMs: 0, logger });
    await store.close();
    const data = await indexWith(sources, recorder, { now: T0 }).get();
    expect(data.findings).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    store = await openHistoryStore({ path: join(dir, 'history.sqlite'), postgresSchema: 'unused' });
  });

  it('asks for a build every interval until the process stops, and not at all with interval 0', async () => {
    jest.useFakeTimers();
    try {
      let reads = 0;
      const read = async () => {
        reads++;
      };
      const stop = new AbortController();
      new HistoryRecorder(store, { intervalMs: HOUR }).schedule(read, stop.signal);
      jest.advanceTimersByTime(3 * HOUR + 1);
      expect(reads).toBe(3);
      stop.abort();
      jest.advanceTimersByTime(5 * HOUR);
      expect(reads).toBe(3);
      new HistoryRecorder(store, { intervalMs: 0 }).schedule(read);
      jest.advanceTimersByTime(5 * HOUR);
      expect(reads).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
