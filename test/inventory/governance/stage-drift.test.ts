import { stageDrift } from '../../../subgraphs/inventory/governance/rules/stage-drift';
import { cloudVersion, deployment, mlflowVersion, model, NOW, ref, settings } from './facts';

const champion = mlflowVersion('7', { aliases: ['champion'] });
const mirrorOf6 = cloudVersion('12', { mlflowVersion: '6' });
const live = deployment('primary', mirrorOf6);
const drifting = model({ versions: [champion, mlflowVersion('6'), mirrorOf6], deployments: [live] });

const AZ = { kind: 'AZURE_ML' as const, instance: 'ws' };
const azureRef = ref('AZURE_ML', 'ws', 'credit-risk-scorer');

describe('STAGE_DRIFT', () => {
  it('fires when the MLflow designation is not the MLflow version production serves', () => {
    expect(stageDrift(drifting, settings(), NOW)).toEqual([
      {
        rule: 'STAGE_DRIFT',
        severity: 'MEDIUM',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        message: 'credit-risk-scorer has alias champion on version 7 in mlflow:prod but production serves MLflow version 6',
        modelKey: 'credit-risk-scorer',
        evidence: {
          refs: [drifting.refs[0]],
          versions: [
            { typename: 'CloudModelVersion', id: 'sagemaker:prod-us/credit-risk-scorer/12' },
            { typename: 'MlflowModelVersion', id: 'prod/credit-risk-scorer/7' },
          ],
          tickets: [],
          deployments: ['sagemaker:prod-us/credit-risk-scorer-prod/primary'],
        },
      },
    ]);
  });

  it('does not fire when the designated MLflow version is what serves', () => {
    const inStep = { ...drifting, versions: [mlflowVersion('6', { stage: 'Production', aliases: ['Champion'] }), mirrorOf6] };
    expect(stageDrift(inStep, settings(), NOW)).toEqual([]);
  });

  it("maps a cloud version without mlflow.version by the cloud's own number", () => {
    const sameNumber = cloudVersion('7');
    const m = model({ versions: [champion, sameNumber], deployments: [deployment('primary', sameNumber)] });
    expect(stageDrift(m, settings(), NOW)).toEqual([]);
    const other = cloudVersion('8');
    const [f] = stageDrift(model({ versions: [champion, other], deployments: [deployment('primary', other)] }), settings(), NOW);
    expect(f.message).toBe('credit-risk-scorer has alias champion on version 7 in mlflow:prod but production serves MLflow version 8');
  });

  it('lists every served MLflow version, numerically', () => {
    const v10 = cloudVersion('10', { mlflowVersion: '10' });
    const m = { ...drifting, versions: [...drifting.versions, v10], deployments: [live, deployment('canary', v10, { trafficPercent: 10 })] };
    expect(stageDrift(m, settings(), NOW)[0].message).toMatch(/production serves MLflow versions 6 and 10$/);
  });

  it('gives one finding per designation, each with its own fingerprint', () => {
    const both = { ...drifting, versions: [mlflowVersion('7', { stage: 'Production', aliases: ['champion'] }), mirrorOf6] };
    const findings = stageDrift(both, settings(), NOW);
    expect(findings.map((f) => f.message).sort()).toEqual([
      'credit-risk-scorer has alias champion on version 7 in mlflow:prod but production serves MLflow version 6',
      'credit-risk-scorer has stage Production on version 7 in mlflow:prod but production serves MLflow version 6',
    ]);
    expect(findings[0].fingerprint).not.toBe(findings[1].fingerprint);
  });

  it('flags a stage held by several versions when one of them does not serve', () => {
    const m = { ...drifting, versions: [mlflowVersion('5', { stage: 'Production' }), mlflowVersion('6', { stage: 'production' }), mirrorOf6] };
    const [f] = stageDrift(m, settings(), NOW);
    expect(f.message).toBe('credit-risk-scorer has stage Production on version 5 in mlflow:prod but production serves MLflow version 6');
  });

  it('compares a cloud designation with the deployments of that same cloud instance', () => {
    const az3 = cloudVersion('3', { stage: 'Production' }, AZ);
    const az2 = cloudVersion('2', {}, AZ);
    const m = model({
      refs: [...drifting.refs, azureRef],
      versions: [az3, az2],
      deployments: [deployment('blue', az2, { endpointName: 'crs' })],
    });
    const [f] = stageDrift(m, settings(), NOW);
    expect(f.message).toBe(
      'credit-risk-scorer has stage Production on version 3 in azure_ml:ws but its deployments there (azure_ml:ws endpoint crs) serve version 2',
    );
    expect(f.evidence.refs).toEqual([azureRef]);
    expect(f.evidence.deployments).toEqual(['azure_ml:ws/crs/blue']);
    expect(stageDrift({ ...m, deployments: [deployment('blue', az3, { endpointName: 'crs' })] }, settings(), NOW)).toEqual([]);
  });

  it('says a cloud serves an unregistered model when its deployment resolves to no version', () => {
    const az3 = cloudVersion('3', { stage: 'Production' }, AZ);
    const m = model({ versions: [az3], deployments: [deployment('blue', null, { source: azureRef, endpointName: 'crs' })] });
    expect(stageDrift(m, settings(), NOW)[0].message).toMatch(/serve an unregistered model$/);
  });

  it('leaves a cloud designation alone when that cloud serves nothing, even if another does', () => {
    const az3 = cloudVersion('3', { aliases: ['prod'] }, AZ);
    const m = model({ versions: [az3, mirrorOf6], deployments: [live] });
    expect(stageDrift(m, settings(), NOW)).toEqual([]);
  });

  it('does not fire when nothing serves traffic', () => {
    expect(stageDrift({ ...drifting, deployments: [{ ...live, trafficPercent: 0 }] }, settings(), NOW)).toEqual([]);
    expect(stageDrift({ ...drifting, deployments: [{ ...live, status: 'OUT_OF_SERVICE' }] }, settings(), NOW)).toEqual([]);
  });

  it('does not judge MLflow designations when no serving deployment resolves to a known cloud version', () => {
    const m = { ...drifting, versions: [champion], unavailable: { ...drifting.unavailable, cloudVersions: true } };
    expect(stageDrift(m, settings(), NOW)).toEqual([]);
    expect(stageDrift({ ...drifting, deployments: [{ ...live, modelVersionId: null }] }, settings(), NOW)).toEqual([]);
  });

  it('says nothing when deployments failed to load', () => {
    expect(stageDrift({ ...drifting, unavailable: { ...drifting.unavailable, deployments: true } }, settings(), NOW)).toEqual([]);
  });

  it('is silent when disabled and takes its severity from the settings', () => {
    expect(stageDrift(drifting, settings({ STAGE_DRIFT: { enabled: false } }), NOW)).toEqual([]);
    expect(stageDrift(drifting, settings({ STAGE_DRIFT: { severity: 'HIGH' } }), NOW)[0].severity).toBe('HIGH');
  });

  it('keeps its fingerprint while the same designation drifts, even to another version, and differs per registry', () => {
    const [a] = stageDrift(drifting, settings(), NOW);
    const moved = { ...drifting, versions: [mlflowVersion('8', { aliases: ['CHAMPION'], updatedAt: '2026-05-01T00:00:00Z' }), mirrorOf6] };
    const [b] = stageDrift(moved, settings(), NOW);
    expect(b.message).not.toBe(a.message);
    expect(b.fingerprint).toBe(a.fingerprint);
    const otherInstance = { ...drifting, versions: [mlflowVersion('7', { aliases: ['champion'], source: ref('MLFLOW', 'dev', 'x') }), mirrorOf6] };
    expect(stageDrift(otherInstance, settings(), NOW)[0].fingerprint).not.toBe(a.fingerprint);
    expect(stageDrift({ ...drifting, key: 'fraud-detector' }, settings(), NOW)[0].fingerprint).not.toBe(a.fingerprint);
  });
});
