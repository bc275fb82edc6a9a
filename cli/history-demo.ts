/**
 * `modelgraph start --history-demo`: a week of governance history before the demo serves.
 * Seven daily snapshots on an injected clock (the seven days before now), each of the demo
 * organisation as it stood that day: sandbox upstreams started on that day's data, the
 * governance index built over them by the same code `serve` runs, and the build recorded.
 * Between days, things happen that a governance team would see happen: an owner is named,
 * an approval ticket is closed, a model is added, a version's code becomes traceable and
 * then untraceable again.
 */
import { configSchema } from '../config/schema';
import { silentLogger } from '../connectors/core/logger';
import { createRuntime, factSources, listingSources } from '../gateway/stack';
import { generateDemoOrg, type DemoOrg } from '../sandbox/demo-org';
import { sandboxConfig, startSandbox } from '../sandbox';
import { PeopleDirectory } from '../subgraphs/common/identity';
import { GovernanceIndex } from '../subgraphs/inventory/governance/inventory-index';
import { FactReader } from '../subgraphs/inventory/governance/source-facts';
import { snapshotOf } from '../subgraphs/inventory/history/recorder';
import type { HistoryStore, SnapshotResult } from '../subgraphs/inventory/history/types';
import { createModelLister } from '../subgraphs/inventory/model-listing';

const DAY_MS = 86_400_000;
export const HISTORY_DEMO_DAYS = 7;

/** What happens on each day of the demo week, cumulatively: day `d`'s org has every change of days 1..d. */
export const HISTORY_DEMO_EVENTS: ReadonlyArray<{ day: number; what: string; apply(org: DemoOrg): void }> = [
  {
    day: 1,
    what: 'lead-scorer gets an owner',
    apply: (org) => {
      const model = org.models.find((m) => m.key === 'lead-scorer');
      const owner = org.people.find((p) => p.team === model?.team && p.active);
      if (model && owner) model.ownerId = owner.id;
    },
  },
  {
    day: 2,
    what: "credit-risk-scorer's production version is approved",
    apply: (org) => {
      for (const v of org.models.find((m) => m.key === 'credit-risk-scorer')?.registrations.flatMap((r) => r.versions) ?? []) {
        if (v.stage === 'Production') v.tags.validation_status = 'approved';
      }
    },
  },
  {
    day: 4,
    what: "address-normalizer's runs record their git commit",
    apply: (org) => traceable(org, 'address-normalizer', true),
  },
  {
    day: 6,
    what: 'address-normalizer is retrained from an untracked notebook again',
    apply: (org) => traceable(org, 'address-normalizer', false),
  },
];

/**
 * Day 3 adds a model, trained from an untracked notebook and put in Production with its
 * approval still pending: the org grows by one (the generator's next model; the others stay
 * as they were).
 */
const MODEL_ADDED_ON_DAY = 3;

function addedInHaste(org: DemoOrg): void {
  const model = org.models[org.models.length - 1]!;
  traceable(org, model.key, false);
  const versions = model.registrations.flatMap((r) => r.versions);
  const newest = versions.reduce((a, b) => (b.creationTime > a.creationTime ? b : a), versions[0]!);
  newest.stage = 'Production';
  newest.tags.validation_status = 'pending';
}

function traceable(org: DemoOrg, key: string, on: boolean): void {
  const model = org.models.find((m) => m.key === key);
  if (!model) return;
  for (const run of model.experiments.flatMap((e) => e.runs)) {
    if (on) {
      const host = model.repository.host === 'github' ? 'github.com' : 'gitlab.com';
      run.git = { repoUrl: `https://${host}/${model.repository.fullName}.git`, commit: 'a1b2c3d4'.repeat(5), branch: model.repository.defaultBranch };
    } else delete run.git;
  }
}

/** The demo organisation as it stands on `day` (0..6) of the week. */
export function demoOrgOnDay(day: number, options: { models: number; seed?: number }): DemoOrg {
  const org = generateDemoOrg({ seed: options.seed, models: options.models + (day >= MODEL_ADDED_ON_DAY ? 1 : 0) });
  if (day >= MODEL_ADDED_ON_DAY) addedInHaste(org);
  for (const event of HISTORY_DEMO_EVENTS) if (event.day <= day) event.apply(org);
  return org;
}

export interface HistoryDemoDay {
  day: number;
  takenAt: Date;
  findings: number;
  result: SnapshotResult;
}

/**
 * Records the week into `store` and returns each day's outcome and the organisation as it
 * stands on the last day (what the demo then serves).
 */
export async function recordHistoryDemo(options: {
  store: HistoryStore;
  models: number;
  seed?: number;
  /** The injected clock's "now": the week ends the day before. Default: the real now. */
  now?: number;
  onDay?: (day: HistoryDemoDay) => void;
}): Promise<{ days: HistoryDemoDay[]; org: DemoOrg }> {
  const now = options.now ?? Date.now();
  const days: HistoryDemoDay[] = [];
  let org = demoOrgOnDay(0, options);
  for (let day = 0; day < HISTORY_DEMO_DAYS; day++) {
    org = demoOrgOnDay(day, options);
    const takenAt = new Date(now - (HISTORY_DEMO_DAYS - day) * DAY_MS);
    const sandbox = await startSandbox({ org });
    try {
      const demo = sandboxConfig(sandbox);
      const config = configSchema.parse({ sources: demo.sources, cache: { warmUp: false }, logLevel: 'silent' });
      const runtime = createRuntime(config, silentLogger, { people: PeopleDirectory.fromData(demo.peopleAliases, 'demo people') });
      try {
        const index = new GovernanceIndex(
          {
            listing: createModelLister(listingSources(runtime), runtime.linking),
            reader: () => new FactReader(factSources(runtime, config)),
          },
          config.governance,
          DAY_MS,
          // The injected clock: the rules (an approval's age, a waiver's end) judge as of that day.
          () => takenAt.getTime(),
        );
        const data = await index.get();
        const result = await options.store.record(snapshotOf(data, takenAt, 'demo'));
        const outcome = { day, takenAt, findings: data.findings.length, result };
        days.push(outcome);
        options.onDay?.(outcome);
      } finally {
        await runtime.close();
      }
    } finally {
      await sandbox.close();
    }
  }
  return { days, org };
}
