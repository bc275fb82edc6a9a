import { GraphQLError } from 'graphql';

/** Runs a query against the whole graph (the gateway), as any client would. */
export type GraphQuery = <T>(query: string, variables: Record<string, unknown>) => Promise<T>;

const PAGE = 500;

const OWNERS_QUERY = /* GraphQL */ `
  query ModelOwnersForInventory($first: Int!, $after: String) {
    models(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { key codeOwners { person { id } } }
    }
  }
`;

interface OwnersPage {
  models: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: Array<{ key: string; codeOwners: Array<{ person: { id: string } | null }> | null }>;
  };
}

/**
 * Which models each person owns, by the models' CODEOWNERS: the reverse of
 * `Model.codeOwners`. No subgraph can answer "every model whose owners include X" from
 * its own data (the owners live in git, the list of models in the inventory, the link
 * between them in MLflow's runs), so the index is built the one way federation allows:
 * by asking the graph for every model's owners, page by page, like any client would.
 * It is kept for `ttlMs` and rebuilt by one caller at a time.
 *
 * Team owners (`@org/team`) name no person and are not expanded.
 */
export class OwnershipIndex {
  private built?: { at: number; byPerson: Map<string, string[]> };
  private building?: Promise<Map<string, string[]>>;

  constructor(
    private readonly graph: () => GraphQuery | undefined,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async modelsOwnedBy(personId: string): Promise<string[]> {
    return (await this.index()).get(personId) ?? [];
  }

  private async index(): Promise<Map<string, string[]>> {
    if (this.built && this.now() - this.built.at < this.ttlMs) return this.built.byPerson;
    this.building ??= this.build().finally(() => (this.building = undefined));
    return this.building;
  }

  private async build(): Promise<Map<string, string[]>> {
    const query = this.graph();
    if (!query) {
      throw new GraphQLError('ownedModels needs the graph: set inventory.graphUrl in the configuration', {
        extensions: { code: 'NOT_CONFIGURED' },
      });
    }
    const byPerson = new Map<string, string[]>();
    let after: string | null = null;
    do {
      const page: OwnersPage = await query<OwnersPage>(OWNERS_QUERY, { first: PAGE, after });
      for (const model of page.models.nodes) {
        const owners = new Set((model.codeOwners ?? []).flatMap((o) => (o.person ? [o.person.id] : [])));
        for (const id of owners) byPerson.set(id, [...(byPerson.get(id) ?? []), model.key]);
      }
      after = page.models.pageInfo.hasNextPage ? page.models.pageInfo.endCursor : null;
    } while (after);
    this.built = { at: this.now(), byPerson };
    return byPerson;
  }
}

/**
 * A GraphQuery over HTTP. Any error in the answer fails the query, with the sources it
 * names: an index built from a partial answer would silently say "owns nothing".
 */
export function httpGraphQuery(url: string, timeoutMs = 60_000): GraphQuery {
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
      throw new GraphQLError(`the graph could not list model owners: ${first?.message ?? `HTTP ${res.status}`}`, {
        extensions: { code: first?.extensions?.code ?? 'SOURCE_UNAVAILABLE', ...(first?.extensions?.source ? { source: first.extensions.source } : {}) },
      });
    }
    return body.data;
  };
}
