import type { PeopleDirectory } from '../common/identity';
import { PartialErrors } from '../common/partial-errors';
import { parseSchemaFile } from '../common/schema-file';
import { createSubgraphServer } from '../common/subgraph-server';
import type { GraphQuery } from './graph-walk';
import type { Registry } from 'prom-client';
import { GovernanceIndex } from './governance/inventory-index';
import { IndexRebuildMetrics } from './index-metrics';
import type { GovernanceSettings } from './governance/types';
import type { LinkingRules } from './linking';
import { createModelLister, type Listing, type ModelListingSource } from './model-listing';
import { OwnershipIndex } from './ownership';
import { resolvers, type InventoryContext } from './resolvers';
import type { SourceStatusReader } from './sources';

export type { InventoryContext } from './resolvers';
export { mlflowListingSource, registryListingSource, type ModelListingSource } from './model-listing';
export { readOverrides, type LinkingRules } from './linking';
export { httpGraphQuery, type GraphQuery } from './graph-walk';
export { createSourceStatusReader, type SourceStatusReader } from './sources';

export interface InventoryOptions {
  sources: readonly ModelListingSource[];
  /** How registry entries are linked into models. */
  linking: LinkingRules;
  people: PeopleDirectory;
  /** The whole graph, for the answers no subgraph holds alone (ownedModels, findings across models). */
  graph?: () => GraphQuery | undefined;
  /** How long the ownership and governance indexes are kept, then served while rebuilt. */
  indexTtlMs: number;
  indexStaleMs?: number;
  governance: GovernanceSettings;
  sourceStatus: SourceStatusReader;
  now?: () => Date;
  /** Where the index rebuild metrics go. Default: none. */
  metrics?: Registry;
}

/** The inventory subgraph: one `Model` per linked identity across every registry. */
export function createInventorySubgraph(options: InventoryOptions) {
  const listModels = createModelLister(options.sources, options.linking);
  const graph = options.graph ?? (() => undefined);
  const rebuilds = options.metrics && new IndexRebuildMetrics(options.metrics);
  const ownership = new OwnershipIndex(graph, options.indexTtlMs, Date.now, options.indexStaleMs, rebuilds?.observer('ownership'));
  const governance = new GovernanceIndex(
    graph,
    options.governance,
    options.indexTtlMs,
    Date.now,
    options.indexStaleMs,
    rebuilds?.observer('governance'),
  );
  const now = options.now ?? (() => new Date());
  return {
    name: 'inventory' as const,
    server: createSubgraphServer<InventoryContext>(parseSchemaFile('inventory.graphql'), resolvers),
    context: async (): Promise<InventoryContext> => {
      let listing: Promise<Listing> | undefined;
      return {
        partialErrors: new PartialErrors(),
        people: options.people,
        ownership,
        governance,
        settings: options.governance,
        sources: options.sourceStatus,
        now,
        listing: () => (listing ??= listModels()),
      };
    },
  };
}
