import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { useNock } from '../helpers/nock';
import { violations } from '../helpers/databricks-reference';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { RequestScope, runInRequestScope } from '../../connectors/core/request-scope';
import { UnityCatalogConnector, parseErrorBody, type UnityCatalogConnectorDeps } from '../../connectors/unitycatalog';
import { unityCatalogInstanceSchema } from '../../connectors/unitycatalog/config';
import modelsFixture from '../fixtures/unitycatalog/list-registered-models.json';
import versionsPage2 from '../fixtures/unitycatalog/list-model-versions-page-2.json';
import modelWithAliases from '../fixtures/unitycatalog/get-registered-model-with-aliases.json';
import notFound from '../fixtures/unitycatalog/error-not-found.json';
import rateLimited from '../fixtures/unitycatalog/error-rate-limited.json';
import invalidToken from '../fixtures/unitycatalog/error-invalid-token.json';
import oidcToken from '../fixtures/unitycatalog/oidc-token.json';
import invalidClient from '../fixtures/unitycatalog/oidc-invalid-client.json';

/**
 * The connector against Databricks' documented Unity Catalog REST API 2.1 and the workspace's
 * OAuth token endpoint, with the network mocked by nock: every test states the host, path,
 * query and headers Databricks expects. The fixtures are the reference's shapes.
 */

const HOST = 'https://adb-1234567890123456.7.azuredatabricks.net';
const API = '/api/2.1/unity-catalog';
const PAT = 'dapi0123456789abcdef0123456789abcdef';
const CLIENT = { clientId: '8f4b1c2d-3e5f-4a6b-8c7d-9e0f1a2b3c4d', clientSecret: 'dose0123456789abcdef0123456789abcdef' };
// Kept as text: a JSON.parse/stringify round trip would round the int64 past 2^53.
const versionsPage1 = readFileSync(join(__dirname, '../fixtures/unitycatalog/list-model-versions.txt'), 'utf8');

