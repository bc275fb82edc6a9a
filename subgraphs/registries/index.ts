import type { WarmUpJob } from '../common/warm-up';
import type { RegistryConnector } from '../../connectors/registry/types';
import { PartialErrors } from '../common/partial-errors';
import { parseSchemaFile } from '../common/schema-file';
import { createSubgraphServer } from '../common/subgraph-server';
import { RegistryLoaders } from './loaders';
import { resolvers, type RegistriesContext } from './resolvers';

export type { RegistriesContext } from './resolvers';

/** The registries subgraph: the cloud registries' versions and deployments (each kind in the registries slot). */
export function createRegistriesSubgraph(connectors: readonly RegistryConnector[]) {
  return {
    name: 'registries' as const,
    /** What `cache.warmUp` keeps warm: every registry's models and deployments. */
    warmUp: connectors.flatMap((c): WarmUpJob[] => [
      { name: `${c.source} models`, phase: 1, run: () => c.listModels() },
      { name: `${c.source} deployments`, phase: 1, run: () => c.listDeployments() },
    ]),
    server: createSubgraphServer<RegistriesContext>(parseSchemaFile('registries.graphql'), resolvers),
    context: async (): Promise<RegistriesContext> => ({
      registries: new Map(connectors.map((c) => [`${c.kind}:${c.instance}`, new RegistryLoaders(c)])),
      partialErrors: new PartialErrors(),
    }),
  };
}
