import { GraphQLError } from 'graphql';
import type { SourceKind, SourceRef } from '../../connectors/core/source';
import type { GraphFinding } from '../../subgraphs/inventory/governance/graph-finding';
import type { IndexedModel } from '../../subgraphs/inventory/governance/inventory-index';
import type { Lifecycle, Severity } from '../../subgraphs/inventory/governance/types';
import type { LinkedModel } from '../../subgraphs/inventory/linking';
import {
  DEFAULT_ORDER,
  matchesIndexFilter,
  matchesListingFilter,
  needsIndex,
  pageModels,
  type ModelFilter,
  type ModelOrder,
  type ModelPage,
} from '../../subgraphs/inventory/model-query';

// ---- hand-built inventory -------------------------------------------------------------------

const ref = (kind: SourceKind, instance: string, nativeId: string): SourceRef => ({ kind, instance, nativeId, url: null });

function model(key: string, name: string = key, refs: SourceRef[] = [ref('MLFLOW', 'prod', name)]): LinkedModel {
  return { key, name, refs, linkEvidence: refs.map((r) => ({ ref: r, rule: 'NAME' as const, detail: `name "${name}"` })) };
}

function finding(severity: Severity, key: string, fingerprint = `${key}-${severity}`): GraphFinding {
  return {
    fingerprint,
    rule: 'NO_OWNER',
    severity,
    message: `${key} has a ${severity} finding`,
    model: { key },
    version: null,
    trafficPercent: null,
    evidence: { refs: [], versions: [], tickets: [], deployments: [] },
    waiver: null,
  };
}

const SEVERITY_RANK: Record<Severity, number> = { LOW: 1, MEDIUM: 2, HIGH: 3 };

function lifecycle(firstRunToProductionDays: number | null): Lifecycle {
  return {
    firstRunAt: null,
    registeredAt: null,
    approvedAt: null,
    firstProductionAt: null,
    approved: null,
    firstProduction: null,
    firstRunToRegisteredDays: null,
    registeredToApprovedDays: null,
    approvedToProductionDays: null,
    firstRunToProductionDays,
  };
}

function indexed(
  key: string,
  over: Partial<Omit<IndexedModel, 'stages' | 'people' | 'teams'>> & { stages?: string[]; people?: string[]; teams?: string[]; severities?: Severity[]; days?: number | null } = {},
): IndexedModel {
  const { stages = [], people = [], teams = [], severities = [], days, ...rest } = over;
  const findings = severities.map((s, i) => finding(s, key, `${key}-${i}`));
  return {
    key,
    name: key,
    sources: ['mlflow:prod'],
    findings,
    worstSeverity: Math.max(0, ...severities.map((s) => SEVERITY_RANK[s])),
    openFindings: findings.length,
    lifecycle: days === undefined ? null : lifecycle(days),
    stages: new Set(stages),
    deployed: false,
    people: new Set(people),
    codeOwnerPeople: new Set(people),
    teams: new Set(teams),
    ...rest,
  };
}

const indexOf = (...entries: IndexedModel[]): Map<string, IndexedModel> => new Map(entries.map((e) => [e.key, e]));

const keys = (page: ModelPage): string[] => page.nodes.map((m) => m.key);

const legacyCursor = (key: string): string => Buffer.from(`model:${key}`, 'utf8').toString('base64url');

