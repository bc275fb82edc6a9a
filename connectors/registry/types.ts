import type { KeyValue, ModelVersion } from '../core/graph';
import type { SourceKind, SourceRef } from '../core/source';
import type { MlflowSource } from './mlflow-source';

/**
 * Graph shapes every cloud ML registry connector (SageMaker, Vertex AI, Azure ML, Unity Catalog)
 * produces, so that the registries subgraph serves one model, version and deployment
 * shape whatever the cloud.
 */

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

/**
 * What only one cloud says about a version, kept typed rather than flattened away: each
 * registry's folder adds its details here by declaration merging (its `registry.ts`), keyed
 * by its kind, with `kind` as the discriminant. The kinds with an entry are the registries.
 */
export interface CloudVersionDetailsByKind {}

export type RegistryKind = keyof CloudVersionDetailsByKind & SourceKind;

export type CloudVersionDetails = CloudVersionDetailsByKind[RegistryKind];

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

/** A version of one registry kind, its details narrowed. */
export type CloudModelVersionOf<K extends RegistryKind> = CloudModelVersion & { details: CloudVersionDetailsByKind[K] };

/**
 * How the layers above read what differs between registries, declared by each registry in
 * its folder (`registry.ts`, the source module's `registry`): pure functions of its graph
 * shapes, so no switch over registry kinds lives outside the kinds' folders.
 */
export interface RegistryProfile<K extends RegistryKind = RegistryKind> {
  kind: K;
  /** The GraphQL type of its `CloudVersionDetails`, declared by {@link detailsSdl}. */
  detailsType: string;
  /**
   * That type's SDL, as the registries subgraph serves it: `modelgraph compose` writes it,
   * with the union of every registry's, into schema/registries.graphql (`compose --check`
   * fails while the file differs).
   */
  detailsSdl: string;
  /**
   * The string an endpoint names a registered version by (a model package ARN, a Vertex
   * model version name, an ARM id), lower-cased: compared ignoring case, as ARNs and ARM
   * ids are.
   */
  versionRef(version: CloudModelVersionOf<K>): string;
  /**
   * The model (as `CloudModel.source.nativeId`) and version a deployment's
   * `modelVersionRef` names; null for what is not a registered version of this registry.
   */
  parseVersionRef(ref: string): { modelId: string; version: string } | null;
  /** What the cloud records of the MLflow version it was uploaded from; null when nothing. */
  mlflowSource(version: CloudModelVersionOf<K>): MlflowSource | null;
  /**
   * The MLflow run that produced the version, where the registry names it and the run's
   * tracking server is a configured MLflow source (`CloudModelVersion.run`).
   */
  run?(version: CloudModelVersionOf<K>): { mlflowInstance: string; runId: string } | null;
}
