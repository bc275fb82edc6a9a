import { defineSource } from '../source-module';
import { sagemakerRegistry } from './registry';
import { SAGEMAKER_LIMITS } from './limits';
import { SagemakerConnector } from './client';
import { sagemakerInstanceSchema } from './config';

/** SageMaker as one source of the graph (see connectors/source-module.ts). */
export const sagemakerSource = defineSource({
  kind: 'SAGEMAKER',
  configKey: 'sagemaker',
  label: 'SageMaker',
  schema: sagemakerInstanceSchema,
  capabilities: ['modelRegistry', 'deploymentTarget'],
  identityTool: null,
  health: { ...SAGEMAKER_LIMITS, reportsRateLimit: false },
  registry: sagemakerRegistry,
  slot: 'registries',
  create: (config, context) => SagemakerConnector.fromConfig(config, context),
});

declare module '../core/source' {
  interface SourceKinds {
    SAGEMAKER: true;
  }
}
