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
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  DescribeModelOutput,
} from '@aws-sdk/client-sagemaker';

export type {
  ContainerDefinition,
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  DescribeModelOutput,
  DescribeModelPackageGroupOutput,
  DescribeModelPackageOutput,
  EndpointStatus,
  EndpointSummary,
  InferenceSpecification,
  ModelApprovalStatus,
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
  endpoints: 100,
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
 * What one endpoint is made of, fetched in three steps (`DescribeEndpoint` ->
 * `DescribeEndpointConfig` -> `DescribeModel` per variant) and mapped in one pure function.
 */
export interface EndpointDetails {
  endpoint: DescribeEndpointOutput;
  /** Null when the configuration was deleted after the endpoint was created (SageMaker allows it). */
  config: DescribeEndpointConfigOutput | null;
  /** By model name; null for a model deleted while the endpoint still serves it. */
  models: Record<string, DescribeModelOutput | null>;
}
