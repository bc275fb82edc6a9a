import { VENDOR_CONCURRENCY, VENDOR_RATE_LIMITS } from '../core/vendor-rate-limits';
import { defineSource } from '../source-module';
import { MlflowConnector } from './client';
import { mlflowInstanceSchema } from './config';

/** MLflow as one source of the graph (see connectors/source-module.ts). */
export const mlflowSource = defineSource({
  kind: 'MLFLOW',
  configKey: 'mlflow',
  label: 'MLflow',
  schema: mlflowInstanceSchema,
  capabilities: ['experimentTracker', 'modelRegistry'],
  identityTool: 'MLFLOW',
  health: { rateLimit: VENDOR_RATE_LIMITS.MLFLOW, concurrency: VENDOR_CONCURRENCY.MLFLOW, reportsRateLimit: false },
  slot: 'mlflow',
  create: (config, context) => MlflowConnector.fromConfig(config, context),
});
