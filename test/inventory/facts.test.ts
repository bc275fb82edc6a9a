import type { SourceRef } from '../../connectors/core/source';
import {
  cloudVersionFact,
  deploymentFact,
  mlflowVersionFact,
  modelFacts,
  ticketFact,
  type ModelWithRequiredFacts,
  type RequiredCloudVersion,
  type RequiredDeployment,
  type RequiredMlflowVersion,
  type RequiredTicket,
} from '../../subgraphs/inventory/governance/facts';
import type { ModelFacts } from '../../subgraphs/inventory/governance/types';
import type { LinkedModel } from '../../subgraphs/inventory/linking';

const mlflowRef: SourceRef = { kind: 'MLFLOW', instance: 'prod', nativeId: 'credit-risk', url: 'https://mlflow.acme.io/#/models/credit-risk' };
const sagemakerRef: SourceRef = { kind: 'SAGEMAKER', instance: 'prod-us', nativeId: 'arn:aws:sagemaker:us-east-1:1:model-package-group/credit-risk', url: null };

const linked: LinkedModel = {
  key: 'credit-risk',
  name: 'Credit_Risk',
  refs: [mlflowRef, sagemakerRef],
  linkEvidence: [
    { ref: mlflowRef, rule: 'NAME', detail: 'name "Credit_Risk"' },
    { ref: sagemakerRef, rule: 'TAG', detail: 'tag modelgraph.key=credit-risk' },
  ],
};

// What the gateway sends for `@requires` on Model.findings, field for field.
const mlflowV3: RequiredMlflowVersion = {
  id: 'prod/Credit_Risk/3',
  source: { kind: 'MLFLOW', instance: 'prod', nativeId: 'Credit_Risk/3', url: 'https://mlflow.acme.io/#/models/Credit_Risk/versions/3' },
  modelName: 'Credit_Risk',
  version: '3',
  stage: 'Production',
  aliases: ['champion'],
  status: 'READY',
  createdAt: '2026-01-10T09:00:00Z',
  updatedAt: '2026-01-12T09:00:00Z',
  createdBy: 'ana@acme.io',
  run: { id: 'run-abc', startTime: '2026-01-05T08:00:00Z', git: { commit: '9f2c1e7' } },
};

const mlflowV4NoRun: RequiredMlflowVersion = {
  id: 'prod/Credit_Risk/4',
  source: { kind: 'MLFLOW', instance: 'prod', nativeId: 'Credit_Risk/4', url: null },
  modelName: 'Credit_Risk',
  version: '4',
  stage: null,
  aliases: [],
  status: 'PENDING',
  createdAt: null,
  updatedAt: null,
  createdBy: null,
  run: null,
};

const cloudV12: RequiredCloudVersion = {
  id: 'sagemaker:prod-us/credit-risk/12',
  source: { kind: 'SAGEMAKER', instance: 'prod-us', nativeId: 'arn:aws:sagemaker:us-east-1:1:model-package/credit-risk/12', url: null },
  modelName: 'credit-risk',
  version: '12',
  stage: null,
  aliases: [],
  status: 'READY',
  createdAt: '2026-01-11T00:00:00Z',
  updatedAt: '2026-01-11T01:00:00Z',
  createdBy: 'arn:aws:iam::1:role/ci',
  approval: 'APPROVED',
  mlflowSource: { version: '3', runId: 'run-abc' },
};

const deployment: RequiredDeployment = {
  id: 'sagemaker:prod-us/credit-risk-prod/primary',
  source: { kind: 'SAGEMAKER', instance: 'prod-us', nativeId: 'arn:aws:sagemaker:us-east-1:1:endpoint/credit-risk-prod', url: null },
  endpointName: 'credit-risk-prod',
  name: 'primary',
  status: 'IN_SERVICE',
  statusRaw: 'InService',
  trafficPercent: 90,
  createdAt: '2026-01-13T00:00:00Z',
  updatedAt: '2026-01-14T00:00:00Z',
  modelVersionRef: 'arn:aws:sagemaker:us-east-1:1:model-package/credit-risk/12',
  modelVersion: { id: 'sagemaker:prod-us/credit-risk/12' },
};

const ticket: RequiredTicket = {
  id: 'corp/MLGOV-7',
  key: 'MLGOV-7',
  url: 'https://acme.atlassian.net/browse/MLGOV-7',
  summary: 'Approve credit-risk v12',
  type: 'Task',
  status: 'Done',
  statusCategory: 'DONE',
  labels: ['model-approval'],
  created: '2026-01-11T00:00:00Z',
  resolved: '2026-01-12T00:00:00Z',
  assignee: { id: 'bo@acme.io' },
};

