import { configSchema, type ModelgraphConfig } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { hashApiKey } from '../../gateway/auth/authenticate';
import { readSupergraph } from '../../gateway/compose';
import { createRuntime, startGatewayFromConfig, startSubgraph, type Runtime } from '../../gateway/stack';
import { randomSecret } from '../../lib/request-signature';
import { generateDemoOrg } from '../../sandbox/demo-org';
import { startMlflowSandbox, type SandboxServer } from '../../sandbox/mlflow/server';
import type { RunningServer } from '../../subgraphs/common/http-server';

/**
 * `GET /sources` on a gateway run alone (`--role gateway`): it calls no source itself, so it
 * reads every subgraph process's signed `/sources` and merges them; with auth on, only an
 * `admin` caller may (last errors may name upstream hosts).
 */

const ADMIN_KEY = 'mg_admin-key-for-the-sources-route';
const READER_KEY = 'mg_reader-key-for-the-sources-route';
const SECRET = randomSecret();

let mlflowSandbox: SandboxServer;
let config: ModelgraphConfig;
let runtime: Runtime;
const servers: RunningServer[] = [];
let gateway: RunningServer;

beforeAll(async () => {
  mlflowSandbox = await startMlflowSandbox({ org: generateDemoOrg({ models: 3 }), instance: 'prod' });
  config = configSchema.parse({
    server: {
      port: 0,
      host: '127.0.0.1',
      auth: {
        mode: 'required',
        apiKeys: [
          { name: 'ops', hash: hashApiKey(ADMIN_KEY), scopes: ['admin'] },
          { name: 'portal', hash: hashApiKey(READER_KEY), scopes: ['mlflow:read'] },
        ],
      },
    },
    sources: {
      mlflow: [{ name: 'prod', url: mlflowSandbox.url }],
      jira: [{ name: 'corp', flavor: 'cloud', url: 'http://127.0.0.1:9', auth: { type: 'basic', email: 'svc@acme.io', apiToken: 't' } }],
    },
  });
  // The subgraph processes' registry: the gateway's process has none of its own.
  runtime = createRuntime(config, silentLogger, { subgraphSecret: SECRET });
  await runtime.mlflow[0]!.health();
  await runtime.mlflow[0]!.health();
  const mlflow = await startSubgraph('mlflow', runtime, config, { port: 0, host: '127.0.0.1' });
  servers.push(mlflow);
  const jira = await startSubgraph('jira', runtime, config, { port: 0, host: '127.0.0.1' });
  servers.push(jira);
  gateway = await startGatewayFromConfig(config, {
    supergraphSdl: readSupergraph(),
    subgraphUrls: { mlflow: `${mlflow.url}/graphql`, jira: `${jira.url}/graphql` },
    subgraphSecret: SECRET,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all(servers.map((s) => s.close()));
  await runtime?.close();
  await mlflowSandbox?.close();
});

const get = (headers: Record<string, string> = {}) => fetch(`${gateway.url}/sources`, { headers });

describe('GET /sources on the gateway', () => {
  it('refuses a caller without credentials (401) and one without the admin scope (403)', async () => {
    const anonymous = await get();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect((await get({ 'x-api-key': READER_KEY })).status).toBe(403);
  });

  it("gives an admin every configured source, with the subgraphs' counts read through signed requests", async () => {
    const res = await get({ 'x-api-key': ADMIN_KEY });
    expect(res.status).toBe(200);
    const { sources } = (await res.json()) as { sources: Array<{ name: string; calls: number; reachable: boolean | null }> };
    expect(sources.map((s) => s.name)).toEqual(['jira:corp', 'mlflow:prod']);
    const mlflow = sources.find((s) => s.name === 'mlflow:prod')!;
    const recorded = runtime.health.snapshot().find((s) => s.source === 'mlflow:prod')!;
    // Counted once: only the mlflow subgraph reports MLflow.
    expect(mlflow.calls).toBe(recorded.calls);
    expect(mlflow.calls).toBeGreaterThanOrEqual(2);
    expect(mlflow.reachable).toBe(true);
  });
});
