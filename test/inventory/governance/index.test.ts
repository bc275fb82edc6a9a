import { evaluateDeployments, evaluateModel } from '../../../subgraphs/inventory/governance/rules';
import type { FindingRule } from '../../../subgraphs/inventory/governance/types';
import { cloudVersion, deployment, mlflowVersion, model, NOW, settings } from './facts';

// A model that trips every per-model rule once, PRODUCTION_WITHOUT_APPROVAL once per
// unapproved production version (the served cloud version 12 and the champion 7).
const champion = mlflowVersion('7', { aliases: ['champion'], run: null });
const mirrorOf6 = cloudVersion('12', { mlflowVersion: '6' });
const stale = cloudVersion('9', { approval: 'APPROVED', updatedAt: '2026-01-01T00:00:00Z' });
const everything = model({
  versions: [champion, mirrorOf6, stale],
  deployments: [
    deployment('primary', mirrorOf6),
    deployment('canary', mirrorOf6, { status: 'FAILED', trafficPercent: 0 }),
  ],
});

describe('evaluateModel', () => {
  it('runs every per-model rule, most severe first, then by rule name', () => {
    expect(evaluateModel(everything, settings(), NOW).map((f) => [f.severity, f.rule])).toEqual([
      ['HIGH', 'FAILED_DEPLOYMENT'],
      ['HIGH', 'PRODUCTION_WITHOUT_APPROVAL'],
      ['HIGH', 'PRODUCTION_WITHOUT_APPROVAL'],
      ['MEDIUM', 'NO_OWNER'],
      ['MEDIUM', 'STAGE_DRIFT'],
      ['MEDIUM', 'UNTRACEABLE_VERSION'],
      ['LOW', 'APPROVED_NOT_DEPLOYED'],
    ]);
  });

  it('skips disabled rules and reorders by the severities the settings give', () => {
    const s = settings({ FAILED_DEPLOYMENT: { enabled: false }, APPROVED_NOT_DEPLOYED: { severity: 'HIGH' }, NO_OWNER: { severity: 'LOW' } });
    expect(evaluateModel(everything, s, NOW).map((f) => [f.severity, f.rule])).toEqual([
      ['HIGH', 'APPROVED_NOT_DEPLOYED'],
      ['HIGH', 'PRODUCTION_WITHOUT_APPROVAL'],
      ['HIGH', 'PRODUCTION_WITHOUT_APPROVAL'],
      ['MEDIUM', 'STAGE_DRIFT'],
      ['MEDIUM', 'UNTRACEABLE_VERSION'],
      ['LOW', 'NO_OWNER'],
    ]);
  });

  it('orders findings of one rule by fingerprint, so runs list equally', () => {
    const failed = (name: string) => deployment(name, mirrorOf6, { status: 'FAILED' });
    const m = model({ versions: [mirrorOf6], deployments: [failed('c'), failed('a'), failed('b')], codeOwners: [{ handle: '@x', kind: 'USER', personId: 'x' }] });
    const only = settings(
      Object.fromEntries((['PRODUCTION_WITHOUT_APPROVAL', 'NO_OWNER', 'STAGE_DRIFT', 'APPROVED_NOT_DEPLOYED', 'UNTRACEABLE_VERSION'] as FindingRule[]).map((r) => [r, { enabled: false }])),
    );
    const fingerprints = evaluateModel(m, only, NOW).map((f) => f.fingerprint);
    expect(fingerprints).toHaveLength(3);
    expect(fingerprints).toEqual([...fingerprints].sort());
  });

  it('finds nothing in a well-kept model', () => {
    const v6 = mlflowVersion('6', { aliases: ['champion'], createdBy: 'ana' });
    const ok = model({ versions: [v6, { ...mirrorOf6, approval: 'APPROVED' }], deployments: [deployment('primary', mirrorOf6)] });
    expect(evaluateModel(ok, settings(), NOW)).toEqual([]);
  });

  it('never reports DEPLOYED_NOT_REGISTERED, which is about deployments without a model', () => {
    const m = model({ deployments: [deployment('stray', null)], codeOwners: [{ handle: '@x', kind: 'USER', personId: 'x' }] });
    expect(evaluateModel(m, settings(), NOW).map((f) => f.rule)).not.toContain('DEPLOYED_NOT_REGISTERED');
  });
});

describe('evaluateDeployments', () => {
  it('reports unregistered deployments in fingerprint order, and nothing when disabled', () => {
    const stray = [deployment('b', null), deployment('a', null), deployment('c', cloudVersion('1'))];
    const findings = evaluateDeployments(stray, settings());
    expect(findings.map((f) => f.rule)).toEqual(['DEPLOYED_NOT_REGISTERED', 'DEPLOYED_NOT_REGISTERED']);
    expect(findings.map((f) => f.fingerprint)).toEqual(findings.map((f) => f.fingerprint).sort());
    expect(evaluateDeployments(stray, settings({ DEPLOYED_NOT_REGISTERED: { enabled: false } }))).toEqual([]);
  });
});
