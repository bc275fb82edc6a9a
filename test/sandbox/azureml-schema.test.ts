import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDemoOrg } from '../../sandbox/demo-org';
import { AZUREML_SANDBOX_TOKEN, AZUREML_SANDBOX_WORKSPACE, AZUREML_SEED_GAPS } from '../../sandbox/azureml';
import type { SandboxServer } from '../../sandbox/mlflow/server';
import { startAzuremlSandbox } from '../../sandbox/azureml';
import { checkArmDefinition, checkArmResponse, loadArmSubset } from '../helpers/arm-swagger';

/**
 * The Azure ML sandbox's answers to every route the Azure ML connector calls, checked against
 * Microsoft's REST specification for `Microsoft.MachineLearningServices` 2025-09-01: the subset
 * of `mfe.json`, `workspaceRP.json` and the ARM common types those operations' responses reach
 * (`test/fixtures/azureml/mfe-2025-09-01.subset.json`, its `x-source` names the files and
 * commits of Azure/azure-rest-api-specs). Declared types, formats and enums, `required`, no
 * undeclared property, `x-nullable` for nulls, polymorphic deployments and scale settings by
 * their discriminators, and `x-ms-pageable` pages followed to the end.
 */

const spec = loadArmSubset('azureml/mfe-2025-09-01.subset.json');
const ws = AZUREML_SANDBOX_WORKSPACE;
const WS = `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${ws.workspace}`;
const API = 'api-version=2025-09-01';
const MFE = 'specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2025-09-01/mfe.json';
const COMMON = 'specification/common-types/resource-management/v3/types.json';

let server: SandboxServer;

beforeAll(async () => {
  // Small pages, so that every listing the connector pages through has a nextLink to follow.
  server = await startAzuremlSandbox({ org: generateDemoOrg(), instance: 'prod', pageSize: 3 });
});
afterAll(() => server?.close());

async function call(pathOrUrl: string, headers: Record<string, string> = { authorization: `Bearer ${AZUREML_SANDBOX_TOKEN}` }) {
  const res = await fetch(pathOrUrl.startsWith('http') ? pathOrUrl : `${server.url}${pathOrUrl}`, { headers });
  return { status: res.status, body: (await res.json()) as any };
}

/** One GET checked against the operation; the body for the caller to go on with. */
async function check(operationId: string, path: string): Promise<any> {
  const { status, body } = await call(path);
  expect({ operationId, path, status }).toEqual({ operationId, path, status: 200 });
  expect({ operationId, path, problems: checkArmResponse(spec, operationId, status, body) }).toEqual({ operationId, path, problems: [] });
  return body;
}

/** Every page of an `x-ms-pageable` listing, each checked; the items of all of them. */
async function checkPages(operationId: string, path: string): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let next: string | undefined = path;
  let pages = 0;
  while (next) {
    const page = await check(operationId, next);
    items.push(...page.value);
    pages++;
    next = page.nextLink;
    if (next) expect(next.startsWith(server.url)).toBe(true);
    expect(pages).toBeLessThan(100);
  }
  return { items, pages };
}

