import { createHash } from 'node:crypto';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import type { LinkedModel } from '../../subgraphs/inventory/linking';
import type { ModelWithRequiredFacts, RequiredDeployment } from '../../subgraphs/inventory/governance/facts';
import type { GraphFinding } from '../../subgraphs/inventory/governance/graph-finding';
import { compareFindings, GovernanceIndex, INDEX_PAGE_SIZE, indexModel, teamKey, type GovernanceSources } from '../../subgraphs/inventory/governance/inventory-index';
import { resolvers } from '../../subgraphs/inventory/resolvers';
import { DEFAULT_GOVERNANCE, type FindingRule, type Lifecycle, type Severity } from '../../subgraphs/inventory/governance/types';

type ModelNode = Parameters<typeof indexModel>[0];

function node(key: string, over: Partial<ModelNode> = {}): ModelNode {
  return {
    key,
    name: key,
    refs: [{ kind: 'MLFLOW', instance: 'prod' }],
    findings: [],
    lifecycle: null,
    versions: [],
    deployments: [],
    codeOwners: [],
    tickets: [],
    ...over,
  };
}

function finding(severity: Severity, modelKey: string | null, rule: FindingRule = 'NO_OWNER', fingerprint = 'f0'): GraphFinding {
  return {
    fingerprint,
    rule,
    severity,
    message: `${rule} on ${modelKey ?? 'nothing'}`,
    model: modelKey === null ? null : { key: modelKey },
    version: null,
    trafficPercent: null,
    evidence: { refs: [], versions: [], tickets: [], deployments: [] },
    waiver: null,
  };
}

const lifecycle: Lifecycle = {
  firstRunAt: '2026-01-01T00:00:00Z',
  registeredAt: '2026-01-03T00:00:00Z',
  approvedAt: null,
  firstProductionAt: '2026-01-11T00:00:00Z',
  approved: null,
  firstProduction: { at: '2026-01-11T00:00:00Z', precision: 'EXACT', source: 'DEPLOYMENT_CREATED', detail: 'deployment d on e created' },
  firstRunToRegisteredDays: 2,
  registeredToApprovedDays: null,
  approvedToProductionDays: null,
  firstRunToProductionDays: 10,
};

// ---- indexModel ------------------------------------------------------------------------------

