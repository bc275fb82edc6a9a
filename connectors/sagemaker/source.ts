import { VENDOR_CONCURRENCY, VENDOR_RATE_LIMITS } from '../core/vendor-rate-limits';
import { defineSource } from '../source-module';
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
  health: { rateLimit: VENDOR_RATE_LIMITS.SAGEMAKER, concurrency: VENDOR_CONCURRENCY.SAGEMAKER, reportsRateLimit: false },
  slot: 'registries',
  create: (config, context) => SagemakerConnector.fromConfig(config, context),
});
