export {
  SagemakerConnector,
  SagemakerRetryStrategy,
  toSourceError,
  type SagemakerConnectorDeps,
  type SagemakerRetryOptions,
} from './client';
export * from './map';
export type * from './types';
export { SAGEMAKER_LIST_TAGS_PAGE_SIZE, SAGEMAKER_METADATA_KEYS, SAGEMAKER_PAGE_LIMITS } from './types';