describe('indexModel', () => {
  it('lists sources as <kind lower>:<instance>, unique and sorted', () => {
    const entry = indexModel(
      node('m', {
        refs: [
          { kind: 'SAGEMAKER', instance: 'prod-us' },
          { kind: 'MLFLOW', instance: 'prod' },
          { kind: 'MLFLOW', instance: 'prod' },
          { kind: 'AZURE_ML', instance: 'ws1' },
          { kind: 'MLFLOW', instance: 'dev' },
        ],
      }),
    );
    expect(entry.sources).toEqual(['azure_ml:ws1', 'mlflow:dev', 'mlflow:prod', 'sagemaker:prod-us']);
  });

  it('keeps key, name, findings and lifecycle as given', () => {
    const findings = [finding('LOW', 'm'), finding('HIGH', 'm', 'FAILED_DEPLOYMENT', 'f1')];
    const entry = indexModel(node('m', { name: 'The_M', findings, lifecycle }));
    expect(entry.key).toBe('m');
    expect(entry.name).toBe('The_M');
    expect(entry.findings).toEqual(findings);
    expect(entry.lifecycle).toEqual(lifecycle);
  });

  it('ranks the worst finding: 0 without, the highest rank otherwise', () => {
    expect(indexModel(node('m', { findings: [] })).worstSeverity).toBe(0);
    expect(indexModel(node('m', { findings: [finding('LOW', 'm')] })).worstSeverity).toBe(1);
    expect(indexModel(node('m', { findings: [finding('LOW', 'm'), finding('MEDIUM', 'm'), finding('LOW', 'm')] })).worstSeverity).toBe(2);
    expect(indexModel(node('m', { findings: [finding('MEDIUM', 'm'), finding('HIGH', 'm')] })).worstSeverity).toBe(3);
  });

  it('lower-cases the stages and skips versions without one', () => {
    const entry = indexModel(node('m', { versions: [{ stage: 'Production' }, { stage: null }, { stage: 'STAGING' }, { stage: 'production' }] }));
    expect([...entry.stages].sort()).toEqual(['production', 'staging']);
  });

  describe('deployed', () => {
    const deployed = (...ds: NonNullable<ModelNode['deployments']>) => indexModel(node('m', { deployments: ds })).deployed;

    it('is true for an IN_SERVICE or UPDATING deployment with traffic, or an unknown share', () => {
      expect(deployed({ status: 'IN_SERVICE', trafficPercent: 100 })).toBe(true);
      expect(deployed({ status: 'IN_SERVICE', trafficPercent: 1 })).toBe(true);
      expect(deployed({ status: 'UPDATING', trafficPercent: 50 })).toBe(true);
      expect(deployed({ status: 'IN_SERVICE', trafficPercent: null })).toBe(true);
      expect(deployed({ status: 'UPDATING', trafficPercent: null })).toBe(true);
    });

    it('is false for a deployment taking no traffic, or not serving', () => {
      expect(deployed({ status: 'IN_SERVICE', trafficPercent: 0 })).toBe(false);
      expect(deployed({ status: 'UPDATING', trafficPercent: 0 })).toBe(false);
      for (const status of ['CREATING', 'FAILED', 'DELETING', 'OUT_OF_SERVICE', 'UNKNOWN'] as const) {
        expect([status, deployed({ status, trafficPercent: 100 })]).toEqual([status, false]);
        expect([status, deployed({ status, trafficPercent: null })]).toEqual([status, false]);
      }
      expect(deployed()).toBe(false);
    });

    it('is true when any one deployment serves', () => {
      expect(deployed({ status: 'FAILED', trafficPercent: 100 }, { status: 'IN_SERVICE', trafficPercent: 0 }, { status: 'UPDATING', trafficPercent: 5 })).toBe(true);
    });
  });

  it('counts code-owner persons and ticket assignees as people, only code owners as codeOwnerPeople', () => {
    const entry = indexModel(
      node('m', {
        codeOwners: [
          { kind: 'USER', handle: '@ana', person: { id: 'ana@acme.io' } },
          { kind: 'USER', handle: '@ghost', person: null },
          { kind: 'EMAIL', handle: 'carl@acme.io', person: { id: 'carl@acme.io' } },
          { kind: 'TEAM', handle: '@acme/ml', person: null },
        ],
        tickets: [{ assignee: { id: 'bo@acme.io' } }, { assignee: null }, { assignee: { id: 'ana@acme.io' } }],
      }),
    );
    expect([...entry.people].sort()).toEqual(['ana@acme.io', 'bo@acme.io', 'carl@acme.io']);
    expect([...entry.codeOwnerPeople].sort()).toEqual(['ana@acme.io', 'carl@acme.io']);
  });

  it('takes teams from TEAM owners only, lower-cased, without the @', () => {
    const entry = indexModel(
      node('m', {
        codeOwners: [
          { kind: 'TEAM', handle: '@Acme/ML-Platform', person: null },
          { kind: 'TEAM', handle: 'acme/data', person: null },
          { kind: 'TEAM', handle: '@acme/ml-platform', person: null },
          { kind: 'USER', handle: '@ana', person: { id: 'ana@acme.io' } },
          { kind: 'EMAIL', handle: 'carl@acme.io', person: { id: 'carl@acme.io' } },
        ],
      }),
    );
    expect([...entry.teams].sort()).toEqual(['acme/data', 'acme/ml-platform']);
  });

  it('leaves waived findings out of the worst severity and the count of open findings', () => {
    const waived = { ...finding('HIGH', 'm', 'NO_OWNER', 'f1'), waiver: { reason: 'accepted', until: null } };
    const entry = indexModel({
      key: 'm',
      name: 'm',
      refs: [],
      findings: [waived, finding('LOW', 'm', 'APPROVED_NOT_DEPLOYED', 'f2')],
      lifecycle: null,
      versions: [],
      deployments: [],
      codeOwners: [],
      tickets: [],
    });
    expect([entry.worstSeverity, entry.openFindings, entry.findings.length]).toEqual([1, 1, 2]);
  });

  it('tolerates null lists (a subgraph that failed)', () => {
    const entry = indexModel(node('m', { findings: null, versions: null, deployments: null, codeOwners: null, tickets: null }));
    expect(entry).toEqual({
      key: 'm',
      name: 'm',
      sources: ['mlflow:prod'],
      findings: [],
      worstSeverity: 0,
      openFindings: 0,
      lifecycle: null,
      stages: new Set(),
      deployed: false,
      people: new Set(),
      codeOwnerPeople: new Set(),
      teams: new Set(),
    });
  });
});

