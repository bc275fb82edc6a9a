/**
 * The upstream systems modelgraph reads from. Core names none of them: each kind's folder adds
 * its name here by declaration merging (`declare module '../core/source'` in its source.ts, as
 * Express and Fastify let plugins extend their types), and connectors/sources.ts fails to
 * compile while a declared kind has no module in the registry. So a new kind touches its
 * folder and the registry's line, and every `Record<SourceKind, ...>` above core that forgets
 * it fails to compile.
 */
export interface SourceKinds {}

export type SourceKind = keyof SourceKinds & string;

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
