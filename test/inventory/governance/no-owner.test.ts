import { noOwner } from '../../../subgraphs/inventory/governance/rules/no-owner';
import { cloudVersion, mlflowVersion, model, NOW, settings, ticket } from './facts';

const orphan = model({ versions: [mlflowVersion('1'), cloudVersion('1', { createdBy: '  ' })], tickets: [ticket('ML-1')] });

describe('NO_OWNER', () => {
  it('fires when neither CODEOWNERS, a ticket assignee nor a registry creator names anyone', () => {
    expect(noOwner(orphan, settings(), NOW)).toEqual([
      {
        rule: 'NO_OWNER',
        severity: 'MEDIUM',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        message:
          'credit-risk-scorer has no owner: no CODEOWNERS entry, no assignee on its tickets and no registry record of who registered it',
        modelKey: 'credit-risk-scorer',
        evidence: { refs: orphan.refs, versions: [], tickets: [], deployments: [] },
      },
    ]);
  });

  it('does not fire when any one of the three names someone', () => {
    expect(noOwner({ ...orphan, codeOwners: [{ handle: '@acme/risk', kind: 'TEAM', personId: null }] }, settings(), NOW)).toEqual([]);
    expect(noOwner({ ...orphan, tickets: [ticket('ML-2', { assigneeId: 'ana@acme.io' })] }, settings(), NOW)).toEqual([]);
    expect(noOwner({ ...orphan, versions: [mlflowVersion('1', { createdBy: 'ana' })] }, settings(), NOW)).toEqual([]);
  });

  it('says nothing when CODEOWNERS or Jira failed', () => {
    expect(noOwner({ ...orphan, unavailable: { ...orphan.unavailable, codeOwners: true } }, settings(), NOW)).toEqual([]);
    expect(noOwner({ ...orphan, unavailable: { ...orphan.unavailable, tickets: true } }, settings(), NOW)).toEqual([]);
  });

  it("says nothing when a registry that lists the model failed, but ignores a failed one that doesn't", () => {
    expect(noOwner({ ...orphan, unavailable: { ...orphan.unavailable, mlflowVersions: true } }, settings(), NOW)).toEqual([]);
    expect(noOwner({ ...orphan, unavailable: { ...orphan.unavailable, cloudVersions: true } }, settings(), NOW)).toEqual([]);
    const mlflowOnly = { ...orphan, refs: [orphan.refs[0]], unavailable: { ...orphan.unavailable, cloudVersions: true } };
    expect(noOwner(mlflowOnly, settings(), NOW)).toHaveLength(1);
  });

  it('is silent when disabled and takes its severity from the settings', () => {
    expect(noOwner(orphan, settings({ NO_OWNER: { enabled: false } }), NOW)).toEqual([]);
    expect(noOwner(orphan, settings({ NO_OWNER: { severity: 'HIGH' } }), NOW)[0].severity).toBe('HIGH');
  });

  it('keeps its fingerprint when times change, and differs per model', () => {
    const [a] = noOwner(orphan, settings(), NOW);
    const [b] = noOwner({ ...orphan, versions: [mlflowVersion('1', { createdAt: '2020-01-01T00:00:00Z' })] }, settings(), new Date());
    const [c] = noOwner({ ...orphan, key: 'fraud-detector' }, settings(), NOW);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });
});
