export { MlflowConnector, parseErrorBody, type MlflowConnectorDeps, type RunSearch } from './client';
export * from './map';
export type * from './types';
export { MLFLOW_PAGE_LIMITS, MLFLOW_TAGS } from './types';
