import type { GovernanceIndexData } from './governance/inventory-index';

/**
 * Which models each person owns, by the models' CODEOWNERS: the reverse of
 * `Model.codeOwners`. The owners live in git, the list of models in the inventory, the link
 * between them in MLflow's runs, so it takes every model's facts; the governance index
 * already reads every model's code owners (as people), so ownership is read from it rather
 * than from a build of its own. That build reads every source: when one fails and no
 * earlier copy is held, `ownedModels` fails with it (an index is never built from a partial
 * answer: "owns nothing" would be a lie).
 *
 * Team owners (`@org/team`) name no person and are not expanded.
 */
export class OwnershipIndex {
  private readonly byPerson = new WeakMap<GovernanceIndexData, Map<string, string[]>>();

  constructor(private readonly governance: { get(): Promise<GovernanceIndexData> }) {}

  async modelsOwnedBy(personId: string): Promise<string[]> {
    const data = await this.governance.get();
    let byPerson = this.byPerson.get(data);
    if (!byPerson) {
      byPerson = new Map();
      // The index holds models in key order, so each person's list is in key order too.
      for (const model of data.models.values()) {
        for (const id of model.codeOwnerPeople) byPerson.set(id, [...(byPerson.get(id) ?? []), model.key]);
      }
      this.byPerson.set(data, byPerson);
    }
    return byPerson.get(personId) ?? [];
  }
}
