export { AzuremlConnector, ArmTokenProvider, parseErrorBody, parseRateLimit, type AzuremlConnectorDeps } from './client';
export * from './map';
export type * from './types';
export { AZUREML_API_VERSION, AZUREML_PROVIDER } from './types';
