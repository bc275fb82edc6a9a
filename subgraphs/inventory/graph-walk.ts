import { context, propagation } from '@opentelemetry/api';
import { GraphQLError } from 'graphql';
import { SIGNATURE_HEADER, signBody } from '../../lib/request-signature';

/**
 * The inventory's reverse relations and cross-model answers (who owns what, every finding,
 * time to production per team) need every model's fields from the other subgraphs. No
 * subgraph can answer those from its own data, so the inventory asks the graph, page by
 * page, as any client would, and keeps the answer for a TTL.
 */

/** Runs a query against the whole graph (the gateway), as any client would. */
export type GraphQuery = <T>(query: string, variables: Record<string, unknown>) => Promise<T>;

export interface ModelsPage<N> {
  models: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: N[];
  };
}

/**
 * Every node of `models(first: $first, after: $after)` in `document`, in key order. Pages
 * of a query that fans out to every subgraph stay smaller, so each request stays bounded.
 */
export async function walkModels<N>(query: GraphQuery, document: string, pageSize = 500): Promise<N[]> {
  const nodes: N[] = [];
  let after: string | null = null;
  do {
    const page: ModelsPage<N> = await query<ModelsPage<N>>(document, { first: pageSize, after });
    nodes.push(...page.models.nodes);
    const { hasNextPage, endCursor } = page.models.pageInfo;
    // Half a walk must never pass for the whole graph, nor may a walk go round in circles.
    if (hasNextPage && (!endCursor || endCursor === after)) {
      throw new GraphQLError(`the inventory could not walk the graph: page after ${after ?? 'the start'} gave no new cursor`, {
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
    }
    after = hasNextPage ? endCursor : null;
  } while (after);
  return nodes;
}

/** The graph, or an error saying how to configure it (split deployments set inventory.graphUrl). */
export function requireGraph(graph: () => GraphQuery | undefined, what: string): GraphQuery {
  const query = graph();
  if (!query) {
    throw new GraphQLError(`${what} needs the graph: set inventory.graphUrl in the configuration`, {
      extensions: { code: 'NOT_CONFIGURED' },
    });
  }
  return query;
}

export { TtlValue, type RebuildObserver, type SharedValueStore } from './ttl-value';

/**
 * A GraphQuery over HTTP. Any error in the answer fails the query, with the source it
 * names: an index built from a partial answer would silently say "owns nothing" or "no
 * findings". `stop` (the process shutting down) aborts it, as `timeoutMs` does.
 */
export function httpGraphQuery(url: string, timeoutMs = 120_000, secret?: string, stop?: AbortSignal): GraphQuery {
  return async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const body = JSON.stringify({ query, variables });
    const res = await fetch(url, {
      method: 'POST',
      // Signed with the subgraph secret, the gateway takes the walk for one of its own: it
      // must see every field the findings are computed from, whoever asked for them.
      headers: traced({ 'content-type': 'application/json', ...(secret ? { [SIGNATURE_HEADER]: signBody(secret, body) } : {}) }),
      body,
      signal: stop ? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]) : AbortSignal.timeout(timeoutMs),
    });
    const answer = (await res.json().catch(() => ({}))) as {
      data?: T;
      errors?: Array<{ message: string; extensions?: { source?: string; code?: string } }>;
    };
    if (answer.errors?.length || !answer.data) {
      const first = answer.errors?.[0];
      throw new GraphQLError(`the inventory could not walk the graph: ${first?.message ?? `HTTP ${res.status}`}`, {
        extensions: {
          code: first?.extensions?.code ?? 'SOURCE_UNAVAILABLE',
          ...(first?.extensions?.source ? { source: first.extensions.source } : {}),
        },
      });
    }
    return answer.data;
  };
}

/** The headers with the active span's `traceparent`, so that a walk's queries join the rebuild's trace. */
function traced(headers: Record<string, string>): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}
