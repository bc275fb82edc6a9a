import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { GatewayContext } from './context';
import { operationOutcome, type OperationOutcome } from './operation-policy';

/**
 * The gateway's own metrics: GraphQL operations as clients see them, and the fetches of its
 * query plans to the subgraphs. Upstream calls, caches and breakers are counted where they
 * happen, in the connectors (connectors/core/source-metrics.ts), into the same registry when
 * gateway and subgraphs share a process.
 */

/** Seconds; a cached answer takes milliseconds, a cold walk of a large page many seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Operation names are the client's words: only GraphQL names up to this length become label
 * values, and only this many distinct ones per process; the rest count under `other`, so a
 * client inventing names cannot grow the metrics without bound.
 */
const MAX_OPERATION_NAME = 64;
const MAX_OPERATION_NAMES = 200;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** How a subgraph fetch ended: an answer without errors, one with errors, or none (`unavailable`). */
export type SubgraphFetchOutcome = 'ok' | 'error' | 'unavailable';

export class GatewayMetrics {
  private readonly operations: Counter<'operation_name' | 'operation_type' | 'outcome'>;
  private readonly operationDuration: Histogram<'operation_name' | 'operation_type' | 'outcome'>;
  private readonly fetches: Counter<'subgraph' | 'outcome'>;
  private readonly fetchDuration: Histogram<'subgraph' | 'outcome'>;
  private readonly responseCacheLookups: Counter<'result'>;
  private readonly names = new Set<string>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.operations = new Counter({
      name: 'modelgraph_graphql_operations_total',
      help: 'GraphQL operations by operation name, type and outcome (ok, partial, error, refused).',
      labelNames: ['operation_name', 'operation_type', 'outcome'],
      registers,
    });
    this.operationDuration = new Histogram({
      name: 'modelgraph_graphql_operation_duration_seconds',
      help: 'Duration of a GraphQL operation at the gateway, from the request to the answer.',
      labelNames: ['operation_name', 'operation_type', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.fetches = new Counter({
      name: 'modelgraph_subgraph_fetches_total',
      help: "The gateway's fetches to subgraphs (query plan fetch nodes), by subgraph and outcome (ok, error, unavailable).",
      labelNames: ['subgraph', 'outcome'],
      registers,
    });
    this.fetchDuration = new Histogram({
      name: 'modelgraph_subgraph_fetch_duration_seconds',
      help: 'Duration of one gateway fetch to a subgraph.',
      labelNames: ['subgraph', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.responseCacheLookups = new Counter({
      name: 'modelgraph_response_cache_lookups_total',
      help: "The gateway response cache's lookups: hit (answered from it), miss (executed), bypass (an operation never cached: mutations, the inventory's own walk).",
      labelNames: ['result'],
      registers,
    });
  }

  responseCache(result: 'hit' | 'miss' | 'bypass'): void {
    this.responseCacheLookups.inc({ result });
  }

  /**
   * One operation; `name` as the document names it (undefined: anonymous or never parsed).
   * No `durationMs` for a request refused before Apollo Server saw it (401, 429): counted,
   * but kept out of the latency histogram, where its zeros would drag every quantile down.
   */
  operation(op: { name?: string | null; type?: string; outcome: OperationOutcome; durationMs?: number }): void {
    const labels = { operation_name: this.boundedName(op.name), operation_type: op.type ?? 'unknown', outcome: op.outcome };
    this.operations.inc(labels);
    if (op.durationMs !== undefined) this.operationDuration.observe(labels, Math.max(0, op.durationMs) / 1000);
  }

  subgraphFetch(subgraph: string, outcome: SubgraphFetchOutcome, durationMs: number): void {
    this.fetches.inc({ subgraph, outcome });
    this.fetchDuration.observe({ subgraph, outcome }, Math.max(0, durationMs) / 1000);
  }

  /** Counts every operation Apollo Server sees, refused ones (400s) included, once its answer is written. */
  plugin(): ApolloServerPlugin<GatewayContext> {
    return {
      requestDidStart: async () => ({
        willSendResponse: async (requestContext) => {
          this.operation({
            name: requestContext.operationName,
            type: requestContext.operation?.operation,
            outcome: operationOutcome(requestContext),
            durationMs: Date.now() - requestContext.contextValue.startedAt,
          });
        },
      }),
    };
  }

  private boundedName(name: string | null | undefined): string {
    if (!name) return '';
    if (name.length > MAX_OPERATION_NAME || !GRAPHQL_NAME.test(name)) return 'other';
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES) return 'other';
    this.names.add(name);
    return name;
  }
}
