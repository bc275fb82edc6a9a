import nock from 'nock';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { useNock } from '../helpers/nock';
import { azuremlInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { AzuremlConnector, parseErrorBody, type AzuremlConnectorDeps } from '../../connectors/azureml';
import containerList from '../fixtures/azureml/model-container-list.json';
import versionList from '../fixtures/azureml/model-version-list.json';
import deploymentList from '../fixtures/azureml/online-deployment-list.json';
import endpointList from '../fixtures/azureml/online-endpoint-list.json';

/**
 * The connector against Azure Resource Manager's documented paths for
 * Microsoft.MachineLearningServices 2025-09-01 (`mfe.json`), with the network mocked by
 * nock: every test states the exact path, the pinned api-version, the list parameters and
 * the Authorization header ARM expects.
 */

const BASE = 'https://management.azure.com';
const SUB = '9b3a1c2e-4d5f-4a6b-8c7d-0e1f2a3b4c5d';
const WS = `/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw-test`;
const API = { 'api-version': '2025-09-01' };
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.static-arm-token';

const containerExample = containerList.responses['200'].body.value[0]!;
const versionExample = versionList.responses['200'].body.value[0]!;
const endpointExample = endpointList.responses['200'].body.value[0]!;
const deploymentExample = deploymentList.responses['200'].body.value[0]!;

function container(name: string, overrides: Record<string, unknown> = {}) {
  return { ...containerExample, id: `${WS}/models/${name}`, name, ...overrides };
}

function version(model: string, v: string, properties: Record<string, unknown> = {}) {
  return {
    ...versionExample,
    id: `${WS}/models/${model}/versions/${v}`,
    name: v,
    properties: { ...versionExample.properties, provisioningState: 'Succeeded', ...properties },
  };
}

function endpoint(name: string, traffic: Record<string, number>) {
  return { ...endpointExample, id: `${WS}/onlineEndpoints/${name}`, name, location: 'westeurope', properties: { ...endpointExample.properties, provisioningState: 'Succeeded', traffic } };
}

function deployment(endpointName: string, name: string, model: string, state = 'Succeeded') {
  return {
    ...deploymentExample,
    id: `${WS}/onlineEndpoints/${endpointName}/deployments/${name}`,
    name,
    location: 'westeurope',
    sku: { name: 'Default', tier: 'Standard', capacity: 2 },
    properties: { ...deploymentExample.properties, endpointComputeType: 'Managed', instanceType: 'Standard_DS3_v2', model, provisioningState: state },
  };
}

/** A TokenCredential as @azure/identity's credentials are: one call per token, with an expiry. */
class FakeCredential implements TokenCredential {
  readonly calls: Array<{ scopes: string | string[]; options?: GetTokenOptions }> = [];
  private n = 0;
  constructor(private readonly now: () => number, private readonly lifetimeMs = 3_600_000) {}
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.calls.push({ scopes, options });
    this.n++;
    return { token: `entra-token-${this.n}-0123456789abcdef`, expiresOnTimestamp: this.now() + this.lifetimeMs };
  }
}

function connector(
  instance: Record<string, unknown> = {},
  deps: Partial<AzuremlConnectorDeps> = {},
): { azureml: AzuremlConnector; waits: number[] } {
  const waits: number[] = [];
  const config = azuremlInstanceSchema.parse({
    name: 'prod',
    subscriptionId: SUB,
    resourceGroup: 'rg-ml',
    workspace: 'mlw-test',
    auth: { type: 'token', token: TOKEN },
    ...instance,
  });
  const azureml = AzuremlConnector.fromConfig(config, {
    cache: new MemoryCache(),
    cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
    clock: { sleep: async (ms) => void waits.push(ms) },
    ...deps,
  });
  return { azureml, waits };
}

