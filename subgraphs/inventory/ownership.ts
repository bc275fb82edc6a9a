import { outsideRequestScope } from '../../connectors/core/request-scope';
import { requireGraph, TtlValue, walkModels, type GraphQuery, type RebuildObserver } from './graph-walk';
import type { TtlValueOptions } from './ttl-value';

export { httpGraphQuery, type GraphQuery } from './graph-walk';

const OWNERS_QUERY = /* GraphQL */ `
  query ModelOwnersForInventory($first: Int!, $after: String) {
    models(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { key codeOwners { person { id } } }
    }
  }
`;

interface OwnersNode {
  key: string;
  codeOwners: Array<{ person: { id: string } | null }> | null;
}

/**
 * Which models each person owns, by the models' CODEOWNERS: the reverse of
 * `Model.codeOwners`. The owners live in git, the list of models in the inventory, the link
 * between them in MLflow's runs, so the index is a walk of the graph (see graph-walk.ts).
 *
 * Team owners (`@org/team`) name no person and are not expanded.
 */
export class OwnershipIndex {
  /** Person id -> model keys; a plain object, so that replicas can share it as JSON. */
  private readonly index: TtlValue<Record<string, string[]>>;
  private readonly walkConcurrency: number;

  constructor(
    graph: () => GraphQuery | undefined,
    ttlMs: number,
    now: () => number = Date.now,
    staleMs = 0,
    observe?: RebuildObserver,
    /** As for GovernanceIndex: shared, refreshed ahead, pages side by side. Default: none of them. */
    options: Omit<TtlValueOptions, 'rebuilds'> & { walkConcurrency?: number } = {},
  ) {
    this.walkConcurrency = options.walkConcurrency ?? 1;
    // Outside any request scope: a build is shared by every request that waits for it and,
    // once stale, runs in the background; none of them may pay for it or cut it short.
    this.index = new TtlValue(async () => outsideRequestScope(() => this.build(requireGraph(graph, 'ownedModels'))), ttlMs, now, staleMs, {
      rebuilds: { name: 'ownership', observe },
      ...options,
    });
  }

  /** Builds the index unless it is held (what the warm-up calls). */
  async warm(): Promise<void> {
    await this.index.get();
  }

  async modelsOwnedBy(personId: string): Promise<string[]> {
    const byPerson = await this.index.get();
    return Object.hasOwn(byPerson, personId) ? byPerson[personId]! : [];
  }

  private async build(query: GraphQuery): Promise<Record<string, string[]>> {
    const byPerson = new Map<string, string[]>();
    for (const model of await walkModels<OwnersNode>(query, OWNERS_QUERY, 500, this.walkConcurrency)) {
      const owners = new Set((model.codeOwners ?? []).flatMap((o) => (o.person ? [o.person.id] : [])));
      for (const id of owners) byPerson.set(id, [...(byPerson.get(id) ?? []), model.key]);
    }
    return Object.fromEntries(byPerson);
  }
}
