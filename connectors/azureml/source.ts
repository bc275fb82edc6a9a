import { defineSource } from '../source-module';
import { azuremlRegistry } from './registry';
import { AZURE_ML_LIMITS } from './limits';
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
  health: { ...AZURE_ML_LIMITS, reportsRateLimit: true },
  registry: azuremlRegistry,
  slot: 'registries',
  create: (config, context) => AzuremlConnector.fromConfig(config, context),
});

declare module '../core/source' {
  interface SourceKinds {
    AZURE_ML: true;
  }
}
