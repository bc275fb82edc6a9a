/**
 * Databricks Unity Catalog's REST API (`/api/2.1/unity-catalog/`), the parts modelgraph reads,
 * typed as Databricks names them (the REST reference at docs.databricks.com/api, "Registered
 * Models" and "Model Versions"; the same shapes as the Databricks SDKs' `catalog` service).
 * Every field is optional on the wire: the API omits empty ones.
 */

/** `RegisteredModelAlias`: an alias as listed on a registered model or a version. */
export interface RegisteredModelAlias {
  /** e.g. `champion`. */
  alias_name?: string;
  /** The version the alias points at. */
  version_num?: number;
  catalog_name?: string;
  schema_name?: string;
  model_name?: string;
  id?: string;
}

/** `RegisteredModelInfo` (`GET /models`, `GET /models/{full_name}`). */
export interface RegisteredModelInfo {
  /** The model's own name, relative to its schema. */
  name?: string;
  catalog_name?: string;
  schema_name?: string;
  /** `catalog.schema.model`: the id every other call takes. */
  full_name?: string;
  owner?: string;
  comment?: string;
  storage_location?: string;
  metastore_id?: string;
  /** Epoch milliseconds. */
  created_at?: number;
  created_by?: string;
  /** Epoch milliseconds. */
  updated_at?: number;
  updated_by?: string;
  /** Present on `GET /models/{full_name}?include_aliases=true`. */
  aliases?: RegisteredModelAlias[];
  browse_only?: boolean;
}

/**
 * `ModelVersionInfo.status`: a new version is PENDING_REGISTRATION until its files are
 * uploaded and it is finalized; only READY versions can be loaded or served.
 */
export type ModelVersionInfoStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY' | 'MODEL_VERSION_STATUS_UNKNOWN';

/** `ModelVersionInfo` (`GET /models/{full_name}/versions`, `.../versions/{version}`). */
export interface ModelVersionInfo {
  /** The registered model's name, relative to its schema. */
  model_name?: string;
  catalog_name?: string;
  schema_name?: string;
  /** The integer version number. */
  version?: number;
  /** The version's unique id (a UUID). */
  id?: string;
  comment?: string;
  /** Where the source artifacts were copied from (often `dbfs:/databricks/mlflow-tracking/...` or a run's artifact path). */
  source?: string;
  /** The MLflow run that produced it, when `source` came from a run. */
  run_id?: string;
  /** The Databricks workspace holding that run (a workspace id, int64). */
  run_workspace_id?: number;
  status?: ModelVersionInfoStatus | string;
  storage_location?: string;
  metastore_id?: string;
  /** Epoch milliseconds. */
  created_at?: number;
  created_by?: string;
  /** Epoch milliseconds. */
  updated_at?: number;
  updated_by?: string;
  /** Present on single-version reads with `include_aliases=true`; never in listings. */
  aliases?: RegisteredModelAlias[];
}

/** `GET /api/2.1/unity-catalog/models`. */
export interface ListRegisteredModelsResponse {
  registered_models?: RegisteredModelInfo[];
  /** Absent on the last page. A page may be empty and still carry a token. */
  next_page_token?: string;
}

/** `GET /api/2.1/unity-catalog/models/{full_name}/versions`. */
export interface ListModelVersionsResponse {
  model_versions?: ModelVersionInfo[];
  next_page_token?: string;
}

/** `SchemaInfo`, the fields the connector reads (`GET /api/2.1/unity-catalog/schemas`). */
export interface SchemaInfo {
  name?: string;
  catalog_name?: string;
  full_name?: string;
}

/** `GET /api/2.1/unity-catalog/schemas?catalog_name=`. */
export interface ListSchemasResponse {
  schemas?: SchemaInfo[];
  next_page_token?: string;
}

/** Databricks' error body on every REST API: `{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "..."}`. */
export interface DatabricksErrorBody {
  error_code?: string;
  message?: string;
  details?: Array<{ '@type'?: string; reason?: string; domain?: string; metadata?: Record<string, string> }>;
}

/** The OAuth token endpoint's answer (`POST {host}/oidc/v1/token`, client credentials). */
export interface OidcTokenResponse {
  access_token?: string;
  token_type?: string;
  /** Seconds; Databricks issues one-hour tokens. */
  expires_in?: number;
  scope?: string;
}

/**
 * Page sizes (`max_results`) as the reference states them: model listings across the
 * metastore default to 100 and stop at 1,000; within one catalog and schema they go to
 * 10,000; version listings default to 100 and stop at 1,000. Schemas have no stated
 * maximum (the server's own applies): 1,000 is what modelgraph asks for.
 */
export const UC_PAGE_SIZE = {
  models: { default: 100, max: 1000 },
  modelsInSchema: { default: 10_000, max: 10_000 },
  versions: { default: 100, max: 1000 },
  schemas: { default: 1000, max: 1000 },
} as const;

/** The scope a service principal's token asks for: every workspace API. */
export const DATABRICKS_OAUTH_SCOPE = 'all-apis';

/** The API root of Unity Catalog on a workspace host. */
export const UC_API_PREFIX = '/api/2.1/unity-catalog';
