import type { PeopleDirectory } from '../common/identity';
import { PartialErrors } from '../common/partial-errors';
import { parseSchemaFile } from '../common/schema-file';
import { createSubgraphServer } from '../common/subgraph-server';
import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import type { TicketWriteConnector, Ticket } from '../../connectors/jira';
import { FindingTickets } from './tickets/finding-tickets';
import type { TicketSettings } from './tickets/draft';
import { TicketLock } from './tickets/ticket-lock';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import type { KeyValueCache } from '../../connectors/core/cache/types';
import type { Logger } from '../../connectors/core/logger';
import type { WarmUpJob } from '../common/warm-up';
import type { RebuildObserver } from './ttl-value';
import type { Registry } from 'prom-client';
import { GovernanceIndex, INDEX_PAGE_CONCURRENCY } from './governance/inventory-index';
import { FactReader, type FactSources } from './governance/source-facts';
import { IndexRebuildMetrics, type IndexName } from './index-metrics';
import { HistoryRecorder } from './history/recorder';
import type { HistoryStore } from './history/types';
import type { GovernanceSettings } from './governance/types';
import type { LinkingRules } from './linking';
import { createModelLister, type Listing, type ModelListingSource } from './model-listing';
import { OwnershipIndex } from './ownership';
import { resolvers, type InventoryContext } from './resolvers';
import type { SourceStatusReader } from './sources';

export type { InventoryContext } from './resolvers';
export { mlflowListingSource, registryListingSource, type ModelListingSource } from './model-listing';
export { readOverrides, type LinkingRules } from './linking';
export type { FactSources } from './governance/source-facts';
export type { TicketSettings } from './tickets/draft';
export { createSourceStatusReader, type SourceStatusReader } from './sources';

export interface InventoryOptions {
  sources: readonly ModelListingSource[];
  /** How registry entries are linked into models. */
  linking: LinkingRules;
  people: PeopleDirectory;
  /** Where the governance index reads every model's facts: the connectors of every source. */
  facts: FactSources;
  /** The process stopping: an index build in progress gives up. */
  stop?: AbortSignal;
  /** How long the governance index (ownership is read from it) is kept, then served while rebuilt. */
  indexTtlMs: number;
  indexStaleMs?: number;
  governance: GovernanceSettings;
  sourceStatus: SourceStatusReader;
  /** Where the index rebuild metrics go. Default: none. */
  metrics?: Registry;
  /** Told of every failed index rebuild. Default: none. */
  logger?: Logger;
  /**
   * `cache.warmUp`: the indexes are refreshed ahead of their ttl (the warm-up reads them), and
   * `shared` (the Redis every replica uses, when there is one) holds one copy for all of them,
   * built by one replica at a time. Default: neither.
   */
  warmUp?: { shared?: KeyValueCache };
  /**
   * Jira tickets for findings (config `tickets`): the settings and the connector of the
   * instance they go to; `shared` (Redis, when there is one) serialises runs across
   * replicas. Default: none, and `openFindingTickets` says it is not configured.
   */
  tickets?: { settings: TicketSettings; connector: TicketWriteConnector; shared?: KeyValueCache };
  /**
   * `history`: each governance index build this process makes is recorded in `store`, at
   * most about once per `intervalMs`, and a build is asked for that often. Default: none
   * (`findingHistory` and `findingTrends` then answer an error saying history is off).
   */
  history?: { store: HistoryStore; intervalMs: number };
}

/**
 * How long one ticket run may hold its project's lock across replicas, and how long another
 * waits for it: a run files one issue at a time, a few hundred in a minute or two.
 */
const TICKET_LOCK_SECONDS = 300;

/** The longest one replica may hold an index's rebuild lock: a build over 10,000 models takes a minute or more. */
const INDEX_LOCK_SECONDS = 600;

