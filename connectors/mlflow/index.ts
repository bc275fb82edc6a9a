export { MlflowConnector, parseErrorBody, type MlflowConnectorDeps } from './client';
export type { RunSearch, TrackingConnector } from './tracking-connector';
export * from './map';
export type * from './types';
export { MLFLOW_PAGE_LIMITS, MLFLOW_TAGS } from './types';