const full: ModelWithRequiredFacts = {
  key: 'credit-risk',
  mlflowVersions: [mlflowV3, mlflowV4NoRun],
  cloudVersions: [cloudV12],
  deployments: [deployment],
  tickets: [ticket],
  codeOwners: [
    { handle: '@ana', kind: 'USER', person: { id: 'ana@acme.io' } },
    { handle: '@acme/ml-platform', kind: 'TEAM', person: null },
    { handle: 'carl@acme.io', kind: 'EMAIL', person: { id: 'carl@acme.io' } },
  ],
};

describe('modelFacts', () => {
  it('maps a full representation to the facts the rules read', () => {
    const facts = modelFacts(linked, full);
    const expected: ModelFacts = {
      key: 'credit-risk',
      name: 'Credit_Risk',
      refs: [mlflowRef, sagemakerRef],
      versions: [
        {
          typename: 'MlflowModelVersion',
          id: 'prod/Credit_Risk/3',
          source: mlflowV3.source,
          modelName: 'Credit_Risk',
          version: '3',
          stage: 'Production',
          aliases: ['champion'],
          status: 'READY',
          createdAt: '2026-01-10T09:00:00Z',
          updatedAt: '2026-01-12T09:00:00Z',
          createdBy: 'ana@acme.io',
          approval: null,
          run: { id: 'run-abc', startTime: '2026-01-05T08:00:00Z', gitCommit: '9f2c1e7' },
          mlflowVersion: null,
        },
        {
          typename: 'MlflowModelVersion',
          id: 'prod/Credit_Risk/4',
          source: mlflowV4NoRun.source,
          modelName: 'Credit_Risk',
          version: '4',
          stage: null,
          aliases: [],
          status: 'PENDING',
          createdAt: null,
          updatedAt: null,
          createdBy: null,
          approval: null,
          run: null,
          mlflowVersion: null,
        },
        {
          typename: 'CloudModelVersion',
          id: 'sagemaker:prod-us/credit-risk/12',
          source: cloudV12.source,
          modelName: 'credit-risk',
          version: '12',
          stage: null,
          aliases: [],
          status: 'READY',
          createdAt: '2026-01-11T00:00:00Z',
          updatedAt: '2026-01-11T01:00:00Z',
          createdBy: 'arn:aws:iam::1:role/ci',
          createdByType: null,
          approval: 'APPROVED',
          run: null,
          mlflowVersion: '3',
        },
      ],
      deployments: [
        {
          id: 'sagemaker:prod-us/credit-risk-prod/primary',
          source: deployment.source,
          endpointName: 'credit-risk-prod',
          name: 'primary',
          status: 'IN_SERVICE',
          statusRaw: 'InService',
          statusMessage: null,
          trafficPercent: 90,
          createdAt: '2026-01-13T00:00:00Z',
          updatedAt: '2026-01-14T00:00:00Z',
          modelVersionId: 'sagemaker:prod-us/credit-risk/12',
          modelVersionRef: 'arn:aws:sagemaker:us-east-1:1:model-package/credit-risk/12',
        },
      ],
      tickets: [
        {
          id: 'corp/MLGOV-7',
          key: 'MLGOV-7',
          url: 'https://acme.atlassian.net/browse/MLGOV-7',
          summary: 'Approve credit-risk v12',
          type: 'Task',
          status: 'Done',
          statusCategory: 'DONE',
          labels: ['model-approval'],
          created: '2026-01-11T00:00:00Z',
          resolved: '2026-01-12T00:00:00Z',
          assigneeId: 'bo@acme.io',
          description: '',
          versionFieldValues: [],
          statusChanges: null,
        },
      ],
      codeOwners: [
        { handle: '@ana', kind: 'USER', personId: 'ana@acme.io' },
        { handle: '@acme/ml-platform', kind: 'TEAM', personId: null },
        { handle: 'carl@acme.io', kind: 'EMAIL', personId: 'carl@acme.io' },
      ],
      unavailable: { mlflowVersions: false, cloudVersions: false, deployments: false, tickets: false, codeOwners: false },
    };
    expect(facts).toEqual(expected);
  });

  it('takes key, name and refs from the linked model, not the representation', () => {
    const facts = modelFacts(linked, { key: 'something-else', mlflowVersions: [], cloudVersions: [], deployments: [], tickets: [], codeOwners: [] });
    expect(facts.key).toBe('credit-risk');
    expect(facts.name).toBe('Credit_Risk');
    expect(facts.refs).toEqual([mlflowRef, sagemakerRef]);
  });

  it('lists MLflow versions before cloud versions', () => {
    const facts = modelFacts(linked, { key: 'credit-risk', cloudVersions: [cloudV12], mlflowVersions: [mlflowV4NoRun, mlflowV3] });
    expect(facts.versions.map((v) => [v.typename, v.version])).toEqual([
      ['MlflowModelVersion', '4'],
      ['MlflowModelVersion', '3'],
      ['CloudModelVersion', '12'],
    ]);
  });

  it('treats [] as available and empty', () => {
    const facts = modelFacts(linked, { key: 'credit-risk', mlflowVersions: [], cloudVersions: [], deployments: [], tickets: [], codeOwners: [] });
    expect(facts.versions).toEqual([]);
    expect(facts.deployments).toEqual([]);
    expect(facts.tickets).toEqual([]);
    expect(facts.codeOwners).toEqual([]);
    expect(facts.unavailable).toEqual({ mlflowVersions: false, cloudVersions: false, deployments: false, tickets: false, codeOwners: false });
  });

  it('marks every null field unavailable and empty', () => {
    const facts = modelFacts(linked, { key: 'credit-risk', mlflowVersions: null, cloudVersions: null, deployments: null, tickets: null, codeOwners: null });
    expect(facts.versions).toEqual([]);
    expect(facts.deployments).toEqual([]);
    expect(facts.tickets).toEqual([]);
    expect(facts.codeOwners).toEqual([]);
    expect(facts.unavailable).toEqual({ mlflowVersions: true, cloudVersions: true, deployments: true, tickets: true, codeOwners: true });
  });

  it('marks every absent field unavailable and empty', () => {
    const facts = modelFacts(linked, { key: 'credit-risk' });
    expect(facts.versions).toEqual([]);
    expect(facts.deployments).toEqual([]);
    expect(facts.tickets).toEqual([]);
    expect(facts.codeOwners).toEqual([]);
    expect(facts.unavailable).toEqual({ mlflowVersions: true, cloudVersions: true, deployments: true, tickets: true, codeOwners: true });
  });

  it.each([
    ['mlflowVersions', { mlflowVersions: null }],
    ['cloudVersions', { cloudVersions: null }],
    ['deployments', { deployments: null }],
    ['tickets', { tickets: null }],
    ['codeOwners', { codeOwners: null }],
  ] as const)('marks only %s unavailable when only it failed, keeping the others', (field, failed) => {
    const facts = modelFacts(linked, { ...full, ...failed });
    const unavailable = { mlflowVersions: false, cloudVersions: false, deployments: false, tickets: false, codeOwners: false, [field]: true };
    expect(facts.unavailable).toEqual(unavailable);
    expect(facts.versions).toHaveLength(field === 'mlflowVersions' ? 1 : field === 'cloudVersions' ? 2 : 3);
    expect(facts.deployments).toHaveLength(field === 'deployments' ? 0 : 1);
    expect(facts.tickets).toHaveLength(field === 'tickets' ? 0 : 1);
    expect(facts.codeOwners).toHaveLength(field === 'codeOwners' ? 0 : 3);
  });

  it('keeps MLflow versions when the cloud versions failed, and the other way round', () => {
    expect(modelFacts(linked, { ...full, cloudVersions: null }).versions.map((v) => v.id)).toEqual(['prod/Credit_Risk/3', 'prod/Credit_Risk/4']);
    expect(modelFacts(linked, { ...full, mlflowVersions: undefined }).versions.map((v) => v.id)).toEqual(['sagemaker:prod-us/credit-risk/12']);
  });
});

