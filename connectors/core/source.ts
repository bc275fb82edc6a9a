/**
 * The upstream systems modelgraph reads from: the vocabulary core speaks (health, rate-limit
 * defaults). Each kind's module is in its folder and listed in connectors/sources.ts, which
 * fails to compile while a kind here has none.
 */
export const SOURCE_KIND_NAMES = ['MLFLOW', 'JIRA', 'GITHUB', 'GITLAB', 'SAGEMAKER', 'VERTEX_AI', 'AZURE_ML', 'UNITY_CATALOG'] as const;

export type SourceKind = (typeof SOURCE_KIND_NAMES)[number];

/** Where a graph object came from, so that a client can go back to the upstream's own page. */
export interface SourceRef {
  kind: SourceKind;
  /** The configured instance name, e.g. `prod`; several instances of one kind can coexist. */
  instance: string;
  /** The upstream's own identifier of the object. */
  nativeId: string;
  /** A browser link to the object in the upstream's UI; null when it has none. */
  url: string | null;
}

/**
 * 'mlflow:prod' — the name used in errors, logs and cache keys.
 *
 * The kind is lower-cased so that the name reads as an identifier (`vertex_ai:eu`) and
 * two spellings of one source can never produce two cache namespaces.
 */
export function sourceName(kind: SourceKind, instance: string): string {
  return `${kind.toLowerCase()}:${instance}`;
}
