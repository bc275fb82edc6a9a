import { productionWithoutApproval } from '../../../subgraphs/inventory/governance/rules/production-without-approval';
import { approvalTicket, cloudVersion, deployment, mlflowVersion, model, NOW, settings, ticket } from './facts';

const served = cloudVersion('7', { approval: 'PENDING' });
const live = deployment('primary', served);
const serving = model({ versions: [served], deployments: [live], tickets: [ticket('ML-9', { summary: 'Retrain' })] });

describe('PRODUCTION_WITHOUT_APPROVAL', () => {
  it('fires for a model serving traffic with no approval ticket and no cloud approval', () => {
    expect(productionWithoutApproval(serving, settings(), NOW)).toEqual([
      {
        rule: 'PRODUCTION_WITHOUT_APPROVAL',
        severity: 'HIGH',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        message:
          'credit-risk-scorer serves production traffic (sagemaker:prod-us endpoint credit-risk-scorer-prod) with no approved ticket and no cloud approval',
        modelKey: 'credit-risk-scorer',
        evidence: {
          refs: serving.refs,
          versions: [{ typename: 'CloudModelVersion', id: 'sagemaker:prod-us/credit-risk-scorer/7' }],
          tickets: [],
          deployments: ['sagemaker:prod-us/credit-risk-scorer-prod/primary'],
        },
      },
    ]);
  });

  it('fires for a production-designated version that serves nothing, naming it', () => {
    const m = model({ versions: [mlflowVersion('3', { stage: 'Production' })] });
    const [f] = productionWithoutApproval(m, settings(), NOW);
    expect(f.message).toBe(
      'credit-risk-scorer has production-designated versions (mlflow:prod version 3) with no approved ticket and no cloud approval',
    );
    expect(f.evidence.versions).toEqual([{ typename: 'MlflowModelVersion', id: 'prod/credit-risk-scorer/3' }]);
  });

  it('names approval tickets that are not done yet, and only those', () => {
    const open = ticket('ML-12', { summary: 'Approve credit-risk-scorer v7', status: 'In Review', statusCategory: 'IN_PROGRESS' });
    const [f] = productionWithoutApproval({ ...serving, tickets: [...serving.tickets, open] }, settings(), NOW);
    expect(f.message).toMatch(/no cloud approval; ML-12 is In Review$/);
    expect(f.evidence.tickets).toEqual(['jira/ML-12']);
  });

  it('does not fire with a done approval ticket', () => {
    expect(productionWithoutApproval({ ...serving, tickets: [approvalTicket('ML-1')] }, settings(), NOW)).toEqual([]);
  });

  it('does not fire when a production version is approved in the cloud, served or designated', () => {
    const approved = { ...served, approval: 'APPROVED' as const };
    expect(productionWithoutApproval({ ...serving, versions: [approved] }, settings(), NOW)).toEqual([]);
    const designated = cloudVersion('8', { aliases: ['champion'], approval: 'APPROVED' });
    expect(productionWithoutApproval({ ...serving, versions: [served, designated] }, settings(), NOW)).toEqual([]);
  });

  it('ignores the approval of a version that is not in production', () => {
    const other = cloudVersion('6', { approval: 'APPROVED' });
    expect(productionWithoutApproval({ ...serving, versions: [served, other] }, settings(), NOW)).toHaveLength(1);
  });

  it('does not fire for a model not in production: no traffic share, or not serving', () => {
    const idle = model({ versions: [served], deployments: [{ ...live, trafficPercent: 0 }] });
    expect(productionWithoutApproval(idle, settings(), NOW)).toEqual([]);
    const failed = model({ versions: [served], deployments: [{ ...live, status: 'FAILED' }] });
    expect(productionWithoutApproval(failed, settings(), NOW)).toEqual([]);
  });

  it('says nothing when Jira failed, since no ticket then proves nothing', () => {
    expect(productionWithoutApproval({ ...serving, unavailable: { ...serving.unavailable, tickets: true } }, settings(), NOW)).toEqual([]);
  });

  it('says nothing when the cloud registry that may hold the approval failed', () => {
    const m = model({ versions: [], deployments: [live], unavailable: { cloudVersions: true } });
    expect(productionWithoutApproval(m, settings(), NOW)).toEqual([]);
  });

  it('still fires on an MLflow designation when a cloud that holds nothing of the model failed', () => {
    const m = model({
      refs: [serving.refs[0]],
      versions: [mlflowVersion('3', { stage: 'Production' })],
      unavailable: { cloudVersions: true },
    });
    expect(productionWithoutApproval(m, settings(), NOW)).toHaveLength(1);
  });

  it('says nothing when nothing shows production because its sources failed', () => {
    const m = model({ unavailable: { mlflowVersions: true, cloudVersions: true, deployments: true } });
    expect(productionWithoutApproval(m, settings(), NOW)).toEqual([]);
  });

  it('is silent when disabled and takes its severity from the settings', () => {
    expect(productionWithoutApproval(serving, settings({ PRODUCTION_WITHOUT_APPROVAL: { enabled: false } }), NOW)).toEqual([]);
    expect(productionWithoutApproval(serving, settings({ PRODUCTION_WITHOUT_APPROVAL: { severity: 'LOW' } }), NOW)[0].severity).toBe('LOW');
  });

  it('keeps its fingerprint when times and messages change, and differs per model', () => {
    const [a] = productionWithoutApproval(serving, settings(), NOW);
    const later = model({
      ...serving,
      versions: [{ ...served, createdAt: '2026-05-01T00:00:00Z' }],
      deployments: [{ ...live, createdAt: '2026-05-02T00:00:00Z', endpointName: 'renamed' }],
    });
    const [b] = productionWithoutApproval(later, settings(), NOW);
    expect(b.message).not.toBe(a.message);
    expect(b.fingerprint).toBe(a.fingerprint);
    const [c] = productionWithoutApproval({ ...serving, key: 'fraud-detector' }, settings(), NOW);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });
});
