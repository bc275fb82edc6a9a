import { parse as parseYaml } from 'yaml';
import type { SourceRef } from '../../connectors/core/source';
import { kindsWith } from '../../connectors/sources';

/**
 * Linking rules: when are two registry entries the same model? Decided here and nowhere
 * else; the other subgraphs only follow the refs this produces.
 *
 * 0. An explicit override for one registry entry (`<kind>:<instance>:<native id>` -> key),
 *    for what the other rules get wrong.
 * 1. A registry tag (configurable, default `modelgraph.key`) whose value names the key;
 *    where tag keys cannot hold dots (Vertex AI labels) the same name with `-` for `.`
 *    (`modelgraph-key`).
 * 2. Otherwise the normalised name: `Fraud_Detector`, `fraud-detector` and `FraudDetector`
 *    are one model, and `fraud-detector-v2` another.
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
  /** Why each ref belongs to the model, in the order of `refs`. */
  linkEvidence: LinkEvidence[];
}

export interface LinkEvidence {
  ref: SourceRef;
  rule: LinkRule;
  /** What the rule matched: the override entry, the tag and its value, or the registry name. */
  detail: string;
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

export interface LinkingRules {
  keyTag: string;
  /** `<kind>:<instance>:<native id>` (kind lower-case, e.g. `sagemaker:prod-us:legacy-pricing`) -> model key. */
  overrides?: Readonly<Record<string, string>>;
}

/** How a ref was linked: for `Model.linkEvidence` and for people debugging a link. */
export type LinkRule = 'OVERRIDE' | 'TAG' | 'NAME';

export function refId(ref: Pick<SourceRef, 'kind' | 'instance' | 'nativeId'>): string {
  return `${ref.kind.toLowerCase()}:${ref.instance}:${ref.nativeId}`;
}

export function modelKeyFor(
  entry: RegistryEntry,
  rules: LinkingRules | string,
): { key: string; rule: LinkRule; detail: string } {
  const { keyTag, overrides } = typeof rules === 'string' ? { keyTag: rules, overrides: undefined } : rules;
  const id = refId(entry.ref);
  const override = overrides?.[id];
  if (override) return { key: normaliseModelKey(override), rule: 'OVERRIDE', detail: `overrides file: ${id} -> ${override}` };
  const dashed = keyTag.replace(/\./g, '-');
  const tag = entry.tags.find((t) => (t.key === keyTag || t.key === dashed) && t.value.trim());
  if (tag) return { key: normaliseModelKey(tag.value), rule: 'TAG', detail: `tag ${tag.key}=${tag.value.trim()}` };
  return { key: normaliseModelKey(entry.name), rule: 'NAME', detail: `name "${entry.name}"` };
}

/** Groups entries into models, ordered by key; refs keep the order the entries came in. */
export function linkModels(entries: readonly RegistryEntry[], rules: LinkingRules | string): LinkedModel[] {
  const byKey = new Map<string, LinkedModel>();
  for (const entry of entries) {
    const { key, rule, detail } = modelKeyFor(entry, rules);
    if (!key) continue;
    const evidence = { ref: entry.ref, rule, detail };
    const model = byKey.get(key);
    if (model) {
      model.refs.push(entry.ref);
      model.linkEvidence.push(evidence);
    } else {
      byKey.set(key, { key, name: entry.name, refs: [entry.ref], linkEvidence: [evidence] });
    }
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The kinds whose entries are linked into models, as refs spell them (`vertex_ai`). */
const REGISTRY_KIND_NAMES = kindsWith('modelRegistry').map((kind) => kind.toLowerCase());
const OVERRIDE_REF = new RegExp(`^(${REGISTRY_KIND_NAMES.join('|')}):[^:]+:.+$`);

/** Reads a linking overrides file; an error names the file and the entry. */
export function readOverrides(text: string, where: string): Record<string, string> {
  const raw = parseYaml(text) as unknown;
  const links = (raw && typeof raw === 'object' ? (raw as { links?: unknown }).links : undefined) ?? {};
  if (typeof links !== 'object' || Array.isArray(links)) throw new Error(`${where}: links must be a mapping`);
  const out: Record<string, string> = {};
  for (const [ref, key] of Object.entries(links as Record<string, unknown>)) {
    if (!OVERRIDE_REF.test(ref)) {
      throw new Error(`${where}: links."${ref}": must be <kind>:<instance>:<native id>, kind one of ${REGISTRY_KIND_NAMES.join(', ')}`);
    }
    if (typeof key !== 'string' || !normaliseModelKey(key)) throw new Error(`${where}: links."${ref}": must name a model key`);
    out[ref] = key;
  }
  return out;
}