describe('mlflowVersionFact', () => {
  it('maps the run with its git commit', () => {
    expect(mlflowVersionFact(mlflowV3).run).toEqual({ id: 'run-abc', startTime: '2026-01-05T08:00:00Z', gitCommit: '9f2c1e7' });
  });

  it('keeps a run without start time or git as nulls', () => {
    expect(mlflowVersionFact({ ...mlflowV3, run: { id: 'r1' } }).run).toEqual({ id: 'r1', startTime: null, gitCommit: null });
    expect(mlflowVersionFact({ ...mlflowV3, run: { id: 'r1', startTime: null, git: null } }).run).toEqual({ id: 'r1', startTime: null, gitCommit: null });
    expect(mlflowVersionFact({ ...mlflowV3, run: { id: 'r1', git: { commit: null } } }).run).toEqual({ id: 'r1', startTime: null, gitCommit: null });
  });

  it('has no run when the version names none', () => {
    expect(mlflowVersionFact({ ...mlflowV3, run: null }).run).toBeNull();
    expect(mlflowVersionFact({ ...mlflowV3, run: undefined }).run).toBeNull();
  });

  it('defaults optional fields: no stage, no aliases, UNKNOWN status, null times', () => {
    const bare: RequiredMlflowVersion = { id: 'prod/m/1', source: mlflowV3.source, modelName: 'm', version: '1' };
    expect(mlflowVersionFact(bare)).toEqual({
      typename: 'MlflowModelVersion',
      id: 'prod/m/1',
      source: mlflowV3.source,
      modelName: 'm',
      version: '1',
      stage: null,
      aliases: [],
      status: 'UNKNOWN',
      createdAt: null,
      updatedAt: null,
      createdBy: null,
      approval: null,
      run: null,
      mlflowVersion: null,
    });
    expect(mlflowVersionFact({ ...bare, aliases: null, status: null }).aliases).toEqual([]);
    expect(mlflowVersionFact({ ...bare, aliases: null, status: null }).status).toBe('UNKNOWN');
  });
});

