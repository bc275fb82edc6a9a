import { vertexInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { VertexConnector } from '../../connectors/vertex';
import type {
  GoogleApiErrorBody,
  GoogleCloudAiplatformV1Endpoint,
  GoogleCloudAiplatformV1ListEndpointsResponse,
  GoogleCloudAiplatformV1ListModelsResponse,
  GoogleCloudAiplatformV1Model,
} from '../../connectors/vertex/types';
import { generateDemoOrg } from '../../sandbox/demo-org';
import type { SandboxServer } from '../../sandbox/mlflow/server';
import {
  createVertexStore,
  seedVertex,
  startVertexSandbox,
  VERTEX_SANDBOX_TOKEN,
  VERTEX_SEED_GAPS,
  VERTEX_SEED_KEY_LABEL,
  type VertexSeed,
} from '../../sandbox/vertex';
import { modelKeyFor, normaliseModelKey } from '../../subgraphs/inventory/linking';

const org = generateDemoOrg();
const seed: VertexSeed = seedVertex(org);
const AUTH = { authorization: `Bearer ${VERTEX_SANDBOX_TOKEN}` };
const PARENT = '/v1/projects/acme-ml-prod/locations/europe-west4';

let server: SandboxServer;

beforeAll(async () => {
  server = await startVertexSandbox({ org, instance: 'prod' });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.faults.failRate = 0;
  server.faults.failStatus = 503;
  delete server.faults.retryAfterSeconds;
});

async function get<T = unknown>(path: string, headers: Record<string, string> = AUTH): Promise<{ status: number; body: T; text: string; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML
  }
  return { status: res.status, body: body as T, text, headers: res.headers };
}

function connector(options: { pageSize?: number; retry?: Record<string, number>; token?: string } = {}) {
  const waits: number[] = [];
  const config = vertexInstanceSchema.parse({
    name: 'prod',
    project: 'acme-ml-prod',
    location: 'europe-west4',
    endpoint: server.url,
    auth: { type: 'token', token: options.token ?? VERTEX_SANDBOX_TOKEN },
    retry: options.retry,
  });
  const vertex = VertexConnector.fromConfig(config, {
    cache: new MemoryCache(),
    cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
    pageSize: options.pageSize,
    clock: { sleep: async (ms) => void waits.push(ms) },
  });
  return { vertex, waits };
}

const modelByKey = (key: string) => seed.models.find((m) => m.key === key)!;
const orgModel = (key: string) => org.models.find((m) => m.key === key)!;

// ---- the seed -------------------------------------------------------------------------------

