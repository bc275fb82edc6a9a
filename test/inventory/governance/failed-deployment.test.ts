import { failedDeployment } from '../../../subgraphs/inventory/governance/rules/failed-deployment';
import { cloudVersion, deployment, model, NOW, settings } from './facts';

const v = cloudVersion('7');
const broken = deployment('canary', v, { status: 'FAILED', statusRaw: 'Failed', trafficPercent: 0 });
const m = model({ versions: [v], deployments: [deployment('primary', v), broken] });

describe('FAILED_DEPLOYMENT', () => {
  it('fires once per failed deployment, naming endpoint, cloud and raw status', () => {
    expect(failedDeployment(m, settings(), NOW)).toEqual([
      {
        rule: 'FAILED_DEPLOYMENT',
        severity: 'HIGH',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        message: 'credit-risk-scorer deployment canary on sagemaker:prod-us endpoint credit-risk-scorer-prod failed (status Failed)',
        modelKey: 'credit-risk-scorer',
        evidence: { refs: [broken.source], versions: [], tickets: [], deployments: [broken.id] },
      },
    ]);
  });

  it("adds the cloud's reason when it gives one", () => {
    const [f] = failedDeployment({ ...m, deployments: [{ ...broken, statusMessage: 'The primary container failed the ping health check.' }] }, settings(), NOW);
    expect(f.message).toBe(
      'credit-risk-scorer deployment canary on sagemaker:prod-us endpoint credit-risk-scorer-prod failed (status Failed): The primary container failed the ping health check.',
    );
  });

  it('falls back to the normalised status when the cloud gave none', () => {
    const [f] = failedDeployment({ ...m, deployments: [{ ...broken, statusRaw: null }] }, settings(), NOW);
    expect(f.message).toMatch(/\(status FAILED\)$/);
  });

  it('does not fire for deployments in any other status', () => {
    const others = (['CREATING', 'UPDATING', 'IN_SERVICE', 'DELETING', 'OUT_OF_SERVICE', 'UNKNOWN'] as const).map((status, i) =>
      deployment(`d${i}`, v, { status }),
    );
    expect(failedDeployment({ ...m, deployments: others }, settings(), NOW)).toEqual([]);
  });

  it('has nothing to say when deployments failed to load (the list is empty then)', () => {
    expect(failedDeployment(model({ unavailable: { deployments: true } }), settings(), NOW)).toEqual([]);
  });

  it('is silent when disabled and takes its severity from the settings', () => {
    expect(failedDeployment(m, settings({ FAILED_DEPLOYMENT: { enabled: false } }), NOW)).toEqual([]);
    expect(failedDeployment(m, settings({ FAILED_DEPLOYMENT: { severity: 'MEDIUM' } }), NOW)[0].severity).toBe('MEDIUM');
  });

  it('fingerprints the deployment: stable across times and raw statuses, different per deployment', () => {
    const [a] = failedDeployment(m, settings(), NOW);
    const [b] = failedDeployment({ ...m, deployments: [{ ...broken, statusRaw: 'RollbackFailed', updatedAt: '2026-05-05T00:00:00Z' }] }, settings(), NOW);
    expect(b.message).not.toBe(a.message);
    expect(b.fingerprint).toBe(a.fingerprint);
    const two = failedDeployment({ ...m, deployments: [broken, { ...broken, id: `${broken.id}-2`, name: 'canary-2' }] }, settings(), NOW);
    expect(two).toHaveLength(2);
    expect(two[0].fingerprint).not.toBe(two[1].fingerprint);
  });
});