describe('teamKey', () => {
  it('drops one leading @ and lower-cases', () => {
    expect(teamKey('@Acme/ML')).toBe('acme/ml');
    expect(teamKey('acme/ml')).toBe('acme/ml');
    expect(teamKey('@@x')).toBe('@x');
  });
});

// ---- compareFindings -------------------------------------------------------------------------

describe('compareFindings', () => {
  it('orders by severity, then model key with model-less last, then rule, then fingerprint', () => {
    const given = [
      finding('LOW', 'alpha', 'NO_OWNER', 'a'),
      finding('HIGH', null, 'DEPLOYED_NOT_REGISTERED', 'z'),
      finding('HIGH', 'zulu', 'FAILED_DEPLOYMENT', 'a'),
      finding('HIGH', 'alpha', 'PRODUCTION_WITHOUT_APPROVAL', 'a'),
      finding('HIGH', 'alpha', 'FAILED_DEPLOYMENT', 'b'),
      finding('HIGH', 'alpha', 'FAILED_DEPLOYMENT', 'a'),
      finding('MEDIUM', null, 'DEPLOYED_NOT_REGISTERED', 'a'),
      finding('HIGH', null, 'DEPLOYED_NOT_REGISTERED', 'b'),
      finding('MEDIUM', 'beta', 'STAGE_DRIFT', 'a'),
    ];
    const sorted = [...given].sort(compareFindings).map((f) => [f.severity, f.model?.key ?? null, f.rule, f.fingerprint]);
    expect(sorted).toEqual([
      ['HIGH', 'alpha', 'FAILED_DEPLOYMENT', 'a'],
      ['HIGH', 'alpha', 'FAILED_DEPLOYMENT', 'b'],
      ['HIGH', 'alpha', 'PRODUCTION_WITHOUT_APPROVAL', 'a'],
      ['HIGH', 'zulu', 'FAILED_DEPLOYMENT', 'a'],
      ['HIGH', null, 'DEPLOYED_NOT_REGISTERED', 'b'],
      ['HIGH', null, 'DEPLOYED_NOT_REGISTERED', 'z'],
      ['MEDIUM', 'beta', 'STAGE_DRIFT', 'a'],
      ['MEDIUM', null, 'DEPLOYED_NOT_REGISTERED', 'a'],
      ['LOW', 'alpha', 'NO_OWNER', 'a'],
    ]);
  });

  it('says 0 only for the same position', () => {
    expect(compareFindings(finding('LOW', 'a', 'NO_OWNER', 'x'), finding('LOW', 'a', 'NO_OWNER', 'x'))).toBe(0);
    expect(compareFindings(finding('LOW', 'a'), finding('HIGH', 'a'))).toBeGreaterThan(0);
    expect(compareFindings(finding('HIGH', 'a'), finding('LOW', 'a'))).toBeLessThan(0);
    expect(compareFindings(finding('LOW', null), finding('LOW', 'zzz'))).toBeGreaterThan(0);
    expect(compareFindings(finding('LOW', 'zzz'), finding('LOW', null))).toBeLessThan(0);
  });
});

// ---- GovernanceIndex ---------------------------------------------------------------------------


const stray = {
  id: 'sagemaker:prod-us/shadow-endpoint/primary',
  source: { kind: 'SAGEMAKER', instance: 'prod-us', nativeId: 'arn:aws:sagemaker:us-east-1:1:endpoint/shadow-endpoint', url: null },
  endpointName: 'shadow-endpoint',
  name: 'primary',
  status: 'IN_SERVICE',
  statusRaw: 'InService',
  trafficPercent: 100,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: null,
  modelVersionRef: 'arn:aws:sagemaker:us-east-1:1:model/shadow',
  modelVersion: null,
};
const registered = {
  ...stray,
  id: 'sagemaker:prod-us/fraud-prod/primary',
  endpointName: 'fraud-prod',
  modelVersionRef: 'arn:aws:sagemaker:us-east-1:1:model-package/fraud/3',
  modelVersion: { id: 'sagemaker:prod-us/fraud/3' },
};
const failedStray = { ...stray, id: 'sagemaker:prod-us/broken/primary', endpointName: 'broken', status: 'FAILED', modelVersion: null };

