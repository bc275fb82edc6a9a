import nock from 'nock';
import { useNock } from '../helpers/nock';
import { mlflowInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { MlflowConnector, type MlflowConnectorDeps } from '../../connectors/mlflow';
import modelsFixture from '../fixtures/mlflow/search-registered-models.json';
import versionsFixture from '../fixtures/mlflow/search-model-versions.json';
import runFixture from '../fixtures/mlflow/get-run.json';

/**
 * The connector against MLflow's documented REST API, with the network mocked by nock:
 * every test states the exact method, path, parameters and headers MLflow expects.
 */

const BASE = 'https://mlflow.example.com';
const API = '/api/2.0/mlflow';

function connector(
  instance: Record<string, unknown> = {},
  deps: Partial<MlflowConnectorDeps> = {},
): { mlflow: MlflowConnector; waits: number[] } {
  const waits: number[] = [];
  const config = mlflowInstanceSchema.parse({ name: 'prod', url: BASE, ...instance });
  const mlflow = MlflowConnector.fromConfig(config, {
    cache: new MemoryCache(),
    cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
    clock: {
      sleep: async (ms) => {
        waits.push(ms);
      },
    },
    ...deps,
  });
  return { mlflow, waits };
}

useNock();

describe('MLflow connector contract', () => {
  it('searches registered models with GET, the documented parameters and a bearer token', async () => {
    nock(BASE, { reqheaders: { authorization: 'Bearer dapi-secret-token' } })
      .get(`${API}/registered-models/search`)
      .query({ max_results: '1000', order_by: 'name ASC' })
      .reply(200, { registered_models: modelsFixture.registered_models });
    const { mlflow } = connector({ auth: { type: 'bearer', token: 'dapi-secret-token' } });
    const models = await mlflow.listRegisteredModels();
    expect(models.map((m) => m.name)).toEqual(['FraudDetector']);
  });

  it('sends basic auth as MLflow basic-auth expects', async () => {
    const encoded = Buffer.from('svc-modelgraph:s3cret').toString('base64');
    nock(BASE, { reqheaders: { authorization: `Basic ${encoded}` } })
      .get(`${API}/registered-models/search`)
      .query({ max_results: '1' })
      .reply(200, {});
    const { mlflow } = connector({ auth: { type: 'basic', username: 'svc-modelgraph', password: 's3cret' } });
    await expect(mlflow.health()).resolves.toBeUndefined();
  });

  it('follows next_page_token across three pages and stops when it is absent', async () => {
    const scope = nock(BASE).get(`${API}/registered-models/search`);
    scope.query({ max_results: '2', order_by: 'name ASC' }).reply(200, {
      registered_models: [{ name: 'a' }, { name: 'b' }],
      next_page_token: 'eyJvZmZzZXQiOiAyfQ==',
    });
    nock(BASE)
      .get(`${API}/registered-models/search`)
      .query({ max_results: '2', order_by: 'name ASC', page_token: 'eyJvZmZzZXQiOiAyfQ==' })
      .reply(200, { registered_models: [{ name: 'c' }, { name: 'd' }], next_page_token: 'eyJvZmZzZXQiOiA0fQ==' });
    nock(BASE)
      .get(`${API}/registered-models/search`)
      .query({ max_results: '2', order_by: 'name ASC', page_token: 'eyJvZmZzZXQiOiA0fQ==' })
      .reply(200, { registered_models: [{ name: 'e' }] });
    const { mlflow } = connector({}, { pageSizes: { registeredModels: 2 } });
    expect((await mlflow.listRegisteredModels()).map((m) => m.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('never asks for more than the documented page-size maximum', async () => {
    nock(BASE).get(`${API}/registered-models/search`).query({ max_results: '1000', order_by: 'name ASC' }).reply(200, {});
    const { mlflow } = connector({}, { pageSizes: { registeredModels: 5000 } });
    await mlflow.listRegisteredModels();
  });

  it('searches runs with a POST body: experiment ids, the run_id IN filter and max_results', async () => {
    nock(BASE)
      .post(`${API}/experiments/search`, { max_results: 1000, view_type: 'ALL' })
      .reply(200, { experiments: [{ experiment_id: '0' }, { experiment_id: '12' }] });
    nock(BASE)
      .post(`${API}/runs/search`, {
        experiment_ids: ['0', '12'],
        max_results: 1000,
        run_view_type: 'ALL',
        filter: "attributes.run_id IN ('8f2c41d7a9b04e3f9d2c1b0a7e6f5d4c', 'missing')",
      })
      .reply(200, { runs: [runFixture.run] });
    const { mlflow } = connector();
    const runs = await mlflow.getRunsByIds(['8f2c41d7a9b04e3f9d2c1b0a7e6f5d4c', 'missing']);
    expect([...runs.keys()]).toEqual(['8f2c41d7a9b04e3f9d2c1b0a7e6f5d4c']);
    expect(runs.get('8f2c41d7a9b04e3f9d2c1b0a7e6f5d4c')?.git?.commit).toBe('4b825dc642cb6eb9a060e54bf8d69288fbee4904');
  });

  it('looks versions up per name for a few models (name IN is not supported by MLflow)', async () => {
    nock(BASE)
      .get(`${API}/model-versions/search`)
      .query({ max_results: '10000', filter: "name = 'FraudDetector'" })
      .reply(200, versionsFixture);
    const { mlflow } = connector();
    const byName = await mlflow.getModelVersionsForModels(['FraudDetector']);
    expect(byName.get('FraudDetector')?.map((v) => v.version)).toEqual(['4', '3']);
  });

  it('lists every version once for many models instead of one search per model', async () => {
    nock(BASE).get(`${API}/model-versions/search`).query({ max_results: '10000' }).reply(200, versionsFixture);
    const { mlflow } = connector();
    const names = ['FraudDetector', 'a', 'b', 'c', 'd', 'e'];
    const byName = await mlflow.getModelVersionsForModels(names);
    expect(byName.get('FraudDetector')).toHaveLength(2);
    expect(byName.get('e')).toEqual([]);
  });

  it('honours Retry-After on 429 and then succeeds', async () => {
    nock(BASE)
      .get(`${API}/registered-models/get`)
      .query({ name: 'FraudDetector' })
      .reply(429, { error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'Too many requests' }, { 'Retry-After': '3' });
    nock(BASE)
      .get(`${API}/registered-models/get`)
      .query({ name: 'FraudDetector' })
      .reply(200, { registered_model: { name: 'FraudDetector' } });
    const { mlflow, waits } = connector();
    const model = await mlflow.getRegisteredModel('FraudDetector');
    expect(model?.name).toBe('FraudDetector');
    expect(waits).toEqual([3000]);
  });

  it('retries a 503 and then gives up with an error naming the source', async () => {
    nock(BASE)
      .get(`${API}/registered-models/get`)
      .query({ name: 'FraudDetector' })
      .times(3)
      .reply(503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'Service is temporarily unavailable' });
    const { mlflow, waits } = connector({ retry: { maxAttempts: 3 } });
    const error = await mlflow.getRegisteredModel('FraudDetector').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({
      source: 'mlflow:prod',
      code: SourceErrorCode.SOURCE_UNAVAILABLE,
      status: 503,
      upstreamCode: 'TEMPORARILY_UNAVAILABLE',
      attempts: 3,
    });
    expect((error as Error).message).toMatch(/^mlflow:prod: /);
    expect(waits).toHaveLength(2);
  });

  it('maps RESOURCE_DOES_NOT_EXIST on a single lookup to null', async () => {
    nock(BASE)
      .get(`${API}/registered-models/alias`)
      .query({ name: 'FraudDetector', alias: 'champion' })
      .reply(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered model alias champion not found.' });
    nock(BASE)
      .get(`${API}/runs/get`)
      .query({ run_id: 'nope' })
      .reply(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Run with id=nope not found" });
    const { mlflow } = connector();
    await expect(mlflow.getModelVersionByAlias('FraudDetector', 'champion')).resolves.toBeNull();
    await expect(mlflow.getRun('nope')).resolves.toBeNull();
  });

  it('reports other MLflow errors with their code, and keeps the token out of the message', async () => {
    nock(BASE)
      .get(`${API}/registered-models/get`)
      .query({ name: 'x' })
      .reply(403, { error_code: 'PERMISSION_DENIED', message: 'User does not have permission' });
    const { mlflow } = connector({ auth: { type: 'bearer', token: 'dapi-secret-token' } });
    const error = (await mlflow.getRegisteredModel('x').catch((e: unknown) => e)) as SourceError;
    expect(error.code).toBe(SourceErrorCode.SOURCE_FORBIDDEN);
    expect(error.upstreamCode).toBe('PERMISSION_DENIED');
    expect(JSON.stringify(error) + error.message + String(error.cause)).not.toContain('dapi-secret-token');
  });

  it('asks latest versions per stage with the documented POST body', async () => {
    nock(BASE)
      .post(`${API}/registered-models/get-latest-versions`, { name: 'FraudDetector', stages: ['Production'] })
      .reply(200, { model_versions: [versionsFixture.model_versions[1]] });
    const { mlflow } = connector();
    const latest = await mlflow.getLatestVersions('FraudDetector', ['Production']);
    expect(latest?.map((v) => [v.version, v.stage])).toEqual([['3', 'Production']]);
  });

  it('serves a repeated read from the cache within the TTL', async () => {
    nock(BASE)
      .get(`${API}/registered-models/get`)
      .query({ name: 'FraudDetector' })
      .once()
      .reply(200, { registered_model: { name: 'FraudDetector', description: 'v1' } });
    const { mlflow } = connector({}, { cacheDefaults: { ttlSeconds: 60, staleSeconds: 60 } });
    const first = await mlflow.getRegisteredModel('FraudDetector');
    const second = await mlflow.getRegisteredModel('FraudDetector');
    expect(second).toEqual(first);
  });
});
