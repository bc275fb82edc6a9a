// The SageMaker sandbox's public surface, for `sandbox/index.ts` to re-export.
export {
  createSagemakerHandler,
  sagemakerFaultResponse,
  startSagemakerSandbox,
  type SagemakerHandlerOptions,
  type SagemakerSandboxCredentials,
  type SagemakerSandboxOptions,
  type SagemakerSandboxServer,
} from './server';
export {
  createSagemakerStore,
  SAGEMAKER_OPERATIONS,
  SAGEMAKER_SANDBOX_LIMITS,
  SagemakerApiError,
  type SagemakerOperation,
  type SagemakerStore,
} from './store';
export {
  seedSagemaker,
  SAGEMAKER_KEY_TAG,
  SAGEMAKER_SANDBOX_ACCOUNT,
  SAGEMAKER_SANDBOX_INSTANCE,
  SAGEMAKER_SANDBOX_REGION,
  SAGEMAKER_SEED_GAPS,
  type SagemakerSeed,
  type SagemakerSeedEndpoint,
  type SagemakerSeedEndpointConfig,
  type SagemakerSeedGroup,
  type SagemakerSeedModel,
  type SagemakerSeedOptions,
  type SagemakerSeedPackage,
  type SagemakerSeedVariant,
} from './seed';
