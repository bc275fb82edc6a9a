import type { LinkedModel } from '../../subgraphs/inventory/linking';
import { servedModelId } from '../../subgraphs/inventory/deployment-model';
import { modelByKey, modelByRef } from '../../subgraphs/inventory/listing-index';

describe('servedModelId', () => {
  const source = { kind: 'VERTEX_AI' as const, instance: 'prod' };
  it('is the middle of the served version id: the cloud model id the inventory’s refs hold', () => {
    expect(servedModelId({ id: 'd', source, modelVersion: { id: 'vertex_ai:prod/3148704670575890719/5' } })).toBe('3148704670575890719');
    expect(
      servedModelId({ id: 'd', source: { kind: 'SAGEMAKER', instance: 'prod-us' }, modelVersion: { id: 'sagemaker:prod-us/CreditRiskScorer/3' } }),
    ).toBe('CreditRiskScorer');
  });

  it('is null without a served version, or with one of another source', () => {
    expect(servedModelId({ id: 'd', source, modelVersion: null })).toBeNull();
    expect(servedModelId({ id: 'd', source, modelVersion: { id: 'azure_ml:prod/m/1' } })).toBeNull();
    expect(servedModelId({ id: 'd', source, modelVersion: { id: 'vertex_ai:prod/5' } })).toBeNull();
  });
});

describe('modelByRef and modelByKey', () => {
  const model = (key: string, refs: Array<[LinkedModel['refs'][number]['kind'], string, string]>): LinkedModel => ({
    key,
    name: key,
    refs: refs.map(([kind, instance, nativeId]) => ({ kind, instance, nativeId, url: null })),
    linkEvidence: [],
  });
  const listing = {
    models: [model('fraud-detector', [['MLFLOW', 'prod', 'fraud-detector'], ['AZURE_ML', 'prod', 'fraud-scoring-model']]), model('churn', [['SAGEMAKER', 'eu', 'churn']])],
    failures: [],
  };

  it('finds the model holding a ref, by kind, instance and native id', () => {
    expect(modelByRef(listing.models, 'AZURE_ML', 'prod', 'fraud-scoring-model')?.key).toBe('fraud-detector');
    expect(modelByRef(listing.models, 'SAGEMAKER', 'eu', 'churn')?.key).toBe('churn');
    expect(modelByRef(listing.models, 'SAGEMAKER', 'us', 'churn')).toBeNull();
    expect(modelByRef(listing.models, 'VERTEX_AI', 'eu', 'churn')).toBeNull();
  });

  it('finds a model by key, and keeps one index per models array', () => {
    expect(modelByKey(listing.models, 'churn')?.key).toBe('churn');
    expect(modelByKey(listing.models, 'nope')).toBeNull();
    // A newer linking (another array) is indexed afresh, never answered from the old one.
    const relinked = [model('churn', [['SAGEMAKER', 'us', 'churn']])];
    expect(modelByRef(relinked, 'SAGEMAKER', 'us', 'churn')?.key).toBe('churn');
    expect(modelByKey(relinked, 'fraud-detector')).toBeNull();
  });
});
