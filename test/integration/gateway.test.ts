import { configSchema } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { readSupergraph } from '../../gateway/compose';
import { createAuthenticator } from '../../gateway/auth/authenticate';
import { startGateway } from '../../gateway/server';
import { startStack, type Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';

let sandbox: Sandbox;
let stack: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ models: 8 });
  stack = await startStack(
    configSchema.parse({
      server: { port: 0, host: '127.0.0.1' },
      sources: { mlflow: Object.entries(sandbox.mlflow).map(([name, s]) => ({ name, url: s.url })) },
    }),
    silentLogger,
  );
  // /readyz answers 503 until the first warm-up round is done.
  await stack.warmedUp;
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

async function introspect(url: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
  });
  return (await res.json()) as { data?: unknown; errors?: Array<{ message: string }> };
}

describe('gateway health and policy', () => {
  it('answers /healthz and, with every subgraph up, /readyz', async () => {
    const health = await fetch(`${stack.gateway.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${stack.gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { subgraphs: Array<{ name: string; ok: boolean }> };
    expect(body.subgraphs.map((s) => [s.name, s.ok])).toEqual([
      ['inventory', true],
      ['mlflow', true],
      ['jira', true],
      ['git', true],
      ['registries', true],
    ]);
  });

  it('turns introspection off under NODE_ENV=production unless configured on', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    const started = [];
    try {
      const common = {
        supergraphSdl: readSupergraph(),
        subgraphUrls: Object.fromEntries(Object.entries(stack.subgraphs).map(([name, s]) => [name, `${s.url}/graphql`])),
        limits: configSchema.parse({}).server.limits,
        authenticator: await createAuthenticator(undefined),
        subgraphSecret: stack.runtime.subgraphSecret,
        logger: silentLogger,
      };
      const locked = await startGateway(common);
      started.push(locked);
      const refused = await introspect(`${locked.url}/graphql`);
      expect(refused.data).toBeUndefined();
      expect(refused.errors?.[0].message).toMatch(/introspection is not allowed/i);

      const open = await startGateway({ ...common, introspection: true });
      started.push(open);
      expect((await introspect(`${open.url}/graphql`)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    } finally {
      process.env.NODE_ENV = previous;
      await Promise.all(started.map((s) => s.close()));
    }
  });

  it('reports not ready, naming the subgraph, when one stops answering', async () => {
    await stack.subgraphs.mlflow.close();
    const ready = await fetch(`${stack.gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { subgraphs: Array<{ name: string; ok: boolean }> };
    expect(body.subgraphs.find((s) => s.name === 'mlflow')?.ok).toBe(false);
    expect(body.subgraphs.find((s) => s.name === 'inventory')?.ok).toBe(true);
  });
});
