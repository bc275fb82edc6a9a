import { defineSource } from '../source-module';
import { MLFLOW_LIMITS } from './limits';
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
  health: { ...MLFLOW_LIMITS, reportsRateLimit: false },
  slot: 'mlflow',
  create: (config, context) => MlflowConnector.fromConfig(config, context),
});

declare module '../core/source' {
  interface SourceKinds {
    MLFLOW: true;
  }
}

declare module '../core/graph' {
  interface IdentityTools {
    MLFLOW: true;
  }
}
