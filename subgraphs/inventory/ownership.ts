import { outsideRequestScope } from '../../connectors/core/request-scope';
import { requireGraph, TtlValue, walkModels, type GraphQuery, type RebuildObserver } from './graph-walk';

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
  private readonly index: TtlValue<Map<string, string[]>>;

  constructor(
    graph: () => GraphQuery | undefined,
    ttlMs: number,
    now: () => number = Date.now,
    staleMs = 0,
    observe?: RebuildObserver,
  ) {
    // Outside any request scope: a build is shared by every request that waits for it and,
    // once stale, runs in the background; none of them may pay for it or cut it short.
    this.index = new TtlValue(async () => outsideRequestScope(() => this.build(requireGraph(graph, 'ownedModels'))), ttlMs, now, staleMs, {
      name: 'ownership',
      observe,
    });
  }

  async modelsOwnedBy(personId: string): Promise<string[]> {
    return (await this.index.get()).get(personId) ?? [];
  }

  private async build(query: GraphQuery): Promise<Map<string, string[]>> {
    const byPerson = new Map<string, string[]>();
    for (const model of await walkModels<OwnersNode>(query, OWNERS_QUERY)) {
      const owners = new Set((model.codeOwners ?? []).flatMap((o) => (o.person ? [o.person.id] : [])));
      for (const id of owners) byPerson.set(id, [...(byPerson.get(id) ?? []), model.key]);
    }
    return byPerson;
  }
}