describe('cloudVersionFact', () => {
  it('takes the approval and mlflowSource.version, never a run', () => {
    const fact = cloudVersionFact(cloudV12);
    expect(fact.typename).toBe('CloudModelVersion');
    expect(fact.approval).toBe('APPROVED');
    expect(fact.mlflowVersion).toBe('3');
    expect(fact.run).toBeNull();
  });

  it('has null approval and mlflowVersion when the cloud records none', () => {
    expect(cloudVersionFact({ ...cloudV12, approval: null, mlflowSource: null })).toMatchObject({ approval: null, mlflowVersion: null });
    expect(cloudVersionFact({ ...cloudV12, approval: undefined, mlflowSource: undefined })).toMatchObject({ approval: null, mlflowVersion: null });
    expect(cloudVersionFact({ ...cloudV12, mlflowSource: { runId: 'run-abc' } }).mlflowVersion).toBeNull();
    expect(cloudVersionFact({ ...cloudV12, mlflowSource: { version: null, runId: 'run-abc' } }).mlflowVersion).toBeNull();
    expect(cloudVersionFact({ ...cloudV12, approval: 'REJECTED' }).approval).toBe('REJECTED');
  });
});

describe('deploymentFact', () => {
  it('turns modelVersion { id } into modelVersionId', () => {
    expect(deploymentFact(deployment).modelVersionId).toBe('sagemaker:prod-us/credit-risk/12');
  });

  it('has a null modelVersionId when no registry holds what it serves, keeping the ref', () => {
    const stray = deploymentFact({ ...deployment, modelVersion: null });
    expect(stray.modelVersionId).toBeNull();
    expect(stray.modelVersionRef).toBe('arn:aws:sagemaker:us-east-1:1:model-package/credit-risk/12');
  });

  it('defaults the optional fields to null, keeping a 0% traffic share as 0', () => {
    const bare: RequiredDeployment = { id: 'd', source: deployment.source, endpointName: 'e', name: 'n', status: 'CREATING' };
    expect(deploymentFact(bare)).toEqual({
      id: 'd',
      source: deployment.source,
      endpointName: 'e',
      name: 'n',
      status: 'CREATING',
      statusRaw: null,
      statusMessage: null,
      trafficPercent: null,
      createdAt: null,
      updatedAt: null,
      modelVersionId: null,
      modelVersionRef: null,
    });
    expect(deploymentFact({ ...bare, trafficPercent: 0 }).trafficPercent).toBe(0);
  });
});

describe('ticketFact', () => {
  it('turns assignee { id } into assigneeId', () => {
    expect(ticketFact(ticket).assigneeId).toBe('bo@acme.io');
    expect(ticketFact({ ...ticket, assignee: null }).assigneeId).toBeNull();
  });

  it('defaults the optional fields', () => {
    const bare: RequiredTicket = { id: 'corp/X-1', key: 'X-1', summary: 's', statusCategory: 'TODO' };
    expect(ticketFact(bare)).toEqual({
      id: 'corp/X-1',
      key: 'X-1',
      url: null,
      summary: 's',
      type: null,
      status: null,
      statusCategory: 'TODO',
      labels: [],
      created: null,
      resolved: null,
      assigneeId: null,
      description: '',
      versionFieldValues: [],
      statusChanges: null,
    });
    expect(ticketFact({ ...bare, labels: null }).labels).toEqual([]);
  });

  it('keeps the description, the status changes and the configured version field’s values only', () => {
    const read: RequiredTicket = {
      ...ticket,
      description: 'Sign-off for version 12',
      fieldValues: { customfield_10050: ['12'], customfield_10042: ['credit-risk'] },
      statusChanges: [{ at: '2026-01-12T00:00:00Z', from: 'In Review', to: 'Done' }],
    };
    expect(ticketFact(read, 'customfield_10050')).toMatchObject({
      description: 'Sign-off for version 12',
      versionFieldValues: ['12'],
      statusChanges: [{ at: '2026-01-12T00:00:00Z', from: 'In Review', to: 'Done' }],
    });
    expect(ticketFact(read).versionFieldValues).toEqual([]);
  });
});
