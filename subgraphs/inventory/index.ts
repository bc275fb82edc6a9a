import type { PeopleDirectory } from '../common/identity';
import { PartialErrors } from '../common/partial-errors';
import { parseSchemaFile } from '../common/schema-file';
import { createSubgraphServer } from '../common/subgraph-server';
import { createModelLister, type Listing, type ModelListingSource } from './model-listing';
import { resolvers, type InventoryContext } from './resolvers';

export type { InventoryContext } from './resolvers';
export { mlflowListingSource, type ModelListingSource } from './model-listing';

export interface InventoryOptions {
  sources: readonly ModelListingSource[];
  /** Registry tag whose value names a model's key (linking rule 1). */
  keyTag: string;
  people: PeopleDirectory;
}

/** The inventory subgraph: one `Model` per linked identity across every registry. */
export function createInventorySubgraph(options: InventoryOptions) {
  const listModels = createModelLister(options.sources, options.keyTag);
  return {
    name: 'inventory' as const,
    server: createSubgraphServer<InventoryContext>(parseSchemaFile('inventory.graphql'), resolvers),
    context: async (): Promise<InventoryContext> => {
      let listing: Promise<Listing> | undefined;
      return {
        partialErrors: new PartialErrors(),
        people: options.people,
        listing: () => (listing ??= listModels()),
      };
    },
  };
}