const expectedFingerprint = (rule: string, ...ids: string[]): string =>
  createHash('sha256').update(JSON.stringify([rule, ...ids])).digest('hex').slice(0, 16);

/** A model as the walk reads it: its raw facts (the index evaluates the rules on them). */
type RawModel = { key: string; name: string; refs: Array<{ kind: string; instance: string; nativeId: string; url: string | null }> } & Record<string, unknown>;
type RawPage = { models: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: RawModel[] } };

const mlflowRef = (name: string) => ({ kind: 'MLFLOW', instance: 'prod', nativeId: name, url: null });
const sagemakerRef = (name: string) => ({ kind: 'SAGEMAKER', instance: 'prod-us', nativeId: `arn:aws:sagemaker:us-east-1:1:model-package/${name}`, url: null });

function raw(key: string, over: Record<string, unknown> = {}): RawModel {
  return { key, name: key, refs: [mlflowRef(key)], mlflowVersions: [], cloudVersions: [], deployments: [], tickets: [], codeOwners: [], ...over };
}

function mlflowVersion(model: string, version: string, over: Record<string, unknown> = {}) {
  return {
    id: `prod/${model}/${version}`, source: mlflowRef(model), modelName: model, version, stage: null, aliases: [], status: 'READY',
    createdAt: '2026-01-03T00:00:00Z', updatedAt: null, createdBy: null, run: null, ...over,
  };
}

function cloudVersion(model: string, version: string, over: Record<string, unknown> = {}) {
  return {
    id: `sagemaker:prod-us/${model}/${version}`, source: sagemakerRef(model), modelName: model, version, stage: null, aliases: [],
    status: 'READY', createdAt: '2026-01-05T00:00:00Z', updatedAt: null, createdBy: null, approval: null, mlflowSource: null, ...over,
  };
}

const modelPages: RawPage[] = [
  {
    models: {
      pageInfo: { hasNextPage: true, endCursor: 'cursor-1' },
      nodes: [
        // Serves an approved, traceable version and nobody owns it: NO_OWNER only.
        raw('churn', {
          refs: [mlflowRef('churn'), sagemakerRef('churn')],
          mlflowVersions: [mlflowVersion('churn', '1', { run: { id: 'r1', startTime: '2026-01-01T00:00:00Z', git: { commit: 'abc123' } } })],
          cloudVersions: [cloudVersion('churn', '1', { approval: 'APPROVED', mlflowSource: { version: '1', runId: 'r1' } })],
          deployments: [{ ...stray, id: 'sagemaker:prod-us/churn-prod/primary', endpointName: 'churn-prod', createdAt: '2026-01-11T00:00:00Z', modelVersion: { id: 'sagemaker:prod-us/churn/1' } }],
        }),
        // In the Production stage with no approval, and owned by a person.
        raw('fraud', {
          refs: [mlflowRef('fraud'), sagemakerRef('fraud')],
          mlflowVersions: [mlflowVersion('fraud', '3', { stage: 'Production', run: { id: 'r3', startTime: '2026-01-01T00:00:00Z', git: { commit: 'def456' } } })],
          codeOwners: [{ kind: 'USER', handle: '@ana', person: { id: 'ana@acme.io' } }],
        }),
      ],
    },
  },
  {
    models: {
      pageInfo: { hasNextPage: true, endCursor: 'cursor-2' },
      nodes: [raw('pricing', { mlflowVersions: [mlflowVersion('pricing', '1', { stage: 'Staging', createdBy: 'bo@acme.io' })] })],
    },
  },
  {
    models: {
      pageInfo: { hasNextPage: false, endCursor: 'cursor-3' },
      // Approved long ago and never deployed.
      nodes: [raw('risk', { refs: [sagemakerRef('risk')], cloudVersions: [cloudVersion('risk', '2', { approval: 'APPROVED', createdBy: 'cy@acme.io' })] })],
    },
  },
];