function connector(instance: Record<string, unknown> = {}, deps: Partial<UnityCatalogConnectorDeps> = {}) {
  const waits: number[] = [];
  const config = unityCatalogInstanceSchema.parse({
    name: 'lakehouse',
    host: HOST,
    auth: { type: 'pat', token: PAT },
    workspaces: [{ id: '1234567890123456', mlflow: 'prod' }, { id: '9007199254740993', mlflow: 'research' }],
    ...instance,
  });
  const uc = UnityCatalogConnector.fromConfig(config, {
    cache: new MemoryCache(),
    cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
    clock: { sleep: async (ms) => void waits.push(ms) },
    ...deps,
  });
  return { uc, waits };
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

const basic = `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`;

describe('UnityCatalogConnector (contract)', () => {
  useNock();

  it('its recorded-shape fixtures hold only what Databricks publishes, of the published types', () => {
    const page1 = JSON.parse(versionsPage1) as { model_versions: unknown[] };
    expect([
      ...violations(modelsFixture, 'ListRegisteredModelsResponse', 'list-registered-models'),
      ...violations(page1, 'ListModelVersionsResponse', 'list-model-versions'),
      ...violations(versionsPage2, 'ListModelVersionsResponse', 'list-model-versions-page-2'),
      ...violations(modelWithAliases, 'RegisteredModelInfo', 'get-registered-model-with-aliases'),
    ]).toEqual([]);
    expect(page1.model_versions).toHaveLength(2);
  });

  describe('registered models', () => {
    it('lists the metastore with a personal access token, following next_page_token through an empty page to its absence', async () => {
      const api = nock(HOST, { reqheaders: { authorization: `Bearer ${PAT}` } })
        .get(`${API}/models`)
        .query({ max_results: '1000' })
        .reply(200, modelsFixture)
        .get(`${API}/models`)
        .query({ max_results: '1000', page_token: modelsFixture.next_page_token })
        // The reference: "a page may contain zero results while still providing a next_page_token".
        .reply(200, { registered_models: [], next_page_token: 'CAMa' })
        .get(`${API}/models`)
        .query({ max_results: '1000', page_token: 'CAMa' })
        .reply(200, {});
      const { uc } = connector();
      const models = await uc.listModels();
      expect(models.map((m) => [m.source.nativeId, m.name, m.description])).toEqual([
        ['ml_prod.risk.fraud_detector', 'fraud_detector', 'Card-not-present fraud scoring'],
        ['ml_prod.growth.churn_predictor', 'churn_predictor', null],
      ]);
      expect(models[0]!.source).toEqual({
        kind: 'UNITY_CATALOG',
        instance: 'lakehouse',
        nativeId: 'ml_prod.risk.fraud_detector',
        url: `${HOST}/explore/data/models/ml_prod/risk/fraud_detector`,
      });
      expect(models[0]!.createdAt).toBe('2024-06-03T16:00:00.000Z');
      expect(api.isDone()).toBe(true);
    });

    it('lists configured catalogs schema by schema (the API takes a catalog only with a schema), skipping what it may not use, and a catalog.schema directly', async () => {
      nock(HOST)
        .get(`${API}/schemas`)
        .query({ catalog_name: 'ml_prod', max_results: '1000' })
        .reply(200, {
          schemas: [
            { name: 'risk', catalog_name: 'ml_prod', full_name: 'ml_prod.risk' },
            { name: 'growth', catalog_name: 'ml_prod', full_name: 'ml_prod.growth' },
            // Never asked: it holds no models.
            { name: 'information_schema', catalog_name: 'ml_prod', full_name: 'ml_prod.information_schema' },
            { name: 'finance', catalog_name: 'ml_prod', full_name: 'ml_prod.finance' },
          ],
        })
        // A schema the principal may not use is left out, as the metastore-wide listing leaves it out.
        .get(`${API}/models`)
        .query({ catalog_name: 'ml_prod', schema_name: 'finance', max_results: '10000' })
        .reply(403, { error_code: 'PERMISSION_DENIED', message: 'User does not have USE SCHEMA on Schema ml_prod.finance.' })
        .get(`${API}/models`)
        .query({ catalog_name: 'ml_prod', schema_name: 'risk', max_results: '10000' })
        .reply(200, { registered_models: [modelsFixture.registered_models[0]] })
        .get(`${API}/models`)
        .query({ catalog_name: 'ml_prod', schema_name: 'growth', max_results: '10000' })
        .reply(200, { registered_models: [modelsFixture.registered_models[1]] })
        .get(`${API}/models`)
        .query({ catalog_name: 'ml_dev', schema_name: 'sandbox', max_results: '10000' })
        .reply(200, { registered_models: [{ ...modelsFixture.registered_models[0], catalog_name: 'ml_dev', schema_name: 'sandbox', full_name: 'ml_dev.sandbox.fraud_detector' }] });
      const { uc } = connector({ catalogs: ['ml_prod', 'ml_dev.sandbox', 'ml_prod.risk'] });
      // ml_prod.risk is also listed through ml_prod: asked twice, kept once.
      nock(HOST).get(`${API}/models`).query({ catalog_name: 'ml_prod', schema_name: 'risk', max_results: '10000' }).reply(200, { registered_models: [modelsFixture.registered_models[0]] });
      const models = await uc.listModels();
      expect(models.map((m) => m.source.nativeId).sort()).toEqual(['ml_dev.sandbox.fraud_detector', 'ml_prod.growth.churn_predictor', 'ml_prod.risk.fraud_detector']);
    });

    it('asks for smaller pages when told, within the reference maxima', async () => {
      nock(HOST).get(`${API}/models`).query({ max_results: '2' }).reply(200, {});
      const { uc } = connector({}, { pageSize: { models: 2 } });
      await expect(uc.listModels()).resolves.toEqual([]);
      nock(HOST).get(`${API}/models`).query({ max_results: '1000' }).reply(200, {});
      const { uc: big } = connector({}, { pageSize: { models: 50_000 } });
      await expect(big.listModels()).resolves.toEqual([]);
    });
  });

  describe('model versions', () => {
    function versionsRoutes() {
      return nock(HOST, { reqheaders: { authorization: `Bearer ${PAT}` } })
        .get(`${API}/models/ml_prod.risk.fraud_detector/versions`)
        .query({ max_results: '1000' })
        .reply(200, versionsPage1, { 'content-type': 'application/json' })
        .get(`${API}/models/ml_prod.risk.fraud_detector/versions`)
        .query({ max_results: '1000', page_token: 'CAIaBAgBEAE' })
        .reply(200, versionsPage2)
        .get(`${API}/models/ml_prod.risk.fraud_detector`)
        .query({ include_aliases: 'true' })
        .reply(200, modelWithAliases);
    }

    it('reads every page and the model with include_aliases, newest first, statuses and aliases mapped', async () => {
      versionsRoutes();
      const { uc } = connector();
      const versions = (await uc.getVersionsForModels(['ml_prod.risk.fraud_detector'])).get('ml_prod.risk.fraud_detector')!;
      expect(versions.map((v) => [v.version, v.status, v.statusRaw, v.aliases])).toEqual([
        ['3', 'PENDING', 'PENDING_REGISTRATION', ['challenger']],
        ['2', 'READY', 'READY', ['champion']],
        ['1', 'FAILED', 'FAILED_REGISTRATION', []],
      ]);
      const v2 = versions[1]!;
      expect(v2).toMatchObject({
        id: 'unity_catalog:lakehouse/ml_prod.risk.fraud_detector/2',
        modelName: 'ml_prod.risk.fraud_detector',
        stage: null,
        approval: null,
        description: 'Retrained on Q3 data',
        artifactUri: 'models:/m-2b7c9d0e1f2a3b4c5d6e7f8091a2b3c4',
        runId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        createdBy: 'ana.lima@acme.io',
        createdByType: 'USER',
        createdAt: '2024-10-01T00:00:00.000Z',
        source: { url: `${HOST}/explore/data/models/ml_prod/risk/fraud_detector/version/2` },
      });
      expect(v2.details).toMatchObject({ kind: 'UNITY_CATALOG', runWorkspaceId: '1234567890123456', runMlflowInstance: 'prod', versionId: 'a1b2c3d4-0000-4e8e-9b52-0d8e1f7a6b21' });
      // A service principal registered v3 (its application id), from a workspace id past 2^53.
      expect(versions[0]!.createdByType).toBe('SERVICE');
      expect(versions[0]!.details).toMatchObject({ runWorkspaceId: '9007199254740993', runMlflowInstance: 'research' });
      expect(versions[2]!.details).toMatchObject({ runId: null, runMlflowInstance: null });
    });

    it('keeps a run whose workspace is not configured, without an MLflow source', async () => {
      versionsRoutes();
      const { uc } = connector({ workspaces: [] });
      const [v3] = (await uc.getVersionsForModels(['ml_prod.risk.fraud_detector'])).get('ml_prod.risk.fraud_detector')!;
      expect(v3!.runId).toBe('6f0e2b7d1c8a4e3f9a5b0c1d2e3f4a5b');
      expect(v3!.details).toMatchObject({ runWorkspaceId: '9007199254740993', runMlflowInstance: null });
    });

    it('maps a model Unity Catalog does not have to [] (RESOURCE_DOES_NOT_EXIST)', async () => {
      nock(HOST)
        .get(`${API}/models/ml_prod.risk.nope/versions`)
        .query(true)
        .reply(404, notFound)
        .get(`${API}/models/ml_prod.risk.nope`)
        .query(true)
        .reply(404, notFound);
      const { uc } = connector();
      expect((await uc.getVersionsForModels(['ml_prod.risk.nope'])).get('ml_prod.risk.nope')).toEqual([]);
    });

    it('offers no deployments and makes no call for them', async () => {
      const { uc } = connector();
      await expect(uc.listDeployments()).resolves.toEqual([]);
    });
  });

  describe('OAuth machine-to-machine', () => {
    const oauth = { auth: { type: 'oauth-m2m', ...CLIENT } };

    it('gets a token with client credentials (Basic, form body, scope all-apis) and reuses it until near its expiry', async () => {
      let now = 1_000_000;
      const tokens = nock(HOST, { reqheaders: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' } })
        .post('/oidc/v1/token', 'grant_type=client_credentials&scope=all-apis')
        .reply(200, oidcToken)
        .post('/oidc/v1/token', 'grant_type=client_credentials&scope=all-apis')
        .reply(200, { ...oidcToken, access_token: 'second-token' });
      nock(HOST, { reqheaders: { authorization: `Bearer ${oidcToken.access_token}` } })
        .get(`${API}/models`)
        .query({ max_results: '1' })
        .twice()
        .reply(200, {});
      nock(HOST, { reqheaders: { authorization: 'Bearer second-token' } }).get(`${API}/models`).query({ max_results: '1' }).reply(200, {});
      const { uc } = connector(oauth, { clock: { now: () => now, sleep: async () => undefined } });
      await Promise.all([uc.health(), uc.health()]);
      // 59 minutes later the hour-long token is renewed before it runs out.
      now += 59 * 60_000 + 1;
      await uc.health();
      expect(tokens.isDone()).toBe(true);
    });

    it('drops a token the API refuses and tries once more with a new one', async () => {
      nock(HOST)
        .post('/oidc/v1/token')
        .reply(200, oidcToken)
        .get(`${API}/models`)
        .query(true)
        .reply(401, invalidToken)
        .post('/oidc/v1/token')
        .reply(200, { ...oidcToken, access_token: 'fresh' });
      nock(HOST, { reqheaders: { authorization: 'Bearer fresh' } }).get(`${API}/models`).query(true).reply(200, {});
      const { uc } = connector(oauth);
      await expect(uc.health()).resolves.toBeUndefined();
    });

    it('renews a refused token within a GraphQL request too (a refused token is no outage of the source), once', async () => {
      nock(HOST)
        .post('/oidc/v1/token')
        .reply(200, oidcToken)
        .get(`${API}/models`)
        .query(true)
        .reply(401, invalidToken)
        .post('/oidc/v1/token')
        .reply(200, { ...oidcToken, access_token: 'fresh' });
      nock(HOST, { reqheaders: { authorization: 'Bearer fresh' } }).get(`${API}/models`).query(true).reply(200, {});
      const { uc } = connector(oauth);
      const scope = new RequestScope({ requestId: 'req-renew' });
      await expect(runInRequestScope(scope, () => uc.health())).resolves.toBeUndefined();
      expect(scope.failedSources.size).toBe(0);

      // A new token refused as well is the source's failure: remembered for the request, not asked a third time.
      nock(HOST)
        .get(`${API}/models`)
        .query(true)
        .reply(401, invalidToken)
        .post('/oidc/v1/token')
        .reply(200, { ...oidcToken, access_token: 'also-refused' })
        .get(`${API}/models`)
        .query(true)
        .reply(401, invalidToken);
      const second = new RequestScope({ requestId: 'req-refused' });
      const err = await failure(runInRequestScope(second, () => uc.health()));
      expect(err.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
      expect(second.failedSources.has('unity_catalog:lakehouse')).toBe(true);
      const again = await failure(runInRequestScope(second, () => uc.health()));
      expect(again.message).toContain('earlier in this request');
    });

    it('also renews a token refused with 403 "Invalid access token." (a numeric error_code)', async () => {
      nock(HOST)
        .post('/oidc/v1/token')
        .reply(200, oidcToken)
        .get(`${API}/models`)
        .query(true)
        .reply(403, { error_code: 403, message: 'Invalid access token.' })
        .post('/oidc/v1/token')
        .reply(200, { ...oidcToken, access_token: 'renewed' });
      nock(HOST, { reqheaders: { authorization: 'Bearer renewed' } }).get(`${API}/models`).query(true).reply(200, {});
      await expect(connector(oauth).uc.health()).resolves.toBeUndefined();
    });

    it('a 403 for a missing privilege is no token problem: not retried', async () => {
      nock(HOST)
        .post('/oidc/v1/token')
        .reply(200, oidcToken)
        .get(`${API}/models`)
        .query(true)
        .reply(403, { error_code: 'PERMISSION_DENIED', message: 'User does not have USE CATALOG on Catalog ml_prod.' });
      const err = await failure(connector(oauth).uc.health());
      expect(err.code).toBe(SourceErrorCode.SOURCE_FORBIDDEN);
      expect(err.message).toContain('USE CATALOG');
    });

    it('reports a refused client as SOURCE_UNAUTHENTICATED naming the source, without the secret', async () => {
      nock(HOST).post('/oidc/v1/token').reply(401, invalidClient);
      const { uc } = connector(oauth);
      const err = await failure(uc.health());
      expect(err.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
      expect(err.message).toContain('unity_catalog:lakehouse');
      expect(err.message).toContain('Client authentication failed');
      expect(JSON.stringify({ m: err.message, s: err.stack })).not.toContain(CLIENT.clientSecret);
    });

    it('a PAT the API refuses is not retried', async () => {
      nock(HOST).get(`${API}/models`).query(true).reply(401, invalidToken);
      const err = await failure(connector().uc.health());
      expect(err.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
      expect(err.message).not.toContain(PAT);
    });
  });

  describe('errors', () => {
    it('waits out REQUEST_LIMIT_EXCEEDED for its Retry-After, then reads on', async () => {
      nock(HOST)
        .get(`${API}/models`)
        .query(true)
        .reply(429, rateLimited, { 'Retry-After': '2' })
        .get(`${API}/models`)
        .query(true)
        .reply(200, {});
      const { uc, waits } = connector();
      await expect(uc.listModels()).resolves.toEqual([]);
      expect(waits).toContain(2000);
    });

    it('a workspace that keeps failing fails with SOURCE_UNAVAILABLE naming the source, after the configured attempts', async () => {
      const api = nock(HOST).get(`${API}/models`).query(true).times(2).reply(503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'The service is temporarily unavailable.' });
      const { uc } = connector({ retry: { maxAttempts: 2 } });
      const err = await failure(uc.listModels());
      expect(err.code).toBe(SourceErrorCode.SOURCE_UNAVAILABLE);
      expect(err.message).toContain('unity_catalog:lakehouse');
      expect(err.message).toContain('TEMPORARILY_UNAVAILABLE');
      expect(api.isDone()).toBe(true);
    });

    it('a 404 that is no model (ENDPOINT_NOT_FOUND: a wrong host or prefix) fails, rather than reading as "no versions"', async () => {
      nock(HOST)
        .get(`${API}/models/ml_prod.risk.fraud_detector/versions`)
        .query(true)
        .reply(404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'No API found for GET /unity-catalog/models' })
        .get(`${API}/models/ml_prod.risk.fraud_detector`)
        .query(true)
        .reply(404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'No API found' });
      const err = await failure(connector().uc.getVersionsForModels(['ml_prod.risk.fraud_detector']));
      expect(err.code).toBe(SourceErrorCode.SOURCE_NOT_FOUND);
      expect(err.upstreamCode).toBe('ENDPOINT_NOT_FOUND');
    });

    it('a workspace URL pasted from the browser (?o=<id>) keeps only its origin', async () => {
      nock(HOST).get(`${API}/models`).query({ max_results: '1000' }).reply(200, modelsFixture).get(`${API}/models`).query(true).reply(200, {});
      const models = await connector({ host: `${HOST}/?o=1234567890123456` }).uc.listModels();
      expect(models[0]!.source.url).toBe(`${HOST}/explore/data/models/ml_prod/risk/fraud_detector`);
    });

    it('a PAT refused with 403 "Invalid access token." is SOURCE_UNAUTHENTICATED, not a missing privilege', async () => {
      nock(HOST).get(`${API}/models`).query(true).reply(403, { error_code: 403, message: 'Invalid access token.' });
      const err = await failure(connector().uc.health());
      expect(err.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
    });

    it('reads both error shapes: the REST API and the token endpoint', () => {
      expect(parseErrorBody(404, notFound)).toEqual({ upstreamCode: 'RESOURCE_DOES_NOT_EXIST', message: "Registered model 'ml_prod.risk.nope' does not exist." });
      expect(parseErrorBody(401, invalidClient)).toEqual({ upstreamCode: 'invalid_client', message: 'Client authentication failed' });
      expect(parseErrorBody(502, '<html>bad gateway</html>')).toEqual({});
      expect(parseErrorBody(403, { error_code: 403, message: 'Invalid access token.' })).toEqual({ upstreamCode: '403', message: 'Invalid access token.' });
    });
  });
});
