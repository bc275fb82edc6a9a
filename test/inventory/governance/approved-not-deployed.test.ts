import { approvedNotDeployed } from '../../../subgraphs/inventory/governance/rules/approved-not-deployed';
import { cloudVersion, deployment, model, NOW, settings } from './facts';

// NOW is 2026-06-01T00:00:00Z; the default threshold is 30 days.
const approved = cloudVersion('4', { approval: 'APPROVED', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-04-01T00:00:00Z' });
const m = model({ versions: [approved] });

describe('APPROVED_NOT_DEPLOYED', () => {
  it('fires for a cloud version approved long ago that nothing deploys', () => {
    expect(approvedNotDeployed(m, settings(), NOW)).toEqual([
      {
        rule: 'APPROVED_NOT_DEPLOYED',
        severity: 'LOW',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        message:
          'credit-risk-scorer sagemaker:prod-us version 4 was approved (last updated 2026-04-01T00:00:00Z) more than 30 days ago and no deployment serves it',
        modelKey: 'credit-risk-scorer',
        evidence: {
          refs: [approved.source],
          versions: [{ typename: 'CloudModelVersion', id: 'sagemaker:prod-us/credit-risk-scorer/4' }],
          tickets: [],
          deployments: [],
        },
      },
    ]);
  });

  it('fires only past the threshold: exactly afterDays old is not late, a millisecond more is', () => {
    const at = (iso: string) => model({ versions: [{ ...approved, updatedAt: iso }] });
    expect(approvedNotDeployed(at('2026-05-02T00:00:00Z'), settings(), NOW)).toEqual([]);
    expect(approvedNotDeployed(at('2026-05-01T23:59:59.999Z'), settings(), NOW)).toHaveLength(1);
    expect(approvedNotDeployed(at('2026-05-02T00:00:00Z'), settings({ APPROVED_NOT_DEPLOYED: { afterDays: 29 } }), NOW)).toHaveLength(1);
  });

  it('takes the creation time when the version was never updated, and skips a version with neither', () => {
    const created = { ...approved, updatedAt: null, createdAt: '2026-05-15T00:00:00Z' };
    expect(approvedNotDeployed(model({ versions: [created] }), settings(), NOW)).toEqual([]);
    expect(approvedNotDeployed(model({ versions: [{ ...created, createdAt: '2026-04-15T00:00:00Z' }] }), settings(), NOW)).toHaveLength(1);
    expect(approvedNotDeployed(model({ versions: [{ ...created, createdAt: null }] }), settings(), NOW)).toEqual([]);
  });

  it('does not fire for a version any deployment serves, whatever its status', () => {
    for (const status of ['IN_SERVICE', 'FAILED', 'OUT_OF_SERVICE', 'CREATING'] as const) {
      expect(approvedNotDeployed({ ...m, deployments: [deployment('d', approved, { status, trafficPercent: 0 })] }, settings(), NOW)).toEqual([]);
    }
  });

  it('does not fire for versions that are not approved, nor for MLflow versions', () => {
    const pending = { ...approved, approval: 'PENDING' as const };
    const rejected = { ...approved, approval: 'REJECTED' as const };
    const mlflowLike = { ...approved, typename: 'MlflowModelVersion' as const };
    expect(approvedNotDeployed(model({ versions: [pending, rejected, mlflowLike] }), settings(), NOW)).toEqual([]);
  });

  it('says nothing when deployments failed to load', () => {
    expect(approvedNotDeployed(model({ versions: [approved], unavailable: { deployments: true } }), settings(), NOW)).toEqual([]);
  });

  it('is silent when disabled and takes its severity from the settings', () => {
    expect(approvedNotDeployed(m, settings({ APPROVED_NOT_DEPLOYED: { enabled: false } }), NOW)).toEqual([]);
    expect(approvedNotDeployed(m, settings({ APPROVED_NOT_DEPLOYED: { severity: 'HIGH' } }), NOW)[0].severity).toBe('HIGH');
  });

  it('fingerprints the version: stable as time passes, different per version', () => {
    const [a] = approvedNotDeployed(m, settings(), NOW);
    const [b] = approvedNotDeployed(model({ versions: [{ ...approved, updatedAt: '2026-03-01T00:00:00Z' }] }), settings(), new Date('2027-01-01T00:00:00Z'));
    expect(b.message).not.toBe(a.message);
    expect(b.fingerprint).toBe(a.fingerprint);
    const other = cloudVersion('5', { approval: 'APPROVED', updatedAt: '2026-04-01T00:00:00Z' });
    const both = approvedNotDeployed(model({ versions: [approved, other] }), settings(), NOW);
    expect(both).toHaveLength(2);
    expect(both[0].fingerprint).not.toBe(both[1].fingerprint);
  });
});
