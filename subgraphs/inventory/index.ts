import type { PeopleDirectory } from '../common/identity';
import { PartialErrors } from '../common/partial-errors';
import { parseSchemaFile } from '../common/schema-file';
import { createSubgraphServer } from '../common/subgraph-server';
import type { LinkingRules } from './linking';
import { createModelLister, type Listing, type ModelListingSource } from './model-listing';
import { OwnershipIndex, type GraphQuery } from './ownership';
import { resolvers, type InventoryContext } from './resolvers';

export type { InventoryContext } from './resolvers';
export { mlflowListingSource, registryListingSource, type ModelListingSource } from './model-listing';
export { readOverrides, type LinkingRules } from './linking';
export { httpGraphQuery, type GraphQuery } from './ownership';

export interface InventoryOptions {
  sources: readonly ModelListingSource[];
  /** How registry entries are linked into models. */
  linking: LinkingRules;
  people: PeopleDirectory;
  /** The whole graph, for the reverse relations no subgraph holds (Person.ownedModels). */
  graph?: () => GraphQuery | undefined;
  /** How long the ownership index is kept. */
  ownershipTtlMs: number;
}

/** The inventory subgraph: one `Model` per linked identity across every registry. */
export function createInventorySubgraph(options: InventoryOptions) {
  const listModels = createModelLister(options.sources, options.linking);
  const ownership = new OwnershipIndex(options.graph ?? (() => undefined), options.ownershipTtlMs);
  return {
    name: 'inventory' as const,
    server: createSubgraphServer<InventoryContext>(parseSchemaFile('inventory.graphql'), resolvers),
    context: async (): Promise<InventoryContext> => {
      let listing: Promise<Listing> | undefined;
      return {
        partialErrors: new PartialErrors(),
        people: options.people,
        ownership,
        listing: () => (listing ??= listModels()),
      };
    },
  };
}
