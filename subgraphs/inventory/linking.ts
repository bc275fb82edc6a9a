import type { SourceRef } from '../../connectors/core/source';

/**
 * Linking rules: when are two registry entries the same model? Decided here and nowhere
 * else; the other subgraphs only follow the refs this produces.
 *
 * 1. A registry tag (configurable, default `modelgraph.key`) whose value names the key.
 * 2. Otherwise the normalised name: `Fraud_Detector`, `fraud-detector` and `FraudDetector`
 *    are one model.
 */

/** A model as one registry lists it, before linking. */
export interface RegistryEntry {
  ref: SourceRef;
  name: string;
  tags: ReadonlyArray<{ key: string; value: string }>;
}

export interface LinkedModel {
  key: string;
  name: string;
  refs: SourceRef[];
}

export function normaliseModelKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    // camelCase and PascalCase word boundaries: FraudDetector -> Fraud-Detector
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function modelKeyFor(entry: RegistryEntry, keyTag: string): string {
  const tagged = entry.tags.find((t) => t.key === keyTag)?.value?.trim();
  return normaliseModelKey(tagged || entry.name);
}

/** Groups entries into models, ordered by key; refs keep the order the entries came in. */
export function linkModels(entries: readonly RegistryEntry[], keyTag: string): LinkedModel[] {
  const byKey = new Map<string, LinkedModel>();
  for (const entry of entries) {
    const key = modelKeyFor(entry, keyTag);
    if (!key) continue;
    const model = byKey.get(key);
    if (model) model.refs.push(entry.ref);
    else byKey.set(key, { key, name: entry.name, refs: [entry.ref] });
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