/** The inventory subgraph: one `Model` per linked identity across every registry. */
export function createInventorySubgraph(options: InventoryOptions) {
  const listModels = createModelLister(options.sources, options.linking);
  const metrics = options.metrics && new IndexRebuildMetrics(options.metrics);
  // A background rebuild's failure reaches no request while the previous copy serves: without
  // this line it would go unseen until the stale window ends and a request waits for a build.
  const rebuilds = (index: IndexName): RebuildObserver => (outcome, durationMs, error) => {
    metrics?.observer(index)(outcome, durationMs);
    if (outcome === 'error') {
      options.logger?.warn('index rebuild failed; the previous copy serves until its stale window ends', {
        index,
        durationMs: Math.round(durationMs),
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  const kept = (index: IndexName, version: string) => ({
    pageConcurrency: INDEX_PAGE_CONCURRENCY,
    stop: options.stop,
    ...(options.warmUp
      ? {
          refreshAhead: 0.5,
          shared: options.warmUp.shared && {
            cache: options.warmUp.shared,
            // Replicas configured otherwise (a rolling deploy, another graph on the same Redis)
            // build and share their own copy.
            key: `modelgraph:v1:index:${index}:${version}`,
            lockSeconds: INDEX_LOCK_SECONDS,
          },
        }
      : {}),
  });
  // What the indexes' content depends on besides the sources' data.
  const configHash = createHash('sha256')
    .update(
      JSON.stringify({
        governance: options.governance,
        linking: options.linking,
        sources: options.sources.map((s) => s.source),
        // The facts come from every source, and which repository a model's code is in from the config.
        facts: [...options.facts.mlflow, ...options.facts.registries, ...options.facts.jira, ...options.facts.gitHosts].map((c) => c.source),
        repositories: options.facts.modelRepositories,
      }),
    )
    .digest('hex')
    .slice(0, 16);
  const recorder = options.history && new HistoryRecorder(options.history.store, { intervalMs: options.history.intervalMs, logger: options.logger });
  const governance = new GovernanceIndex(
    { listing: listModels, reader: () => new FactReader(options.facts) },
    options.governance,
    options.indexTtlMs,
    Date.now,
    options.indexStaleMs,
    rebuilds('governance'),
    { ...kept('governance', configHash), onBuilt: recorder?.onBuilt },
  );
  recorder?.schedule(() => governance.get(), options.stop);
  const ownership = new OwnershipIndex(governance);
  const tickets =
    options.tickets &&
    new FindingTickets({
      connector: options.tickets.connector,
      settings: options.tickets.settings,
      governance,
      people: options.people,
      lock: new TicketLock(options.tickets.shared, { ttlSeconds: TICKET_LOCK_SECONDS, waitMs: TICKET_LOCK_SECONDS * 1000 }),
      filed: options.tickets.shared ?? new MemoryCache(),
      logger: options.logger,
    });
  const warmUp: WarmUpJob[] = [
    { name: 'inventory listing', phase: 1, run: () => listModels() },
    { name: 'governance index', phase: 2, run: () => governance.get() },
  ];
  return {
    name: 'inventory' as const,
    warmUp,
    server: createSubgraphServer<InventoryContext>(parseSchemaFile('inventory.graphql'), resolvers),
    context: async (): Promise<InventoryContext> => {
      let listing: Promise<Listing> | undefined;
      return {
        partialErrors: new PartialErrors(),
        people: options.people,
        ownership,
        governance,
        sources: options.sourceStatus,
        listing: () => (listing ??= listModels()),
        history: recorder?.store,
        ...(tickets
          ? {
              tickets: {
                service: tickets,
                // One search for a page of findings, cached like every Jira read.
                byFingerprint: new DataLoader<string, Ticket | null>(
                  async (fingerprints) => {
                    const found = await tickets.ticketsFor(fingerprints);
                    return fingerprints.map((fp) => found.get(fp) ?? null);
                  },
                  { batchScheduleFn: (dispatch) => setImmediate(dispatch) },
                ),
              },
            }
          : {}),
      };
    },
  };
}
