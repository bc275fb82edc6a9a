import * as versionRef from '../../connectors/registry/version-ref';
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
    const parse = jest.spyOn(versionRef, 'parseVersionRef');
    try {
      for (let request = 0; request < 3; request++) {
        const loaders = new RegistryLoaders(connector(listing));
        for (let model = 0; model < 50; model++) await loaders.deploymentsOfModel(model % 2 ? 'FraudScorer' : 'ChurnModel');
      }
      expect(parse).toHaveBeenCalledTimes(listing.length);
    } finally {
      parse.mockRestore();
    }
  });
});
