import { generateDemoOrg } from '../../sandbox/demo-org';
import { startMlflowSandbox, type SandboxServer } from '../../sandbox/mlflow/server';
import { checkMessage, loadMlflowProtos } from '../helpers/proto';

/**
 * The MLflow sandbox's answers to the routes the MLflow connector calls, checked against
 * MLflow's own protos (`test/fixtures/mlflow/protos/service.proto`, `model_registry.proto`):
 * each answer is its rpc's Response message, with no field the protos do not define and
 * every value of the field's type.
 */

const api = loadMlflowProtos(['service.proto', 'model_registry.proto']);
const org = generateDemoOrg();
let server: SandboxServer;

beforeAll(async () => {
  server = await startMlflowSandbox({ org, instance: 'prod' });
});
afterAll(() => server?.close());

async function call(method: 'GET' | 'POST', route: string, params: Record<string, unknown> = {}) {
  const url = new URL(`${server.url}/api/2.0${route}`);
  if (method === 'GET') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  const res = await fetch(url, method === 'POST' ? { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) } : {});
  expect(`${route} ${res.status}`).toBe(`${route} 200`);
  const body = (await res.json()) as any;
  const response = api.endpoints.get(`${method} ${route}`);
  const problems: string[] = [];
  if (!response) problems.push(`no rpc of the protos serves ${method} ${route}`);
  else checkMessage(api, response, body, route, problems);
  return { body, problems };
}

it('reads the protos: endpoints, messages and enums', () => {
  expect(api.endpoints.get('GET /mlflow/runs/get')).toBe('GetRun.Response');
  expect(api.endpoints.get('GET /mlflow/registered-models/search')).toBe('SearchRegisteredModels.Response');
  expect([...api.messages.get('RunInfo')!.keys()]).toContain('experiment_id');
  expect(api.enums.get('ModelVersionStatus')).toContain('READY');
});

it('answers every route the connector calls as the protos define it', async () => {
  const problems: string[] = [];
  const experiments = await call('POST', '/mlflow/experiments/search', { max_results: 100 });
  problems.push(...experiments.problems);
  const experimentId = experiments.body.experiments[0].experiment_id;
  problems.push(...(await call('GET', '/mlflow/experiments/get', { experiment_id: experimentId })).problems);
  const runs = await call('POST', '/mlflow/runs/search', { experiment_ids: [experimentId], max_results: 100 });
  problems.push(...runs.problems);
  problems.push(...(await call('GET', '/mlflow/runs/get', { run_id: runs.body.runs[0].info.run_id })).problems);

  const models = await call('GET', '/mlflow/registered-models/search', { max_results: 100 });
  problems.push(...models.problems);
  const withAlias = models.body.registered_models.find((m: any) => m.aliases?.length) ?? models.body.registered_models[0];
  const name = withAlias.name as string;
  problems.push(...(await call('GET', '/mlflow/registered-models/get', { name })).problems);
  problems.push(...(await call('POST', '/mlflow/registered-models/get-latest-versions', { name })).problems);
  const versions = await call('GET', '/mlflow/model-versions/search', { filter: `name='${name}'`, max_results: 100 });
  problems.push(...versions.problems);
  problems.push(...(await call('GET', '/mlflow/model-versions/get', { name, version: versions.body.model_versions[0].version })).problems);
  if (withAlias.aliases?.length) {
    problems.push(...(await call('GET', '/mlflow/registered-models/alias', { name, alias: withAlias.aliases[0].alias })).problems);
  }
  expect(withAlias.aliases?.length).toBeGreaterThan(0);
  expect(problems).toEqual([]);
});

it('the check fails on a field the message does not have, or a value of another type', () => {
  const problems: string[] = [];
  checkMessage(api, 'GetRegisteredModel.Response', { registered_model: { name: 3, approval: 'x', latest_versions: [{ status: 'DONE' }] } }, 'r', problems);
  expect(problems).toEqual([
    'r.registered_model.name: number, the proto says string',
    'r.registered_model.approval: not a field of RegisteredModel',
    'r.registered_model.latest_versions[0].status: "DONE" is not a value of ModelVersionStatus',
  ]);
});
