import { untraceableVersion } from '../../../subgraphs/inventory/governance/rules/untraceable-version';
import { cloudVersion, deployment, mlflowVersion, model, NOW, settings } from './facts';

const noRun = mlflowVersion('3', { stage: 'Production', run: null });
const m = model({ versions: [noRun] });

describe('UNTRACEABLE_VERSION', () => {
  it('fires for a production MLflow version without a run', () => {
    expect(untraceableVersion(m, settings(), NOW)).toEqual([
      {
        rule: 'UNTRACEABLE_VERSION',
        severity: 'MEDIUM',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        message: 'credit-risk-scorer mlflow:prod version 3 is production-designated but names no run to trace it to code',
        modelKey: 'credit-risk-scorer',
        evidence: {
          refs: [noRun.source],
          versions: [{ typename: 'MlflowModelVersion', id: 'prod/credit-risk-scorer/3' }],
          tickets: [],
          deployments: [],
        },
      },
    ]);
  });

  it('fires for a run with no or an empty git commit', () => {
    for (const gitCommit of [null, '', '  ']) {
      const v = mlflowVersion('3', { aliases: ['champion'], run: { id: 'r1', startTime: null, gitCommit } });
      expect(untraceableVersion(model({ versions: [v] }), settings(), NOW).map((f) => f.message)).toEqual([
        'credit-risk-scorer mlflow:prod version 3 is production-designated but has run r1 with no git commit',
      ]);
    }
  });

  it('fires for the MLflow version a serving cloud version mirrors, with the mirror as evidence', () => {
    const mirror = cloudVersion('12', { mlflowVersion: '4' });
    const live = deployment('primary', mirror);
    const v4 = mlflowVersion('4', { run: { id: 'r4', startTime: null, gitCommit: null } });
    const [f] = untraceableVersion(model({ versions: [v4, mirror], deployments: [live] }), settings(), NOW);
    expect(f.message).toBe('credit-risk-scorer mlflow:prod version 4 is served in production but has run r4 with no git commit');
    expect(f.evidence.versions).toEqual([
      { typename: 'CloudModelVersion', id: mirror.id },
      { typename: 'MlflowModelVersion', id: v4.id },
    ]);
    expect(f.evidence.deployments).toEqual([live.id]);
  });

  it('does not fire for a traceable production version', () => {
    expect(untraceableVersion(model({ versions: [mlflowVersion('3', { stage: 'Production' })] }), settings(), NOW)).toEqual([]);
  });

  it('does not fire for versions that are neither designated nor served', () => {
    const mirror = cloudVersion('12', { mlflowVersion: '4' });
    const idle = deployment('primary', mirror, { trafficPercent: 0 });
    const versions = [mlflowVersion('3', { stage: 'Staging', run: null }), mlflowVersion('4', { run: null }), mirror];
    expect(untraceableVersion(model({ versions, deployments: [idle] }), settings(), NOW)).toEqual([]);
  });

  it('does not judge cloud versions, which never record a run', () => {
    expect(untraceableVersion(model({ versions: [cloudVersion('3', { stage: 'Production' })] }), settings(), NOW)).toEqual([]);
  });

  it('has nothing to say when MLflow failed (there are no MLflow versions then)', () => {
    expect(untraceableVersion(model({ unavailable: { mlflowVersions: true } }), settings(), NOW)).toEqual([]);
  });

  it('is silent when disabled and takes its severity from the settings', () => {
    expect(untraceableVersion(m, settings({ UNTRACEABLE_VERSION: { enabled: false } }), NOW)).toEqual([]);
    expect(untraceableVersion(m, settings({ UNTRACEABLE_VERSION: { severity: 'LOW' } }), NOW)[0].severity).toBe('LOW');
  });

  it('fingerprints the version: stable as times and runs change, different per version', () => {
    const [a] = untraceableVersion(m, settings(), NOW);
    const changed = { ...noRun, updatedAt: '2026-05-01T00:00:00Z', run: { id: 'r9', startTime: null, gitCommit: null } };
    const [b] = untraceableVersion(model({ versions: [changed] }), settings(), NOW);
    expect(b.message).not.toBe(a.message);
    expect(b.fingerprint).toBe(a.fingerprint);
    const [c] = untraceableVersion(model({ versions: [mlflowVersion('4', { stage: 'Production', run: null })] }), settings(), NOW);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });
});
