import { indexModel, type GovernanceIndexData } from '../../subgraphs/inventory/governance/inventory-index';
import { OwnershipIndex } from '../../subgraphs/inventory/ownership';

const owner = (id: string) => ({ kind: 'USER', handle: `@${id.split('@')[0]}`, person: { id } });

/** A governance index over these models (the fields ownership does not read left empty). */
function governanceOf(models: Array<{ key: string; codeOwners: Array<{ kind: string; handle: string; person: { id: string } | null }> | null }>) {
  const data: GovernanceIndexData = {
    models: new Map(
      models.map((m) => [
        m.key,
        indexModel({ key: m.key, name: m.key, refs: [], findings: [], lifecycle: null, versions: [], deployments: [], codeOwners: m.codeOwners, tickets: [] }),
      ]),
    ),
    findings: [],
  };
  let reads = 0;
  return {
    get: async () => {
      reads++;
      return data;
    },
    reads: () => reads,
  };
}

describe('OwnershipIndex', () => {
  const models = [
    { key: 'a', codeOwners: [owner('ana@acme.io'), { kind: 'TEAM', handle: '@acme/ml', person: null }, owner('ana@acme.io')] },
    { key: 'b', codeOwners: null },
    { key: 'c', codeOwners: [owner('ana@acme.io'), owner('bo@acme.io')] },
  ];

  it("reverses the governance index's code-owner people, in key order, each model once", async () => {
    const index = new OwnershipIndex(governanceOf(models));
    expect(await index.modelsOwnedBy('ana@acme.io')).toEqual(['a', 'c']);
    expect(await index.modelsOwnedBy('bo@acme.io')).toEqual(['c']);
    expect(await index.modelsOwnedBy('nobody@acme.io')).toEqual([]);
  });

  it('reads the governance index on every call, so it is exactly as fresh', async () => {
    const governance = governanceOf(models);
    const index = new OwnershipIndex(governance);
    await index.modelsOwnedBy('ana@acme.io');
    await index.modelsOwnedBy('bo@acme.io');
    expect(governance.reads()).toBe(2);
  });

  it('fails as the governance index fails, rather than answer "owns nothing"', async () => {
    const index = new OwnershipIndex({
      get: async () => {
        throw new Error('jira:corp: unavailable');
      },
    });
    await expect(index.modelsOwnedBy('a@x.io')).rejects.toThrow('jira:corp: unavailable');
  });
});
