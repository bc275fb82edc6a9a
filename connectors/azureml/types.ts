/**
 * Azure Machine Learning Resource Manager DTOs, named as the REST specification names them
 * (Azure/azure-rest-api-specs `specification/machinelearningservices/resource-manager/
 * Microsoft.MachineLearningServices/stable/2025-09-01/mfe.json`, and
 * `common-types/resource-management/v3/types.json` for the ARM envelope and errors).
 *
 * The spec marks most properties `x-nullable` and the examples leave many out, so every
 * field is optional here and the mapping decides the defaults.
 */

/** The only api-version this connector speaks; the shapes below are that version's. */
export const AZUREML_API_VERSION = '2025-09-01';

/** The resource provider's namespace, as ARM ids spell it. */
export const AZUREML_PROVIDER = 'Microsoft.MachineLearningServices';

/** `systemData` of every ARM resource (`common-types/.../types.json#/definitions/systemData`). */
export interface SystemData {
  createdBy?: string;
  /** `User`, `Application`, `ManagedIdentity`, `Key`. */
  createdByType?: string;
  /** ISO-8601; Azure sends seven fractional digits (`2023-08-18T21:53:03.0292962+00:00`). */
  createdAt?: string;
  lastModifiedBy?: string;
  lastModifiedByType?: string;
  lastModifiedAt?: string;
}

/** `ProxyResource` / `TrackedResource`: what every resource envelope carries. */
export interface ArmResource<TProperties> {
  /** The ARM resource id, `/subscriptions/{sub}/resourceGroups/{rg}/providers/...`. */
  id?: string;
  name?: string;
  /** `Microsoft.MachineLearningServices/workspaces/models`, ... */
  type?: string;
  properties?: TProperties;
  systemData?: SystemData;
}

/** `TrackedResource` (endpoints, deployments): a location and resource tags besides. */
export interface ArmTrackedResource<TProperties> extends ArmResource<TProperties> {
  location?: string;
  tags?: Record<string, string | null> | null;
  kind?: string;
  identity?: ManagedServiceIdentity | null;
  sku?: Sku | null;
}

/** `ManagedServiceIdentity`. */
export interface ManagedServiceIdentity {
  /** `None`, `SystemAssigned`, `UserAssigned`, `SystemAssigned,UserAssigned`. */
  type?: string;
  principalId?: string;
  tenantId?: string;
  userAssignedIdentities?: Record<string, { principalId?: string; clientId?: string }>;
}

/** `Sku` of the ARM common types; `capacity` is the instance count of an online deployment. */
export interface Sku {
  name?: string;
  /** `Free`, `Basic`, `Standard`, `Premium`. */
  tier?: string;
  size?: string;
  family?: string;
  capacity?: number;
}

/** `*ArmPaginatedResult`: one page of a listing; `nextLink` is absolute, absent on the last page. */
export interface ArmPaginatedResult<T> {
  value?: T[];
  nextLink?: string | null;
}

/** `AssetProvisioningState`. */
export type AssetProvisioningState = 'Succeeded' | 'Failed' | 'Canceled' | 'Creating' | 'Updating' | 'Deleting';

/** `ResourceBase`: what every asset's properties start with. */
export interface ResourceBase {
  description?: string | null;
  /** Free-form key/values set by the service or the user (`azureml.*`, `mlflow.*`). */
  properties?: Record<string, string | null> | null;
  /** Tags set on the asset: where a `modelgraph.key` may be. */
  tags?: Record<string, string | null> | null;
}

/** `ModelContainer` (`x-ms-client-name: ModelContainerProperties`), via `AssetContainer`. */
export interface ModelContainerProperties extends ResourceBase {
  isArchived?: boolean;
  /** Read-only: the latest version inside this container. */
  latestVersion?: string | null;
  /** Read-only: the next auto-incremented version. */
  nextVersion?: string | null;
  provisioningState?: AssetProvisioningState | string;
}

/** `ModelContainerResource`: `GET .../workspaces/{ws}/models/{name}` and each item of `.../models`. */
export type ModelContainer = ArmResource<ModelContainerProperties>;

/** `FlavorData`. */
export interface FlavorData {
  data?: Record<string, string | null> | null;
}

/** `ModelVersion` (`x-ms-client-name: ModelVersionProperties`), via `AssetBase`. */
export interface ModelVersionProperties extends ResourceBase {
  isAnonymous?: boolean;
  isArchived?: boolean;
  flavors?: Record<string, FlavorData | null> | null;
  /** Name of the training job which produced this model (in Azure ML, also the MLflow run id). */
  jobName?: string | null;
  /** The storage format: `custom_model`, `mlflow_model`, `triton_model` (the spec's example says `CustomModel`). */
  modelType?: string | null;
  /** The URI path to the model contents (`azureml://...`, `https://...blob...`). */
  modelUri?: string | null;
  provisioningState?: AssetProvisioningState | string;
  /** Stage in the model lifecycle assigned to this model: a free string, no enum. */
  stage?: string | null;
}

