/**
 * SageMaker's DTOs are the official SDK's own types (`@aws-sdk/client-sagemaker`, generated
 * from the service model): re-exported here under the names AWS gives them, so that the rest
 * of the connector reads like the other connectors (`types.ts` = the vendor's shapes) and
 * nobody re-types them by hand.
 *
 * The SDK deserialises AWS JSON 1.1 for us: timestamps arrive as `Date`s (epoch seconds on
 * the wire), numbers as numbers.
 */
import type {
  ContainerDefinition,
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  DescribeModelOutput,
  Endpoint,
  ProductionVariant,
} from '@aws-sdk/client-sagemaker';

export type {
  ContainerDefinition,
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  DescribeModelOutput,
  DescribeModelPackageGroupOutput,
  DescribeModelPackageOutput,
  Endpoint,
  EndpointStatus,
  EndpointSummary,
  InferenceSpecification,
  Model,
  ModelApprovalStatus,
  ModelDashboardModel,
  ModelPackageGroup,
  ModelPackageGroupSummary,
  ModelPackageStatus,
  ModelPackageSummary,
  ProductionVariant,
  ProductionVariantSummary,
  Tag,
  UserContext,
} from '@aws-sdk/client-sagemaker';

/**
 * `MaxResults` maxima of the list operations, as the SageMaker API Reference documents them
 * ("Valid Range: Minimum value of 1. Maximum value of 100." for `Search`,
 * `ListModelPackages` and `ListEndpoints`). The SDK's types do not carry the range, so a
 * bigger page size would only fail at run time with a ValidationException.
 */
export const SAGEMAKER_PAGE_LIMITS = {
  /** Pages of the group listing: `Search` over `ModelPackageGroup` resources. */
  modelPackageGroups: 100,
  modelPackages: 100,
  /** Pages of the deployment listing: `Search` over `Endpoint` resources. */
  endpoints: 100,
  /** `Search` over `Model` resources (the Model Dashboard's records). */
  models: 100,
} as const;

/**
 * `ListTags` is the odd one out: "Valid Range: Minimum value of 50", no maximum. A resource
 * carries at most 50 user tags, so one page of 50 is nearly always all of them.
 */
export const SAGEMAKER_LIST_TAGS_PAGE_SIZE = 50;

/**
 * Versioned model packages cannot be tagged ("Model packages in the SageMaker Model Registry
 * do not support tags", Model Registry FAQ); teams record links in
 * `CustomerMetadataProperties` instead. The one key the connector reads: the MLflow run a
 * version was trained in, as the registration pipeline records it.
 */
export const SAGEMAKER_METADATA_KEYS = {
  runId: 'mlflow.run_id',
} as const;

/**
 * The members of an endpoint configuration's variants the deployments show
 * (`DescribeEndpointConfig`): which model and instance type each variant has, and what it was
 * asked to run with. Plain JSON (no timestamps), so that the deployment listing's cache entry
 * can hold it from one load to the next.
 */
export interface EndpointConfigFacts {
  EndpointConfigName?: string;
  ProductionVariants?: Array<
    Pick<ProductionVariant, 'VariantName' | 'ModelName' | 'InstanceType' | 'InitialInstanceCount' | 'InitialVariantWeight' | 'ServerlessConfig'>
  >;
}

/**
 * The members of a model the deployments show (`DescribeModel`, or a Model Dashboard
 * `Search` record's `Model`): its containers' images and model packages, and its ARN (which
 * completes a bare package name). Plain JSON, as {@link EndpointConfigFacts}.
 */
export interface ModelFacts {
  ModelName?: string;
  ModelArn?: string;
  PrimaryContainer?: Pick<ContainerDefinition, 'Image' | 'ModelPackageName'>;
  Containers?: Array<Pick<ContainerDefinition, 'Image' | 'ModelPackageName'>>;
}

/**
 * What one endpoint is made of, mapped in one pure function: the endpoint (a `Search`
 * record, or `DescribeEndpoint`), its configuration, and the models its variants name.
 */
export interface EndpointDetails {
  endpoint: DescribeEndpointOutput | Endpoint;
  /** Null when the configuration was deleted after the endpoint was created (SageMaker allows it). */
  config: EndpointConfigFacts | DescribeEndpointConfigOutput | null;
  /** By model name; null for a model deleted while the endpoint still serves it. */
  models: Record<string, ModelFacts | DescribeModelOutput | null>;
  /**
   * The configuration was not described: `config` names its variants' models as the Model
   * Dashboard tells them, and no instance type. Deployments whose instance type is then
   * unknown carry the configuration's name in `instanceTypeLookup`, to be described when asked.
   */
  configInferred?: boolean;
}