describe('Vertex AI seed', () => {
  it('is deterministic, and another org seed gives other ids', () => {
    expect(seedVertex(generateDemoOrg())).toEqual(seed);
    const other = seedVertex(generateDemoOrg({ seed: 7 }));
    expect(other.models[0]!.id).not.toBe(seed.models[0]!.id);
    expect(seed.project).toBe('acme-ml-prod');
    expect(seed.location).toBe('europe-west4');
    expect(seed.projectNumber).toMatch(/^\d{12}$/);
  });

  it('holds the search and customer-ai models, fraud-detector and the Vertex-only model, versions mirroring MLflow', () => {
    const expected = org.models.filter((m) => m.team === 'search' || m.team === 'customer-ai' || m.key === 'fraud-detector').map((m) => m.key);
    expect(seed.models.map((m) => m.key).sort()).toEqual([...expected, VERTEX_SEED_GAPS.unregisteredInMlflow].sort());
    for (const model of seed.models.filter((m) => m.key !== VERTEX_SEED_GAPS.unregisteredInMlflow)) {
      const registration = orgModel(model.key).registrations.find((r) => r.instance === 'prod')!;
      const ready = registration.versions.filter((v) => v.status === 'READY').map((v) => String(v.version));
      expect(model.versions.map((v) => v.versionId)).toEqual(ready);
      expect(model.versions.every((v) => v.mlflow?.name === registration.name)).toBe(true);
    }
  });

  it('labels follow GCP rules; some models carry modelgraph-key, and every model links to its org key', () => {
    const key = /^[a-z][a-z0-9_-]{0,62}$/;
    const value = /^[a-z0-9_-]{0,63}$/;
    for (const labels of [...seed.models.flatMap((m) => [m.labels, ...m.versions.map((v) => v.labels)]), ...seed.endpoints.map((e) => e.labels)]) {
      for (const [k, v] of Object.entries(labels)) {
        expect(k).toMatch(key);
        expect(v).toMatch(value);
      }
    }
    const labelled = seed.models.filter((m) => m.labels[VERTEX_SEED_KEY_LABEL]);
    expect(labelled.length).toBeGreaterThan(0);
    expect(labelled.length).toBeLessThan(seed.models.length);
    // A labelled model's display name alone would not find its key; the label does.
    for (const m of labelled) expect(normaliseModelKey(m.displayName)).not.toBe(m.key);
    for (const m of seed.models) {
      const entry = { ref: { kind: 'VERTEX_AI' as const, instance: 'prod', nativeId: m.id, url: null }, name: m.displayName, tags: Object.entries(m.labels).map(([k, v]) => ({ key: k, value: v })) };
      expect(modelKeyFor(entry, 'modelgraph.key').key).toBe(m.key);
    }
  });

  it('puts `default` on exactly one version of every model, and aliases in Vertex\'s format', () => {
    for (const model of seed.models) {
      expect(model.versions.filter((v) => v.aliases.includes('default'))).toHaveLength(1);
      for (const alias of model.versions.flatMap((v) => v.aliases)) expect(alias).toMatch(/^[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]$/);
    }
  });

  it('splits each endpoint\'s traffic over its deployed models, 100 in all, with some 80/20 canaries', () => {
    for (const endpoint of seed.endpoints) {
      const ids = endpoint.deployedModels.map((d) => d.id);
      expect(Object.keys(endpoint.trafficSplit).sort()).toEqual([...ids].sort());
      expect(Object.values(endpoint.trafficSplit).reduce((a, b) => a + b, 0)).toBe(100);
      for (const id of ids) expect(id).toMatch(/^[1-9]\d{0,9}$/);
    }
    const canaries = seed.endpoints.filter((e) => Object.values(e.trafficSplit).sort().join('/') === '20/80');
    expect(canaries.length).toBeGreaterThanOrEqual(2);
    expect(canaries.map((e) => e.displayName)).toContain('support-ticket-router-prod');
  });

  describe('deliberate gaps', () => {
    const served = (modelId: string) =>
      seed.endpoints.flatMap((e) => e.deployedModels.filter((d) => d.modelId === modelId && (e.trafficSplit[d.id] ?? 0) > 0).map((d) => d.versionId));

    it(`${VERTEX_SEED_GAPS.unregisteredInMlflow} is deployed but registered in no MLflow instance`, () => {
      const legacy = modelByKey(VERTEX_SEED_GAPS.unregisteredInMlflow);
      expect(served(legacy.id).length).toBeGreaterThan(0);
      const mlflowNames = org.models.flatMap((m) => m.registrations.map((r) => normaliseModelKey(r.name)));
      expect(mlflowNames).not.toContain(normaliseModelKey(legacy.displayName));
      expect(org.models.map((m) => m.key)).not.toContain(legacy.key);
      expect(legacy.versions.every((v) => v.mlflow === null)).toBe(true);
    });

    it(`${VERTEX_SEED_GAPS.championNotServing}'s champion takes no traffic while another version does`, () => {
      const model = modelByKey(VERTEX_SEED_GAPS.championNotServing);
      const champion = model.versions.find((v) => v.aliases.includes('champion'))!;
      expect(champion).toBeDefined();
      expect(served(model.id).length).toBeGreaterThan(0);
      expect(served(model.id)).not.toContain(champion.versionId);
    });

    it(`${VERTEX_SEED_GAPS.notDeployed} is Production in MLflow but deployed nowhere`, () => {
      const mlflow = orgModel(VERTEX_SEED_GAPS.notDeployed).registrations.find((r) => r.instance === 'prod')!;
      expect(mlflow.versions.some((v) => v.stage === 'Production')).toBe(true);
      const model = modelByKey(VERTEX_SEED_GAPS.notDeployed);
      expect(seed.endpoints.some((e) => e.deployedModels.some((d) => d.modelId === model.id))).toBe(false);
    });
  });
});

