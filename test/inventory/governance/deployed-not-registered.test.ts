import { deployedNotRegistered } from '../../../subgraphs/inventory/governance/rules/deployed-not-registered';
import { cloudVersion, deployment, ref, settings } from './facts';

const stray = deployment('blue', null, {
  source: ref('VERTEX_AI', 'eu', ''),
  endpointName: 'pricing',
  modelVersionRef: 'projects/p/locations/europe-west4/models/123@2',
});

describe('DEPLOYED_NOT_REGISTERED', () => {
  it('fires for a deployment serving something no registry holds, about no model', () => {
    expect(deployedNotRegistered([stray], settings())).toEqual([
      {
        rule: 'DEPLOYED_NOT_REGISTERED',
        severity: 'HIGH',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        message: 'Deployment blue on vertex_ai:eu endpoint pricing serves projects/p/locations/europe-west4/models/123@2 that no registry holds',
        modelKey: null,
        evidence: { refs: [stray.source], versions: [], tickets: [], deployments: ['vertex_ai:eu/pricing/blue'] },
      },
    ]);
  });

  it('says "a model" when the cloud does not say what it serves', () => {
    expect(deployedNotRegistered([{ ...stray, modelVersionRef: null }], settings())[0].message).toBe(
      'Deployment blue on vertex_ai:eu endpoint pricing serves a model that no registry holds',
    );
  });

  it('does not fire for a registered deployment', () => {
    expect(deployedNotRegistered([deployment('green', cloudVersion('1'))], settings())).toEqual([]);
  });

  it('leaves failed and deleting deployments alone, but not the other statuses', () => {
    expect(deployedNotRegistered([{ ...stray, status: 'FAILED' }, { ...stray, status: 'DELETING' }], settings())).toEqual([]);
    for (const status of ['CREATING', 'UPDATING', 'OUT_OF_SERVICE', 'UNKNOWN'] as const) {
      expect(deployedNotRegistered([{ ...stray, status }], settings())).toHaveLength(1);
    }
  });

  it('is silent when disabled and takes its severity from the settings', () => {
    expect(deployedNotRegistered([stray], settings({ DEPLOYED_NOT_REGISTERED: { enabled: false } }))).toEqual([]);
    expect(deployedNotRegistered([stray], settings({ DEPLOYED_NOT_REGISTERED: { severity: 'LOW' } }))[0].severity).toBe('LOW');
  });

  it('fingerprints the deployment: stable across times and refs, different per deployment', () => {
    const [a] = deployedNotRegistered([stray], settings());
    const [b] = deployedNotRegistered([{ ...stray, createdAt: '2020-01-01T00:00:00Z', modelVersionRef: 'other' }], settings());
    const [c] = deployedNotRegistered([{ ...stray, id: 'vertex_ai:eu/pricing/green', name: 'green' }], settings());
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });
});
