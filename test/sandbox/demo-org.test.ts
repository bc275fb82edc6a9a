import { generateDemoOrg, type DemoOrg, type DemoRun } from '../../sandbox/demo-org';
import { createMlflowStore } from '../../sandbox/mlflow/store';
import { Prng } from '../../sandbox/prng';

function allRuns(org: DemoOrg): DemoRun[] {
  return org.models.flatMap((m) => m.experiments.flatMap((e) => e.runs));
}

describe('Prng', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const rng = new Prng(seed);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('keeps helpers within their bounds', () => {
    const rng = new Prng(9);
    const ints = Array.from({ length: 2000 }, () => rng.int(3, 5));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
    const floats = Array.from({ length: 2000 }, () => rng.next());
    expect(Math.min(...floats)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...floats)).toBeLessThan(1);
    expect(rng.hex(40)).toMatch(/^[0-9a-f]{40}$/);
    expect(rng.hex(7)).toMatch(/^[0-9a-f]{7}$/);
    expect(rng.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives forks independent streams', () => {
    const a = new Prng(5).fork('people');
    const b = new Prng(5).fork('models');
    expect(a.hex(32)).not.toEqual(b.hex(32));
    expect(new Prng(5).fork('people').hex(32)).toEqual(new Prng(5).fork('people').hex(32));
  });
});

