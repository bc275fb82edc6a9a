import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context';
import type { GatewayMetrics } from '../metrics';
import { wasFilteredByPolicy } from '../operation-policy';
import { responseCacheKey, touchesCallerFields } from './cache-key';
import type { ResponseStore } from './response-store';

export interface ResponseCachePluginOptions {
  store: ResponseStore;
  /** The longest an answer is kept, whatever its sources say (seconds). */
  maxTtlSeconds: number;
  metrics?: GatewayMetrics;
  /** Default: `Date.now`. */
  now?: () => number;
}

/**
 * `extensions.responseCache` of an answer served from the gateway's cache (as Hive Gateway's
 * response cache says it); the `age` header says how old it is, in seconds, as HTTP caches do.
 */
export interface ResponseCacheExtension {
  hit: true;
}

/**
 * Whole answers to queries, reused at the gateway: a repeated query is answered from the
 * cache without planning or a subgraph fetch.
 *
 * It runs after the operation's authorization and limits (they decide in
 * `didResolveOperation`, before `responseForOperation`), and its key holds everything that
 * decides what a caller may see (see cache-key.ts), so it never answers a caller with what
 * another may see and it may not.
 *
 * An answer is kept only when it is whole and current: no error (a partial answer, a field
 * the caller may not see, a source that failed), no source served stale
 * (`extensions.freshness`), and only until the earliest time a cache entry it was built from
 * stops being fresh, as the subgraphs report it (see RequestScope.noteFreshUntil). Since a
 * source entry is only ever replaced after that time (stale-while-revalidate refreshes it
 * once it is stale), a refresh with different content always finds the answer gone: the
 * next query executes, and is kept again once its sources are fresh.
 *
 * Never cached: mutations, the inventory's own walk of the graph (it builds the indexes
 * that must see the sources as they are), and operations authorization took fields out of
 * (their answers are partial, with FORBIDDEN errors the policy adds as they leave).
 */
export function responseCachePlugin(options: ResponseCachePluginOptions): ApolloServerPlugin<GatewayContext> {
  const now = options.now ?? Date.now;
  const { store, metrics } = options;
  return {
    async requestDidStart() {
      /** Set when the answer may be stored, undefined when it was served or may not be. */
      let key: string | undefined;
      return {
        async responseForOperation(requestContext) {
          const { operation, contextValue, queryHash, request, document, schema } = requestContext;
          const count = (result: 'hit' | 'miss' | 'bypass') => {
            contextValue.responseCache = result;
            metrics?.responseCache(result);
          };
          if (operation.operation !== 'query' || !queryHash || wasFilteredByPolicy(contextValue)) {
            count('bypass');
            return null;
          }
          const candidate = responseCacheKey({
            queryHash,
            operationName: requestContext.operationName,
            variables: request.variables,
            caller: contextValue.caller,
            callerDependent: touchesCallerFields(document, schema),
          });
          if (candidate === undefined) {
            count('bypass');
            return null;
          }
          const hit = await store.get(candidate);
          if (!hit) {
            count('miss');
            key = candidate;
            return null;
          }
          count('hit');
          const ageSeconds = Math.max(0, Math.floor((now() - hit.storedAt) / 1000));
          return {
            http: { status: undefined, headers: new HeaderMap([['age', String(ageSeconds)]]) },
            body: {
              kind: 'single',
              singleResult: { data: hit.data, extensions: { responseCache: { hit: true } satisfies ResponseCacheExtension } },
            },
          };
        },
        async willSendResponse({ response, contextValue }) {
          if (key === undefined || response.body.kind !== 'single') return;
          const { data, errors, extensions } = response.body.singleResult;
          if (!data || errors?.length || extensions?.freshness !== undefined) return;
          if (Object.keys(contextValue.staleSources).length > 0 || Object.keys(contextValue.failedSources).length > 0) return;
          const ceiling = now() + options.maxTtlSeconds * 1000;
          const expiresAt = Math.min(ceiling, contextValue.freshUntil ?? ceiling);
          // Written before the answer leaves, so that the next identical query finds it.
          await store.set(key, data, expiresAt);
        },
      };
    },
  };
}
