import { productionWithoutApproval } from '../../../subgraphs/inventory/governance/rules/production-without-approval';
import { approvalTicket, cloudVersion, deployment, mlflowVersion, model, NOW, settings, ticket } from './facts';

const served = cloudVersion('7', { approval: 'PENDING' });
const live = deployment('primary', served);
const serving = model({ versions: [served], deployments: [live], tickets: [ticket('ML-9', { summary: 'Retrain' })] });

describe('PRODUCTION_WITHOUT_APPROVAL', () => {
  it('fires for a version serving traffic with no approval of it, naming the version and its traffic share', () => {
    expect(productionWithoutApproval(serving, settings(), NOW)).toEqual([
      {
        rule: 'PRODUCTION_WITHOUT_APPROVAL',
        severity: 'HIGH',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        message:
          'credit-risk-scorer sagemaker:prod-us version 7 (100% of traffic on sagemaker:prod-us endpoint credit-risk-scorer-prod) serves production traffic with no approval of that version',
        modelKey: 'credit-risk-scorer',
        version: { typename: 'CloudModelVersion', id: 'sagemaker:prod-us/credit-risk-scorer/7' },
        trafficPercent: 100,
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
      'credit-risk-scorer mlflow:prod version 3 (stage Production) is designated for production with no approval of that version',
    );
    expect(f.version).toEqual({ typename: 'MlflowModelVersion', id: 'prod/credit-risk-scorer/3' });
    expect(f.trafficPercent).toBeNull();
    expect(f.evidence.versions).toEqual([{ typename: 'MlflowModelVersion', id: 'prod/credit-risk-scorer/3' }]);
  });

  describe('a canary next to an approved version', () => {
    // Vertex AI records no approval: only tickets can approve these.
    const v3 = cloudVersion('3', {}, { kind: 'VERTEX_AI', instance: 'prod', model: 'router' });
    const v4 = cloudVersion('4', {}, { kind: 'VERTEX_AI', instance: 'prod', model: 'router' });
    const main = deployment('111', v3, { endpointName: 'router-prod', trafficPercent: 80 });
    const canary = deployment('222', v4, { endpointName: 'router-prod', trafficPercent: 20 });
    const approvedV3 = approvalTicket('SUP-1', { summary: 'Approve router v3 for production' });
    const m = model({ key: 'router', versions: [v3, v4], deployments: [main, canary], tickets: [approvedV3] });

    it('fires for the canary alone, with its share of the endpoint', () => {
      const findings = productionWithoutApproval(m, settings(), NOW);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({
        message:
          'router vertex_ai:prod version 4 (canary, 20% of traffic on vertex_ai:prod endpoint router-prod) serves production traffic with no approval of that version',
        version: { typename: 'CloudModelVersion', id: v4.id },
        trafficPercent: 20,
        evidence: { deployments: [canary.id], versions: [{ typename: 'CloudModelVersion', id: v4.id }] },
      });
    });

    it('names the open approval ticket of that version, not the other version’s', () => {
      const open = ticket('SUP-2', { summary: 'Approve router v4', status: 'In Review', statusCategory: 'IN_PROGRESS' });
      const other = ticket('SUP-3', { summary: 'Approve router v5', status: 'To Do', statusCategory: 'TODO' });
      const [f] = productionWithoutApproval({ ...m, tickets: [approvedV3, open, other] }, settings(), NOW);
      expect(f.message).toMatch(/with no approval of that version; SUP-2 is In Review$/);
      expect(f.evidence.tickets).toEqual(['jira/SUP-2']);
    });

    it('is resolved by a ticket naming the version in its description, by id, by registry URL or in the version field', () => {
      const by = (over: Parameters<typeof approvalTicket>[1]) => productionWithoutApproval({ ...m, tickets: [approvedV3, approvalTicket('SUP-4', over)] }, settings(), NOW);
      expect(by({ summary: 'Approve the router canary', description: 'Sign-off for version 4 at 20%.' })).toEqual([]);
      expect(by({ summary: 'Approve the router canary', description: `Model: ${v4.id}` })).toEqual([]);
      const url = 'https://console.cloud.google.com/vertex-ai/models/locations/eu/models/router/versions/4?project=p';
      const withUrl = { ...m, versions: [v3, { ...v4, source: { ...v4.source, url } }] };
      expect(productionWithoutApproval({ ...withUrl, tickets: [approvedV3, approvalTicket('SUP-5', { summary: 'Approve canary', description: `See ${url}` })] }, settings(), NOW)).toEqual([]);
      const field = settings({}, { approval: { ...settings().approval, versionField: 'customfield_10050' } });
      const fielded = approvalTicket('SUP-6', { summary: 'Approve the router canary', versionFieldValues: ['4'] });
      expect(productionWithoutApproval({ ...m, tickets: [approvedV3, fielded] }, field, NOW)).toEqual([]);
      // Without the setting, the field is not read.
      expect(productionWithoutApproval({ ...m, tickets: [approvedV3, fielded] }, settings(), NOW)).toHaveLength(1);
    });

    it('does not read another number as the version: v41, v4.1, Q4', () => {
      for (const summary of ['Approve router v41', 'Approve router v4.1', 'Approve router for Q4']) {
        expect(productionWithoutApproval({ ...m, tickets: [approvedV3, approvalTicket('SUP-7', { summary })] }, settings(), NOW)).toHaveLength(1);
      }
    });

    it('resolves exactly the finding of the version approved: fingerprints are per version', () => {
      const both = { ...m, tickets: [] };
      const before = productionWithoutApproval(both, settings(), NOW);
      expect(before.map((f) => f.version?.id)).toEqual([v3.id, v4.id]);
      const after = productionWithoutApproval({ ...both, tickets: [approvalTicket('SUP-8', { summary: 'Approve router v4' })] }, settings(), NOW);
      expect(after.map((f) => f.fingerprint)).toEqual([before[0]!.fingerprint]);
    });
  });

  describe('a model-level approval ticket (naming no version)', () => {
    const modelLevel = approvalTicket('ML-1', { summary: 'Approve credit-risk-scorer for production', description: 'Reviewed by the risk board.' });
    const withTicket = { ...serving, tickets: [modelLevel] };

    it('does not approve a version by default, and says so', () => {
      const [f] = productionWithoutApproval(withTicket, settings(), NOW);
      expect(f.message).toMatch(/no approval of that version; ML-1 approves the model but names no version$/);
      expect(f.evidence.tickets).toEqual(['jira/ML-1']);
    });

    it('approves every version with acceptModelLevelTicket', () => {
      const fallback = settings({}, { approval: { ...settings().approval, acceptModelLevelTicket: true } });
      expect(productionWithoutApproval(withTicket, fallback, NOW)).toEqual([]);
    });

    it('is not one when it names a version, even with the fallback on', () => {
      const fallback = settings({}, { approval: { ...settings().approval, acceptModelLevelTicket: true } });
      const other = approvalTicket('ML-2', { summary: 'Approve credit-risk-scorer v6 for production' });
      expect(productionWithoutApproval({ ...serving, tickets: [other] }, fallback, NOW)).toHaveLength(1);
    });
  });

  it('takes a served cloud copy and the designated MLflow version it came from as one version', () => {
    const mlflow7 = mlflowVersion('7', { stage: 'Production' });
    const m = { ...serving, versions: [served, mlflow7] };
    const findings = productionWithoutApproval(m, settings(), NOW);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.evidence.versions.map((v) => v.id)).toEqual([served.id, mlflow7.id]);
    // Approving it by its MLflow id approves the copy.
    const byId = approvalTicket('ML-3', { summary: 'Approve', description: `Approved ${mlflow7.id}` });
    expect(productionWithoutApproval({ ...m, tickets: [byId] }, settings(), NOW)).toEqual([]);
  });

  it('does not fire when the cloud approved the version, or (for an MLflow version) a cloud copy of it', () => {
    const approved = { ...served, approval: 'APPROVED' as const };
    expect(productionWithoutApproval({ ...serving, versions: [approved] }, settings(), NOW)).toEqual([]);
    const designated = mlflowVersion('8', { aliases: ['champion'] });
    const copy = cloudVersion('8', { approval: 'APPROVED' });
    expect(productionWithoutApproval(model({ versions: [designated, copy] }), settings(), NOW)).toEqual([]);
  });

  it('ignores the approval of another version', () => {
    const other = cloudVersion('6', { approval: 'APPROVED' });
    expect(productionWithoutApproval({ ...serving, versions: [served, other] }, settings(), NOW)).toHaveLength(1);
    expect(productionWithoutApproval({ ...serving, tickets: [approvalTicket('ML-4', { summary: 'Approve credit-risk-scorer v6' })] }, settings(), NOW)).toHaveLength(1);
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
