// The Azure ML sandbox's public surface, for `sandbox/index.ts` to re-export.
export {
  armError,
  azuremlFaultResponse,
  createAzuremlHandler,
  decodeSkipToken,
  encodeSkipToken,
  startAzuremlSandbox,
  AZUREML_SANDBOX_PAGE_SIZE,
  AZUREML_SANDBOX_TOKEN,
  type ArmErrorInit,
  type AzuremlSandboxOptions,
} from './server';
export {
  endpointNameFor,
  seedAzureml,
  AZUREML_KEY_TAG,
  AZUREML_SANDBOX_WORKSPACE,
  AZUREML_SEED_APPROVAL_TAG,
  AZUREML_SEED_GAPS,
  AZUREML_SEED_TEAMS,
  type AzuremlSeed,
  type AzuremlSeedGap,
} from './seed';