describe('generateDemoOrg', () => {
  const org = generateDemoOrg();

  it('is deterministic for a seed and different for another', () => {
    expect(generateDemoOrg({ seed: 42 })).toEqual(org);
    const other = generateDemoOrg({ seed: 7 });
    expect(other.models.map((m) => m.key)).toEqual(org.models.map((m) => m.key));
    expect(allRuns(other).map((r) => r.id)).not.toEqual(allRuns(org).map((r) => r.id));
    expect(other.people.map((p) => p.id)).not.toEqual(org.people.map((p) => p.id));
  });

  it('never reads the clock: every timestamp follows the fixed epoch', () => {
    const times = allRuns(org).flatMap((r) => [r.startTime, r.endTime ?? r.startTime]);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(org.epochMs);
    expect(org.epochMs).toBe(Date.UTC(2025, 0, 6, 9, 0, 0));
  });

  it('has 36 realistic models by default, across every team', () => {
    expect(org.models).toHaveLength(36);
    const keys = org.models.map((m) => m.key);
    expect(new Set(keys).size).toBe(36);
    expect(keys).toEqual(expect.arrayContaining(['fraud-detector', 'churn-predictor', 'credit-risk-scorer', 'demand-forecaster']));
    for (const key of keys) expect(key).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    const teams = new Set(org.models.map((m) => m.team));
    expect(teams).toEqual(new Set(org.teams.map((t) => t.slug)));
  });

  it('registers most models in prod, some only in research and a few in both', () => {
    const where = (m: DemoOrg['models'][number]): string => m.registrations.map((r) => r.instance).sort().join('+');
    const counts: Record<string, number> = {};
    for (const m of org.models) counts[where(m)] = (counts[where(m)] ?? 0) + 1;
    expect(counts['prod+research']).toBeGreaterThanOrEqual(2);
    expect(counts['prod+research']).toBeLessThanOrEqual(3);
    expect(counts.research).toBeGreaterThanOrEqual(2);
    expect(counts.prod).toBeGreaterThan(org.models.length / 2);
    // A research registration of a shared model does not use the prod name.
    const churn = org.models.find((m) => m.key === 'churn-predictor')!;
    expect(churn.registrations.map((r) => r.name).sort()).toEqual(['churn-predictor', 'churn_predictor']);
  });

  it('keeps registry invariants: versions 1..n, at most one Production, aliases on real versions', () => {
    for (const m of org.models) {
      for (const reg of m.registrations) {
        expect(reg.versions.map((v) => v.version)).toEqual(reg.versions.map((_, i) => i + 1));
        expect(reg.versions.length).toBeGreaterThanOrEqual(1);
        expect(reg.versions.length).toBeLessThanOrEqual(6);
        expect(reg.versions.filter((v) => v.stage === 'Production').length).toBeLessThanOrEqual(1);
        const aliasNames = reg.aliases.map((a) => a.alias);
        expect(new Set(aliasNames).size).toBe(aliasNames.length);
        for (const a of reg.aliases) expect(reg.versions[a.version - 1]!.aliases).toContain(a.alias);
        // Every version's run exists, finished, in the same MLflow instance.
        const runs = new Map(m.experiments.filter((e) => e.instance === reg.instance).flatMap((e) => e.runs).map((r) => [r.id, r]));
        for (const v of reg.versions) {
          expect(runs.get(v.runId)?.status).toBe('FINISHED');
          expect(v.creationTime).toBeGreaterThan(runs.get(v.runId)!.startTime);
        }
      }
    }
  });

  it('includes the deliberate oddities', () => {
    const versions = org.models.flatMap((m) => m.registrations.flatMap((r) => r.versions));
    expect(versions.some((v) => v.status === 'FAILED_REGISTRATION')).toBe(true);
    expect(versions.some((v) => v.status === 'PENDING_REGISTRATION')).toBe(true);
    expect(versions.some((v) => v.aliases.includes('champion'))).toBe(true);
    expect(versions.some((v) => v.aliases.includes('challenger'))).toBe(true);
    // champion on a version that is not the Production one.
    expect(versions.some((v) => v.aliases.includes('champion') && v.stage === 'Archived')).toBe(true);
    expect(org.models.some((m) => m.ownerId === null)).toBe(true);
    const inactive = new Set(org.people.filter((p) => !p.active).map((p) => p.id));
    expect(org.models.some((m) => m.ownerId !== null && inactive.has(m.ownerId))).toBe(true);

    const runs = allRuns(org);
    const untraceable = runs.filter((r) => r.git === undefined);
    expect(untraceable.length).toBeGreaterThan(0);
    expect(untraceable.length).toBeLessThan(runs.length / 4);
    const urls = runs.flatMap((r) => (r.git ? [r.git.repoUrl] : []));
    expect(urls.some((u) => u.startsWith('https://github.com/') && u.endsWith('.git'))).toBe(true);
    expect(urls.some((u) => u.startsWith('git@github.com:'))).toBe(true);
    expect(urls.some((u) => u.includes('gitlab.com'))).toBe(true);
    for (const r of runs) if (r.git) expect(r.git.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(new Set(runs.map((r) => r.status))).toEqual(new Set(['FINISHED', 'FAILED', 'RUNNING', 'KILLED']));
    for (const r of runs) expect(r.endTime === undefined).toBe(r.status === 'RUNNING');
  });

  it('gives a few people an MLflow user id that is not their email', () => {
    const odd = org.people.filter((p) => p.mlflowUserId !== p.email);
    expect(odd.length).toBeGreaterThanOrEqual(2);
    expect(odd.some((p) => !p.mlflowUserId.includes('@'))).toBe(true);
    const runUsers = new Set(allRuns(org).map((r) => r.userId));
    expect(odd.some((p) => runUsers.has(p.mlflowUserId))).toBe(true);
    for (const p of org.people) {
      expect(p.email).toMatch(/^[a-z0-9.]+@acme\.io$/);
      expect(org.teams.some((t) => t.slug === p.team)).toBe(true);
    }
    expect(new Set(org.people.map((p) => p.githubLogin)).size).toBe(org.people.length);
  });

  it('scales to 10,000 unique models with 40,000+ versions, searchable by name', () => {
    const big = generateDemoOrg({ models: 10_000 });
    expect(big.models).toHaveLength(10_000);
    expect(new Set(big.models.map((m) => m.key)).size).toBe(10_000);
    const versions = big.models.reduce((n, m) => n + m.registrations.reduce((k, r) => k + r.versions.length, 0), 0);
    expect(versions).toBeGreaterThan(40_000);
    const runIds = allRuns(big).map((r) => r.id);
    expect(new Set(runIds).size).toBe(runIds.length);
    // The first models are the curated ones, the rest generated combinations.
    expect(big.models[0]!.key).toBe('fraud-detector');
    expect(big.models[9_999]!.key).toMatch(/^[a-z]+-[a-z]+-[a-z]+(-[a-z]+)?$/);

    const store = createMlflowStore(big, 'prod');
    const target = big.models.filter((m) => m.registrations.some((r) => r.instance === 'prod'))[7_000]!;
    const found = store.searchRegisteredModels({ filter: `name = '${target.key}'`, maxResults: 100 });
    expect(found.registered_models?.map((m) => m.name)).toEqual([target.key]);
  });
});
