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
          'credit-risk-scorer has no owner: no CODEOWNERS entry, no assignee on its tickets and no registry record of a person who registered it',
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

  describe('service identities', () => {
    const registeredBy = (over: Parameters<typeof cloudVersion>[1]) => ({ ...orphan, versions: [cloudVersion('1', over)] });

    it('does not take a version registered by a service as an owner, and names it', () => {
      // Azure's systemData.createdByType Application, as the connector maps it.
      const azure = registeredBy({ createdBy: 'svc-training-pipeline', createdByType: 'SERVICE' });
      const [f] = noOwner(azure, settings({}, { serviceIdentities: [] }), NOW);
      expect(f.message).toMatch(/no registry record of a person who registered it \(only service identities: svc-training-pipeline\)$/);
      expect(f.evidence.versions).toEqual([{ typename: 'CloudModelVersion', id: azure.versions[0]!.id }]);
    });

    it('matches the configured patterns on the creator, and on an assumed role’s role and session names', () => {
      const mlflow = { ...orphan, versions: [mlflowVersion('1', { createdBy: 'svc-training-pipeline' })] };
      expect(noOwner(mlflow, settings(), NOW)).toHaveLength(1);
      // The same creator is a person once no pattern names it.
      expect(noOwner(mlflow, settings({}, { serviceIdentities: [] }), NOW)).toEqual([]);
      const role = registeredBy({ createdBy: 'arn:aws:sts::111122223333:assumed-role/mlops-model-registration/svc-training-pipeline' });
      expect(noOwner(role, settings(), NOW)).toHaveLength(1);
      expect(noOwner(role, settings({}, { serviceIdentities: ['MLOPS-*'] }), NOW)).toHaveLength(1);
      expect(noOwner(role, settings({}, { serviceIdentities: [] }), NOW)).toEqual([]);
    });

    it('still takes a person as an owner, and a ticket assigned to a service as none', () => {
      const person = registeredBy({ createdBy: 'arn:aws:sts::111122223333:assumed-role/DataScientist/ana@acme.io', createdByType: 'USER' });
      expect(noOwner(person, settings(), NOW)).toEqual([]);
      const bot = { ...orphan, tickets: [ticket('ML-3', { assigneeId: 'svc-jira-automation' })] };
      expect(noOwner(bot, settings(), NOW)).toHaveLength(1);
      expect(noOwner(bot, settings({}, { serviceIdentities: [] }), NOW)).toEqual([]);
    });
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