const RAW_MODELS: RawModel[] = modelPages.flatMap((p) => p.models.nodes);

/** A listing and readers answering from canned raw facts, recording what was read. */
function fakeSources(options: { models?: RawModel[]; deployments?: unknown[]; failWith?: Error; delayMs?: number; failures?: SourceError[] } = {}) {
  const models = options.models ?? RAW_MODELS;
  const byKey = new Map(models.map((m) => [m.key, m]));
  const counts = { builds: 0, readers: 0, modelReads: [] as string[], deploymentCalls: 0, pagesOfReaders: [] as number[] };
  const pause = async () => {
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    if (options.failWith) throw options.failWith;
  };
  const sources: GovernanceSources = {
    async listing() {
      counts.builds++;
      await pause();
      const linked = models.map((m) => ({ key: m.key, name: m.name, refs: m.refs as LinkedModel['refs'], linkEvidence: [] }));
      return { models: linked, failures: options.failures ?? [] };
    },
    reader() {
      const reader = counts.readers++;
      counts.pagesOfReaders[reader] = 0;
      return {
        async model(model: LinkedModel) {
          await pause();
          counts.modelReads.push(model.key);
          counts.pagesOfReaders[reader]!++;
          return byKey.get(model.key) as unknown as ModelWithRequiredFacts;
        },
        async allDeployments() {
          await pause();
          counts.deploymentCalls++;
          return (options.deployments ?? [stray, registered, failedStray]) as RequiredDeployment[];
        },
      };
    },
  };
  return { sources, counts };
}