describe('every route the connector calls answers as the 2025-09-01 spec declares', () => {
  it('Workspaces_Get', async () => {
    const workspace = await check('Workspaces_Get', `${WS}?${API}`);
    expect(workspace.name).toBe(ws.workspace);
  });

  it('ModelContainers_List (all pages, as the connector asks: listViewType=All) and ModelContainers_Get for each', async () => {
    const { items, pages } = await checkPages('ModelContainers_List', `${WS}/models?${API}&listViewType=All`);
    expect(pages).toBeGreaterThan(1);
    await checkPages('ModelContainers_List', `${WS}/models?${API}`);
    for (const container of items) await check('ModelContainers_Get', `${WS}/models/${encodeURIComponent(container.name)}?${API}`);
  });

  it('ModelVersions_List (all pages) and ModelVersions_Get for every version of every container', async () => {
    const { items: containers } = await checkPages('ModelContainers_List', `${WS}/models?${API}&listViewType=All`);
    let paged = false;
    let checked = 0;
    for (const container of containers) {
      const base = `${WS}/models/${encodeURIComponent(container.name)}/versions`;
      const { items, pages } = await checkPages('ModelVersions_List', `${base}?${API}&listViewType=All`);
      paged ||= pages > 1;
      for (const version of items) {
        await check('ModelVersions_Get', `${base}/${encodeURIComponent(version.name)}?${API}`);
        checked++;
      }
    }
    expect(paged).toBe(true);
    expect(checked).toBeGreaterThan(containers.length);
  });

  it('OnlineEndpoints_List (all pages), OnlineEndpoints_Get, OnlineDeployments_List and OnlineDeployments_Get for each', async () => {
    const { items: endpoints, pages } = await checkPages('OnlineEndpoints_List', `${WS}/onlineEndpoints?${API}`);
    expect(pages).toBeGreaterThan(1);
    const scaleTypes = new Set<string>();
    for (const endpoint of endpoints) {
      const base = `${WS}/onlineEndpoints/${encodeURIComponent(endpoint.name)}`;
      await check('OnlineEndpoints_Get', `${base}?${API}`);
      const { items: deployments } = await checkPages('OnlineDeployments_List', `${base}/deployments?${API}`);
      expect(deployments.length).toBeGreaterThan(0);
      for (const deployment of deployments) {
        const body = await check('OnlineDeployments_Get', `${base}/deployments/${encodeURIComponent(deployment.name)}?${API}`);
        scaleTypes.add(body.properties.scaleSettings?.scaleType);
      }
    }
    // Both subtypes of OnlineScaleSettings were checked by their discriminator.
    expect([...scaleTypes].sort()).toEqual(['Default', 'TargetUtilization']);
  });

  it('error bodies are ErrorResponse: 401, 400 api-version, 404 for a workspace, an endpoint, a deployment, and 429', async () => {
    const cases: Array<[string, string, Record<string, string>?]> = [
      ['ModelContainers_List', `${WS}/models?${API}`, {}],
      ['ModelContainers_List', `${WS}/models?api-version=2023-04-01`],
      ['Workspaces_Get', `${WS.replace(ws.workspace, 'no-such-workspace')}?${API}`],
      ['OnlineEndpoints_Get', `${WS}/onlineEndpoints/no-such-endpoint?${API}`],
      ['OnlineDeployments_Get', `${WS}/onlineEndpoints/${AZUREML_SEED_GAPS.failedDeployment.endpoint}/deployments/no-such-deployment?${API}`],
    ];
    for (const [operationId, path, headers] of cases) {
      const res = await call(path, ...(headers ? [headers] : []));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect({ path, problems: checkArmResponse(spec, operationId, res.status, res.body) }).toEqual({ path, problems: [] });
    }
    server.faults.failRate = 1;
    server.faults.failStatus = 429;
    try {
      const res = await call(`${WS}/onlineEndpoints?${API}`);
      expect(res.status).toBe(429);
      expect(checkArmResponse(spec, 'OnlineEndpoints_List', 429, res.body)).toEqual([]);
    } finally {
      server.faults.failRate = 0;
    }
  });

  it("a missing model's 404 is ErrorResponse, plus the inner error chain the Azure ML service adds beyond the spec", async () => {
    const res = await call(`${WS}/models/no-such-model?${API}`);
    expect(res.status).toBe(404);
    // The service's `innerError` ({"code": "NotFoundError"}) is the one departure: named here, nothing else allowed.
    expect(checkArmResponse(spec, 'ModelContainers_Get', 404, res.body)).toEqual(['$.error.innerError: not declared by ErrorDetail']);
  });
});

describe('the subset', () => {
  it("fits Microsoft's own examples for these operations (test/fixtures/azureml, from the same spec folder)", () => {
    const examples: Record<string, string> = {
      'model-container-get.json': 'ModelContainers_Get',
      'model-container-list.json': 'ModelContainers_List',
      'model-version-get.json': 'ModelVersions_Get',
      'model-version-list.json': 'ModelVersions_List',
      'online-endpoint-get.json': 'OnlineEndpoints_Get',
      'online-endpoint-list.json': 'OnlineEndpoints_List',
      'managed-online-deployment-get.json': 'OnlineDeployments_Get',
      'online-deployment-list.json': 'OnlineDeployments_List',
    };
    for (const [file, operationId] of Object.entries(examples)) {
      const body = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'azureml', file), 'utf8')).responses['200'].body;
      // The examples' nextLink is a placeholder ("string", "nextlink"), not a URL a service would send.
      if (typeof body.nextLink === 'string') body.nextLink = `https://management.azure.com${WS}/models?$skipToken=x`;
      expect({ file, problems: checkArmResponse(spec, operationId, 200, body) }).toEqual({ file, problems: [] });
    }
  });
});