/** `ModelVersionResource`: `GET .../models/{name}/versions/{version}` and each item of `.../versions`. */
export type ModelVersion = ArmResource<ModelVersionProperties>;

/** `EndpointProvisioningState`. */
export type EndpointProvisioningState = 'Creating' | 'Deleting' | 'Succeeded' | 'Failed' | 'Updating' | 'Canceled';

/** `OnlineEndpoint` (`x-ms-client-name: OnlineEndpointProperties`), via `EndpointPropertiesBase`. */
export interface OnlineEndpointProperties {
  description?: string | null;
  properties?: Record<string, string | null> | null;
  /** `AMLToken`, `Key`, `AADToken`. */
  authMode?: string;
  scoringUri?: string | null;
  swaggerUri?: string | null;
  compute?: string | null;
  provisioningState?: EndpointProvisioningState | string;
  publicNetworkAccess?: string;
  /** Deployment name -> percent of live traffic; the values sum to 100. */
  traffic?: Record<string, number> | null;
  /** Deployment name -> percent of traffic mirrored (shadow); at most 50 in all. */
  mirrorTraffic?: Record<string, number> | null;
}

/** `OnlineEndpointTrackedResource`: `GET .../onlineEndpoints/{name}` and each item of `.../onlineEndpoints`. */
export type OnlineEndpoint = ArmTrackedResource<OnlineEndpointProperties>;

/** `DeploymentProvisioningState`. */
export type DeploymentProvisioningState =
  | 'Creating'
  | 'Deleting'
  | 'Scaling'
  | 'Updating'
  | 'Succeeded'
  | 'Failed'
  | 'Canceled';

/**
 * `OnlineScaleSettings`, discriminated by `scaleType`: `Default` (no fields; the instance
 * count is `sku.capacity`) or `TargetUtilization` (autoscaling between the bounds).
 */
export interface OnlineScaleSettings {
  scaleType?: 'Default' | 'TargetUtilization' | string;
  minInstances?: number;
  maxInstances?: number;
  pollingInterval?: string;
  targetUtilizationPercentage?: number;
}

/** `ProbeSettings`. */
export interface ProbeSettings {
  failureThreshold?: number;
  successThreshold?: number;
  timeout?: string;
  period?: string;
  initialDelay?: string;
}

/**
 * `OnlineDeployment` (`x-ms-client-name: OnlineDeploymentProperties`), discriminated by
 * `endpointComputeType`: `ManagedOnlineDeployment` (`Managed`) or `KubernetesOnlineDeployment`
 * (`Kubernetes`, with `containerResourceRequirements`).
 */
export interface OnlineDeploymentProperties {
  description?: string | null;
  properties?: Record<string, string | null> | null;
  codeConfiguration?: { codeId?: string | null; scoringScript?: string } | null;
  environmentId?: string | null;
  environmentVariables?: Record<string, string | null> | null;
  appInsightsEnabled?: boolean;
  egressPublicNetworkAccess?: string;
  /** `Managed`, `Kubernetes`, `AzureMLCompute`. */
  endpointComputeType?: string;
  /** Compute instance type; the spec's default is `Standard_F4s_v2`. */
  instanceType?: string | null;
  livenessProbe?: ProbeSettings | null;
  readinessProbe?: ProbeSettings | null;
  /**
   * "The URI path to the model": the ARM id of a model version as the service returns it,
   * or what the deployment was created with (`azureml:<name>:<version>`,
   * `azureml://registries/<registry>/models/<name>/versions/<version>`).
   */
  model?: string | null;
  modelMountPath?: string | null;
  provisioningState?: DeploymentProvisioningState | string;
  requestSettings?: { maxQueueWait?: string; requestTimeout?: string; maxConcurrentRequestsPerInstance?: number } | null;
  scaleSettings?: OnlineScaleSettings | null;
  containerResourceRequirements?: unknown;
}

/** `OnlineDeploymentTrackedResource`: each item of `.../onlineEndpoints/{endpoint}/deployments`. */
export type OnlineDeployment = ArmTrackedResource<OnlineDeploymentProperties>;

/** The workspace envelope, as far as the connector reads it (`Workspaces_Get`, for `health()`). */
export type Workspace = ArmTrackedResource<{ friendlyName?: string; provisioningState?: string } & Record<string, unknown>>;

/** `ErrorDetail` of the ARM common types (recursive `details`). */
export interface ErrorDetail {
  code?: string;
  message?: string;
  target?: string;
  details?: ErrorDetail[];
  additionalInfo?: Array<{ type?: string; info?: unknown }>;
}

/** `ErrorResponse`: every non-2xx body of Resource Manager and the Azure ML resource provider. */
export interface ErrorResponse {
  error?: ErrorDetail & {
    /** Azure ML's own envelope adds an inner error chain (`{"code": "NotFoundError"}`). */
    innerError?: { code?: string; innerError?: unknown } | null;
  };
}