/** Every page of `first` models, following `after`; the keys in the order they came. */
function allPages(
  models: () => readonly LinkedModel[],
  index: Map<string, IndexedModel> | undefined,
  args: { filter?: ModelFilter | null; orderBy?: ModelOrder | null; first: number },
): string[] {
  const seen: string[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const page = pageModels(models(), index, { ...args, after });
    seen.push(...keys(page));
    if (!page.pageInfo.hasNextPage) return seen;
    after = page.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

function expectBadInput(run: () => unknown, message?: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(GraphQLError);
  expect((thrown as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
  if (message) expect((thrown as GraphQLError).message).toMatch(message);
}

// ---- matchesListingFilter --------------------------------------------------------------------

describe('matchesListingFilter', () => {
  const fraud = model('fraud-detector', 'Fraud_Detector', [ref('MLFLOW', 'prod', 'Fraud_Detector'), ref('SAGEMAKER', 'prod-us', 'fraud-pkg')]);
  const churn = model('churn', 'ChurnModel', [ref('VERTEX_AI', 'eu', 'projects/p/models/1')]);

  it('matches everything without a filter or with an empty one', () => {
    expect(matchesListingFilter(fraud, null)).toBe(true);
    expect(matchesListingFilter(fraud, undefined)).toBe(true);
    expect(matchesListingFilter(fraud, {})).toBe(true);
    expect(matchesListingFilter(fraud, { search: '', sourceKind: null, sourceInstance: null })).toBe(true);
  });

  it('searches the key, case-insensitively', () => {
    expect(matchesListingFilter(fraud, { search: 'd-det' })).toBe(true);
    expect(matchesListingFilter(fraud, { search: 'D-DET' })).toBe(true);
    expect(matchesListingFilter(churn, { search: 'd-det' })).toBe(false);
  });

  it('searches the name, case-insensitively', () => {
    // `_` is only in the name, the key has `-`.
    expect(matchesListingFilter(fraud, { search: 'fraud_det' })).toBe(true);
    expect(matchesListingFilter(churn, { search: 'chURNmo' })).toBe(true);
    expect(matchesListingFilter(churn, { search: 'churn-model' })).toBe(false);
  });

  it('filters by source kind alone', () => {
    expect(matchesListingFilter(fraud, { sourceKind: 'SAGEMAKER' })).toBe(true);
    expect(matchesListingFilter(fraud, { sourceKind: 'MLFLOW' })).toBe(true);
    expect(matchesListingFilter(fraud, { sourceKind: 'VERTEX_AI' })).toBe(false);
    expect(matchesListingFilter(churn, { sourceKind: 'VERTEX_AI' })).toBe(true);
  });

  it('filters by source instance alone, in any kind', () => {
    expect(matchesListingFilter(fraud, { sourceInstance: 'prod-us' })).toBe(true);
    expect(matchesListingFilter(fraud, { sourceInstance: 'prod' })).toBe(true);
    expect(matchesListingFilter(fraud, { sourceInstance: 'eu' })).toBe(false);
    // exact, not a prefix
    expect(matchesListingFilter(fraud, { sourceInstance: 'pro' })).toBe(false);
  });

  it('requires kind and instance together on one and the same ref', () => {
    expect(matchesListingFilter(fraud, { sourceKind: 'SAGEMAKER', sourceInstance: 'prod-us' })).toBe(true);
    expect(matchesListingFilter(fraud, { sourceKind: 'MLFLOW', sourceInstance: 'prod' })).toBe(true);
    // MLflow is `prod`, SageMaker is `prod-us`: no single ref is MLFLOW in prod-us.
    expect(matchesListingFilter(fraud, { sourceKind: 'MLFLOW', sourceInstance: 'prod-us' })).toBe(false);
    expect(matchesListingFilter(fraud, { sourceKind: 'SAGEMAKER', sourceInstance: 'prod' })).toBe(false);
  });

  it('combines search and source', () => {
    expect(matchesListingFilter(fraud, { search: 'fraud', sourceKind: 'SAGEMAKER' })).toBe(true);
    expect(matchesListingFilter(fraud, { search: 'churn', sourceKind: 'SAGEMAKER' })).toBe(false);
    expect(matchesListingFilter(churn, { search: 'churn', sourceKind: 'SAGEMAKER' })).toBe(false);
  });
});

// ---- matchesIndexFilter ----------------------------------------------------------------------

describe('matchesIndexFilter', () => {
  const entry = indexed('fraud-detector', {
    people: ['ana@acme.io', 'jira:corp:5b10ac8d'],
    teams: ['ml/platform'],
    stages: ['production', 'staging'],
    deployed: true,
    severities: ['MEDIUM', 'LOW'],
  });
  const quiet = indexed('quiet', { deployed: false });

  it('matches without a filter, or with only listing filters, even a model missing from the index', () => {
    expect(matchesIndexFilter(entry, null)).toBe(true);
    expect(matchesIndexFilter(undefined, null)).toBe(true);
    expect(matchesIndexFilter(undefined, undefined)).toBe(true);
    expect(matchesIndexFilter(undefined, {})).toBe(true);
    expect(matchesIndexFilter(undefined, { search: 'x', sourceKind: 'MLFLOW', owner: '', team: null, deployed: null })).toBe(true);
  });

  it('never matches a model missing from the index once an index filter is given', () => {
    const filters: ModelFilter[] = [
      { owner: 'ana@acme.io' },
      { team: 'ml/platform' },
      { stage: 'production' },
      { deployed: true },
      { deployed: false },
      { findingSeverity: 'LOW' },
    ];
    for (const filter of filters) expect([filter, matchesIndexFilter(undefined, filter)]).toEqual([filter, false]);
  });

  it('matches the owner among the people, case-insensitively', () => {
    expect(matchesIndexFilter(entry, { owner: 'ana@acme.io' })).toBe(true);
    expect(matchesIndexFilter(entry, { owner: 'Ana@ACME.io' })).toBe(true);
    expect(matchesIndexFilter(entry, { owner: 'bo@acme.io' })).toBe(false);
    expect(matchesIndexFilter(quiet, { owner: 'ana@acme.io' })).toBe(false);
  });

  it('matches a person id that is not an email exactly, even with upper-case letters', () => {
    expect(matchesIndexFilter(entry, { owner: 'jira:corp:5b10ac8d' })).toBe(true);
    expect(matchesIndexFilter(entry, { owner: 'jira:corp:5b10' })).toBe(false);
    const tied = indexed('m', { people: ['github:cloud:OctoCat'] });
    expect(matchesIndexFilter(tied, { owner: 'github:cloud:OctoCat' })).toBe(true);
    expect(matchesIndexFilter(tied, { owner: 'github:cloud:octo' })).toBe(false);
  });

  it('matches the team with or without the leading @, case-insensitively', () => {
    expect(matchesIndexFilter(entry, { team: 'ml/platform' })).toBe(true);
    expect(matchesIndexFilter(entry, { team: '@ml/platform' })).toBe(true);
    expect(matchesIndexFilter(entry, { team: '@ML/Platform' })).toBe(true);
    expect(matchesIndexFilter(entry, { team: 'ML/PLATFORM' })).toBe(true);
    expect(matchesIndexFilter(entry, { team: '@ml/data' })).toBe(false);
    expect(matchesIndexFilter(entry, { team: 'ml' })).toBe(false);
  });

  it('matches the stage case-insensitively', () => {
    expect(matchesIndexFilter(entry, { stage: 'Production' })).toBe(true);
    expect(matchesIndexFilter(entry, { stage: 'STAGING' })).toBe(true);
    expect(matchesIndexFilter(entry, { stage: 'archived' })).toBe(false);
  });

  it('matches deployed true and false', () => {
    expect(matchesIndexFilter(entry, { deployed: true })).toBe(true);
    expect(matchesIndexFilter(entry, { deployed: false })).toBe(false);
    expect(matchesIndexFilter(quiet, { deployed: false })).toBe(true);
    expect(matchesIndexFilter(quiet, { deployed: true })).toBe(false);
  });

  it('matches findingSeverity as "at least that severity"', () => {
    // entry's worst is MEDIUM
    expect(matchesIndexFilter(entry, { findingSeverity: 'LOW' })).toBe(true);
    expect(matchesIndexFilter(entry, { findingSeverity: 'MEDIUM' })).toBe(true);
    expect(matchesIndexFilter(entry, { findingSeverity: 'HIGH' })).toBe(false);
    // a model without findings matches no severity
    expect(matchesIndexFilter(quiet, { findingSeverity: 'LOW' })).toBe(false);
    const high = indexed('h', { severities: ['HIGH'] });
    expect(matchesIndexFilter(high, { findingSeverity: 'LOW' })).toBe(true);
    expect(matchesIndexFilter(high, { findingSeverity: 'HIGH' })).toBe(true);
  });

  it('requires every given filter', () => {
    expect(matchesIndexFilter(entry, { owner: 'ana@acme.io', team: '@ml/platform', stage: 'production', deployed: true, findingSeverity: 'MEDIUM' })).toBe(true);
    expect(matchesIndexFilter(entry, { owner: 'ana@acme.io', team: '@ml/platform', stage: 'production', deployed: false })).toBe(false);
    expect(matchesIndexFilter(entry, { owner: 'ana@acme.io', stage: 'archived' })).toBe(false);
    expect(matchesIndexFilter(entry, { owner: 'bo@acme.io', team: '@ml/platform' })).toBe(false);
  });
});

// ---- needsIndex ------------------------------------------------------------------------------

describe('needsIndex', () => {
  it('is false for the listing filters and the cheap orders', () => {
    expect(needsIndex(null, DEFAULT_ORDER)).toBe(false);
    expect(needsIndex(undefined, { field: 'NAME', direction: 'DESC' })).toBe(false);
    expect(needsIndex({ search: 'x', sourceKind: 'MLFLOW', sourceInstance: 'prod' }, { field: 'KEY', direction: 'DESC' })).toBe(false);
    expect(needsIndex({ owner: null, team: '', stage: null, deployed: null, findingSeverity: null }, DEFAULT_ORDER)).toBe(false);
  });

  it('is true for the orders the index answers', () => {
    expect(needsIndex(null, { field: 'FINDINGS', direction: 'DESC' })).toBe(true);
    expect(needsIndex(null, { field: 'TIME_TO_PRODUCTION', direction: 'ASC' })).toBe(true);
  });

  it('is true for every filter the index answers, deployed: false included', () => {
    expect(needsIndex({ owner: 'ana@acme.io' }, DEFAULT_ORDER)).toBe(true);
    expect(needsIndex({ team: '@ml' }, DEFAULT_ORDER)).toBe(true);
    expect(needsIndex({ stage: 'Production' }, DEFAULT_ORDER)).toBe(true);
    expect(needsIndex({ deployed: true }, DEFAULT_ORDER)).toBe(true);
    expect(needsIndex({ deployed: false }, DEFAULT_ORDER)).toBe(true);
    expect(needsIndex({ findingSeverity: 'LOW' }, DEFAULT_ORDER)).toBe(true);
  });
});

// ---- pageModels ------------------------------------------------------------------------------

describe('pageModels', () => {
  // Given out of order on purpose.
  const inventory: LinkedModel[] = [
    model('delta', 'delta'),
    model('alpha', 'Zulu'),
    model('charlie', 'bravo'),
    model('bravo', 'Alpha'),
    model('echo', 'alpha'),
  ];

  describe('default order', () => {
    it('orders by key ascending and uses the legacy model:<key> base64url cursor', () => {
      const page = pageModels(inventory, undefined, { first: 2 });
      expect(keys(page)).toEqual(['alpha', 'bravo']);
      expect(page.edges.map((e) => e.cursor)).toEqual([legacyCursor('alpha'), legacyCursor('bravo')]);
      expect(page.edges[0].cursor).toBe('bW9kZWw6YWxwaGE');
      expect(page.edges.map((e) => e.node)).toEqual(page.nodes);
      expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: legacyCursor('bravo') });
      expect(page.totalCount).toBe(5);
    });

    it('treats orderBy null as KEY ASC', () => {
      const page = pageModels(inventory, undefined, { first: 10, orderBy: null });
      expect(keys(page)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
      expect(page.edges[4].cursor).toBe(legacyCursor('echo'));
      expect(page.pageInfo.hasNextPage).toBe(false);
    });

    it('continues after a legacy cursor', () => {
      const page = pageModels(inventory, undefined, { first: 2, after: legacyCursor('bravo') });
      expect(keys(page)).toEqual(['charlie', 'delta']);
      expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: legacyCursor('delta') });
      const last = pageModels(inventory, undefined, { first: 2, after: page.pageInfo.endCursor });
      expect(keys(last)).toEqual(['echo']);
      expect(last.pageInfo).toEqual({ hasNextPage: false, endCursor: legacyCursor('echo') });
    });

    it('says there is no next page when a page ends exactly at the last model', () => {
      expect(pageModels(inventory, undefined, { first: 5 }).pageInfo.hasNextPage).toBe(false);
      expect(pageModels(inventory, undefined, { first: 4 }).pageInfo.hasNextPage).toBe(true);
      const last = pageModels(inventory, undefined, { first: 2, after: legacyCursor('charlie') });
      expect(keys(last)).toEqual(['delta', 'echo']);
      expect(last.pageInfo).toEqual({ hasNextPage: false, endCursor: legacyCursor('echo') });
    });

    it('continues after a cursor of a key no longer listed, at the next key', () => {
      expect(keys(pageModels(inventory, undefined, { first: 2, after: legacyCursor('bz') }))).toEqual(['charlie', 'delta']);
      expect(keys(pageModels(inventory, undefined, { first: 2, after: legacyCursor('a') }))).toEqual(['alpha', 'bravo']);
    });

    it('answers an empty page after the last model, keeping the cursor it was given', () => {
      const page = pageModels(inventory, undefined, { first: 2, after: legacyCursor('echo') });
      expect(page.nodes).toEqual([]);
      expect(page.edges).toEqual([]);
      expect(page.pageInfo).toEqual({ hasNextPage: false, endCursor: legacyCursor('echo') });
      expect(page.totalCount).toBe(5);
    });

    it('answers endCursor null for an empty first page', () => {
      const page = pageModels([], undefined, { first: 5 });
      expect(page).toEqual({ edges: [], nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
    });

    it('rejects a cursor that is not a model cursor', () => {
      const bogus = Buffer.from('offset:3').toString('base64url');
      expectBadInput(() => pageModels(inventory, undefined, { first: 2, after: bogus }), /invalid cursor/);
    });

    it('does not reorder or mutate the models it is given', () => {
      const copy = [...inventory];
      pageModels(inventory, undefined, { first: 2, orderBy: { field: 'NAME', direction: 'DESC' } });
      expect(inventory).toEqual(copy);
    });
  });

  describe('KEY DESC', () => {
    it('orders by key descending with a cursor of its own', () => {
      const order: ModelOrder = { field: 'KEY', direction: 'DESC' };
      const page = pageModels(inventory, undefined, { first: 2, orderBy: order });
      expect(keys(page)).toEqual(['echo', 'delta']);
      expect(page.pageInfo.endCursor).not.toBe(legacyCursor('delta'));
      expect(keys(pageModels(inventory, undefined, { first: 2, orderBy: order, after: page.pageInfo.endCursor }))).toEqual(['charlie', 'bravo']);
    });
  });

  describe('NAME', () => {
    it('orders by name case-insensitively, ties by key', () => {
      // names: delta, Zulu, bravo, Alpha, alpha -> "alpha" (bravo), "alpha" (echo), "bravo" (charlie), "delta", "zulu"
      const asc = pageModels(inventory, undefined, { first: 10, orderBy: { field: 'NAME', direction: 'ASC' } });
      expect(keys(asc)).toEqual(['bravo', 'echo', 'charlie', 'delta', 'alpha']);
      const desc = pageModels(inventory, undefined, { first: 10, orderBy: { field: 'NAME', direction: 'DESC' } });
      // equal names keep key ascending in both directions
      expect(keys(desc)).toEqual(['alpha', 'delta', 'charlie', 'bravo', 'echo']);
    });

    it('pages across equal names without repeating or skipping', () => {
      const orderBy: ModelOrder = { field: 'NAME', direction: 'ASC' };
      const p1 = pageModels(inventory, undefined, { first: 1, orderBy });
      expect(keys(p1)).toEqual(['bravo']);
      const p2 = pageModels(inventory, undefined, { first: 1, orderBy, after: p1.pageInfo.endCursor });
      expect(keys(p2)).toEqual(['echo']);
      const p3 = pageModels(inventory, undefined, { first: 1, orderBy, after: p2.pageInfo.endCursor });
      expect(keys(p3)).toEqual(['charlie']);
    });
  });

  describe('FINDINGS', () => {
    const models = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => model(k));
    const index = indexOf(
      indexed('a', { severities: ['LOW'] }),
      indexed('b', { severities: ['HIGH'] }),
      indexed('c', { severities: [] }),
      indexed('d', { severities: ['HIGH', 'LOW', 'MEDIUM'] }),
      indexed('e', { severities: ['MEDIUM', 'MEDIUM', 'MEDIUM', 'MEDIUM'] }),
      indexed('f', { severities: ['HIGH'] }),
      // g is not in the index: no findings known
    );

    it('DESC puts the worst first, more findings of the same worst first, ties by key', () => {
      const page = pageModels(models, index, { first: 10, orderBy: { field: 'FINDINGS', direction: 'DESC' } });
      // d: HIGH x3, b and f: HIGH x1 (tie -> key), e: MEDIUM x4, a: LOW x1, c and g: none (tie -> key)
      expect(keys(page)).toEqual(['d', 'b', 'f', 'e', 'a', 'c', 'g']);
      expect(page.totalCount).toBe(7);
    });

    it('ASC puts the cleanest first, ties by key', () => {
      const page = pageModels(models, index, { first: 10, orderBy: { field: 'FINDINGS', direction: 'ASC' } });
      expect(keys(page)).toEqual(['c', 'g', 'a', 'e', 'b', 'f', 'd']);
    });

    it('pages through all models in the same order', () => {
      const orderBy: ModelOrder = { field: 'FINDINGS', direction: 'DESC' };
      expect(allPages(() => models, index, { first: 2, orderBy })).toEqual(['d', 'b', 'f', 'e', 'a', 'c', 'g']);
      expect(allPages(() => models, index, { first: 1, orderBy })).toEqual(['d', 'b', 'f', 'e', 'a', 'c', 'g']);
    });

    it('keeps its place when the model at the cursor is removed between pages', () => {
      const orderBy: ModelOrder = { field: 'FINDINGS', direction: 'DESC' };
      const p1 = pageModels(models, index, { first: 3, orderBy });
      expect(keys(p1)).toEqual(['d', 'b', 'f']);
      const without = models.filter((m) => m.key !== 'f' && m.key !== 'b');
      const p2 = pageModels(without, index, { first: 3, orderBy, after: p1.pageInfo.endCursor });
      expect(keys(p2)).toEqual(['e', 'a', 'c']);
      expect(p2.totalCount).toBe(5);
    });
  });

  describe('TIME_TO_PRODUCTION', () => {
    const models = ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => model(k));
    const index = indexOf(
      indexed('a', { days: 30 }),
      indexed('b', { days: null }),
      indexed('c', { days: 2.5 }),
      indexed('d', { days: 30 }),
      // e: in the index without a lifecycle; f: not in the index
      indexed('e'),
    );

    it('ASC: fastest first, unmeasured models last, ties by key', () => {
      const page = pageModels(models, index, { first: 10, orderBy: { field: 'TIME_TO_PRODUCTION', direction: 'ASC' } });
      expect(keys(page)).toEqual(['c', 'a', 'd', 'b', 'e', 'f']);
    });

    it('DESC: slowest first, unmeasured models still last', () => {
      const page = pageModels(models, index, { first: 10, orderBy: { field: 'TIME_TO_PRODUCTION', direction: 'DESC' } });
      expect(keys(page)).toEqual(['a', 'd', 'c', 'b', 'e', 'f']);
    });

    it('pages into and through the unmeasured models in both directions', () => {
      for (const direction of ['ASC', 'DESC'] as const) {
        const orderBy: ModelOrder = { field: 'TIME_TO_PRODUCTION', direction };
        const whole = keys(pageModels(models, index, { first: 10, orderBy }));
        expect(allPages(() => models, index, { first: 1, orderBy })).toEqual(whole);
        expect(allPages(() => models, index, { first: 4, orderBy })).toEqual(whole);
      }
    });

    it('a negative time (deployed before approval) sorts as a number', () => {
      const idx = indexOf(indexed('a', { days: 3 }), indexed('b', { days: -1 }), indexed('c', { days: 0 }));
      const ms = ['a', 'b', 'c'].map((k) => model(k));
      expect(keys(pageModels(ms, idx, { first: 5, orderBy: { field: 'TIME_TO_PRODUCTION', direction: 'ASC' } }))).toEqual(['b', 'c', 'a']);
    });
  });

  describe('paging with after', () => {
    const many = Array.from({ length: 23 }, (_, i) => model(`m${String(i).padStart(2, '0')}`, `Name ${(i * 7) % 5}`));
    const index = new Map(
      many.map((m, i) => [
        m.key,
        indexed(m.key, {
          severities: (['LOW', 'MEDIUM', 'HIGH'] as Severity[]).slice(0, i % 4),
          days: i % 3 === 0 ? null : (i * 11) % 7,
        }),
      ]),
    );
    const orders: ModelOrder[] = (['KEY', 'NAME', 'FINDINGS', 'TIME_TO_PRODUCTION'] as const).flatMap((field) =>
      (['ASC', 'DESC'] as const).map((direction) => ({ field, direction })),
    );

    it.each(orders.map((o) => [`${o.field} ${o.direction}`, o] as const))('%s: every model once, in the order of one big page', (_, orderBy) => {
      const whole = keys(pageModels(many, index, { first: 100, orderBy }));
      expect(whole).toHaveLength(23);
      for (const first of [1, 4, 5, 22, 23]) {
        const paged = allPages(() => many, index, { first, orderBy });
        expect(paged).toEqual(whole);
      }
    });

    it.each(orders.map((o) => [`${o.field} ${o.direction}`, o] as const))(
      '%s: removing models between pages neither repeats nor skips the others',
      (_, orderBy) => {
        const whole = keys(pageModels(many, index, { first: 100, orderBy }));
        const p1 = pageModels(many, index, { first: 5, orderBy });
        expect(keys(p1)).toEqual(whole.slice(0, 5));
        // remove the model the cursor points at, the one right after it, and one already seen
        const removed = new Set([whole[4], whole[5], whole[1]]);
        const remaining = many.filter((m) => !removed.has(m.key));
        const rest: string[] = [];
        let after = p1.pageInfo.endCursor;
        for (let guard = 0; ; guard++) {
          if (guard > 50) throw new Error('paging did not end');
          const page = pageModels(remaining, index, { first: 5, orderBy, after });
          rest.push(...keys(page));
          if (!page.pageInfo.hasNextPage) break;
          after = page.pageInfo.endCursor;
        }
        expect(rest).toEqual(whole.slice(6));
      },
    );

    it('a model added before the cursor between pages is not listed, one added after it is', () => {
      const models = ['b', 'd', 'f', 'h'].map((k) => model(k));
      const p1 = pageModels(models, undefined, { first: 2 });
      expect(keys(p1)).toEqual(['b', 'd']);
      const grown = [...models, model('a'), model('c'), model('e')];
      const p2 = pageModels(grown, undefined, { first: 10, after: p1.pageInfo.endCursor });
      expect(keys(p2)).toEqual(['e', 'f', 'h']);
      expect(p2.totalCount).toBe(7);
    });
  });

  describe('cursors of another order', () => {
    const index = indexOf(...['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((k) => indexed(k, { days: 1 })));
    const cursorOf = (orderBy: ModelOrder): string => pageModels(inventory, index, { first: 1, orderBy }).pageInfo.endCursor!;

    it('rejects a KEY ASC cursor for another order with BAD_USER_INPUT', () => {
      const keyCursor = cursorOf(DEFAULT_ORDER);
      for (const orderBy of [
        { field: 'NAME', direction: 'ASC' },
        { field: 'KEY', direction: 'DESC' },
        { field: 'FINDINGS', direction: 'DESC' },
        { field: 'TIME_TO_PRODUCTION', direction: 'ASC' },
      ] as ModelOrder[]) {
        expectBadInput(() => pageModels(inventory, index, { first: 1, orderBy, after: keyCursor }), /another orderBy/);
      }
    });

    it('rejects a cursor of another field or direction with BAD_USER_INPUT', () => {
      const nameAsc = cursorOf({ field: 'NAME', direction: 'ASC' });
      expectBadInput(() => pageModels(inventory, index, { first: 1, orderBy: { field: 'NAME', direction: 'DESC' }, after: nameAsc }), /another orderBy/);
      expectBadInput(() => pageModels(inventory, index, { first: 1, orderBy: { field: 'FINDINGS', direction: 'ASC' }, after: nameAsc }), /another orderBy/);
      const ttp = cursorOf({ field: 'TIME_TO_PRODUCTION', direction: 'DESC' });
      expectBadInput(() => pageModels(inventory, index, { first: 1, orderBy: { field: 'FINDINGS', direction: 'DESC' }, after: ttp }), /another orderBy/);
    });

    it('rejects another order’s cursor when no orderBy is given (keys never start with "[")', () => {
      const nameAsc = cursorOf({ field: 'NAME', direction: 'ASC' });
      expectBadInput(() => pageModels(inventory, index, { first: 1, after: nameAsc }), /another orderBy/);
    });

    it('accepts its own cursor', () => {
      const orderBy: ModelOrder = { field: 'NAME', direction: 'DESC' };
      const after = cursorOf(orderBy);
      expect(keys(pageModels(inventory, index, { first: 1, orderBy, after }))).toEqual(['delta']);
    });
  });

  describe('filters and totalCount', () => {
    const models = [
      model('fraud-a', 'Fraud A', [ref('SAGEMAKER', 'prod-us', 'fa')]),
      model('fraud-b', 'Fraud B', [ref('MLFLOW', 'prod', 'fb')]),
      model('fraud-c', 'Fraud C', [ref('MLFLOW', 'prod', 'fc')]),
      model('churn', 'Churn', [ref('MLFLOW', 'prod', 'churn')]),
      model('new-model', 'New fraud model', [ref('MLFLOW', 'prod', 'nm')]),
    ];
    const index = indexOf(
      indexed('fraud-a', { deployed: true, people: ['ana@acme.io'] }),
      indexed('fraud-b', { deployed: true }),
      indexed('fraud-c', { deployed: false, people: ['ana@acme.io'] }),
      indexed('churn', { deployed: true, people: ['ana@acme.io'] }),
      // new-model was linked after the index was built
    );

    it('counts the filtered set, not the page', () => {
      const page = pageModels(models, index, { first: 1, filter: { search: 'fraud' } });
      expect(keys(page)).toEqual(['fraud-a']);
      expect(page.totalCount).toBe(4);
      expect(page.pageInfo.hasNextPage).toBe(true);
    });

    it('applies the listing and index filters together', () => {
      const page = pageModels(models, index, { first: 10, filter: { search: 'fraud', deployed: true } });
      expect(keys(page)).toEqual(['fraud-a', 'fraud-b']);
      expect(page.totalCount).toBe(2);
      const mine = pageModels(models, index, { first: 10, filter: { owner: 'ANA@acme.io', sourceKind: 'MLFLOW' } });
      expect(keys(mine)).toEqual(['churn', 'fraud-c']);
      expect(mine.totalCount).toBe(2);
    });

    it('leaves out a model missing from the index under an index filter, keeps it otherwise', () => {
      expect(keys(pageModels(models, index, { first: 10, filter: { deployed: false } }))).toEqual(['fraud-c']);
      expect(keys(pageModels(models, index, { first: 10, filter: { search: 'new' } }))).toEqual(['new-model']);
      expect(pageModels(models, undefined, { first: 10 }).totalCount).toBe(5);
    });

    it('answers an index filter without an index with nothing', () => {
      const page = pageModels(models, undefined, { first: 10, filter: { deployed: true } });
      expect(page.totalCount).toBe(0);
      expect(page.nodes).toEqual([]);
    });

    it('pages through a filtered set', () => {
      expect(allPages(() => models, index, { first: 1, filter: { search: 'fraud' } })).toEqual(['fraud-a', 'fraud-b', 'fraud-c', 'new-model']);
    });
  });
});
