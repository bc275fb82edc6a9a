import {
  fingerprint,
  isApprovalTicket,
  isProductionDesignated,
  isProductionEndpoint,
  isServing,
  looksLikeApproval,
  productionVersions,
  servedMlflowVersionNumbers,
  servingDeployments,
} from '../../../subgraphs/inventory/governance/production';
import { cloudVersion, deployment, mlflowVersion, model, settings, ticket } from './facts';

describe('isServing', () => {
  it('is IN_SERVICE or UPDATING with traffic or an unknown share', () => {
    expect(isServing(deployment('a', null))).toBe(true);
    expect(isServing(deployment('a', null, { status: 'UPDATING', trafficPercent: 10 }))).toBe(true);
    expect(isServing(deployment('a', null, { trafficPercent: null }))).toBe(true);
  });

  it('is not a variant without traffic, nor one in any other status', () => {
    expect(isServing(deployment('a', null, { trafficPercent: 0 }))).toBe(false);
    for (const status of ['CREATING', 'FAILED', 'DELETING', 'OUT_OF_SERVICE', 'UNKNOWN'] as const) {
      expect(isServing(deployment('a', null, { status }))).toBe(false);
    }
  });
});

describe('isProductionDesignated', () => {
  const s = settings();
  it('matches stages and aliases case-insensitively', () => {
    expect(isProductionDesignated(mlflowVersion('1', { stage: 'production' }), s)).toBe(true);
    expect(isProductionDesignated(mlflowVersion('1', { stage: 'PRODUCTION' }), s)).toBe(true);
    expect(isProductionDesignated(mlflowVersion('1', { aliases: ['latest', 'Champion'] }), s)).toBe(true);
  });

  it('ignores other stages and aliases', () => {
    expect(isProductionDesignated(mlflowVersion('1', { stage: 'Staging', aliases: ['challenger'] }), s)).toBe(false);
    expect(isProductionDesignated(mlflowVersion('1'), s)).toBe(false);
  });

  it('follows the settings', () => {
    const custom = settings({}, { productionStages: ['Live'], productionAliases: [] });
    expect(isProductionDesignated(mlflowVersion('1', { stage: 'live' }), custom)).toBe(true);
    expect(isProductionDesignated(mlflowVersion('1', { stage: 'Production', aliases: ['champion'] }), custom)).toBe(false);
  });
});

describe('productionVersions and servedMlflowVersionNumbers', () => {
  const designated = mlflowVersion('3', { stage: 'Production' });
  const served = cloudVersion('7', { mlflowVersion: '2' });
  const servedNoOrigin = cloudVersion('5', {}, { kind: 'VERTEX_AI', instance: 'eu' });
  const idle = cloudVersion('8');
  const m = model({
    versions: [designated, served, servedNoOrigin, idle, mlflowVersion('2')],
    deployments: [
      deployment('live', served),
      deployment('live', servedNoOrigin),
      deployment('zero', idle, { trafficPercent: 0, endpointName: 'other' }),
    ],
  });

  it('lists the designated versions and the cloud versions serving traffic, once each', () => {
    const twice = model({ ...m, versions: [...m.versions, { ...served, aliases: ['champion'] }] });
    expect(productionVersions(m, settings()).map((v) => v.id).sort()).toEqual([
      'prod/credit-risk-scorer/3',
      'sagemaker:prod-us/credit-risk-scorer/7',
      'vertex_ai:eu/credit-risk-scorer/5',
    ]);
    expect(productionVersions(twice, settings()).filter((v) => v.id === served.id)).toHaveLength(1);
  });

  it("maps served cloud versions to MLflow numbers, by mlflow.version else the cloud's number", () => {
    expect([...servedMlflowVersionNumbers(m, settings())].sort()).toEqual(['2', '5']);
  });
});

