import { mlflowSourceOf } from '../../connectors/registry/mlflow-source';
import type { CloudModelVersion } from '../../connectors/registry/types';

function version(tags: Array<[string, string]>, customerMetadata?: Array<[string, string]>): CloudModelVersion {
  const kv = (pairs: Array<[string, string]>) => pairs.map(([key, value]) => ({ key, value }));
  return {
    tags: kv(tags),
    details: customerMetadata
      ? { kind: 'SAGEMAKER', modelPackageArn: 'arn', modelPackageGroupName: 'g', modelApprovalStatus: null, modelPackageStatus: null, customerMetadata: kv(customerMetadata), images: [] }
      : { kind: 'VERTEX_AI', resourceName: 'projects/p/locations/l/models/1@1', versionId: '1', versionAliases: [], containerImage: null },
  } as unknown as CloudModelVersion;
}

describe('mlflowSourceOf', () => {
  it('reads SageMaker customer metadata', () => {
    expect(mlflowSourceOf(version([], [['mlflow.run_id', 'abc'], ['mlflow.version', '4'], ['mlflow.registered_model', 'fraud']]))).toEqual({
      registeredModel: 'fraud',
      version: '4',
      runId: 'abc',
    });
  });

  it('reads tags, and Azure ML’s own run id key', () => {
    expect(mlflowSourceOf(version([['mlflow.registered_model', 'prod/fraud'], ['azureml.mlflow.run_id', 'r1']]))).toEqual({
      registeredModel: 'prod/fraud',
      version: null,
      runId: 'r1',
    });
  });

  it('is null when nothing is recorded, or only blank values', () => {
    expect(mlflowSourceOf(version([['team', 'risk']]))).toBeNull();
    expect(mlflowSourceOf(version([['mlflow.version', '  ']]))).toBeNull();
  });
});
