import { mlflowSourceOf, registryProfile } from '../../connectors/sources';
import type { CloudModelVersion } from '../../connectors/registry/types';

function version(tags: Array<[string, string]>, customerMetadata?: Array<[string, string]>, kind: 'VERTEX_AI' | 'AZURE_ML' = 'VERTEX_AI'): CloudModelVersion {
  const kv = (pairs: Array<[string, string]>) => pairs.map(([key, value]) => ({ key, value }));
  return {
    tags: kv(tags),
    details: customerMetadata
      ? { kind: 'SAGEMAKER', modelPackageArn: 'arn', modelPackageGroupName: 'g', modelApprovalStatus: null, modelPackageStatus: null, customerMetadata: kv(customerMetadata), images: [] }
      : kind === 'AZURE_ML'
        ? { kind, resourceId: '/subscriptions/s/.../models/m/versions/1', modelType: null, stage: null, jobName: null }
        : { kind, resourceName: 'projects/p/locations/l/models/1@1', versionId: '1', versionAliases: [], containerImage: null },
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
    expect(mlflowSourceOf(version([['mlflow.registered_model', 'prod/fraud'], ['azureml.mlflow.run_id', 'r1']], undefined, 'AZURE_ML'))).toEqual({
      registeredModel: 'prod/fraud',
      version: null,
      runId: 'r1',
    });
  });

  it('is null when nothing is recorded, or only blank values', () => {
    expect(mlflowSourceOf(version([['team', 'risk']]))).toBeNull();
    expect(mlflowSourceOf(version([['mlflow.version', '  ']]))).toBeNull();
  });

  it('reads Unity Catalog\u2019s run, a field of the version rather than a tag', () => {
    const uc = { tags: [], details: { kind: 'UNITY_CATALOG', runId: 'r9', runMlflowInstance: 'prod' } } as unknown as CloudModelVersion;
    expect(mlflowSourceOf(uc)).toEqual({ registeredModel: null, version: null, runId: 'r9' });
    expect(registryProfile('UNITY_CATALOG').run?.(uc)).toEqual({ mlflowInstance: 'prod', runId: 'r9' });
    const unmapped = { tags: [], details: { kind: 'UNITY_CATALOG', runId: 'r9', runMlflowInstance: null } } as unknown as CloudModelVersion;
    expect(registryProfile('UNITY_CATALOG').run?.(unmapped)).toBeNull();
  });
});