describe('isApprovalTicket', () => {
  it('by default takes a done ticket whose summary mentions approval, in any case', () => {
    const s = settings();
    expect(isApprovalTicket(ticket('ML-1', { summary: 'APPROVAL for credit-risk-scorer' }), s)).toBe(true);
    expect(isApprovalTicket(ticket('ML-1', { summary: 'Approve v3' }), s)).toBe(true);
    expect(isApprovalTicket(ticket('ML-1', { summary: 'Retrain v3' }), s)).toBe(false);
    expect(isApprovalTicket(ticket('ML-1', { summary: 'Approve v3', statusCategory: 'IN_PROGRESS' }), s)).toBe(false);
  });

  it('applies statuses, issue types and labels only when listed, case-insensitively', () => {
    const s = settings({}, {
      approval: { statusCategories: ['DONE'], statuses: ['Approved'], issueTypes: ['Model Review'], labels: ['model-approval'], summaryPattern: '', versionField: null, acceptModelLevelTicket: false },
    });
    const ok = ticket('ML-2', { summary: 'anything', status: 'approved', type: 'model review', labels: ['x', 'Model-Approval'] });
    expect(isApprovalTicket(ok, s)).toBe(true);
    expect(isApprovalTicket({ ...ok, status: 'Done' }, s)).toBe(false);
    expect(isApprovalTicket({ ...ok, status: null }, s)).toBe(false);
    expect(isApprovalTicket({ ...ok, type: 'Task' }, s)).toBe(false);
    expect(isApprovalTicket({ ...ok, labels: [] }, s)).toBe(false);
  });

  it('accepts no ticket when no status category is allowed', () => {
    const s = settings({}, { approval: { statusCategories: [], statuses: [], issueTypes: [], labels: [], summaryPattern: '', versionField: null, acceptModelLevelTicket: false } });
    expect(isApprovalTicket(ticket('ML-3'), s)).toBe(false);
  });

  it('tells an approval attempt from an approval', () => {
    const open = ticket('ML-4', { summary: 'Approve v3', statusCategory: 'IN_PROGRESS' });
    expect(looksLikeApproval(open, settings())).toBe(true);
    expect(isApprovalTicket(open, settings())).toBe(false);
  });

  it('names the setting when the summary pattern is not a regular expression', () => {
    const s = settings({}, { approval: { statusCategories: ['DONE'], statuses: [], issueTypes: [], labels: [], summaryPattern: '(', versionField: null, acceptModelLevelTicket: false } });
    expect(() => isApprovalTicket(ticket('ML-5'), s)).toThrow(/summaryPattern/);
  });
});

describe('fingerprint', () => {
  it('is 16 hex characters, independent of the order of ids', () => {
    const f = fingerprint('NO_OWNER', 'model:a', 'registry:b');
    expect(f).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint('NO_OWNER', 'registry:b', 'model:a')).toBe(f);
  });

  it('differs by rule and by ids, and cannot be forged by joining ids', () => {
    const f = fingerprint('NO_OWNER', 'a', 'b');
    expect(fingerprint('STAGE_DRIFT', 'a', 'b')).not.toBe(f);
    expect(fingerprint('NO_OWNER', 'a', 'c')).not.toBe(f);
    expect(fingerprint('NO_OWNER', 'a,b')).not.toBe(f);
  });

  it('is a known value, so it stays the same across releases', () => {
    // sha256('["NO_OWNER","model:credit-risk-scorer"]'), first 16 hex characters
    expect(fingerprint('NO_OWNER', 'model:credit-risk-scorer')).toBe('87af8ad1131d698c');
  });
});

describe('isProductionEndpoint and servingDeployments', () => {
  it('takes staging, dev, test and QA endpoints out of production traffic, by name', () => {
    const s = settings();
    for (const name of ['fraud-staging', 'dev_scoring', 'churn.test', 'qa-ranker', 'stg-eu-ranker']) {
      expect(isProductionEndpoint({ endpointName: name }, s)).toBe(false);
    }
    // Words inside other words are not environments.
    for (const name of ['fraud-prod', 'latest-detector', 'devices-ranker', 'contest-scorer']) {
      expect(isProductionEndpoint({ endpointName: name }, s)).toBe(true);
    }
  });

  it('follows the configured pattern, and an empty one makes every endpoint production', () => {
    expect(isProductionEndpoint({ endpointName: 'fraud-preprod' }, settings({}, { nonProductionEndpoints: 'preprod' }))).toBe(false);
    expect(isProductionEndpoint({ endpointName: 'fraud-staging' }, settings({}, { nonProductionEndpoints: '' }))).toBe(true);
  });

  it('counts only serving deployments on production endpoints', () => {
    const v = cloudVersion('7');
    const m = model({
      versions: [v],
      deployments: [
        deployment('live', v, { endpointName: 'risk-prod' }),
        deployment('staged', v, { endpointName: 'risk-staging' }),
        deployment('idle', v, { endpointName: 'risk-prod-2', trafficPercent: 0 }),
      ],
    });
    expect(servingDeployments(m, settings()).map((d) => d.name)).toEqual(['live']);
  });
});
