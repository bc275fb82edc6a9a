import { generateDemoOrg } from '../../sandbox/demo-org';
import type { SandboxServer } from '../../sandbox/mlflow/server';
import { startVertexSandbox, VERTEX_SANDBOX_LOCATION, VERTEX_SANDBOX_PROJECT, VERTEX_SANDBOX_TOKEN } from '../../sandbox/vertex';
import { checkDiscoveryResponse, loadDiscovery } from '../helpers/discovery';

/**
 * The Vertex AI sandbox's answers to the methods the Vertex connector calls (models.list,
 * models.listVersions, models.get with and without `@version`, endpoints.list, endpoints.get),
 * checked against Google's discovery document for aiplatform v1
 * (`test/fixtures/vertex/aiplatform-v1-excerpt.json`).
 */

const doc = loadDiscovery('vertex/aiplatform-v1-excerpt.json');
const PARENT = `/v1/projects/${VERTEX_SANDBOX_PROJECT}/locations/${VERTEX_SANDBOX_LOCATION}`;
let server: SandboxServer;

beforeAll(async () => {
  server = await startVertexSandbox({ org: generateDemoOrg(), instance: 'prod' });
});
afterAll(() => server?.close());

async function check(path: string) {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${VERTEX_SANDBOX_TOKEN}` } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as any;
  return { body, ...checkDiscoveryResponse(doc, 'GET', path.replace(/\?.*$/, ''), body) };
}

it('answers every method the connector calls as the discovery document describes it', async () => {
  const models = await check(`${PARENT}/models?pageSize=100`);
  expect(models.method).toBe('projects.locations.models.list');
  expect(models.problems).toEqual([]);
  expect(models.body.models.length).toBeGreaterThan(0);

  const id = (models.body.models[0].name as string).split('/').pop()!;
  const versions = await check(`${PARENT}/models/${id}:listVersions?pageSize=100`);
  expect(versions).toMatchObject({ method: 'projects.locations.models.listVersions', problems: [] });
  expect(await check(`${PARENT}/models/${id}`)).toMatchObject({ method: 'projects.locations.models.get', problems: [] });
  const version = versions.body.models[0].versionId as string;
  expect(await check(`${PARENT}/models/${id}@${version}`)).toMatchObject({ method: 'projects.locations.models.get', problems: [] });

  const endpoints = await check(`${PARENT}/endpoints?pageSize=100`);
  expect(endpoints).toMatchObject({ method: 'projects.locations.endpoints.list', problems: [] });
  const endpointId = (endpoints.body.endpoints[0].name as string).split('/').pop()!;
  expect(await check(`${PARENT}/endpoints/${endpointId}`)).toMatchObject({ method: 'projects.locations.endpoints.get', problems: [] });
});

it('the check fails on a field the document does not declare, or of another type', () => {
  const { problems } = checkDiscoveryResponse(doc, 'GET', `${PARENT}/models/1`, { displayName: 3, approval: 'APPROVED' });
  expect(problems).toEqual(['response.displayName: number, the document says string', 'response.approval: not a property of GoogleCloudAiplatformV1Model']);
});
