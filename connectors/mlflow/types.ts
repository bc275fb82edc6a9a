/**
 * MLflow REST API 2.0 DTOs, named as MLflow names them (`mlflow/protos/service.proto`,
 * `mlflow/protos/model_registry.proto`, `mlflow/protos/databricks.proto`).
 *
 * The server serialises protobuf to JSON with the proto field names, leaves unset
 * fields out and renders int64 timestamps as numbers; every field is optional on the
 * wire, so every field is optional here and the mapping decides the defaults.
 */

export type MlflowRunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export type MlflowModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';
export type MlflowViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface MlflowTag {
  key?: string;
  value?: string;
}

export interface MlflowExperiment {
  experiment_id?: string;
  name?: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  last_update_time?: number;
  creation_time?: number;
  tags?: MlflowTag[];
}

export interface MlflowMetric {
  key?: string;
  value?: number;
  timestamp?: number;
  step?: number;
}

export interface MlflowParam {
  key?: string;
  value?: string;
}

export interface MlflowRunInfo {
  run_id?: string;
  /** Deprecated by MLflow in favour of run_id; still sent. */
  run_uuid?: string;
  run_name?: string;
  experiment_id?: string;
  /** Deprecated by MLflow in favour of the `mlflow.user` tag; still sent. */
  user_id?: string;
  status?: MlflowRunStatus;
  start_time?: number;
  end_time?: number;
  artifact_uri?: string;
  lifecycle_stage?: string;
}

export interface MlflowRunData {
  metrics?: MlflowMetric[];
  params?: MlflowParam[];
  tags?: MlflowTag[];
}

export interface MlflowRun {
  info?: MlflowRunInfo;
  data?: MlflowRunData;
}

export interface MlflowRegisteredModelAlias {
  alias?: string;
  version?: string;
}

export interface MlflowModelVersion {
  name?: string;
  version?: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: MlflowModelVersionStatus;
  status_message?: string;
  tags?: MlflowTag[];
  run_link?: string;
  aliases?: string[];
}

export interface MlflowRegisteredModel {
  name?: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  description?: string;
  latest_versions?: MlflowModelVersion[];
  tags?: MlflowTag[];
  aliases?: MlflowRegisteredModelAlias[];
}

// ---- requests and responses -------------------------------------------------------

/** POST /api/2.0/mlflow/experiments/search */
export interface SearchExperimentsRequest {
  max_results?: number;
  page_token?: string;
  filter?: string;
  order_by?: string[];
  view_type?: MlflowViewType;
}
export interface SearchExperimentsResponse {
  experiments?: MlflowExperiment[];
  next_page_token?: string;
}

/** GET /api/2.0/mlflow/experiments/get */
export interface GetExperimentResponse {
  experiment?: MlflowExperiment;
}

/** POST /api/2.0/mlflow/runs/search */
export interface SearchRunsRequest {
  experiment_ids: string[];
  filter?: string;
  run_view_type?: MlflowViewType;
  max_results?: number;
  order_by?: string[];
  page_token?: string;
}
export interface SearchRunsResponse {
  runs?: MlflowRun[];
  next_page_token?: string;
}

/** GET /api/2.0/mlflow/runs/get */
export interface GetRunResponse {
  run?: MlflowRun;
}

/** GET /api/2.0/mlflow/registered-models/search */
export interface SearchRegisteredModelsRequest {
  filter?: string;
  max_results?: number;
  order_by?: string[];
  page_token?: string;
}
export interface SearchRegisteredModelsResponse {
  registered_models?: MlflowRegisteredModel[];
  next_page_token?: string;
}

/** GET /api/2.0/mlflow/registered-models/get */
export interface GetRegisteredModelResponse {
  registered_model?: MlflowRegisteredModel;
}

/** GET /api/2.0/mlflow/model-versions/search */
export interface SearchModelVersionsRequest {
  filter?: string;
  max_results?: number;
  order_by?: string[];
  page_token?: string;
}
export interface SearchModelVersionsResponse {
  model_versions?: MlflowModelVersion[];
  next_page_token?: string;
}

/** GET /api/2.0/mlflow/model-versions/get */
export interface GetModelVersionResponse {
  model_version?: MlflowModelVersion;
}

/** POST /api/2.0/mlflow/registered-models/get-latest-versions */
export interface GetLatestVersionsRequest {
  name: string;
  stages?: string[];
}
export interface GetLatestVersionsResponse {
  model_versions?: MlflowModelVersion[];
}

/** GET /api/2.0/mlflow/registered-models/alias */
export interface GetModelVersionByAliasResponse {
  model_version?: MlflowModelVersion;
}

/**
 * The error body every MLflow endpoint returns (`databricks.proto` ErrorCode names);
 * HTTP status follows the code: RESOURCE_DOES_NOT_EXIST 404, INVALID_PARAMETER_VALUE 400,
 * UNAUTHENTICATED 401, PERMISSION_DENIED 403, REQUEST_LIMIT_EXCEEDED 429,
 * TEMPORARILY_UNAVAILABLE 503, INTERNAL_ERROR 500.
 */
export interface MlflowErrorBody {
  error_code?: string;
  message?: string;
}

/**
 * Documented page-size maxima. Servers must support at least these; a bigger value is
 * rejected with INVALID_PARAMETER_VALUE by some backends, so the client never exceeds them.
 */
export const MLFLOW_PAGE_LIMITS = {
  /** SearchExperiments: "All servers are guaranteed to support ... at least 1,000". */
  experiments: 1000,
  /** SearchRuns: default 1000, "guaranteed to support ... at least 50,000". */
  runs: 50_000,
  /** SearchRegisteredModels: "Default is 100. Max threshold is 1000." */
  registeredModels: 1000,
  /** SearchModelVersions: "Max threshold is 200K. Backends may choose a lower ... maximum". */
  modelVersions: 200_000,
} as const;

/** The git source MLflow records on a run (`mlflow/utils/mlflow_tags.py`). */
export const MLFLOW_TAGS = {
  user: 'mlflow.user',
  runName: 'mlflow.runName',
  sourceName: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  gitRepoUrl: 'mlflow.source.git.repoURL',
  gitCommit: 'mlflow.source.git.commit',
  gitBranch: 'mlflow.source.git.branch',
} as const;
