import { azuremlInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { AzuremlConnector, parseModelVersionRef } from '../../connectors/azureml';
import type { ArmPaginatedResult, ModelContainer, ModelVersion, OnlineDeployment, OnlineEndpoint } from '../../connectors/azureml/types';
import { generateDemoOrg } from '../../sandbox/demo-org';
import {
  AZUREML_SANDBOX_TOKEN,
  AZUREML_SANDBOX_WORKSPACE,
  AZUREML_SEED_GAPS,
  AZUREML_SEED_TEAMS,
  decodeSkipToken,
  seedAzureml,
  startAzuremlSandbox,
} from '../../sandbox/azureml';
import type { SandboxServer } from '../../sandbox/mlflow/server';

/**
 * The Azure ML sandbox: Resource Manager's rules (auth first, api-version, paths, paging,
 * errors, throttling) over raw HTTP, the seed's content and its deliberate gaps, and the
 * connector reading it end to end.
 */

const org = generateDemoOrg();
const ws = AZUREML_SANDBOX_WORKSPACE;
const WS = `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${ws.workspace}`;
const AUTH = { authorization: `Bearer ${AZUREML_SANDBOX_TOKEN}` };
const API = 'api-version=2025-09-01';

let server: SandboxServer;

beforeAll(async () => {
  server = await startAzuremlSandbox({ org, instance: 'prod', pageSize: 5 });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.faults.failRate = 0;
  server.faults.failStatus = 503;
  delete server.faults.retryAfterSeconds;
});

async function get<T = Record<string, unknown>>(
  pathOrUrl: string,
  headers: Record<string, string> = AUTH,
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(pathOrUrl.startsWith('http') ? pathOrUrl : `${server.url}${pathOrUrl}`, { headers });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

async function all<T>(path: string): Promise<{ items: T[]; pages: number; links: string[] }> {
  const items: T[] = [];
  const links: string[] = [];
  let next: string | undefined = path;
  let pages = 0;
  while (next) {
    const res: { status: number; body: ArmPaginatedResult<T> } = await get<ArmPaginatedResult<T>>(next);
    expect(res.status).toBe(200);
    items.push(...(res.body.value ?? []));
    pages++;
    next = res.body.nextLink ?? undefined;
    if (next) links.push(next);
  }
  return { items, pages, links };
}

function connector(options: { retry?: Record<string, number>; token?: string } = {}) {
  const waits: number[] = [];
  const config = azuremlInstanceSchema.parse({
    name: 'prod',
    subscriptionId: ws.subscriptionId,
    resourceGroup: ws.resourceGroup,
    workspace: ws.workspace,
    endpoint: server.url,
    auth: { type: 'token', token: options.token ?? AZUREML_SANDBOX_TOKEN },
    retry: options.retry,
  });
  const azureml = AzuremlConnector.fromConfig(config, {
    cache: new MemoryCache(),
    cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
    clock: { sleep: async (ms) => void waits.push(ms) },
  });
  return { azureml, waits };
}

describe('seed', () => {
  const seed = seedAzureml(org);

  it('is deterministic, and its coordinates are a valid azureml config', () => {
    expect(seedAzureml(generateDemoOrg())).toEqual(seed);
    expect(seed.workspaceId).toBe(WS);
    expect(() =>
      azuremlInstanceSchema.parse({ name: 'prod', subscriptionId: ws.subscriptionId, resourceGroup: ws.resourceGroup, workspace: ws.workspace }),
    ).not.toThrow();
  });

  it('holds the supply-chain and risk models, each container\'s versions mirroring its MLflow versions', () => {
    const hosted = org.models.filter((m) => AZUREML_SEED_TEAMS.includes(m.team));
    expect(hosted.length).toBeGreaterThan(5);
    expect([...seed.modelKeys.values()].sort()).toEqual(hosted.map((m) => m.key).sort());
    for (const model of hosted) {
      const container = [...seed.modelKeys].find(([, key]) => key === model.key)![0];
      const registration = model.registrations.find((r) => r.instance === 'prod') ?? model.registrations[0]!;
      const versions = seed.versions.get(container)!;
      expect(versions.map((v) => v.name)).toEqual(registration.versions.map((v) => String(v.version)));
      expect(versions.map((v) => v.properties?.jobName)).toEqual(registration.versions.map((v) => v.runId));
      registration.versions.forEach((v, i) => {
        expect(versions[i]!.properties?.stage ?? 'None').toBe(v.stage);
      });
    }
  });

  it('tags some containers with modelgraph.key, not all', () => {
    const tagged = seed.containers.filter((c) => c.properties?.tags?.['modelgraph.key']);
    expect(tagged.length).toBeGreaterThan(0);
    expect(tagged.length).toBeLessThan(seed.containers.length);
  });

  it('has every deliberate gap in the default org', () => {
    expect([...seed.gaps].sort()).toEqual(Object.keys(AZUREML_SEED_GAPS).sort());
    const { failedDeployment, zeroTrafficDeployment, unregisteredModel, tagOnlyLink, nameOnlyLink } = AZUREML_SEED_GAPS;

    const failed = seed.deployments.get(failedDeployment.endpoint)!.find((d) => d.name === failedDeployment.deployment)!;
    expect(failed.properties?.provisioningState).toBe('Failed');

    const zero = seed.endpoints.find((e) => e.name === zeroTrafficDeployment.endpoint)!;
    expect(zero.properties?.traffic).toEqual({ blue: 100, [zeroTrafficDeployment.deployment]: 0 });

    expect(org.models.some((m) => m.key === unregisteredModel.container || m.registrations.some((r) => r.name === unregisteredModel.container))).toBe(false);
    expect(seed.deployments.get(unregisteredModel.endpoint)![0]!.properties?.model).toBe(`azureml:${unregisteredModel.container}:${unregisteredModel.version}`);

    const renamed = seed.containers.find((c) => c.name === tagOnlyLink.container)!;
    expect(renamed.properties?.tags?.['modelgraph.key']).toBe(tagOnlyLink.modelKey);
    const spelled = seed.containers.find((c) => c.name === nameOnlyLink.container)!;
    expect(spelled.properties?.tags?.['modelgraph.key']).toBeUndefined();
  });

  it('splits some endpoints blue/green 90/10', () => {
    expect(seed.endpoints.some((e) => e.properties?.traffic?.blue === 90 && e.properties.traffic.green === 10)).toBe(true);
  });
});

describe('Resource Manager rules over HTTP', () => {
  it('answers 401 AuthenticationFailed without an Authorization header, before checking anything else', async () => {
    const res = await get<{ error: { code: string; message: string } }>(`${WS}/models`, {});
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer authorization_uri="https:\/\/login\.microsoftonline\.com\//);
  });

  it('answers 401 InvalidAuthenticationToken for a wrong token', async () => {
    const res = await get<{ error: { code: string } }>(`${WS}/models?${API}`, { authorization: 'Bearer not-the-token' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('InvalidAuthenticationToken');
  });

  it('answers 400 MissingApiVersionParameter and InvalidApiVersionParameter', async () => {
    const missing = await get<{ error: { code: string; message: string } }>(`${WS}/models`);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toEqual({
      code: 'MissingApiVersionParameter',
      message: 'The api-version query parameter (?api-version=) is required for all requests.',
    });
    const wrong = await get<{ error: { code: string; message: string } }>(`${WS}/models?api-version=2023-04-01`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('InvalidApiVersionParameter');
    expect(wrong.body.error.message).toContain("'2023-04-01'");
  });

  it('names a wrong subscription, resource group or workspace the way ARM does', async () => {
    const rg = await get<{ error: { code: string } }>(`${WS.replace('rg-ml-prod', 'rg-nope')}/models?${API}`);
    expect([rg.status, rg.body.error.code]).toEqual([404, 'ResourceGroupNotFound']);
    const workspace = await get<{ error: { code: string; message: string } }>(`${WS.replace('mlw-prod-weu', 'mlw-nope')}/models?${API}`);
    expect([workspace.status, workspace.body.error.code]).toEqual([404, 'ResourceNotFound']);
    expect(workspace.body.error.message).toContain("'Microsoft.MachineLearningServices/workspaces/mlw-nope'");
    const sub = await get<{ error: { code: string } }>(`${WS.replace(ws.subscriptionId, '11111111-1111-4111-8111-111111111111')}?${API}`);
    expect([sub.status, sub.body.error.code]).toEqual([404, 'SubscriptionNotFound']);
  });

  it('treats ARM path segments and workspace names case-insensitively', async () => {
    const res = await get<ModelContainer>(`${WS.toLowerCase()}/models/fraud-scoring-model?${API}`);
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('fraud-scoring-model');
  });

  it('carries ARM request ids and the remaining read budget on every response', async () => {
    const res = await get(`${WS}?${API}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(res.headers.get('x-ms-ratelimit-remaining-subscription-reads'))).toBeGreaterThan(0);
  });

  it('pages with absolute nextLinks on its own origin carrying a $skipToken, to the end', async () => {
    const seed = seedAzureml(org);
    const { items, pages, links } = await all<ModelContainer>(`${WS}/models?${API}&listViewType=All`);
    expect(items.map((c) => c.name)).toEqual(seed.containers.map((c) => c.name));
    expect(pages).toBe(Math.ceil(seed.containers.length / 5));
    expect(pages).toBeGreaterThanOrEqual(3);
    for (const link of links) {
      expect(new URL(link).origin).toBe(server.url);
      expect(link).toContain('api-version=2025-09-01');
      expect(link).toContain('listViewType=All');
      expect(link).toMatch(/[?&]\$skipToken=[A-Za-z0-9_-]+$/);
      expect(decodeSkipToken(new URL(link).searchParams.get('$skipToken')!)).toBeGreaterThan(0);
    }
  });

  it('accepts the spec\'s $skip as the continuation parameter too, and refuses a token it did not issue', async () => {
    const first = await get<ArmPaginatedResult<ModelContainer>>(`${WS}/models?${API}`);
    const token = new URL(first.body.nextLink!).searchParams.get('$skipToken')!;
    const viaSkip = await get<ArmPaginatedResult<ModelContainer>>(`${WS}/models?${API}&$skip=${token}`);
    const viaLink = await get<ArmPaginatedResult<ModelContainer>>(first.body.nextLink!);
    expect(viaSkip.body.value).toEqual(viaLink.body.value);
    const bad = await get<{ error: { code: string } }>(`${WS}/models?${API}&$skipToken=garbage`);
    expect([bad.status, bad.body.error.code]).toEqual([400, 'UserError']);
  });

  it('leaves archived versions out unless listViewType asks for them', async () => {
    const seed = seedAzureml(org);
    const name = AZUREML_SEED_GAPS.tagOnlyLink.container;
    const archived = seed.versions.get(name)!.filter((v) => v.properties?.isArchived).length;
    expect(archived).toBeGreaterThan(0);
    const active = await all<ModelVersion>(`${WS}/models/${name}/versions?${API}`);
    const everything = await all<ModelVersion>(`${WS}/models/${name}/versions?${API}&listViewType=All`);
    expect(everything.items.length - active.items.length).toBe(archived);
    const invalid = await get<{ error: { code: string } }>(`${WS}/models/${name}/versions?${API}&listViewType=Everything`);
    expect(invalid.status).toBe(400);
  });

  it('answers a missing model with the resource provider\'s 404 body, and a missing deployment with 404', async () => {
    const model = await get<{ error: { code: string; innerError?: { code: string } } }>(`${WS}/models/no-such-model?${API}`);
    expect(model.status).toBe(404);
    expect(model.body.error).toMatchObject({ code: 'UserError', innerError: { code: 'NotFoundError' } });
    const deployment = await get(`${WS}/onlineEndpoints/${AZUREML_SEED_GAPS.failedDeployment.endpoint}/deployments/purple?${API}`);
    expect(deployment.status).toBe(404);
  });

  it('serves endpoints and deployments as their tracked resources', async () => {
    const { failedDeployment } = AZUREML_SEED_GAPS;
    const endpoint = await get<OnlineEndpoint>(`${WS}/onlineEndpoints/${failedDeployment.endpoint}?${API}`);
    expect(endpoint.body).toMatchObject({ name: failedDeployment.endpoint, location: 'westeurope', properties: { traffic: { blue: 100 } } });
    const list = await all<OnlineDeployment>(`${WS}/onlineEndpoints/${failedDeployment.endpoint}/deployments?${API}`);
    expect(list.items.map((d) => [d.name, d.properties?.provisioningState])).toEqual([
      ['blue', 'Succeeded'],
      ['green', 'Failed'],
    ]);
  });

  it('throttles with 429 SubscriptionRequestsThrottled and Retry-After when the fault switch says so', async () => {
    server.faults.failRate = 1;
    server.faults.failStatus = 429;
    server.faults.retryAfterSeconds = 7;
    const res = await get<{ error: { code: string; message: string } }>(`${WS}/models?${API}`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-ms-ratelimit-remaining-subscription-reads')).toBe('0');
    expect(res.body.error.code).toBe('SubscriptionRequestsThrottled');
    expect(res.body.error.message).toContain("after '7' seconds");
  });
});

describe('the connector against the sandbox', () => {
  it('lists every container across pages, archived included', async () => {
    const { azureml } = connector();
    const models = await azureml.listModels();
    expect(models.map((m) => m.name)).toEqual(seedAzureml(org).containers.map((c) => c.name));
    const renamed = models.find((m) => m.name === AZUREML_SEED_GAPS.tagOnlyLink.container)!;
    expect(renamed.tags).toContainEqual({ key: 'modelgraph.key', value: AZUREML_SEED_GAPS.tagOnlyLink.modelKey });
    await expect(azureml.health()).resolves.toBeUndefined();
  });

  it('reads versions mirroring MLflow\'s, newest first, with the approvals the tags record', async () => {
    const { azureml } = connector();
    const fraud = org.models.find((m) => m.key === 'fraud-detector')!;
    const mlflow = fraud.registrations.find((r) => r.instance === 'prod')!.versions;
    const name = AZUREML_SEED_GAPS.tagOnlyLink.container;
    const versions = (await azureml.getVersionsForModels([name, 'not-in-azure'])).get(name)!;
    expect(versions.map((v) => v.version)).toEqual(mlflow.map((v) => String(v.version)).reverse());
    expect(versions.map((v) => v.runId)).toEqual(mlflow.map((v) => v.runId).reverse());
    const pending = mlflow.find((v) => v.status === 'PENDING_REGISTRATION');
    if (pending) expect(versions.find((v) => v.version === String(pending.version))!.status).toBe('PENDING');
    expect((await azureml.getVersionsForModels(['not-in-azure'])).get('not-in-azure')).toEqual([]);
  });

  it('reads an approval only where the version\'s modelgraph.approval tag records one', async () => {
    const { azureml } = connector();
    const seed = seedAzureml(org);
    const all = await azureml.getVersionsForModels(seed.containers.map((c) => c.name!));
    const approvals = [...all.values()].flat().map((v) => v.approval);
    expect(approvals).toContain('APPROVED');
    expect(approvals).toContain(null);
    for (const container of seed.containers) {
      for (const dto of seed.versions.get(container.name!)!) {
        const tag = dto.properties?.tags?.['modelgraph.approval'];
        const mapped = all.get(container.name!)!.find((v) => v.version === dto.name)!;
        expect(mapped.approval).toBe(tag ? tag.toUpperCase() : null);
      }
    }
    // credit-risk-scorer went to production without sign-off (as in MLflow and Jira).
    const credit = all.get('credit-risk-scorer')!.find((v) => v.stage === 'Production')!;
    expect(credit.approval).toBe('PENDING');
  });

  it('finds the deployment gaps: a failed green, a model no MLflow knows, a named 0% deployment', async () => {
    const { azureml } = connector();
    const deployments = await azureml.listDeployments();
    const byId = new Map(deployments.map((d) => [d.id, d]));
    const { failedDeployment, unregisteredModel, zeroTrafficDeployment } = AZUREML_SEED_GAPS;

    expect(byId.get(`azure_ml:prod/${failedDeployment.endpoint}/${failedDeployment.deployment}`)).toMatchObject({
      status: 'FAILED',
      statusRaw: 'Failed',
      trafficPercent: 0,
    });
    expect(byId.get(`azure_ml:prod/${failedDeployment.endpoint}/blue`)).toMatchObject({ status: 'IN_SERVICE', trafficPercent: 100 });

    const ocr = byId.get(`azure_ml:prod/${unregisteredModel.endpoint}/${unregisteredModel.deployment}`)!;
    expect(ocr).toMatchObject({
      status: 'IN_SERVICE',
      servedModelName: unregisteredModel.container,
      modelVersionRef: `${WS}/models/${unregisteredModel.container}/versions/${unregisteredModel.version}`,
    });
    // The short reference and the listed version's ARM id are one string: the join works.
    const ocrVersions = (await azureml.getVersionsForModels([unregisteredModel.container])).get(unregisteredModel.container)!;
    expect(ocrVersions.find((v) => v.version === unregisteredModel.version)!.details).toMatchObject({ resourceId: ocr.modelVersionRef });

    expect(byId.get(`azure_ml:prod/${zeroTrafficDeployment.endpoint}/${zeroTrafficDeployment.deployment}`)).toMatchObject({
      status: 'IN_SERVICE',
      trafficPercent: 0,
    });

    // Every endpoint's shares add up to 100, and every served version is one the registry lists.
    const endpoints = new Map<string, number>();
    for (const d of deployments) endpoints.set(d.endpointName, (endpoints.get(d.endpointName) ?? 0) + (d.trafficPercent ?? 0));
    expect([...endpoints.values()].every((sum) => sum === 100)).toBe(true);
    const models = [...new Set(deployments.map((d) => parseModelVersionRef(d.modelVersionRef)!.modelName))];
    const listed = await azureml.getVersionsForModels(models);
    for (const d of deployments) {
      const ref = parseModelVersionRef(d.modelVersionRef)!;
      expect(listed.get(ref.modelName)!.map((v) => v.details.kind === 'AZURE_ML' && v.details.resourceId)).toContain(d.modelVersionRef);
    }
  });

  it('rides out throttling: a fifth of requests answered 429 with Retry-After 0', async () => {
    server.faults.failRate = 0.2;
    server.faults.failStatus = 429;
    server.faults.retryAfterSeconds = 0;
    const { azureml, waits } = connector({ retry: { maxAttempts: 10 } });
    const deployments = await azureml.listDeployments();
    expect(deployments.length).toBeGreaterThan(0);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((ms) => ms === 0)).toBe(true);
  });

  it('reports a wrong token as SOURCE_UNAUTHENTICATED with ARM\'s code, naming the source', async () => {
    const { azureml } = connector({ token: 'wrong-token-123456789' });
    const error = (await azureml.health().catch((e: unknown) => e)) as SourceError;
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ source: 'azure_ml:prod', code: SourceErrorCode.SOURCE_UNAUTHENTICATED, upstreamCode: 'InvalidAuthenticationToken' });
  });
});