async function failure(pending: Promise<unknown>): Promise<SourceError> {
  const error = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

useNock();

describe('Azure ML connector contract', () => {
  it('names itself azure_ml:<instance> and implements the registry capability', () => {
    const { azureml } = connector();
    expect(azureml.source).toBe('azure_ml:prod');
    expect(azureml.kind).toBe('AZURE_ML');
    expect(azureml.instance).toBe('prod');
    expect(azureml.workspaceId).toBe(WS);
    // auth: default without an injected credential builds DefaultAzureCredential, which calls nothing until asked.
    expect(() => connector({ auth: { type: 'default' } }).azureml.close()).not.toThrow();
  });

  it('checks health with GET on the workspace, the api-version pinned and the static token as Bearer', async () => {
    nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get(WS)
      .query(API)
      .reply(200, { id: WS, name: 'mlw-test', type: 'Microsoft.MachineLearningServices/workspaces', location: 'westeurope', properties: {} });
    await expect(connector().azureml.health()).resolves.toBeUndefined();
  });

  describe('listings and paging', () => {
    it('lists model containers with listViewType=All and follows nextLink across three pages', async () => {
      const asked: string[] = [];
      const scope = nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}` } });
      scope.on('request', (req: { path: string }) => asked.push(req.path));
      scope
        .get(`${WS}/models`)
        .query({ ...API, listViewType: 'All' })
        .reply(200, { value: [container('a'), container('b')], nextLink: `${BASE}${WS}/models?api-version=2025-09-01&listViewType=All&$skip=token-page-2` });
      scope
        .get(`${WS}/models`)
        .query({ ...API, listViewType: 'All', $skip: 'token-page-2' })
        .reply(200, { value: [container('c'), container('d')], nextLink: `${BASE}${WS}/models?api-version=2025-09-01&listViewType=All&$skip=token-page-3` });
      scope
        .get(`${WS}/models`)
        .query({ ...API, listViewType: 'All', $skip: 'token-page-3' })
        .reply(200, { value: [container('e')] });
      const { azureml } = connector();
      const models = await azureml.listModels();
      expect(models.map((m) => m.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(models[0]).toMatchObject({ source: { kind: 'AZURE_ML', instance: 'prod', nativeId: 'a' }, description: 'Model container description' });
      expect(asked).toHaveLength(3);
    });

    it('adds the api-version to a nextLink that lacks it', async () => {
      nock(BASE)
        .get(`${WS}/models`)
        .query({ ...API, listViewType: 'All' })
        .reply(200, { value: [container('a')], nextLink: `${BASE}${WS}/models?$skipToken=abc` });
      nock(BASE).get(`${WS}/models`).query({ $skipToken: 'abc', ...API }).reply(200, { value: [container('b')], nextLink: null });
      const { azureml } = connector();
      expect((await azureml.listModels()).map((m) => m.name)).toEqual(['a', 'b']);
    });

    it('refuses a nextLink on another origin, without sending the token there', async () => {
      const unmatched: string[] = [];
      const onNoMatch = (req: { hostname?: string; host?: string }) => unmatched.push(String(req.hostname ?? req.host));
      nock.emitter.on('no match', onNoMatch);
      try {
        nock(BASE)
          .get(`${WS}/models`)
          .query({ ...API, listViewType: 'All' })
          .reply(200, { value: [container('a')], nextLink: `https://collector.example.net${WS}/models?api-version=2025-09-01&$skip=2` });
        const { azureml } = connector();
        const error = await failure(azureml.listModels());
        expect(error).toMatchObject({ source: 'azure_ml:prod', code: SourceErrorCode.SOURCE_BAD_RESPONSE });
        expect(error.message).toBe(
          `azure_ml:prod: GET /models: the nextLink points to https://collector.example.net, not ${BASE}; not sending the token there`,
        );
        expect(unmatched).toEqual([]);
      } finally {
        nock.emitter.removeListener('no match', onNoMatch);
      }
    });

    it('refuses a link to the same host over another scheme or port', async () => {
      nock(BASE)
        .get(`${WS}/models`)
        .query({ ...API, listViewType: 'All' })
        .reply(200, { value: [], nextLink: `http://management.azure.com${WS}/models?api-version=2025-09-01&$skip=2` });
      const error = await failure(connector().azureml.listModels());
      expect(error.code).toBe(SourceErrorCode.SOURCE_BAD_RESPONSE);
    });

    it('lists each model\'s versions (listViewType=All), newest first, with [] for a model Azure does not know', async () => {
      nock(BASE)
        .get(`${WS}/models/fraud-scoring-model/versions`)
        .query({ ...API, listViewType: 'All' })
        .reply(200, { value: [version('fraud-scoring-model', '2'), version('fraud-scoring-model', '10', { stage: 'Production' })], nextLink: `${BASE}${WS}/models/fraud-scoring-model/versions?api-version=2025-09-01&listViewType=All&$skip=x` });
      nock(BASE)
        .get(`${WS}/models/fraud-scoring-model/versions`)
        .query({ ...API, listViewType: 'All', $skip: 'x' })
        .reply(200, { value: [version('fraud-scoring-model', '9')] });
      nock(BASE)
        .get(`${WS}/models/demand_forecaster/versions`)
        .query({ ...API, listViewType: 'All' })
        .reply(200, { value: [version('demand_forecaster', '1')] });
      nock(BASE)
        .get(`${WS}/models/gone/versions`)
        .query({ ...API, listViewType: 'All' })
        .reply(404, { error: { code: 'UserError', message: 'Could not find asset with ID: gone', details: [], innerError: { code: 'NotFoundError' } } });
      const { azureml } = connector();
      const found = await azureml.getVersionsForModels(['fraud-scoring-model', 'demand_forecaster', 'gone', 'fraud-scoring-model']);
      expect([...found.keys()]).toEqual(['fraud-scoring-model', 'demand_forecaster', 'gone']);
      expect(found.get('fraud-scoring-model')!.map((v) => v.version)).toEqual(['10', '9', '2']);
      expect(found.get('fraud-scoring-model')![0]).toMatchObject({
        id: 'azure_ml:prod/fraud-scoring-model/10',
        stage: 'Production',
        status: 'READY',
        details: { kind: 'AZURE_ML', resourceId: `${WS}/models/fraud-scoring-model/versions/10` },
      });
      expect(found.get('gone')).toEqual([]);
    });

    it('URL-encodes model names in paths', async () => {
      nock(BASE).get(`${WS}/models/odd%20name/versions`).query({ ...API, listViewType: 'All' }).reply(200, { value: [] });
      expect((await connector().azureml.getVersionsForModels(['odd name'])).get('odd name')).toEqual([]);
    });

    it('lists every endpoint, then each endpoint\'s deployments, joined with its traffic split', async () => {
      nock(BASE)
        .get(`${WS}/onlineEndpoints`)
        .query(API)
        .reply(200, { value: [endpoint('fraud-ep', { blue: 90, green: 10 })], nextLink: `${BASE}${WS}/onlineEndpoints?api-version=2025-09-01&$skip=e2` });
      nock(BASE)
        .get(`${WS}/onlineEndpoints`)
        .query({ ...API, $skip: 'e2' })
        .reply(200, { value: [endpoint('ocr-ep', { default: 100 }), endpoint('gone-ep', {})] });
      nock(BASE)
        .get(`${WS}/onlineEndpoints/fraud-ep/deployments`)
        .query(API)
        .reply(200, {
          value: [deployment('fraud-ep', 'green', `${WS}/models/fraud-scoring-model/versions/6`, 'Failed'), deployment('fraud-ep', 'blue', `${WS}/models/fraud-scoring-model/versions/5`)],
        });
      nock(BASE)
        .get(`${WS}/onlineEndpoints/ocr-ep/deployments`)
        .query(API)
        .reply(200, { value: [deployment('ocr-ep', 'default', 'azureml:ocr-invoice-extractor:2')] });
      // Deleted between the two calls.
      nock(BASE)
        .get(`${WS}/onlineEndpoints/gone-ep/deployments`)
        .query(API)
        .reply(404, { error: { code: 'NotFound', message: 'The specified resource was not found.' } });
      const { azureml } = connector();
      const deployments = await azureml.listDeployments();
      expect(deployments.map((d) => [d.id, d.status, d.trafficPercent, d.modelVersionRef])).toEqual([
        ['azure_ml:prod/fraud-ep/blue', 'IN_SERVICE', 90, `${WS}/models/fraud-scoring-model/versions/5`],
        ['azure_ml:prod/fraud-ep/green', 'FAILED', 10, `${WS}/models/fraud-scoring-model/versions/6`],
        ['azure_ml:prod/ocr-ep/default', 'IN_SERVICE', 100, `${WS}/models/ocr-invoice-extractor/versions/2`],
      ]);
      expect(deployments[0]).toMatchObject({
        provider: 'AZURE_ML',
        region: 'westeurope',
        instanceType: 'Standard_DS3_v2',
        instanceCount: 2,
        consoleUrl: `https://ml.azure.com/endpoints/realtime/fraud-ep/detail?wsid=${WS}`,
      });
    });
  });

  describe('single lookups', () => {
    it('gets a container, a version and a deployment by name', async () => {
      nock(BASE).get(`${WS}/models/m`).query(API).reply(200, container('m'));
      nock(BASE).get(`${WS}/models/m/versions/3`).query(API).reply(200, version('m', '3'));
      nock(BASE).get(`${WS}/onlineEndpoints/ep`).query(API).reply(200, endpoint('ep', { blue: 100 }));
      nock(BASE).get(`${WS}/onlineEndpoints/ep/deployments/blue`).query(API).reply(200, deployment('ep', 'blue', `${WS}/models/m/versions/3`));
      const { azureml } = connector();
      expect((await azureml.getModel('m'))?.name).toBe('m');
      expect((await azureml.getModelVersion('m', '3'))?.id).toBe('azure_ml:prod/m/3');
      expect(await azureml.getDeployment('ep', 'blue')).toMatchObject({ id: 'azure_ml:prod/ep/blue', trafficPercent: 100 });
    });

    it('answers null for a container, version, endpoint or deployment Azure ML does not find', async () => {
      const missing = { error: { code: 'UserError', message: 'Could not find asset with ID: x', details: [], innerError: { code: 'NotFoundError' } } };
      nock(BASE).get(`${WS}/models/nope`).query(API).reply(404, missing);
      nock(BASE).get(`${WS}/models/m/versions/99`).query(API).reply(404, missing);
      nock(BASE).get(`${WS}/onlineEndpoints/nope`).query(API).reply(404, { error: { code: 'NotFound', message: 'The specified resource was not found.' } });
      nock(BASE).get(`${WS}/onlineEndpoints/nope/deployments/blue`).query(API).reply(404, { error: { code: 'NotFound', message: 'The specified resource was not found.' } });
      const { azureml } = connector();
      await expect(azureml.getModel('nope')).resolves.toBeNull();
      await expect(azureml.getModelVersion('m', '99')).resolves.toBeNull();
      await expect(azureml.getDeployment('nope', 'blue')).resolves.toBeNull();
    });

    it('does not hide a wrong resource group or workspace behind "not found"', async () => {
      nock(BASE)
        .get(`${WS}/models/m`)
        .query(API)
        .reply(404, { error: { code: 'ResourceGroupNotFound', message: "Resource group 'rg-ml' could not be found." } });
      nock(BASE)
        .get(`${WS}/models/m/versions`)
        .query({ ...API, listViewType: 'All' })
        .reply(404, {
          error: {
            code: 'ResourceNotFound',
            message: "The Resource 'Microsoft.MachineLearningServices/workspaces/mlw-test' under resource group 'rg-ml' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
          },
        });
      const { azureml } = connector();
      const group = await failure(azureml.getModel('m'));
      expect(group).toMatchObject({ code: SourceErrorCode.SOURCE_NOT_FOUND, status: 404, upstreamCode: 'ResourceGroupNotFound' });
      expect(group.message).toBe("azure_ml:prod: HTTP 404 ResourceGroupNotFound: Resource group 'rg-ml' could not be found.");
      const workspace = await failure(azureml.getVersionsForModels(['m']));
      expect(workspace.upstreamCode).toBe('ResourceNotFound');
    });
  });

  describe('authentication', () => {
    it('gets a token for the Resource Manager scope from the credential, sends it as Bearer, and reuses it until near expiry', async () => {
      let now = Date.UTC(2026, 0, 1);
      const credential = new FakeCredential(() => now);
      nock(BASE, { reqheaders: { authorization: 'Bearer entra-token-1-0123456789abcdef' } }).get(WS).query(API).times(3).reply(200, { id: WS });
      nock(BASE, { reqheaders: { authorization: 'Bearer entra-token-2-0123456789abcdef' } }).get(WS).query(API).reply(200, { id: WS });
      const { azureml } = connector({ auth: { type: 'default' } }, { credential, clock: { now: () => now, sleep: async () => undefined } });
      // Concurrent requests share one token request; a later one reuses the token.
      await Promise.all([azureml.health(), azureml.health()]);
      now += 30 * 60_000;
      await azureml.health();
      expect(credential.calls.map((c) => c.scopes)).toEqual(['https://management.azure.com/.default']);
      // Within two minutes of expiry a new token is fetched.
      now += 30 * 60_000 - 60_000;
      await azureml.health();
      expect(credential.calls).toHaveLength(2);
    });

    it('asks for the audience of the configured endpoint (a sovereign cloud)', async () => {
      const credential = new FakeCredential(Date.now);
      nock('https://management.chinacloudapi.cn').get(WS).query(API).reply(200, { id: WS });
      const { azureml } = connector({ auth: { type: 'default' }, endpoint: 'https://management.chinacloudapi.cn/' }, { credential });
      await azureml.health();
      expect(credential.calls[0]!.scopes).toBe('https://management.chinacloudapi.cn/.default');
    });

    it('drops a refused token, so the next call gets a new one', async () => {
      const credential = new FakeCredential(Date.now);
      nock(BASE)
        .get(WS)
        .query(API)
        // Upstreams echo what they were sent: the per-request token is redacted like a configured one.
        .reply(401, { error: { code: 'InvalidAuthenticationToken', message: 'The access token entra-token-1-0123456789abcdef is invalid.' } });
      nock(BASE, { reqheaders: { authorization: 'Bearer entra-token-2-0123456789abcdef' } }).get(WS).query(API).reply(200, { id: WS });
      const { azureml } = connector({ auth: { type: 'default' } }, { credential });
      const error = await failure(azureml.health());
      expect(error).toMatchObject({ code: SourceErrorCode.SOURCE_UNAUTHENTICATED, upstreamCode: 'InvalidAuthenticationToken' });
      expect(error.message).toBe('azure_ml:prod: HTTP 401 InvalidAuthenticationToken: The access token [REDACTED] is invalid.');
      await azureml.health();
      expect(credential.calls).toHaveLength(2);
    });

    it('reports a credential that cannot produce a token as SOURCE_UNAUTHENTICATED naming the source, without calling Azure', async () => {
      const credential: TokenCredential = {
        getToken: async () => {
          const err = new Error('DefaultAzureCredential failed to retrieve a token from the included credentials.\nEnvironmentCredential is unavailable.');
          err.name = 'AggregateAuthenticationError';
          throw err;
        },
      };
      const { azureml } = connector({ auth: { type: 'default' } }, { credential });
      const error = await failure(azureml.listModels());
      expect(error.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
      expect(error.message).toBe(
        'azure_ml:prod: no access token for https://management.azure.com/.default: AggregateAuthenticationError: DefaultAzureCredential failed to retrieve a token from the included credentials.',
      );
    });

    it('keeps the static token out of errors', async () => {
      nock(BASE)
        .get(WS)
        .query(API)
        .reply(401, { error: { code: 'InvalidAuthenticationToken', message: `The access token ${TOKEN} is invalid.` } });
      const error = await failure(connector().azureml.health());
      expect(error.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
      expect(error.message + JSON.stringify(error)).not.toContain('static-arm-token');
    });
  });

  describe('failures', () => {
    it('retries an ARM throttling 429 after its Retry-After, then succeeds', async () => {
      nock(BASE)
        .get(`${WS}/onlineEndpoints`)
        .query(API)
        .reply(
          429,
          {
            error: {
              code: 'SubscriptionRequestsThrottled',
              message: `Number of 'read' requests for subscription '${SUB}' actor 'x' exceeded. Please try again after '3' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
            },
          },
          { 'retry-after': '3', 'x-ms-ratelimit-remaining-subscription-reads': '0' },
        );
      nock(BASE).get(`${WS}/onlineEndpoints`).query(API).reply(200, { value: [] });
      const { azureml, waits } = connector();
      await expect(azureml.listDeployments()).resolves.toEqual([]);
      expect(waits).toEqual([3000]);
    });

    it('gives up on a throttle whose wait exceeds the budget, as SOURCE_RATE_LIMITED with ARM\'s code', async () => {
      nock(BASE)
        .get(`${WS}/models`)
        .query({ ...API, listViewType: 'All' })
        .reply(429, { error: { code: 'SubscriptionRequestsThrottled', message: 'Number of read requests exceeded.' } }, { 'retry-after': '120' });
      const { azureml, waits } = connector({ retry: { budgetMs: 5000 } });
      const error = await failure(azureml.listModels());
      expect(error).toMatchObject({
        source: 'azure_ml:prod',
        code: SourceErrorCode.SOURCE_RATE_LIMITED,
        status: 429,
        upstreamCode: 'SubscriptionRequestsThrottled',
        retryAfterMs: 120_000,
      });
      expect(waits).toEqual([]);
    });

    it('parses ARM error bodies into a source-named SourceError with the ARM code', async () => {
      nock(BASE)
        .get(`${WS}/onlineEndpoints`)
        .query(API)
        .reply(403, {
          error: {
            code: 'AuthorizationFailed',
            message: `The client 'x' with object id 'y' does not have authorization to perform action 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read' over scope '${WS}'.`,
          },
        });
      nock(BASE)
        .get(`${WS}/models`)
        .query({ ...API, listViewType: 'All' })
        .reply(400, { error: { code: 'UserError', message: 'A bad request.', details: [{ code: 'InvalidListViewType', message: 'listViewType is invalid.' }] } });
      const { azureml } = connector();
      const forbidden = await failure(azureml.listDeployments());
      expect(forbidden).toMatchObject({ code: SourceErrorCode.SOURCE_FORBIDDEN, status: 403, upstreamCode: 'AuthorizationFailed' });
      expect(forbidden.message).toMatch(/^azure_ml:prod: HTTP 403 AuthorizationFailed: The client 'x' with object id 'y' does not have authorization/);
      const bad = await failure(azureml.listModels());
      expect(bad).toMatchObject({ code: SourceErrorCode.SOURCE_BAD_REQUEST, upstreamCode: 'UserError' });
      expect(bad.message).toBe('azure_ml:prod: HTTP 400 UserError: A bad request.; InvalidListViewType: listViewType is invalid.');
    });

    it('retries a 503 and reports it as SOURCE_UNAVAILABLE when it persists', async () => {
      nock(BASE).get(WS).query(API).times(2).reply(503, { error: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable.' } });
      const { azureml, waits } = connector({ retry: { maxAttempts: 2 } });
      const error = await failure(azureml.health());
      expect(error).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, attempts: 2, upstreamCode: 'ServiceUnavailable' });
      expect(waits).toHaveLength(1);
    });

    it('rejects a page that is not {"value": [...]}', async () => {
      nock(BASE).get(`${WS}/models`).query({ ...API, listViewType: 'All' }).reply(200, { value: 'nope' });
      const error = await failure(connector().azureml.listModels());
      expect(error.code).toBe(SourceErrorCode.SOURCE_BAD_RESPONSE);
    });
  });
});

describe('parseErrorBody', () => {
  it('reads ARM\'s ErrorResponse, its details, the bare form, and nothing from HTML', () => {
    expect(parseErrorBody(404, { error: { code: 'ResourceGroupNotFound', message: "Resource group 'x' could not be found." } })).toEqual({
      upstreamCode: 'ResourceGroupNotFound',
      message: "Resource group 'x' could not be found.",
    });
    expect(
      parseErrorBody(400, { error: { code: 'UserError', message: 'Bad.', details: [{ code: 'A', message: 'first' }, { message: 'Bad.' }] } }),
    ).toEqual({ upstreamCode: 'UserError', message: 'Bad.; A: first' });
    expect(parseErrorBody(400, { code: 'InvalidApiVersionParameter', message: "The api-version '1' is invalid." })).toEqual({
      upstreamCode: 'InvalidApiVersionParameter',
      message: "The api-version '1' is invalid.",
    });
    expect(parseErrorBody(502, '<html><body>Bad Gateway</body></html>')).toEqual({});
    expect(parseErrorBody(500, null)).toEqual({});
  });
});
