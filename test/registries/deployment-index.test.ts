import { registryProfile } from '../../connectors/sources';
import type { Deployment, RegistryConnector } from '../../connectors/registry/types';
import { RegistryLoaders } from '../../subgraphs/registries/loaders';

/**
 * The deployments of a model or a version come from an index of the listing, built once per
 * listing array (which the connector's cache hands out unchanged while it is fresh): a warm
 * page asking for 50 models' deployments parses each deployment's ref once, not 50 times.
 */

const arn = (group: string, version: number) => `arn:aws:sagemaker:eu-west-1:123456789012:model-package/${group.toLowerCase()}/${version}`;

function deployment(id: string, ref: string | null): Deployment {
  return { id, modelVersionRef: ref } as Deployment;
}

const LISTING: readonly Deployment[] = [
  deployment('a1', arn('FraudScorer', 1)),
  deployment('a2', arn('FraudScorer', 2)),
  deployment('b1', arn('ChurnModel', 4)),
  deployment('bare', null),
];

function connector(listing: readonly Deployment[] = LISTING): RegistryConnector {
  return {
    kind: 'SAGEMAKER',
    instance: 'prod',
    source: 'sagemaker:prod',
    listModels: async () => [],
    getVersionsForModels: async () => new Map(),
    listDeployments: async () => listing as Deployment[],
    health: async () => undefined,
    close: () => undefined,
  };
}

describe('RegistryLoaders deployments', () => {
  it('finds a model\u2019s deployments ignoring case, and none for an unknown model', async () => {
    const loaders = new RegistryLoaders(connector());
    expect((await loaders.deploymentsOfModel('FraudScorer')).map((d) => d.id)).toEqual(['a1', 'a2']);
    expect((await loaders.deploymentsOfModel('churnmodel')).map((d) => d.id)).toEqual(['b1']);
    expect(await loaders.deploymentsOfModel('Nothing')).toEqual([]);
  });

  it('parses each ref once per listing, however many models and requests ask', async () => {
    const listing = [...LISTING];
    const parse = jest.spyOn(registryProfile(connector().kind), 'parseVersionRef');
    try {
      for (let request = 0; request < 3; request++) {
        const loaders = new RegistryLoaders(connector(listing));
        for (let model = 0; model < 50; model++) await loaders.deploymentsOfModel(model % 2 ? 'FraudScorer' : 'ChurnModel');
      }
      // Once per deployment naming a version (one serves no registered version).
      expect(parse).toHaveBeenCalledTimes(listing.filter((d) => d.modelVersionRef).length);
    } finally {
      parse.mockRestore();
    }
  });
});

describe('RegistryLoaders instance types', () => {
  const listed = (id: string, instanceType: string | null, lookup?: string): Deployment =>
    ({ id, instanceType, ...(lookup ? { instanceTypeLookup: lookup } : {}) }) as Deployment;

  it('asks the connector once per request for the deployments left to look up, each once', async () => {
    const asked: string[][] = [];
    const loaders = new RegistryLoaders({
      ...connector(),
      instanceTypes: async (deployments) => {
        asked.push(deployments.map((d) => d.id));
        return deployments.map((d) => `type of ${d.instanceTypeLookup}`);
      },
    });
    const a = listed('a', null, 'config-a');
    const types = await Promise.all([a, listed('b', null, 'config-b'), a, listed('c', 'ml.m5.large'), listed('d', null)].map((d) => loaders.instanceTypeOf(d)));
    expect(types).toEqual(['type of config-a', 'type of config-b', 'type of config-a', 'ml.m5.large', null]);
    // Listed types and deployments with nothing to look up are not asked; a deployment asked twice goes once.
    expect(asked).toEqual([['a', 'b']]);
  });

  it('serves the listed type when the connector looks none up', async () => {
    const loaders = new RegistryLoaders(connector());
    expect(await loaders.instanceTypeOf(listed('a', null, 'config-a'))).toBeNull();
    expect(await loaders.instanceTypeOf(listed('b', 'n1-standard-4'))).toBe('n1-standard-4');
  });
});
