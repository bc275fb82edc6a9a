import type { RegistryProfile } from '../registry/types';

/** What Databricks Unity Catalog says of a model version that the shared version shape has no place for. */
export interface UnityCatalogVersionDetails {
  kind: 'UNITY_CATALOG';
  /** `catalog.schema.model`. */
  fullName: string;
  catalogName: string;
  schemaName: string;
  /** The version's UUID. */
  versionId: string | null;
  metastoreId: string | null;
  /** `status`: PENDING_REGISTRATION, FAILED_REGISTRATION, READY. */
  status: string | null;
  /** The MLflow run that produced the version, and the workspace holding it (an int64 id, as digits). */
  runId: string | null;
  runWorkspaceId: string | null;
  /** The configured MLflow source reading that workspace's runs; null when none is mapped. */
  runMlflowInstance: string | null;
  storageLocation: string | null;
}

declare module '../registry/types' {
  interface CloudVersionDetailsByKind {
    UNITY_CATALOG: UnityCatalogVersionDetails;
  }
}

/** Unity Catalog as a model registry (see RegistryProfile). */
export const unityCatalogRegistry: RegistryProfile<'UNITY_CATALOG'> = {
  kind: 'UNITY_CATALOG',
  detailsType: 'UnityCatalogVersionDetails',
  detailsSdl: `
"What Databricks Unity Catalog says of a model version."
type UnityCatalogVersionDetails {
  "\`catalog.schema.model\`, lower-case as Unity Catalog stores it."
  fullName: String!
  catalogName: String!
  schemaName: String!
  "The version's UUID."
  versionId: String
  metastoreId: String
  "PENDING_REGISTRATION, FAILED_REGISTRATION or READY."
  status: String
  "The MLflow run that produced the version (\`run_id\`)."
  runId: String
  "The workspace holding that run (\`run_workspace_id\`, an int64 written as digits)."
  runWorkspaceId: String
  "The MLflow source configured for that workspace; null when none is."
  runMlflowInstance: String
  storageLocation: String
}
`,
  versionRef: (version) => `${version.details.fullName}/${version.version}`.toLowerCase(),
  // `<catalog>.<schema>.<model>/<version>`: the served entity's name and version as Databricks
  // Model Serving writes them (`entity_name`, `entity_version`); case-insensitive, as Unity
  // Catalog names are.
  parseVersionRef(ref) {
    const match = /^([^./]+\.[^./]+\.[^./]+)\/(\d+)$/.exec(ref);
    return match ? { modelId: match[1].toLowerCase(), version: match[2] } : null;
  },
  // Unity Catalog is MLflow's registry: the run is a field of the version, not a tag.
  mlflowSource: (version) => (version.details.runId ? { registeredModel: null, version: null, runId: version.details.runId } : null),
  run: (version) =>
    version.details.runId && version.details.runMlflowInstance
      ? { mlflowInstance: version.details.runMlflowInstance, runId: version.details.runId }
      : null,
};