describe('GovernanceIndex', () => {
  it('reads every model of the listing once, a page at a time, each page with a fresh reader', async () => {
    const many = Array.from({ length: 2 * INDEX_PAGE_SIZE + 7 }, (_, i) => raw(`m-${String(i).padStart(4, '0')}`));
    const fake = fakeSources({ models: many });
    const data = await new GovernanceIndex(fake.sources, DEFAULT_GOVERNANCE, 60_000).get();
    expect([...data.models.keys()]).toEqual(many.map((m) => m.key));
    expect(fake.counts.modelReads.sort()).toEqual(many.map((m) => m.key));
    // Three pages of models, each its own reader, and one for the deployments.
    expect(fake.counts.pagesOfReaders.filter((n) => n > 0).sort((a, b) => a - b)).toEqual([7, INDEX_PAGE_SIZE, INDEX_PAGE_SIZE]);
    expect(fake.counts.deploymentCalls).toBe(1);
  });

  it('indexes each model', async () => {
    const fake = fakeSources();
    const { models } = await new GovernanceIndex(fake.sources, DEFAULT_GOVERNANCE, 60_000).get();
    const churn = models.get('churn')!;
    expect(churn.deployed).toBe(true);
    expect(churn.worstSeverity).toBe(2);
    expect(churn.lifecycle?.firstRunToProductionDays).toBe(10);
    const fraud = models.get('fraud')!;
    expect(fraud.sources).toEqual(['mlflow:prod', 'sagemaker:prod-us']);
    expect([...fraud.people]).toEqual(['ana@acme.io']);
    expect(fraud.deployed).toBe(false);
    expect([...models.get('pricing')!.stages]).toEqual(['staging']);
  });

  it('adds one DEPLOYED_NOT_REGISTERED finding, without a model, for the deployment no registry holds', async () => {
    const { findings } = await new GovernanceIndex(fakeSources().sources, DEFAULT_GOVERNANCE, 60_000).get();
    const orphans = findings.filter((f) => f.rule === 'DEPLOYED_NOT_REGISTERED');
    expect(orphans).toEqual([
      {
        fingerprint: expectedFingerprint('DEPLOYED_NOT_REGISTERED', 'deployment:sagemaker:prod-us/shadow-endpoint/primary'),
        rule: 'DEPLOYED_NOT_REGISTERED',
        severity: 'HIGH',
        message: 'Deployment primary on sagemaker:prod-us endpoint shadow-endpoint serves arn:aws:sagemaker:us-east-1:1:model/shadow that no registry holds',
        model: null,
        version: null,
        trafficPercent: null,
        evidence: {
          refs: [stray.source],
          versions: [],
          tickets: [],
          deployments: [{ id: 'sagemaker:prod-us/shadow-endpoint/primary' }],
        },
        waiver: null,
      },
    ]);
  });

  it('lists every finding, the models\' and the deployments\', most severe first, model-less last within a severity', async () => {
    const { findings } = await new GovernanceIndex(fakeSources().sources, DEFAULT_GOVERNANCE, 60_000).get();
    expect(findings.map((f) => [f.severity, f.model?.key ?? null, f.rule])).toEqual([
      ['HIGH', 'fraud', 'PRODUCTION_WITHOUT_APPROVAL'],
      ['HIGH', null, 'DEPLOYED_NOT_REGISTERED'],
      ['MEDIUM', 'churn', 'NO_OWNER'],
      ['LOW', 'risk', 'APPROVED_NOT_DEPLOYED'],
    ]);
  });

  it('evaluates each model\'s rules from its raw facts, with the waivers in force at build time', async () => {
    const plain = await new GovernanceIndex(fakeSources().sources, DEFAULT_GOVERNANCE, 60_000).get();
    const fraud = plain.models.get('fraud')!.findings;
    expect(fraud.map((f) => [f.rule, f.message])).toEqual([
      ['PRODUCTION_WITHOUT_APPROVAL', expect.stringContaining('fraud')],
    ]);
    expect(fraud[0]!.evidence.versions).toEqual([{ __typename: 'MlflowModelVersion', id: 'prod/fraud/3' }]);
    expect(plain.models.get('pricing')!.findings).toEqual([]);
    const waiver = { fingerprint: fraud[0]!.fingerprint, reason: 'accepted by the risk board', until: '2026-02-01' };
    const waived = { ...DEFAULT_GOVERNANCE, waivers: [waiver] };
    const during = await new GovernanceIndex(fakeSources().sources, waived, 60_000, () => Date.parse('2026-01-20T00:00:00Z')).get();
    expect(during.models.get('fraud')!.findings[0]!.waiver).toEqual({ reason: waiver.reason, until: waiver.until });
    expect(during.models.get('fraud')!.openFindings).toBe(0);
    const after = await new GovernanceIndex(fakeSources().sources, waived, 60_000, () => Date.parse('2026-02-02T00:00:00Z')).get();
    expect(after.models.get('fraud')!.findings[0]!.waiver).toBeNull();
  });

  it('follows the settings for the deployment rule', async () => {
    const settings = {
      ...DEFAULT_GOVERNANCE,
      rules: { ...DEFAULT_GOVERNANCE.rules, DEPLOYED_NOT_REGISTERED: { enabled: true, severity: 'LOW' as const } },
    };
    const { findings } = await new GovernanceIndex(fakeSources().sources, settings, 60_000).get();
    expect(findings.map((f) => [f.severity, f.model?.key ?? null])).toEqual([
      ['HIGH', 'fraud'],
      ['MEDIUM', 'churn'],
      ['LOW', 'risk'],
      ['LOW', null],
    ]);
    const disabled = {
      ...DEFAULT_GOVERNANCE,
      rules: { ...DEFAULT_GOVERNANCE.rules, DEPLOYED_NOT_REGISTERED: { enabled: false, severity: 'HIGH' as const } },
    };
    const again = await new GovernanceIndex(fakeSources().sources, disabled, 60_000).get();
    expect(again.findings.filter((f) => f.model === null)).toEqual([]);
  });

  it('keeps the index for its TTL and rebuilds it after', async () => {
    let now = 1_000;
    const fake = fakeSources();
    const index = new GovernanceIndex(fake.sources, DEFAULT_GOVERNANCE, 5_000, () => now);
    const first = await index.get();
    expect([fake.counts.builds, fake.counts.modelReads.length, fake.counts.deploymentCalls]).toEqual([1, 4, 1]);
    now = 5_999;
    expect(await index.get()).toBe(first);
    expect([fake.counts.builds, fake.counts.modelReads.length, fake.counts.deploymentCalls]).toEqual([1, 4, 1]);
    now = 6_000;
    const second = await index.get();
    expect(second).not.toBe(first);
    expect([fake.counts.builds, fake.counts.modelReads.length, fake.counts.deploymentCalls]).toEqual([2, 8, 2]);
  });

  it('builds once for concurrent callers', async () => {
    const fake = fakeSources({ delayMs: 5 });
    const index = new GovernanceIndex(fake.sources, DEFAULT_GOVERNANCE, 60_000);
    const answers = await Promise.all([index.get(), index.get(), index.get()]);
    expect(answers[1]).toBe(answers[0]);
    expect(answers[2]).toBe(answers[0]);
    expect([fake.counts.builds, fake.counts.modelReads.length, fake.counts.deploymentCalls]).toEqual([1, 4, 1]);
  });

  it('rejects when a source fails, and retries on the next get()', async () => {
    let failing = true;
    const broken = fakeSources({ failWith: new Error('mlflow:prod unavailable') });
    const healthy = fakeSources();
    const index = new GovernanceIndex(
      { listing: () => (failing ? broken : healthy).sources.listing(), reader: () => (failing ? broken : healthy).sources.reader() },
      DEFAULT_GOVERNANCE,
      60_000,
    );
    await expect(index.get()).rejects.toThrow('mlflow:prod unavailable');
    failing = false;
    const data = await index.get();
    expect([...data.models.keys()]).toEqual(['churn', 'fraud', 'pricing', 'risk']);
    expect(healthy.counts.builds).toBe(1);
  });

  it('fails when one model\'s read fails, rather than index the rest', async () => {
    const fake = fakeSources();
    const reader = fake.sources.reader;
    fake.sources.reader = () => {
      const inner = reader();
      return { ...inner, model: async (m: LinkedModel) => (m.key === 'pricing' ? Promise.reject(new Error('jira:corp unavailable')) : inner.model(m)) };
    };
    await expect(new GovernanceIndex(fake.sources, DEFAULT_GOVERNANCE, 60_000).get()).rejects.toThrow('jira:corp unavailable');
  });

  it('refuses a listing with a failed registry: its models would be evaluated as gone', async () => {
    const down = new SourceError({ source: 'sagemaker:prod-us', code: SourceErrorCode.SOURCE_UNAVAILABLE, message: 'unavailable' });
    const fake = fakeSources({ failures: [down] });
    await expect(new GovernanceIndex(fake.sources, DEFAULT_GOVERNANCE, 60_000).get()).rejects.toBe(down);
    expect(fake.counts.modelReads).toEqual([]);
  });

  it('gives up at the next page once the process stops', async () => {
    const many = Array.from({ length: 3 * INDEX_PAGE_SIZE }, (_, i) => raw(`m-${String(i).padStart(4, '0')}`));
    const fake = fakeSources({ models: many });
    const stop = new AbortController();
    const reader = fake.sources.reader;
    fake.sources.reader = () => {
      const inner = reader();
      return { ...inner, model: async (m: LinkedModel) => { stop.abort(); return inner.model(m); } };
    };
    await expect(new GovernanceIndex(fake.sources, DEFAULT_GOVERNANCE, 60_000, Date.now, 0, undefined, { stop: stop.signal }).get()).rejects.toThrow(/abort/i);
    // The page under way finished; no other page was started.
    expect(fake.counts.modelReads).toHaveLength(INDEX_PAGE_SIZE);
  });
});

describe('Model.findings and Model.lifecycle', () => {
  type FieldResolver = (model: { key: string }, args: unknown, ctx: unknown) => Promise<unknown>;
  const model = resolvers.Model as unknown as { findings: FieldResolver; lifecycle: FieldResolver };

  it("read the index: a model's findings and lifecycle are the index's, and null for a model it has not evaluated yet", async () => {
    const governance = new GovernanceIndex(fakeSources().sources, DEFAULT_GOVERNANCE, 60_000);
    const ctx = { governance };
    const indexed = await governance.get();
    expect(await model.findings({ key: 'fraud' }, {}, ctx)).toBe(indexed.models.get('fraud')!.findings);
    expect(await model.lifecycle({ key: 'churn' }, {}, ctx)).toEqual(indexed.models.get('churn')!.lifecycle);
    // Listed since the build: not "no findings", but not known yet.
    expect(await model.findings({ key: 'registered-a-minute-ago' }, {}, ctx)).toBeNull();
    expect(await model.lifecycle({ key: 'registered-a-minute-ago' }, {}, ctx)).toBeNull();
  });
});
