import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { useNock } from '../helpers/nock';
import { vertexInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import type { Logger } from '../../connectors/core/logger';
import { VertexConnector, classifyResponse, createAdcTokenSource, parseDuration, parseErrorBody, type AccessTokenSource, type VertexConnectorDeps } from '../../connectors/vertex';
import endpointsFixture from '../fixtures/vertex/list-endpoints.json';
import versionsFixture from '../fixtures/vertex/list-model-versions.json';
import modelsFixture from '../fixtures/vertex/list-models.json';
import notFoundFixture from '../fixtures/vertex/error-not-found.json';
import permissionDeniedFixture from '../fixtures/vertex/error-permission-denied.json';
import quotaFixture from '../fixtures/vertex/error-resource-exhausted.json';

/**
 * The connector against Vertex AI's documented REST v1 surface, with the network mocked by
 * nock: every test states the host, path, query and headers Google expects.
 */

const HOST = 'https://europe-west4-aiplatform.googleapis.com';
const PARENT = '/v1/projects/acme-ml-prod/locations/europe-west4';
const TOKEN = 'ya29.a0AfB_static-token-for-tests';
const MODEL = '1593803092282372356';

function connector(
  instance: Record<string, unknown> = {},
  deps: Partial<VertexConnectorDeps> = {},
): { vertex: VertexConnector; waits: number[]; warnings: unknown[] } {
  const waits: number[] = [];
  const warnings: unknown[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (...args: unknown[]) => void warnings.push(args),
    error: () => undefined,
    child: () => logger,
  } as unknown as Logger;
  const config = vertexInstanceSchema.parse({
    name: 'eu',
    project: 'acme-ml-prod',
    location: 'europe-west4',
    auth: { type: 'token', token: TOKEN },
    ...instance,
  });
  const vertex = VertexConnector.fromConfig(config, {
    cache: new MemoryCache(),
    cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
    clock: { sleep: async (ms) => void waits.push(ms) },
    logger,
    ...deps,
  });
  return { vertex, waits, warnings };
}

function page<T>(key: string, items: T[], nextPageToken?: string) {
  return nextPageToken ? { [key]: items, nextPageToken } : { [key]: items };
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

useNock();

describe('Vertex AI connector contract', () => {
  it('names itself after its instance', () => {
    const { vertex } = connector();
    expect(vertex.source).toBe('vertex_ai:eu');
    expect(vertex.kind).toBe('VERTEX_AI');
    expect(vertex.instance).toBe('eu');
  });

  describe('paths, paging and the bearer token', () => {
    it('lists models on the regional host with pageSize 100 and the static token as Authorization: Bearer', async () => {
      nock(HOST, { reqheaders: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } })
        .get(`${PARENT}/models`)
        .query({ pageSize: '100' })
        .reply(200, modelsFixture);
      const { vertex } = connector();
      const models = await vertex.listModels();
      expect(models.map((m) => [m.source.nativeId, m.name])).toEqual([
        [MODEL, 'Search Ranker'],
        ['1781835661649776534', 'product_recommender_v2'],
      ]);
    });

    it('follows nextPageToken across three pages, passing each token back verbatim', async () => {
      const [a, b] = modelsFixture.models;
      const asked: string[] = [];
      const scope = nock(HOST);
      scope.on('request', (req: { path: string }) => asked.push(req.path));
      scope.get(`${PARENT}/models`).query({ pageSize: '1' }).reply(200, page('models', [a], 'Cg4xNTkzODAzMDkyMjgy+/='));
      scope.get(`${PARENT}/models`).query({ pageSize: '1', pageToken: 'Cg4xNTkzODAzMDkyMjgy+/=' }).reply(200, page('models', [b], 'second'));
      // The last page may be empty; it has no token.
      scope.get(`${PARENT}/models`).query({ pageSize: '1', pageToken: 'second' }).reply(200, {});
      const { vertex } = connector({}, { pageSize: 1 });
      expect((await vertex.listModels()).map((m) => m.name)).toEqual(['Search Ranker', 'product_recommender_v2']);
      expect(asked).toEqual([
        `${PARENT}/models?pageSize=1`,
        `${PARENT}/models?pageSize=1&pageToken=Cg4xNTkzODAzMDkyMjgy%2B%2F%3D`,
        `${PARENT}/models?pageSize=1&pageToken=second`,
      ]);
    });

    it('never asks for more than 100 a page, nor fewer than 1', async () => {
      nock(HOST).get(`${PARENT}/endpoints`).query({ pageSize: '100' }).reply(200, { endpoints: [] });
      nock(HOST).get(`${PARENT}/endpoints`).query({ pageSize: '1' }).reply(200, { endpoints: [] });
      await connector({}, { pageSize: 5000, verifyDeployedModels: false }).vertex.listDeployments();
      await connector({}, { pageSize: 0, verifyDeployedModels: false }).vertex.listDeployments();
    });

    it('refuses a paging loop instead of following it forever', async () => {
      nock(HOST).get(`${PARENT}/models`).query(true).times(2).reply(200, page('models', [], 'same'));
      const err = await failure(connector().vertex.listModels());
      expect(err.code).toBe(SourceErrorCode.SOURCE_BAD_RESPONSE);
      expect(err.message).toMatch(/^vertex_ai:eu: .*came back twice/);
    });

    it('lists versions with models.listVersions (`{model}:listVersions`), all pages, newest first', async () => {
      const [v1, v2, v3] = versionsFixture.models;
      nock(HOST).get(`${PARENT}/models/${MODEL}:listVersions`).query({ pageSize: '2' }).reply(200, page('models', [v1, v2], 't2'));
      nock(HOST).get(`${PARENT}/models/${MODEL}:listVersions`).query({ pageSize: '2', pageToken: 't2' }).reply(200, page('models', [v3]));
      nock(HOST).get(`${PARENT}/models/404404:listVersions`).query(true).reply(404, notFoundFixture);
      const { vertex } = connector({}, { pageSize: 2 });
      const versions = await vertex.getVersionsForModels([MODEL, '404404', MODEL]);
      expect([...versions.keys()]).toEqual([MODEL, '404404']);
      expect(versions.get(MODEL)!.map((v) => [v.version, v.aliases])).toEqual([
        ['3', ['champion']],
        ['2', ['default']],
        ['1', []],
      ]);
      // A model Vertex does not have has no versions.
      expect(versions.get('404404')).toEqual([]);
    });

    it('sends the API root override instead of the regional host', async () => {
      nock('https://vertex.internal.example').get(`${PARENT}/models`).query({ pageSize: '1' }).times(2).reply(200, {});
      await connector({ endpoint: 'https://vertex.internal.example/' }).vertex.health();
      await connector({ endpoint: 'https://vertex.internal.example/v1' }).vertex.health();
    });
  });

  describe('application default credentials', () => {
    it('asks the token source for a token per request and sends the one it gets', async () => {
      const tokens = ['ya29.first-token-000', 'ya29.second-token-00'];
      let asked = 0;
      const source: AccessTokenSource = { getAccessToken: async () => tokens[asked++] };
      nock(HOST, { reqheaders: { authorization: 'Bearer ya29.first-token-000' } }).get(`${PARENT}/models`).query({ pageSize: '1' }).reply(200, {});
      nock(HOST, { reqheaders: { authorization: 'Bearer ya29.second-token-00' } }).get(`${PARENT}/models/${MODEL}`).reply(200, modelsFixture.models[0]);
      const { vertex } = connector({ auth: { type: 'adc' } }, { tokenSource: source });
      await vertex.health();
      expect((await vertex.getModel(MODEL))?.name).toBe('Search Ranker');
      expect(asked).toBe(2);
    });

    it('gets tokens through google-auth-library from a service-account key, once for many calls', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vertex-adc-'));
      const keyFile = join(dir, 'key.json');
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(
        keyFile,
        JSON.stringify({
          type: 'service_account',
          project_id: 'acme-ml-prod',
          private_key_id: 'abc123',
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
          client_email: 'modelgraph@acme-ml-prod.iam.gserviceaccount.com',
          client_id: '1234567890',
          token_uri: 'https://oauth2.googleapis.com/token',
        }),
      );
      const previous = process.env.GOOGLE_APPLICATION_CREDENTIALS;
      process.env.GOOGLE_APPLICATION_CREDENTIALS = keyFile;
      try {
        let grant: Record<string, string> = {};
        nock('https://oauth2.googleapis.com')
          .post('/token', (body: Record<string, string>) => {
            grant = body;
            return true;
          })
          .once()
          .reply(200, { access_token: 'ya29.c.from-the-token-endpoint', expires_in: 3599, token_type: 'Bearer' });
        nock(HOST, { reqheaders: { authorization: 'Bearer ya29.c.from-the-token-endpoint' } })
          .get(`${PARENT}/models`)
          .query({ pageSize: '1' })
          .times(2)
          .reply(200, {});
        // The connector's own default, with node's fetch as gaxios' transport: its default
        // transport is node-fetch, loaded by a dynamic import() that jest's VM cannot run.
        const tokenSource = createAdcTokenSource({ clientOptions: { transporterOptions: { fetchImplementation: fetch } } });
        const { vertex } = connector({ auth: { type: 'adc' } }, { tokenSource });
        await vertex.health();
        await vertex.health();
        // A JWT-bearer grant whose assertion asks for the cloud-platform scope.
        expect(grant.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
        const claims = JSON.parse(Buffer.from(grant.assertion!.split('.')[1]!, 'base64url').toString('utf8')) as { scope: string };
        expect(claims.scope).toBe('https://www.googleapis.com/auth/cloud-platform');
      } finally {
        if (previous === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
        else process.env.GOOGLE_APPLICATION_CREDENTIALS = previous;
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('uses application default credentials by default, and reports unusable ones as SOURCE_UNAUTHENTICATED', async () => {
      const previous = process.env.GOOGLE_APPLICATION_CREDENTIALS;
      process.env.GOOGLE_APPLICATION_CREDENTIALS = join(tmpdir(), 'no-such-dir-vertex', 'key.json');
      try {
        // No token source given: the connector builds GoogleAuth, which reads the variable first.
        const err = await failure(connector({ auth: { type: 'adc' } }).vertex.health());
        expect(err.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
        // GoogleAuth went for the file the variable names.
        expect(err.message).toMatch(/^vertex_ai:eu: no access token from application default credentials: ENOENT.*no-such-dir-vertex/);
      } finally {
        if (previous === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
        else process.env.GOOGLE_APPLICATION_CREDENTIALS = previous;
      }
    });

    it('reports credentials that give no token as SOURCE_UNAUTHENTICATED naming the source, without calling Vertex', async () => {
      const broken = connector({ auth: { type: 'adc' } }, {
        tokenSource: { getAccessToken: async () => Promise.reject(new Error('Could not load the default credentials.')) },
      });
      const err = await failure(broken.vertex.listModels());
      expect(err.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
      expect(err.message).toBe('vertex_ai:eu: no access token from application default credentials: Could not load the default credentials.');

      const empty = connector({ auth: { type: 'adc' } }, { tokenSource: { getAccessToken: async () => null } });
      expect((await failure(empty.vertex.health())).code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
    });

    it('never lets a token into an error, whether static or from ADC', async () => {
      const adcToken = 'ya29.adc-secret-token-value';
      for (const [instance, deps, token] of [
        [{}, {}, TOKEN],
        [{ auth: { type: 'adc' } }, { tokenSource: { getAccessToken: async () => adcToken } }, adcToken],
      ] as const) {
        nock(HOST)
          .get(`${PARENT}/models`)
          .query(true)
          .reply(401, { error: { code: 401, message: `Invalid Credentials: ${token} is not valid`, status: 'UNAUTHENTICATED' } });
        const err = await failure(connector(instance, deps).vertex.health());
        expect(err.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
        expect(err.message).toBe('vertex_ai:eu: HTTP 401 UNAUTHENTICATED: Invalid Credentials: [REDACTED] is not valid');
        expect(JSON.stringify(err)).not.toContain(token);
      }
    });
  });

  describe('quota errors and retries', () => {
    it('retries a 429 RESOURCE_EXHAUSTED after its Retry-After', async () => {
      nock(HOST).get(`${PARENT}/models`).query(true).reply(429, quotaFixture, { 'Retry-After': '2' });
      nock(HOST).get(`${PARENT}/models`).query(true).reply(200, modelsFixture);
      const { vertex, waits, warnings } = connector();
      expect(await vertex.listModels()).toHaveLength(2);
      expect(waits).toEqual([2000]);
      expect(warnings).toHaveLength(1);
    });

    it('without Retry-After, waits as long as the RetryInfo detail says', async () => {
      const withRetryInfo = {
        error: { ...quotaFixture.error, details: [...quotaFixture.error.details, { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }] },
      };
      nock(HOST).get(`${PARENT}/endpoints`).query(true).reply(429, withRetryInfo);
      nock(HOST).get(`${PARENT}/endpoints`).query(true).reply(200, { endpoints: [] });
      const { vertex, waits } = connector({}, { verifyDeployedModels: false });
      await vertex.listDeployments();
      expect(waits).toEqual([7000]);
    });

    it('without Retry-After or RetryInfo, backs off with jitter', async () => {
      nock(HOST).get(`${PARENT}/models`).query(true).reply(429, quotaFixture);
      nock(HOST).get(`${PARENT}/models`).query(true).reply(200, {});
      const { vertex, waits } = connector();
      await vertex.listModels();
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThanOrEqual(0);
      expect(waits[0]).toBeLessThan(200);
    });

    it('gives up after the configured attempts with SOURCE_RATE_LIMITED and Google\'s words', async () => {
      nock(HOST).get(`${PARENT}/models`).query(true).times(3).reply(429, quotaFixture, { 'Retry-After': '1' });
      const { vertex, waits } = connector({ retry: { maxAttempts: 3 } });
      const err = await failure(vertex.listModels());
      expect(waits).toEqual([1000, 1000]);
      expect(err).toMatchObject({ source: 'vertex_ai:eu', code: SourceErrorCode.SOURCE_RATE_LIMITED, status: 429, upstreamCode: 'RESOURCE_EXHAUSTED', attempts: 3 });
      expect(err.message).toBe(
        "vertex_ai:eu: HTTP 429 RESOURCE_EXHAUSTED: Quota exceeded for quota metric 'Resource management (CRUD) requests' and limit " +
          "'Resource management (CRUD) requests per minute per region' of service 'aiplatform.googleapis.com' for consumer " +
          "'project_number:483920175562'. [RATE_LIMIT_EXCEEDED] (after 3 attempts)",
      );
    });

    it('does not wait for a Retry-After beyond the budget', async () => {
      nock(HOST).get(`${PARENT}/models`).query(true).reply(429, quotaFixture, { 'Retry-After': '60' });
      const err = await failure(connector({ retry: { budgetMs: 5000 } }).vertex.listModels());
      expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_RATE_LIMITED, retryAfterMs: 60_000, attempts: 1 });
    });
  });

  describe('Google error bodies', () => {
    it('turns PERMISSION_DENIED into SOURCE_FORBIDDEN with the IAM message and reason', async () => {
      nock(HOST).get(`${PARENT}/endpoints`).query(true).reply(403, permissionDeniedFixture);
      const err = await failure(connector().vertex.listDeployments());
      expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_FORBIDDEN, status: 403, upstreamCode: 'PERMISSION_DENIED', attempts: 1 });
      expect(err.message).toBe(
        "vertex_ai:eu: HTTP 403 PERMISSION_DENIED: Permission 'aiplatform.endpoints.list' denied on resource " +
          "'//aiplatform.googleapis.com/projects/acme-ml-prod/locations/europe-west4' (or it may not exist). [IAM_PERMISSION_DENIED]",
      );
    });

    it('turns INVALID_ARGUMENT into SOURCE_BAD_REQUEST, not retried', async () => {
      nock(HOST)
        .get(`${PARENT}/models`)
        .query(true)
        .reply(400, { error: { code: 400, message: 'Invalid page token.', status: 'INVALID_ARGUMENT' } });
      const err = await failure(connector().vertex.listModels());
      expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_BAD_REQUEST, upstreamCode: 'INVALID_ARGUMENT', attempts: 1 });
      expect(err.message).toBe('vertex_ai:eu: HTTP 400 INVALID_ARGUMENT: Invalid page token.');
    });

    it('survives the front end\'s HTML error pages and retries a 503 UNAVAILABLE', async () => {
      nock(HOST).get(`${PARENT}/models`).query(true).reply(503, { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } });
      nock(HOST).get(`${PARENT}/models`).query(true).times(2).reply(502, '<!DOCTYPE html><html><title>Error 502 (Server Error)!!1</title></html>', { 'Content-Type': 'text/html' });
      const err = await failure(connector({ retry: { maxAttempts: 3 } }).vertex.listModels());
      expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, status: 502, attempts: 3 });
      expect(err.message).toBe('vertex_ai:eu: HTTP 502: Bad Gateway (after 3 attempts)');
    });

    it('parses Google bodies, also wrapped in an array, and ignores HTML', () => {
      expect(parseErrorBody(404, notFoundFixture)).toEqual({ upstreamCode: 'NOT_FOUND', message: 'The Model does not exist.' });
      expect(parseErrorBody(404, [notFoundFixture])).toEqual({ upstreamCode: 'NOT_FOUND', message: 'The Model does not exist.' });
      expect(parseErrorBody(502, '<html>')).toEqual({});
      expect(parseErrorBody(500, 'upstream connect error')).toEqual({ message: 'upstream connect error' });
      expect(parseErrorBody(500, { unexpected: true })).toEqual({});
    });

    it('reads RetryInfo durations only when Retry-After is absent', () => {
      const body = { error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.500s' }] } };
      expect(classifyResponse({ status: 429, headers: {}, body }, 0)).toEqual({ retryable: true, delayMs: 1500 });
      expect(classifyResponse({ status: 429, headers: { 'retry-after': '3' }, body }, 0)).toBeUndefined();
      expect(classifyResponse({ status: 429, headers: {}, body: quotaFixture }, 0)).toBeUndefined();
      expect(classifyResponse({ status: 400, headers: {}, body }, 0)).toBeUndefined();
      expect([parseDuration('30s'), parseDuration('0.25s'), parseDuration('30'), parseDuration(undefined)]).toEqual([30_000, 250, undefined, undefined]);
    });
  });

  describe('single lookups', () => {
    it('gets a model, a version by `{model}@{version}`, and an endpoint', async () => {
      nock(HOST).get(`${PARENT}/models/${MODEL}`).reply(200, modelsFixture.models[0]);
      nock(HOST).get(`${PARENT}/models/${MODEL}@2`).reply(200, versionsFixture.models[1]);
      nock(HOST).get(`${PARENT}/endpoints/5466400652806476491`).reply(200, endpointsFixture.endpoints[0]);
      nock(HOST).get(`${PARENT}/models/9279915472123545926:listVersions`).query(true).reply(200, {
        models: ['3', '4'].map((v) => ({ name: `projects/483920175562/locations/europe-west4/models/9279915472123545926@${v}`, versionId: v })),
      });
      const { vertex } = connector();
      expect((await vertex.getModel(MODEL))?.source.nativeId).toBe(MODEL);
      expect((await vertex.getModelVersion(MODEL, '2'))?.details).toMatchObject({ versionId: '2', versionAliases: ['default'] });
      const deployments = await vertex.getEndpointDeployments('5466400652806476491');
      expect(deployments?.map((d) => [d.name, d.status, d.trafficPercent])).toEqual([
        ['6541451724', 'IN_SERVICE', 80],
        ['3642984058', 'IN_SERVICE', 20],
      ]);
    });

    it('answers null for a model, version or endpoint Vertex does not have, and caches that answer', async () => {
      nock(HOST).get(`${PARENT}/models/123`).once().reply(404, notFoundFixture);
      nock(HOST).get(`${PARENT}/models/${MODEL}@golden`).reply(404, notFoundFixture);
      nock(HOST).get(`${PARENT}/endpoints/42`).reply(404, { error: { code: 404, message: 'The Endpoint does not exist.', status: 'NOT_FOUND' } });
      const { vertex } = connector({}, { cacheDefaults: { ttlSeconds: 60, staleSeconds: 60 } });
      await expect(vertex.getModel('123')).resolves.toBeNull();
      await expect(vertex.getModel('123')).resolves.toBeNull();
      await expect(vertex.getModelVersion(MODEL, 'golden')).resolves.toBeNull();
      await expect(vertex.getEndpointDeployments('42')).resolves.toBeNull();
    });

    it('still fails a lookup for what is not a 404', async () => {
      nock(HOST).get(`${PARENT}/models/123`).reply(403, permissionDeniedFixture);
      expect((await failure(connector().vertex.getModel('123'))).code).toBe(SourceErrorCode.SOURCE_FORBIDDEN);
    });
  });

  describe('deployments', () => {
    it('lists endpoints and checks each deployed version of this project and location against the registry', async () => {
      const asked: string[] = [];
      const scope = nock(HOST);
      scope.on('request', (req: { path: string }) => asked.push(req.path.split('?')[0]!));
      scope.get(`${PARENT}/endpoints`).query({ pageSize: '100' }).reply(200, endpointsFixture);
      const versions = (id: string, ids: string[]) => ({
        models: ids.map((v) => ({ name: `projects/483920175562/locations/europe-west4/models/${id}@${v}`, versionId: v })),
      });
      scope.get(`${PARENT}/models/1111111111111111111:listVersions`).query(true).reply(404, notFoundFixture);
      scope.get(`${PARENT}/models/${MODEL}:listVersions`).query(true).reply(200, versions(MODEL, ['1', '2', '3']));
      scope.get(`${PARENT}/models/7940556459164248471:listVersions`).query(true).reply(200, versions('7940556459164248471', ['1', '2']));
      scope.get(`${PARENT}/models/9279915472123545926:listVersions`).query(true).reply(200, versions('9279915472123545926', ['1', '2', '3', '4']));
      const { vertex } = connector();
      const deployments = await vertex.listDeployments();
      expect(deployments.map((d) => [d.endpointName, d.name, d.status, d.trafficPercent])).toEqual([
        ['support-ticket-router-prod', '6541451724', 'IN_SERVICE', 80],
        ['support-ticket-router-prod', '3642984058', 'IN_SERVICE', 20],
        ['shared-nlp-prod', '555', 'IN_SERVICE', 70],
        ['shared-nlp-prod', '556', 'IN_SERVICE', 0],
        ['shared-nlp-prod', '999', 'FAILED', 30],
        ['orphans', '7001', 'UNKNOWN', 50],
        ['orphans', '7002', 'UNKNOWN', 50],
      ]);
      // The model in us-central1 is not this instance's to check.
      expect(asked).not.toContain(`${PARENT}/models/4455667788990011223:listVersions`);
      expect(asked).toHaveLength(5);
    });

    it('can skip the check, costing one listing', async () => {
      nock(HOST).get(`${PARENT}/endpoints`).query(true).reply(200, endpointsFixture);
      const deployments = await connector({}, { verifyDeployedModels: false }).vertex.listDeployments();
      expect(deployments.filter((d) => d.status !== 'IN_SERVICE').map((d) => d.name)).toEqual(['999']);
    });
  });
});
