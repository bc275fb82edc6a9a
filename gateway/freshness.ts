import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context';

/**
 * `extensions.freshness` of a client response: the sources some of whose answers came from
 * a cache entry past its TTL — served because the source failed, or while it is being
 * refreshed — each with the age of the oldest such entry:
 *
 * ```json
 * { "freshness": { "mlflow:prod": { "stale": true, "ageSeconds": 312 } } }
 * ```
 *
 * A source not listed answered from the upstream or a fresh cache entry. The subgraphs
 * report stale sources in `extensions.modelgraph.stale` (see subgraph-data-source.ts).
 */
export interface SourceFreshness {
  stale: true;
  /** Age of the oldest stale entry served, in whole seconds. */
  ageSeconds: number;
}

/** Adds what one subgraph answer reported (age in ms by source) to the request's record. */
export function noteStaleSources(context: Pick<GatewayContext, 'staleSources'>, reported: unknown): void {
  if (!reported || typeof reported !== 'object') return;
  for (const [source, ageMs] of Object.entries(reported as Record<string, unknown>)) {
    if (typeof ageMs !== 'number' || !Number.isFinite(ageMs) || ageMs < 0) continue;
    context.staleSources[source] = Math.max(ageMs, context.staleSources[source] ?? 0);
  }
}

export function freshnessPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const stale = Object.entries(contextValue.staleSources ?? {});
          if (response.body.kind !== 'single' || stale.length === 0) return;
          const freshness: Record<string, SourceFreshness> = {};
          for (const [source, ageMs] of stale.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
            freshness[source] = { stale: true, ageSeconds: Math.floor(ageMs / 1000) };
          }
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, freshness };
        },
      };
    },
  };
}
