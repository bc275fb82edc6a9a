/**
 * Vertex AI REST v1 DTOs, named as Google's discovery document names them
 * (`aiplatform:v1`, `schemas.GoogleCloudAiplatformV1*`; the excerpt the project works from
 * is `test/fixtures/vertex/aiplatform-v1-excerpt.json`).
 *
 * The API serialises protobuf to JSON with camelCase names, leaves unset fields out,
 * renders `google-datetime` as RFC 3339 strings with up to nine fractional digits, int64 as
 * strings and int32 as numbers. Every field is optional on the wire, so every field is
 * optional here and the mapping decides the defaults.
 *
 * Resource names in responses carry the project NUMBER (`projects/483920175562/...`) even
 * when the request named the project by id; requests accept either.
 */

/** The OAuth scope every method of the excerpt requires. */
export const VERTEX_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * Page sizes the connector asks for. The discovery document says only "the standard list
 * page size" for `models.list`, `models.listVersions` and `endpoints.list` and documents no
 * maximum; AIP-158 lets a service coerce a larger value down. 100 is what the connector
 * asks for and never exceeds: it is at or below the maximum of every Google list method
 * that documents one, so no Vertex release can refuse it.
 */
export const VERTEX_PAGE_SIZE = { default: 100, max: 100 } as const;

/**
 * The label that names a model's modelgraph key. GCP label keys may hold only lower-case
 * letters, digits, `_` and `-` (no dots), so the `modelgraph.key` tag of the other
 * registries is spelled `modelgraph-key` here; the inventory's linking rules accept both.
 */
export const VERTEX_KEY_LABEL = 'modelgraph-key';

export interface GoogleCloudAiplatformV1DeployedModelRef {
  /** `projects/{project}/locations/{location}/endpoints/{endpoint}` */
  endpoint?: string;
  deployedModelId?: string;
}

/** Not in the excerpt; the fields of `GoogleCloudAiplatformV1ModelContainerSpec` the connector reads. */
export interface GoogleCloudAiplatformV1ModelContainerSpec {
  imageUri?: string;
  command?: string[];
  args?: string[];
  predictRoute?: string;
  healthRoute?: string;
}

export interface GoogleCloudAiplatformV1EncryptionSpec {
  kmsKeyName?: string;
}

/**
 * One version of a model. `models.list` returns each model's default version;
 * `models.listVersions` every version, its `name` carrying `@{versionId}`.
 */
export interface GoogleCloudAiplatformV1Model {
  /** `projects/{project}/locations/{location}/models/{model}`, `@{versionId}` from listVersions. */
  name?: string;
  displayName?: string;
  description?: string;
  /** Output only. An auto-incrementing decimal number in a string. */
  versionId?: string;
  /** `default` is on exactly one version; others match `[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]`. */
  versionAliases?: string[];
  versionDescription?: string;
  versionCreateTime?: string;
  versionUpdateTime?: string;
  createTime?: string;
  updateTime?: string;
  labels?: Record<string, string>;
  artifactUri?: string;
  /** "Input only" in the discovery document, yet returned by models.get/list. */
  containerSpec?: GoogleCloudAiplatformV1ModelContainerSpec;
  deployedModels?: GoogleCloudAiplatformV1DeployedModelRef[];
  etag?: string;
  metadataSchemaUri?: string;
  metadataArtifact?: string;
  trainingPipeline?: string;
  pipelineJob?: string;
  supportedDeploymentResourcesTypes?: string[];
  encryptionSpec?: GoogleCloudAiplatformV1EncryptionSpec;
  metadata?: unknown;
}

export interface GoogleCloudAiplatformV1ListModelsResponse {
  models?: GoogleCloudAiplatformV1Model[];
  nextPageToken?: string;
}

export interface GoogleCloudAiplatformV1ListModelVersionsResponse {
  models?: GoogleCloudAiplatformV1Model[];
  nextPageToken?: string;
}

/** Not in the excerpt (`GoogleCloudAiplatformV1MachineSpec`). */
export interface GoogleCloudAiplatformV1MachineSpec {
  /** e.g. `n1-standard-4` */
  machineType?: string;
  /** e.g. `NVIDIA_TESLA_T4` */
  acceleratorType?: string;
  acceleratorCount?: number;
}

/** Not in the excerpt (`GoogleCloudAiplatformV1DedicatedResources`). */
export interface GoogleCloudAiplatformV1DedicatedResources {
  machineSpec?: GoogleCloudAiplatformV1MachineSpec;
  /** Required by Vertex, >= 1. */
  minReplicaCount?: number;
  /** Defaults to minReplicaCount. */
  maxReplicaCount?: number;
}

/** Not in the excerpt (`GoogleCloudAiplatformV1AutomaticResources`): AutoML models. */
export interface GoogleCloudAiplatformV1AutomaticResources {
  minReplicaCount?: number;
  maxReplicaCount?: number;
}

export interface GoogleCloudAiplatformV1DeployedModel {
  /** 1-10 digits. */
  id?: string;
  /** The model, possibly with `@{versionId}` or `@{alias}`; possibly in another location. */
  model?: string;
  /** Output only. */
  modelVersionId?: string;
  displayName?: string;
  createTime?: string;
  dedicatedResources?: GoogleCloudAiplatformV1DedicatedResources;
  automaticResources?: GoogleCloudAiplatformV1AutomaticResources;
  serviceAccount?: string;
  disableContainerLogging?: boolean;
  enableAccessLogging?: boolean;
}

export interface GoogleCloudAiplatformV1Endpoint {
  /** `projects/{project}/locations/{location}/endpoints/{endpoint}` */
  name?: string;
  displayName?: string;
  description?: string;
  deployedModels?: GoogleCloudAiplatformV1DeployedModel[];
  /**
   * DeployedModel id -> percent; an id not listed gets no traffic, and the values add up
   * to 100 or the map is empty (the endpoint takes no traffic).
   */
  trafficSplit?: Record<string, number>;
  labels?: Record<string, string>;
  createTime?: string;
  updateTime?: string;
  etag?: string;
  network?: string;
  encryptionSpec?: GoogleCloudAiplatformV1EncryptionSpec;
  modelDeploymentMonitoringJob?: string;
}

export interface GoogleCloudAiplatformV1ListEndpointsResponse {
  endpoints?: GoogleCloudAiplatformV1Endpoint[];
  nextPageToken?: string;
}

// ---- errors ---------------------------------------------------------------------------------

/**
 * One entry of `error.details` (`google.rpc.*` messages as `Any`): `ErrorInfo` (reason,
 * domain, metadata), `RetryInfo` (retryDelay, a JSON Duration such as "30s"), `BadRequest`
 * (fieldViolations), `Help`, `QuotaFailure`, ...
 */
export interface GoogleRpcDetail {
  '@type'?: string;
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
  retryDelay?: string;
  fieldViolations?: Array<{ field?: string; description?: string }>;
  [key: string]: unknown;
}

/** Google's JSON error body (`google.rpc.Status` as the HTTP/JSON transcoding renders it). */
export interface GoogleApiErrorBody {
  error?: {
    /** The HTTP status, e.g. 429. */
    code?: number;
    message?: string;
    /** The canonical code, e.g. `RESOURCE_EXHAUSTED`. */
    status?: string;
    details?: GoogleRpcDetail[];
  };
}
