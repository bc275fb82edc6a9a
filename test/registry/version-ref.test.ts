import type { RegistryKind } from '../../connectors/registry/types';
import { registryProfile } from '../../connectors/sources';

/** As the registries subgraph reads a deployment's ref: its registry's profile. */
const parseVersionRef = (kind: RegistryKind, ref: string) => registryProfile(kind).parseVersionRef(ref);

describe('parseVersionRef', () => {
  it.each([
    ['SAGEMAKER', 'arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud-detector/3', 'fraud-detector', '3'],
    ['SAGEMAKER', 'arn:aws-us-gov:sagemaker:us-gov-west-1:123456789012:model-package/FraudDetector/12', 'FraudDetector', '12'],
    ['VERTEX_AI', 'projects/acme-ml-prod/locations/europe-west4/models/4471@2', '4471', '2'],
    [
      'AZURE_ML',
      '/subscriptions/0000/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw/models/demand-forecaster/versions/5',
      'demand-forecaster',
      '5',
    ],
    ['UNITY_CATALOG', 'Main.Fraud.Fraud_Detector/7', 'main.fraud.fraud_detector', '7'],
  ] as const)('%s %s', (kind, ref, modelId, version) => {
    expect(parseVersionRef(kind, ref)).toEqual({ modelId, version });
  });

  it.each([
    ['SAGEMAKER', 'arn:aws:sagemaker:us-east-1:123456789012:model/bare-image-model'],
    ['VERTEX_AI', 'projects/p/locations/l/models/4471'],
    ['AZURE_ML', 'azureml:demand-forecaster'],
    ['UNITY_CATALOG', 'fraud_detector/7'],
    ['UNITY_CATALOG', 'main.fraud.fraud_detector/champion'],
  ] as const)('is null for what is not a registered version: %s %s', (kind, ref) => {
    expect(parseVersionRef(kind, ref)).toBeNull();
  });
});
