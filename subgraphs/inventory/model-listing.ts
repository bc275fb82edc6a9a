import { SourceError } from '../../connectors/core/errors';
import type { TrackingConnector, RegisteredModel } from '../../connectors/mlflow';
import type { CloudModel, RegistryConnector } from '../../connectors/registry/types';
import { linkModels, type LinkedModel, type LinkingRules, type RegistryEntry } from './linking';

/** A registry the inventory lists models from. */
export interface ModelListingSource {
  readonly source: string;
  listEntries(): Promise<RegistryEntry[]>;
}

export function mlflowListingSource(connector: TrackingConnector): ModelListingSource {
  // The connector hands back the same array while its cached listing is fresh; so does this.
  const entriesOf = new WeakMap<readonly RegisteredModel[], RegistryEntry[]>();
  return {
    source: connector.source,
    async listEntries() {
      const models = await connector.listRegisteredModels();
      let entries = entriesOf.get(models);
      if (!entries) {
        entries = models.map((m) => ({ ref: m.source, name: m.name, tags: m.tags }));
        entriesOf.set(models, entries);
      }
      return entries;
    },
  };
}

export function registryListingSource(connector: RegistryConnector): ModelListingSource {
  const entriesOf = new WeakMap<readonly CloudModel[], RegistryEntry[]>();
  return {
    source: connector.source,
    async listEntries() {
      const models = await connector.listModels();
      let entries = entriesOf.get(models);
      if (!entries) {
        entries = models.map((m) => ({ ref: m.source, name: m.name, tags: m.tags }));
        entriesOf.set(models, entries);
      }
      return entries;
    },
  };
}

export interface Listing {
  models: LinkedModel[];
  /** Sources that could not be listed: their models are missing from `models`. */
  failures: SourceError[];
}

/**
 * Lists every source side by side and links the entries; a failed source costs only its own
 * models. Linking tens of thousands of entries is the inventory's main cost, so the last
 * result is reused while every source hands back the very same (cached) entries.
 */
export function createModelLister(sources: readonly ModelListingSource[], rules: LinkingRules): () => Promise<Listing> {
  let last: { inputs: RegistryEntry[][]; models: LinkedModel[] } | undefined;
  return async () => {
    const settled = await Promise.allSettled(sources.map((s) => s.listEntries()));
    const inputs: RegistryEntry[][] = [];
    const failures: SourceError[] = [];
    for (const result of settled) {
      if (result.status === 'fulfilled') inputs.push(result.value);
      else if (result.reason instanceof SourceError) failures.push(result.reason);
      else throw result.reason;
    }
    if (!last || last.inputs.length !== inputs.length || last.inputs.some((entries, i) => entries !== inputs[i])) {
      last = { inputs, models: linkModels(inputs.flat(), rules) };
    }
    return { models: last.models, failures };
  };
}
