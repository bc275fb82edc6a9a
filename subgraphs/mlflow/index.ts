import type { TrackingConnector } from '../../connectors/mlflow';
import type { PeopleDirectory } from '../common/identity';
import type { ServiceIdentitySettings } from '../common/service-identities';
import { PartialErrors } from '../common/partial-errors';
import { parseSchemaFile } from '../common/schema-file';
import { createSubgraphServer } from '../common/subgraph-server';
import { MlflowLoaders } from './loaders';
import { resolvers, type MlflowContext } from './resolvers';

export type { MlflowContext } from './resolvers';

/** The mlflow subgraph: experiments, runs, registered models and versions of every MLflow instance. */
export function createMlflowSubgraph(
  connectors: readonly TrackingConnector[],
  people: PeopleDirectory,
  /** Config `governance.serviceIdentities`: creators that are services, not people. Default: none. */
  services: ServiceIdentitySettings = { serviceIdentities: [] },
) {
  const byInstance = new Map(connectors.map((c) => [c.instance, c]));
  return {
    name: 'mlflow' as const,
    server: createSubgraphServer<MlflowContext>(parseSchemaFile('mlflow.graphql'), resolvers),
    // Fresh loaders per request: batching and dedup within a request, nothing shared across.
    context: async (): Promise<MlflowContext> => ({
      mlflow: new MlflowLoaders(byInstance),
      people,
      services,
      partialErrors: new PartialErrors(),
    }),
  };
}
