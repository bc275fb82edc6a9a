import { VENDOR_CONCURRENCY, VENDOR_RATE_LIMITS } from '../core/vendor-rate-limits';
import { defineSource } from '../source-module';
import { AzuremlConnector } from './client';
import { azuremlInstanceSchema } from './config';

/** Azure ML as one source of the graph (see connectors/source-module.ts). */
export const azuremlSource = defineSource({
  kind: 'AZURE_ML',
  configKey: 'azureml',
  label: 'Azure ML',
  schema: azuremlInstanceSchema,
  capabilities: ['modelRegistry', 'deploymentTarget'],
  identityTool: null,
  health: { rateLimit: VENDOR_RATE_LIMITS.AZURE_ML, concurrency: VENDOR_CONCURRENCY.AZURE_ML, reportsRateLimit: true },
  slot: 'registries',
  create: (config, context) => AzuremlConnector.fromConfig(config, context),
});
