import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { configSchema, type ModelgraphConfig } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import type { SourceHealth } from '../../connectors/core/source-health';
import { createRuntime, startSubgraph, type Runtime } from '../../gateway/stack';
import { generateDemoOrg } from '../../sandbox/demo-org';
import { startMlflowSandbox, type SandboxServer } from '../../sandbox/mlflow/server';
import type { RunningServer } from '../../subgraphs/common/http-server';

/**
 * `GET /sources` on a subgraph process: the runtime's registry, wired by `createRuntime`
 * into every connector, as a split deployment's inventory reads it. MLflow is the sandbox on
 * 127.0.0.1; Jira points at a 127.0.0.1 port nothing listens on.
 */

const JIRA_TOKEN = 'ATATT3xFfGF0-sources-route-secret';

let mlflowSandbox: SandboxServer;
let config: ModelgraphConfig;
let runtime: Runtime;
const servers: RunningServer[] = [];

/** A loopback port that was free a moment ago and is closed now: connections are refused. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  mlflowSandbox = await startMlflowSandbox({ org: generateDemoOrg({ models: 4 }), instance: 'prod' });
  config = configSchema.parse({
    server: { port: 0, host: '127.0.0.1' },
    sources: {
      mlflow: [{ name: 'prod', url: mlflowSandbox.url }],
      jira: [
        {
          name: 'corp',
          flavor: 'cloud',
          url: `http://127.0.0.1:${await closedPort()}`,
          auth: { type: 'basic', email: 'svc@acme.io', apiToken: JIRA_TOKEN },
          retry: { maxAttempts: 1 },
        },
      ],
    },
  });
  runtime = createRuntime(config, silentLogger);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await runtime?.close();
  await mlflowSandbox?.close();
});

async function sources(server: RunningServer): Promise<{ status: number; type: string | null; body: { sources: SourceHealth[] } }> {
  const res = await fetch(`${server.url}/sources`);
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as { sources: SourceHealth[] } };
}

describe('GET /sources', () => {
  it('exposes one registry on the runtime, listing every configured source before any call', () => {
    expect(runtime.health.snapshot().map((s) => [s.source, s.reachable])).toEqual([
      ['jira:corp', null],
      ['mlflow:prod', null],
    ]);
  });

  it('answers with the health of the sources the subgraph calls, and leaves /healthz as it was', async () => {
    await runtime.mlflow[0]!.health();
    await expect(runtime.jira[0]!.health()).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE' });

    const mlflowServer = await startSubgraph('mlflow', runtime, config, { port: 0, host: '127.0.0.1' });
    servers.push(mlflowServer);
    const jiraServer = await startSubgraph('jira', runtime, config, { port: 0, host: '127.0.0.1' });
    servers.push(jiraServer);
    expect(mlflowServer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const fromMlflow = await sources(mlflowServer);
    expect(fromMlflow.status).toBe(200);
    expect(fromMlflow.type).toBe('application/json');
    expect(fromMlflow.body.sources).toHaveLength(1);
    expect(fromMlflow.body.sources[0]).toMatchObject({
      source: 'mlflow:prod',
      kind: 'MLFLOW',
      instance: 'prod',
      reachable: true,
      calls: 1,
      errors: 0,
      lastError: null,
      rateLimit: null,
      circuit: 'CLOSED',
    });
    expect(fromMlflow.body.sources[0]!.latencyMs?.samples).toBe(1);

    const fromJira = await sources(jiraServer);
    expect(fromJira.body.sources.map((s) => s.source)).toEqual(['jira:corp']);
    expect(fromJira.body.sources[0]).toMatchObject({
      reachable: false,
      calls: 1,
      errors: 1,
      lastError: { code: 'SOURCE_UNAVAILABLE', message: 'jira:corp: network error (ECONNREFUSED)' },
      circuit: 'CLOSED',
    });
    expect(JSON.stringify(fromJira.body)).not.toContain(JIRA_TOKEN);

    const healthz = await fetch(`${mlflowServer.url}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toEqual({ status: 'ok', subgraph: 'mlflow' });
  });

  it('reports calls made after the server started: the snapshot is taken per request', async () => {
    const server = await startSubgraph('mlflow', runtime, config, { port: 0, host: '127.0.0.1' });
    servers.push(server);
    const before = (await sources(server)).body.sources[0]!.calls;
    await runtime.mlflow[0]!.health();
    expect((await sources(server)).body.sources[0]!.calls).toBe(before + 1);
  });
});
