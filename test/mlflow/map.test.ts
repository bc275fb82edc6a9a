import { mapExperiment, mapModelVersion, mapRegisteredModel, mapRun, quoteFilterValue } from '../../connectors/mlflow/map';
import type {
  GetExperimentResponse,
  GetRunResponse,
  SearchModelVersionsResponse,
  SearchRegisteredModelsResponse,
} from '../../connectors/mlflow/types';
import experimentFixture from '../fixtures/mlflow/get-experiment.json';
import runFixture from '../fixtures/mlflow/get-run.json';
import modelsFixture from '../fixtures/mlflow/search-registered-models.json';
import versionsFixture from '../fixtures/mlflow/search-model-versions.json';

const ctx = { instance: 'prod', uiUrl: 'https://mlflow.example.com' };

describe('MLflow mapping', () => {
  it('maps a registered model with aliases, tags and latest versions', () => {
    const dto = (modelsFixture as SearchRegisteredModelsResponse).registered_models![0];
    const model = mapRegisteredModel(dto, ctx);
    expect(model).toMatchObject({
      id: 'prod/FraudDetector',
      name: 'FraudDetector',
      description: 'Card-not-present fraud scoring',
      createdAt: '2025-01-06T09:00:00.000Z',
      tags: [{ key: 'team', value: 'payments-risk' }],
      aliases: [
        { alias: 'champion', version: '3' },
        { alias: 'challenger', version: '4' },
      ],
      source: {
        kind: 'MLFLOW',
        instance: 'prod',
        nativeId: 'FraudDetector',
        url: 'https://mlflow.example.com/#/models/FraudDetector',
      },
    });
    expect(model.latestVersions.map((v) => [v.version, v.stage])).toEqual([['3', 'Production']]);
  });

  it('maps model versions: stage "None" is null, statuses are normalised and the raw one kept', () => {
    const [pending, ready] = (versionsFixture as SearchModelVersionsResponse).model_versions!.map((v) =>
      mapModelVersion(v, ctx),
    );
    expect(pending).toMatchObject({
      id: 'prod/FraudDetector/4',
      stage: null,
      status: 'PENDING',
      statusRaw: 'PENDING_REGISTRATION',
      statusMessage: 'Copying artifacts',
      aliases: ['challenger'],
      artifactUri: 'models:/m-4d1e2f3a',
      createdBy: 'ana.lima@example.com',
    });
    expect(ready).toMatchObject({
      stage: 'Production',
      status: 'READY',
      description: 'Retrained on Q4 data',
      runId: '8f2c41d7a9b04e3f9d2c1b0a7e6f5d4c',
      tags: [{ key: 'validation_status', value: 'approved' }],
      source: { url: 'https://mlflow.example.com/#/models/FraudDetector/versions/3', nativeId: 'FraudDetector/3' },
    });
  });

  it('maps a run: mlflow.user wins over user_id, git tags become the git source, NaN metrics are dropped', () => {
    const run = mapRun((runFixture as GetRunResponse).run!, ctx);
    expect(run).toMatchObject({
      id: 'prod/8f2c41d7a9b04e3f9d2c1b0a7e6f5d4c',
      name: 'fraud-xgb-2025-02-06',
      experimentId: '12',
      status: 'FINISHED',
      user: 'ana.lima@example.com',
      startTime: '2025-02-06T08:00:00.000Z',
      git: {
        repoUrl: 'git@github.com:acme/fraud-detector.git',
        commit: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
        branch: 'main',
        path: 'models/fraud/train.py',
      },
      source: { url: 'https://mlflow.example.com/#/experiments/12/runs/8f2c41d7a9b04e3f9d2c1b0a7e6f5d4c' },
    });
    expect(run.metrics).toEqual([{ key: 'auc', value: 0.947, timestamp: '2025-02-06T08:53:20.000Z', step: 0 }]);
    expect(run.params).toContainEqual({ key: 'max_depth', value: '8' });
  });

  it('maps a run without git tags to git: null and falls back to run_uuid and user_id', () => {
    const run = mapRun({ info: { run_uuid: 'abc', user_id: 'bob', status: 'FAILED' }, data: {} }, ctx);
    expect(run).toMatchObject({ runId: 'abc', user: 'bob', git: null, status: 'FAILED', metrics: [] });
  });

  it('maps an experiment', () => {
    const exp = mapExperiment((experimentFixture as GetExperimentResponse).experiment!, ctx);
    expect(exp).toMatchObject({
      id: 'prod/12',
      name: '/Shared/fraud-detector',
      lifecycleStage: 'active',
      createdAt: '2025-01-06T09:00:00.000Z',
      source: { url: 'https://mlflow.example.com/#/experiments/12' },
    });
  });

  it('quotes filter values the way MLflow strips them', () => {
    expect(quoteFilterValue('fraud')).toBe("'fraud'");
    expect(quoteFilterValue("bob's model")).toBe('"bob\'s model"');
    expect(() => quoteFilterValue(`a'b"c`)).toThrow(/both quote characters/);
  });
});

describe('MLflow mapping of recorded URLs', () => {
  it('strips credentials CI systems embed in clone URLs, from the git source and from tags', () => {
    const run = mapRun(
      {
        info: { run_id: 'r1' },
        data: {
          tags: [
            { key: 'mlflow.source.git.repoURL', value: 'https://gitlab-ci-token:glcbt-64_s3cr3t@gitlab.com/acme/ml/forecast.git' },
            { key: 'mlflow.source.git.commit', value: 'abc' },
          ],
        },
      },
      ctx,
    );
    expect(run.git?.repoUrl).toBe('https://gitlab.com/acme/ml/forecast.git');
    expect(JSON.stringify(run)).not.toContain('s3cr3t');
  });
});
