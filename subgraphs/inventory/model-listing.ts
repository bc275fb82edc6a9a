import { SourceError } from '../../connectors/core/errors';
import type { MlflowConnector } from '../../connectors/mlflow';
import { linkModels, type LinkedModel, type RegistryEntry } from './linking';

/** A registry the inventory lists models from. */
export interface ModelListingSource {
  readonly source: string;
  listEntries(): Promise<RegistryEntry[]>;
}

export function mlflowListingSource(connector: MlflowConnector): ModelListingSource {
  return {
    source: connector.source,
    async listEntries() {
      const models = await connector.listRegisteredModels();
      return models.map((m) => ({ ref: m.source, name: m.name, tags: m.tags }));
    },
  };
}

export interface Listing {
  models: LinkedModel[];
  /** Sources that could not be listed: their models are missing from `models`. */
  failures: SourceError[];
}

/** Lists every source side by side and links the entries; a failed source costs only its own models. */
export async function listLinkedModels(sources: readonly ModelListingSource[], keyTag: string): Promise<Listing> {
  const settled = await Promise.allSettled(sources.map((s) => s.listEntries()));
  const entries: RegistryEntry[] = [];
  const failures: SourceError[] = [];
  settled.forEach((result) => {
    if (result.status === 'fulfilled') entries.push(...result.value);
    else if (result.reason instanceof SourceError) failures.push(result.reason);
    else throw result.reason;
  });
  return { models: linkModels(entries, keyTag), failures };
}
