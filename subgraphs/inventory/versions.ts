/**
 * `Model.versions` across every registry. The mlflow and registries subgraphs each own their
 * versions; the inventory gets their ids through `@requires` and answers with references of
 * the `ModelVersion` interface, which the gateway then resolves in the owning subgraph.
 */

/** The slice of a version the inventory requires: enough to filter and order. */
export interface RequiredVersion {
  id: string;
  stage?: string | null;
  createdAt?: string | null;
}

/** What the gateway sends for `@requires(fields: "mlflowVersions {...} cloudVersions {...}")`. */
export interface ModelWithRequiredVersions {
  key: string;
  /** Null (or absent) when the mlflow subgraph failed for this model, or it has none there. */
  mlflowVersions?: RequiredVersion[] | null;
  cloudVersions?: RequiredVersion[] | null;
}

export type VersionReference = { __typename: 'MlflowModelVersion' | 'CloudModelVersion'; id: string };

/**
 * Newest first across registries, then by id so equal times keep one order. `stage` matches
 * case-insensitively, as `mlflowVersions(stage:)` does; `none` picks versions without one.
 * Returns null only when neither side answered: the failed sides' own errors name their sources.
 */
export function mergeVersions(model: ModelWithRequiredVersions, stage?: string | null): VersionReference[] | null {
  if (model.mlflowVersions == null && model.cloudVersions == null) return null;
  const tagged = [
    ...(model.mlflowVersions ?? []).map((v) => ({ v, __typename: 'MlflowModelVersion' as const })),
    ...(model.cloudVersions ?? []).map((v) => ({ v, __typename: 'CloudModelVersion' as const })),
  ];
  const wanted = stage?.toLowerCase();
  return tagged
    .filter(({ v }) => wanted === undefined || (v.stage ?? 'none').toLowerCase() === wanted)
    .sort(
      (a, b) =>
        (b.v.createdAt ?? '').localeCompare(a.v.createdAt ?? '') ||
        a.__typename.localeCompare(b.__typename) ||
        a.v.id.localeCompare(b.v.id),
    )
    .map(({ v, __typename }) => ({ __typename, id: v.id }));
}
