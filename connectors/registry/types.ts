import type { KeyValue, ModelVersion } from '../core/graph';
import type { SourceRef } from '../core/source';

/**
 * Graph shapes every cloud ML registry connector (SageMaker, Vertex AI, Azure ML)
 * produces, so that the registries subgraph serves one model, version and deployment
 * shape whatever the cloud.
 */

export type RegistryKind = 'SAGEMAKER' | 'VERTEX_AI' | 'AZURE_ML' | 'UNITY_CATALOG';

/**
 * A model as one cloud registry lists it: a SageMaker model package group, a Vertex AI
 * model (all its versions), an Azure ML model container.
 */
export interface CloudModel {
  source: SourceRef;
  /** The registry's own name (package group name, Vertex display name, Azure container name). */
  name: string;
  description: string | null;
  /** Tags (SageMaker), labels (Vertex AI), tags (Azure ML): where a `modelgraph.key` may be set. */
  tags: KeyValue[];
  createdAt: string | null;
  updatedAt: string | null;
}

export type ApprovalStatus = 'APPROVED' | 'PENDING' | 'REJECTED';

export type CreatorType = 'USER' | 'SERVICE';

/** What only one cloud says about a version, kept typed rather than flattened away. */
export type CloudVersionDetails =
  | {
      kind: 'SAGEMAKER';
      modelPackageArn: string;
      modelPackageGroupName: string;
      /** `ModelApprovalStatus`: Approved, Rejected, PendingManualApproval. */
      modelApprovalStatus: string | null;
      /** `ModelPackageStatus`: Pending, InProgress, Completed, Failed, Deleting. */
      modelPackageStatus: string | null;
      customerMetadata: KeyValue[];
      /** Container images of the inference specification. */
      images: string[];
    }
  | {
      kind: 'VERTEX_AI';
      /** `projects/{p}/locations/{l}/models/{id}@{versionId}` */
      resourceName: string;
      versionId: string;
      versionAliases: string[];
      /** The container image of `containerSpec`, when the model has one. */
      containerImage: string | null;
    }
  | {
      kind: 'AZURE_ML';
      /** The ARM resource id of the model version. */
      resourceId: string;
      /** `modelType`: custom_model, mlflow_model, triton_model. */
      modelType: string | null;
      stage: string | null;
      jobName: string | null;
    }
  | {
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
    };

/**
 * One version in a cloud registry, in the same shape as MLflow's (`ModelVersion`), plus
 * the approval a cloud records and its typed details.
 */
export interface CloudModelVersion extends ModelVersion {
  approval: ApprovalStatus | null;
  /**
   * What the cloud says `createdBy` is: USER a person, SERVICE an application, managed
   * identity, key or an assumed role no person signed in to; null when it does not say.
   */
  createdByType: CreatorType | null;
  details: CloudVersionDetails;
}

export type DeploymentStatus = 'CREATING' | 'UPDATING' | 'IN_SERVICE' | 'FAILED' | 'DELETING' | 'OUT_OF_SERVICE' | 'UNKNOWN';

/**
 * A model version serving on an endpoint: a SageMaker endpoint's production variant, a
 * Vertex AI endpoint's deployed model, an Azure ML online deployment.
 */
export interface Deployment {
  /** `<kind>:<instance>/<endpoint>/<variant or deployment>`: unique across clouds. */
  id: string;
  provider: RegistryKind;
  instance: string;
  /** AWS region, Google Cloud location, Azure region. */
  region: string | null;
  endpointName: string;
  /** The variant (SageMaker), deployed model id (Vertex AI) or deployment (Azure ML) name. */
  name: string;
  status: DeploymentStatus;
  /** The cloud's own status value. */
  statusRaw: string | null;
  /** Why, when the cloud says: SageMaker's FailureReason; null otherwise. */
  statusMessage: string | null;
  /**
   * The served version as the cloud names it, to be joined with the registries' versions:
   * a model package ARN, a Vertex `models/{id}@{version}` name, an Azure model version id.
   * Null when what runs is not a registered version (a bare SageMaker model, say).
   */
  modelVersionRef: string | null;
  /** What the cloud says is running, registered or not (a SageMaker model name, an image). */
  servedModelName: string | null;
  /** Share of the endpoint's traffic, 0..100; null when the cloud does not split traffic. */
  trafficPercent: number | null;
  /** Instance type (SageMaker, Vertex AI machine type) or SKU (Azure ML). */
  instanceType: string | null;
  /**
   * Set when the listing left `instanceType` null only because reading it would have cost a
   * call per deployment (SageMaker: an endpoint configuration the listing did not describe):
   * what the connector's {@link RegistryConnector.instanceTypes} needs to look it up when a
   * query asks. Opaque outside the connector; absent when the listing knows all it can.
   */
  instanceTypeLookup?: string;
  instanceCount: number | null;
  createdAt: string | null;
  updatedAt: string | null;
  consoleUrl: string | null;
  source: SourceRef;
}

/** What the registries subgraph and the inventory need of a cloud registry connector. */
export interface RegistryConnector {
  readonly kind: RegistryKind;
  readonly instance: string;
  /** `sagemaker:<name>`, `vertex_ai:<name>`, `azure_ml:<name>` */
  readonly source: string;
  /** Every model of the registry (all pages). */
  listModels(): Promise<CloudModel[]>;
  /** The versions of many models (by `CloudModel.source.nativeId`), newest first; every requested id is in the map. */
  getVersionsForModels(modelIds: readonly string[]): Promise<Map<string, CloudModelVersion[]>>;
  /** Every deployment on every endpoint of the instance. */
  listDeployments(): Promise<Deployment[]>;
  /**
   * The instance types of deployments, in order: `instanceType` where the listing has it,
   * else looked up by `instanceTypeLookup` (null when the cloud does not say). Only for
   * connectors whose listing leaves some to look up (SageMaker); Vertex AI and Azure ML list
   * them with the deployments.
   */
  instanceTypes?(deployments: readonly Deployment[]): Promise<Array<string | null>>;
  health(): Promise<void>;
  close(): void;
}