describe('the check itself', () => {
  let container: any;
  let deployment: any;
  beforeAll(async () => {
    container = (await call(`${WS}/models?${API}&listViewType=All`)).body.value[0];
    const endpoint = (await call(`${WS}/onlineEndpoints?${API}`)).body.value[0];
    deployment = (await call(`${WS}/onlineEndpoints/${endpoint.name}/deployments?${API}`)).body.value[0];
  });
  const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

  it('fails on a missing required property', () => {
    const noProperties = clone(container);
    delete noProperties.properties;
    expect(checkArmResponse(spec, 'ModelContainers_Get', 200, noProperties)).toEqual(['$.properties: required, missing']);
    const noLocation = clone(deployment);
    delete noLocation.location;
    expect(checkArmResponse(spec, 'OnlineDeployments_Get', 200, noLocation)).toEqual(['$.location: required, missing']);
    const noComputeType = clone(deployment);
    delete noComputeType.properties.endpointComputeType;
    expect(checkArmResponse(spec, 'OnlineDeployments_Get', 200, noComputeType)).toEqual(['$.properties.endpointComputeType: required, missing']);
  });

  it('fails on a property the spec does not declare, at any depth', () => {
    const extra = clone(container);
    extra.properties.approvalStatus = 'Approved';
    extra.etag = 'W/"1"';
    expect(checkArmResponse(spec, 'ModelContainers_Get', 200, extra)).toEqual([
      '$.properties.approvalStatus: not declared by ModelContainer',
      '$.etag: not declared by ModelContainerResource',
    ]);
    const probe = clone(deployment);
    probe.properties.livenessProbe.port = 8080;
    expect(checkArmResponse(spec, 'OnlineDeployments_Get', 200, probe)).toEqual(['$.properties.livenessProbe.port: not declared by ProbeSettings']);
  });

  it('fails on a wrong type, enum value, format or null', () => {
    const wrong = clone(deployment);
    wrong.sku.capacity = '2';
    wrong.properties.provisioningState = 'Running';
    wrong.properties.requestSettings.requestTimeout = '5s';
    wrong.properties.egressPublicNetworkAccess = null;
    wrong.systemData.createdAt = '06/01/2025 10:00';
    expect(checkArmResponse(spec, 'OnlineDeployments_Get', 200, wrong).sort()).toEqual(
      [
        '$.sku.capacity: string, the spec says integer',
        '$.properties.provisioningState: "Running" is not one of Creating, Deleting, Scaling, Updating, Succeeded, Failed, Canceled',
        '$.properties.requestSettings.requestTimeout: "5s" is not an ISO 8601 duration (format duration)',
        '$.properties.egressPublicNetworkAccess: null, and the spec does not mark it x-nullable',
        '$.systemData.createdAt: "06/01/2025 10:00" is not an RFC 3339 date-time (format date-time)',
      ].sort(),
    );
  });

  it('tells polymorphic subtypes apart by their discriminator', () => {
    const kubernetes = clone(deployment);
    kubernetes.properties.endpointComputeType = 'Kubernetes';
    kubernetes.properties.containerResourceRequirements = { containerResourceRequests: { cpu: '1', memory: '2Gi' } };
    expect(checkArmResponse(spec, 'OnlineDeployments_Get', 200, kubernetes)).toEqual([]);
    const managed = clone(kubernetes);
    managed.properties.endpointComputeType = 'Managed';
    expect(checkArmResponse(spec, 'OnlineDeployments_Get', 200, managed)).toEqual([
      '$.properties.containerResourceRequirements: not declared by ManagedOnlineDeployment',
    ]);
    const scale = clone(deployment);
    scale.properties.scaleSettings = { scaleType: 'Default', minInstances: 1 };
    expect(checkArmResponse(spec, 'OnlineDeployments_Get', 200, scale)).toEqual(['$.properties.scaleSettings.minInstances: not declared by DefaultScaleSettings']);
  });

  it('wants pages to be {value, nextLink} with an absolute nextLink, and tags to be string maps', () => {
    expect(checkArmResponse(spec, 'ModelContainers_List', 200, { value: [], nextLink: '/models?$skipToken=x' })).toEqual(['$.nextLink: not an absolute URL']);
    expect(checkArmResponse(spec, 'ModelContainers_List', 200, { items: [] })).toEqual([
      '$.items: not declared by ModelContainerResourceArmPaginatedResult',
      '$.value: an x-ms-pageable page needs a value array (' + MFE + '#ModelContainerResourceArmPaginatedResult)',
    ]);
    expect(checkArmDefinition(spec, COMMON, 'TrackedResource', { location: 'westeurope', tags: { team: 'risk', n: 1 } })).toEqual([
      '$.tags.n: integer, the spec says string',
    ]);
  });
});
