import { GraphQLError } from 'graphql';

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

const PAGE = 500;

/** Every node of `models(first: $first, after: $after)` in `document`, in key order. */
export async function walkModels<N>(query: GraphQuery, document: string): Promise<N[]> {
  const nodes: N[] = [];
  let after: string | null = null;
  do {
    const page: ModelsPage<N> = await query<ModelsPage<N>>(document, { first: PAGE, after });
    nodes.push(...page.models.nodes);
    after = page.models.pageInfo.hasNextPage ? page.models.pageInfo.endCursor : null;
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

/** A value built on demand, kept for `ttlMs`, and rebuilt by one caller at a time. */
export class TtlValue<T> {
  private built?: { at: number; value: T };
  private building?: Promise<T>;

  constructor(
    private readonly build: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (this.built && this.now() - this.built.at < this.ttlMs) return Promise.resolve(this.built.value);
    this.building ??= this.build()
      .then((value) => {
        this.built = { at: this.now(), value };
        return value;
      })
      .finally(() => (this.building = undefined));
    return this.building;
  }
}

/**
 * A GraphQuery over HTTP. Any error in the answer fails the query, with the source it
 * names: an index built from a partial answer would silently say "owns nothing" or "no
 * findings".
 */
export function httpGraphQuery(url: string, timeoutMs = 120_000): GraphQuery {
  return async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json().catch(() => ({}))) as {
      data?: T;
      errors?: Array<{ message: string; extensions?: { source?: string; code?: string } }>;
    };
    if (body.errors?.length || !body.data) {
      const first = body.errors?.[0];
      throw new GraphQLError(`the inventory could not walk the graph: ${first?.message ?? `HTTP ${res.status}`}`, {
        extensions: {
          code: first?.extensions?.code ?? 'SOURCE_UNAVAILABLE',
          ...(first?.extensions?.source ? { source: first.extensions.source } : {}),
        },
      });
    }
    return body.data;
  };
}
