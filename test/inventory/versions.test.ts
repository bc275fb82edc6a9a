import { mergeVersions } from '../../subgraphs/inventory/versions';

const v = (id: string, createdAt: string | null, stage: string | null = null) => ({ id, createdAt, stage });

describe('Model.versions: MLflow and cloud versions merged', () => {
  it('merges both sides newest first, typed by the subgraph that owns each', () => {
    const merged = mergeVersions({
      key: 'm',
      mlflowVersions: [v('prod/m/2', '2026-03-01T00:00:00Z'), v('prod/m/1', '2026-01-01T00:00:00Z')],
      cloudVersions: [v('sagemaker:eu/m/1', '2026-02-01T00:00:00Z')],
    });
    expect(merged).toEqual([
      { __typename: 'MlflowModelVersion', id: 'prod/m/2' },
      { __typename: 'CloudModelVersion', id: 'sagemaker:eu/m/1' },
      { __typename: 'MlflowModelVersion', id: 'prod/m/1' },
    ]);
  });

  it('puts versions without a time last and orders ties by type and id, so pages are stable', () => {
    const merged = mergeVersions({
      key: 'm',
      mlflowVersions: [v('prod/m/9', null), v('prod/m/1', '2026-01-01T00:00:00Z')],
      cloudVersions: [v('azure_ml:w/m/1', '2026-01-01T00:00:00Z')],
    });
    expect(merged?.map((r) => r.id)).toEqual(['azure_ml:w/m/1', 'prod/m/1', 'prod/m/9']);
  });

  it('keeps one stage, case-insensitively; `none` is the versions without a stage', () => {
    const model = {
      key: 'm',
      mlflowVersions: [v('prod/m/2', '2026-03-01T00:00:00Z', 'Production'), v('prod/m/1', '2026-01-01T00:00:00Z')],
      cloudVersions: [v('vertex_ai:eu/1/1', '2026-02-01T00:00:00Z', 'production')],
    };
    expect(mergeVersions(model, 'PRODUCTION')?.map((r) => r.id)).toEqual(['prod/m/2', 'vertex_ai:eu/1/1']);
    expect(mergeVersions(model, 'none')?.map((r) => r.id)).toEqual(['prod/m/1']);
  });

  it('answers with one side when the other failed, and null only when both did', () => {
    expect(mergeVersions({ key: 'm', mlflowVersions: null, cloudVersions: [v('sagemaker:eu/m/1', null)] })).toEqual([
      { __typename: 'CloudModelVersion', id: 'sagemaker:eu/m/1' },
    ]);
    expect(mergeVersions({ key: 'm', mlflowVersions: null, cloudVersions: null })).toBeNull();
    expect(mergeVersions({ key: 'm', mlflowVersions: [], cloudVersions: null })).toEqual([]);
  });
});
