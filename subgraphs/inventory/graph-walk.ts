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
 *
 * With `concurrency` above 1, the pages are asked side by side: a cheap walk of the keys
 * alone (the inventory's own listing, no other subgraph) gives where each page starts, and
 * each page is read from its start to the key the next one starts after. A model added or
 * removed meanwhile moves no page boundary: a page that has not reached its end key when
 * its `first` runs out goes on from its own cursor, and keys past its end are the next
 * page's. (Nodes must then select `key`.) One page at a time costs the sum of every page's
 * dependent upstream waves and CPU; side by side, one page's waits overlap another's work.
 */
/**
 * Pages an index walk asks side by side: a page's upstream waits overlap another's CPU,
 * without holding more than a few pages' `@requires` representations in memory at once.
 */
export const WALK_CONCURRENCY = 3;

export async function walkModels<N, M = N>(
  query: GraphQuery,
  document: string,
  pageSize = 500,
  concurrency = 1,
  /**
   * What to keep of each node, applied as each page arrives: a walk that reads every
   * model's raw facts to keep a summary holds one page of raw facts at a time, not all.
   */
  keep: (node: N) => M = (node) => node as unknown as M,
): Promise<M[]> {
  if (concurrency <= 1) return walkFrom<N, M>(query, document, pageSize, null, undefined, keep);
  const starts = await pageStarts(query, pageSize);
  const pages: M[][] = new Array(starts.length);
  let next = 0;
  const worker = async () => {
    while (next < starts.length) {
      const i = next++;
      pages[i] = await walkFrom<N, M>(query, document, pageSize, starts[i]!.after, starts[i + 1]?.afterKey, keep);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, starts.length) }, worker));
  return pages.flat();
}

const PAGE_STARTS_QUERY = /* GraphQL */ `
  query InventoryPageStarts($first: Int!, $after: String) {
    models(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { key } }
    }
  }
`;

/** Where each page of `pageSize` starts: after which cursor, and that cursor's key (none for the first). */
async function pageStarts(query: GraphQuery, pageSize: number): Promise<Array<{ after: string | null; afterKey?: string }>> {
  interface EdgesPage {
    models: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ cursor: string; node: { key: string } }> };
  }
  const starts: Array<{ after: string | null; afterKey?: string }> = [{ after: null }];
  let seen = 0;
  let after: string | null = null;
  do {
    const page: EdgesPage = await query<EdgesPage>(PAGE_STARTS_QUERY, { first: 500, after });
    for (const edge of page.models.edges) {
      if (++seen % pageSize === 0) starts.push({ after: edge.cursor, afterKey: edge.node.key });
    }
    const { hasNextPage, endCursor } = page.models.pageInfo;
    checkProgress(hasNextPage, endCursor, after);
    after = hasNextPage ? endCursor : null;
  } while (after);
  // A start after the very last model would read an empty page.
  if (starts.length > 1 && seen % pageSize === 0) starts.pop();
  return starts;
}

/**
 * The nodes after `after`, page by page, up to and including `untilKey` (to the end without
 * it): past it, a page stops, and the nodes past it are dropped (they are another page's).
 */
async function walkFrom<N, M>(
  query: GraphQuery,
  document: string,
  pageSize: number,
  after: string | null,
  untilKey: string | undefined,
  keep: (node: N) => M,
): Promise<M[]> {
  const nodes: M[] = [];
  let cursor = after;
  for (;;) {
    const page: ModelsPage<N> = await query<ModelsPage<N>>(document, { first: pageSize, after: cursor });
    for (const node of page.models.nodes) {
      if (untilKey !== undefined && (node as { key?: string }).key! > untilKey) return nodes;
      nodes.push(keep(node));
    }
    const { hasNextPage, endCursor } = page.models.pageInfo;
    checkProgress(hasNextPage, endCursor, cursor);
    const last = page.models.nodes.at(-1) as { key?: string } | undefined;
    if (!hasNextPage || (untilKey !== undefined && last?.key === untilKey)) return nodes;
    cursor = endCursor;
  }
}

/** Half a walk must never pass for the whole graph, nor may a walk go round in circles. */
function checkProgress(hasNextPage: boolean, endCursor: string | null, after: string | null): void {
  if (hasNextPage && (!endCursor || endCursor === after)) {
    throw new GraphQLError(`the inventory could not walk the graph: page after ${after ?? 'the start'} gave no new cursor`, {
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  }
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