// ---- the server: protocol -----------------------------------------------------------------------

describe('Vertex AI sandbox server', () => {
  it('demands a bearer token, answering Google\'s 401 body', async () => {
    const missing = await get<GoogleApiErrorBody>(`${PARENT}/models`, {});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="https://accounts.google.com/"');
    expect(missing.body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED', details: [expect.objectContaining({ reason: 'CREDENTIALS_MISSING' })] });
    expect(missing.body.error?.message).toMatch(/^Request is missing required authentication credential/);
    const wrong = await get<GoogleApiErrorBody>(`${PARENT}/endpoints`, { authorization: 'Bearer ya29.not-this-one' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.message).toMatch(/^Request had invalid authentication credentials/);
    expect(wrong.body.error?.details?.[0]?.metadata?.method).toBe('google.cloud.aiplatform.v1.EndpointService.ListEndpoints');
  });

  it('lists every model (its default version) in one default page, named by project number', async () => {
    const { status, body, headers } = await get<GoogleCloudAiplatformV1ListModelsResponse>(`${PARENT}/models`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(body.nextPageToken).toBeUndefined();
    expect(body.models!.map((m) => m.name)).toEqual(seed.models.map((m) => `projects/${seed.projectNumber}/locations/europe-west4/models/${m.id}`));
    for (const m of body.models!) expect(m.versionAliases).toContain('default');
    expect(body.models![0]!.versionCreateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('pages with opaque tokens that cover every model once', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({ pageSize: '4', ...(token ? { pageToken: token } : {}) });
      const { body } = await get<GoogleCloudAiplatformV1ListModelsResponse>(`${PARENT}/models?${query}`);
      names.push(...body.models!.map((m) => m.name!));
      token = body.nextPageToken;
      if (token) expect(token).not.toMatch(/^\d+$/);
      pages++;
    } while (token);
    expect(pages).toBe(Math.ceil(seed.models.length / 4));
    expect(new Set(names).size).toBe(seed.models.length);
  });

  it('validates pageSize and pageToken as Google does', async () => {
    const text = await get<GoogleApiErrorBody>(`${PARENT}/models?pageSize=ten`);
    expect(text.status).toBe(400);
    expect(text.body.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: 'Invalid value at \'page_size\' (TYPE_INT32), "ten"',
      details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [expect.objectContaining({ field: 'page_size' })] }],
    });
    expect((await get(`${PARENT}/models?pageSize=-1`)).status).toBe(400);
    expect((await get(`${PARENT}/models?pageToken=garbage`)).status).toBe(400);
    // A token is bound to the filter it was minted for.
    const first = await get<GoogleCloudAiplatformV1ListModelsResponse>(`${PARENT}/models?pageSize=2`);
    const replay = await get<GoogleApiErrorBody>(`${PARENT}/models?${new URLSearchParams({ pageSize: '2', pageToken: first.body.nextPageToken!, filter: 'labels.team=search' })}`);
    expect(replay.status).toBe(400);
    // Larger than the maximum is coerced down (AIP-158), not refused.
    const small = createVertexStore(seed, { default: 2, max: 3 });
    expect(small.listModels({ pageSize: '1000' }).models).toHaveLength(3);
    expect(small.listModels({}).models).toHaveLength(2);
  });

  it('filters on labels, display name and id, and refuses what it does not support', async () => {
    const byTeam = await get<GoogleCloudAiplatformV1ListModelsResponse>(`${PARENT}/models?${new URLSearchParams({ filter: 'labels.team="customer-ai"' })}`);
    expect(byTeam.body.models!.map((m) => m.labels!.team)).toEqual(seed.models.filter((m) => m.labels.team === 'customer-ai').map(() => 'customer-ai'));
    const keyed = await get<GoogleCloudAiplatformV1ListModelsResponse>(`${PARENT}/models?${new URLSearchParams({ filter: `labels.${VERTEX_SEED_KEY_LABEL}:*` })}`);
    expect(keyed.body.models!.map((m) => m.displayName)).toEqual(seed.models.filter((m) => m.labels[VERTEX_SEED_KEY_LABEL]).map((m) => m.displayName));
    const same = await get<GoogleCloudAiplatformV1ListModelsResponse>(`${PARENT}/models?${new URLSearchParams({ filter: `labels:${VERTEX_SEED_KEY_LABEL}` })}`);
    expect(same.body.models).toEqual(keyed.body.models);
    const legacy = modelByKey(VERTEX_SEED_GAPS.unregisteredInMlflow);
    const ranker = modelByKey('search-ranker');
    // OR binds tighter than AND (AIP-160): (model OR displayName) AND team.
    const oneOf = await get<GoogleCloudAiplatformV1ListModelsResponse>(
      `${PARENT}/models?${new URLSearchParams({ filter: `model=${legacy.id} OR displayName="${ranker.displayName}" AND labels.team=search` })}`,
    );
    expect(oneOf.body.models!.map((m) => m.displayName).sort()).toEqual([ranker.displayName, legacy.displayName].sort());
    const neither = await get<GoogleCloudAiplatformV1ListModelsResponse>(
      `${PARENT}/models?${new URLSearchParams({ filter: `model=${legacy.id} OR displayName="${ranker.displayName}" AND labels.team="customer-ai"` })}`,
    );
    expect(neither.body).toEqual({});
    const staging = await get<GoogleCloudAiplatformV1ListEndpointsResponse>(`${PARENT}/endpoints?${new URLSearchParams({ filter: 'labels.env=staging' })}`);
    expect(staging.body.endpoints!.every((e) => e.displayName!.endsWith('-staging'))).toBe(true);
    expect(staging.body.endpoints!.length).toBeGreaterThan(0);
    const bad = await get<GoogleApiErrorBody>(`${PARENT}/models?${new URLSearchParams({ filter: 'create_time>2025' })}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error?.status).toBe('INVALID_ARGUMENT');
  });

  it('orders by the documented fields only', async () => {
    const desc = await get<GoogleCloudAiplatformV1ListModelsResponse>(`${PARENT}/models?${new URLSearchParams({ orderBy: 'display_name desc' })}`);
    const names = desc.body.models!.map((m) => m.displayName!);
    expect(names).toEqual([...names].sort().reverse());
    expect((await get(`${PARENT}/models?orderBy=labels`)).status).toBe(400);
  });

  it('applies a readMask', async () => {
    const { body } = await get<GoogleCloudAiplatformV1ListModelsResponse>(`${PARENT}/models?readMask=displayName,version_id`);
    expect(Object.keys(body.models![0]!).sort()).toEqual(['displayName', 'versionId']);
  });

  it('gets a model, a version by id or alias (`@` plain or percent-encoded), and its versions with `@` in their names', async () => {
    const model = modelByKey(VERTEX_SEED_GAPS.championNotServing);
    const champion = model.versions.find((v) => v.aliases.includes('champion'))!;
    const base = `${PARENT}/models/${model.id}`;
    const byDefault = await get<GoogleCloudAiplatformV1Model>(base);
    expect(byDefault.body.versionAliases).toContain('default');
    expect((await get<GoogleCloudAiplatformV1Model>(`${base}@champion`)).body.versionId).toBe(champion.versionId);
    const encoded = await get<GoogleCloudAiplatformV1Model>(`${base}%40${champion.versionId}`);
    expect(encoded.body.name).toBe(`projects/${seed.projectNumber}/locations/europe-west4/models/${model.id}@${champion.versionId}`);
    const versions = await get<GoogleCloudAiplatformV1ListModelsResponse>(`${base}:listVersions`);
    expect(versions.body.models!.map((v) => v.name!.split('@')[1])).toEqual(model.versions.map((v) => v.versionId));
    const missing = await get<GoogleApiErrorBody>(`${PARENT}/models/999`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 404, message: 'The Model does not exist.', status: 'NOT_FOUND' } });
    expect((await get(`${base}@99`)).status).toBe(404);
    expect((await get(`${PARENT}/models/999:listVersions`)).status).toBe(404);
  });

  it('gets an endpoint with its deployed models, and 404s an unknown one', async () => {
    const endpoint = seed.endpoints[0]!;
    const { body } = await get<GoogleCloudAiplatformV1Endpoint>(`${PARENT}/endpoints/${endpoint.id}`);
    expect(body.trafficSplit).toEqual(endpoint.trafficSplit);
    expect(body.deployedModels![0]).toMatchObject({
      id: endpoint.deployedModels[0]!.id,
      model: `projects/${seed.projectNumber}/locations/europe-west4/models/${endpoint.deployedModels[0]!.modelId}`,
      modelVersionId: endpoint.deployedModels[0]!.versionId,
      dedicatedResources: { machineSpec: { machineType: endpoint.deployedModels[0]!.machineType } },
    });
    const missing = await get<GoogleApiErrorBody>(`${PARENT}/endpoints/1`);
    expect(missing.body.error).toMatchObject({ code: 404, status: 'NOT_FOUND', message: 'The Endpoint does not exist.' });
  });

  it('accepts the project number, denies other projects, and refuses another location', async () => {
    expect((await get(`/v1/projects/${seed.projectNumber}/locations/europe-west4/models`)).status).toBe(200);
    const other = await get<GoogleApiErrorBody>('/v1/projects/someone-else/locations/europe-west4/endpoints');
    expect(other.status).toBe(403);
    expect(other.body.error).toMatchObject({
      status: 'PERMISSION_DENIED',
      message: "Permission 'aiplatform.endpoints.list' denied on resource '//aiplatform.googleapis.com/projects/someone-else/locations/europe-west4' (or it may not exist).",
    });
    const location = await get<GoogleApiErrorBody>('/v1/projects/acme-ml-prod/locations/us-central1/models');
    expect(location.status).toBe(400);
    expect(location.body.error?.message).toContain("The provided location ID doesn't match the endpoint. The valid location ID is `europe-west4`.");
  });

  it('answers paths no method serves with the front end\'s HTML 404', async () => {
    const unknown = await get(`${PARENT}/datasets`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('<title>Error 404 (Not Found)!!1</title>');
    const post = await fetch(`${server.url}${PARENT}/models`, { method: 'POST', headers: AUTH, body: '{}' });
    expect(post.status).toBe(404);
  });

  it('injects quota errors in Google\'s words, with Retry-After', async () => {
    server.faults.failRate = 1;
    server.faults.failStatus = 429;
    const { status, body, headers } = await get<GoogleApiErrorBody>(`${PARENT}/models`);
    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('1');
    expect(body.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED', details: [expect.objectContaining({ reason: 'RATE_LIMIT_EXCEEDED' }), expect.anything()] });
  });
});

// ---- the connector against the server ---------------------------------------------------------

describe('Vertex AI connector against the sandbox', () => {
  it('lists every model across pages', async () => {
    const { vertex } = connector({ pageSize: 3 });
    const models = await vertex.listModels();
    expect(models.map((m) => m.source.nativeId)).toEqual(seed.models.map((m) => m.id));
    expect(models.find((m) => m.source.nativeId === modelByKey('search-ranker').id)?.source.url).toBe(
      `https://console.cloud.google.com/vertex-ai/models/locations/europe-west4/models/${modelByKey('search-ranker').id}?project=acme-ml-prod`,
    );
  });

  it('reads versions and deployments that join on the version resource name, and shows the gaps', async () => {
    server.stats.reset();
    const { vertex } = connector({ pageSize: 2 });
    const deployments = await vertex.listDeployments();
    const versions = await vertex.getVersionsForModels(seed.models.map((m) => m.id));
    const byRef = new Map([...versions.values()].flat().map((v) => [v.details.kind === 'VERTEX_AI' ? v.details.resourceName : '', v]));

    expect(deployments).toHaveLength(seed.endpoints.reduce((n, e) => n + e.deployedModels.length, 0));
    expect(deployments.every((d) => d.status === 'IN_SERVICE')).toBe(true);
    // Every deployment names a version the registry lists, although the server spells the project by number.
    for (const d of deployments) expect(byRef.has(d.modelVersionRef!)).toBe(true);

    const servedRefs = new Set(deployments.filter((d) => (d.trafficPercent ?? 0) > 0).map((d) => d.modelVersionRef));
    const ranker = versions.get(modelByKey(VERTEX_SEED_GAPS.championNotServing).id)!;
    const champion = ranker.find((v) => v.aliases.includes('champion'))!;
    expect(servedRefs.has(champion.details.kind === 'VERTEX_AI' ? champion.details.resourceName : '')).toBe(false);
    expect(ranker.some((v) => servedRefs.has(v.details.kind === 'VERTEX_AI' ? v.details.resourceName : ''))).toBe(true);

    const notDeployed = modelByKey(VERTEX_SEED_GAPS.notDeployed).id;
    expect(deployments.some((d) => d.modelVersionRef?.includes(`/models/${notDeployed}@`))).toBe(false);

    const canary = deployments.filter((d) => d.endpointName === 'support-ticket-router-prod');
    expect(canary.map((d) => d.trafficPercent)).toEqual([80, 20]);

    // One endpoints listing (pages of 2); listVersions only for models an endpoint deploys, then for all.
    const deployedModels = new Set(seed.endpoints.flatMap((e) => e.deployedModels.map((d) => d.modelId)));
    expect(server.stats.byRoute[`GET ${PARENT}/endpoints`]).toBe(Math.ceil(seed.endpoints.length / 2));
    for (const model of seed.models) {
      const pages = Math.max(1, Math.ceil(model.versions.length / 2));
      const lists = deployedModels.has(model.id) ? 2 : 1;
      expect(server.stats.byRoute[`GET ${PARENT}/models/${model.id}:listVersions`]).toBe(pages * lists);
    }
  });

  it('answers null for what the sandbox does not have', async () => {
    const { vertex } = connector();
    await expect(vertex.getModel('424242')).resolves.toBeNull();
    await expect(vertex.getModelVersion(modelByKey('search-ranker').id, '99')).resolves.toBeNull();
    await expect(vertex.getEndpointDeployments('7')).resolves.toBeNull();
    expect((await vertex.getModelVersion(modelByKey('search-ranker').id, 'champion'))?.aliases).toContain('champion');
  });

  it('is refused with a wrong token, naming the source', async () => {
    const err = (await connector({ token: 'ya29.wrong-token-value' }).vertex.health().catch((e: unknown) => e)) as SourceError;
    expect(err).toBeInstanceOf(SourceError);
    expect(err.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
    expect(err.message).toMatch(/^vertex_ai:prod: HTTP 401 UNAUTHENTICATED: Request had invalid authentication credentials\..*\[ACCESS_TOKEN_TYPE_UNSUPPORTED\]$/);
    expect(err.message).not.toContain('wrong-token-value');
  });

  it('retries injected quota errors after Retry-After and reports RESOURCE_EXHAUSTED when they persist', async () => {
    server.faults.failRate = 1;
    server.faults.failStatus = 429;
    const { vertex, waits } = connector({ retry: { maxAttempts: 3 } });
    const err = (await vertex.listModels().catch((e: unknown) => e)) as SourceError;
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_RATE_LIMITED, upstreamCode: 'RESOURCE_EXHAUSTED', attempts: 3 });
    expect(waits).toEqual([1000, 1000]);
  });
});
