import { generateDemoOrg } from '../../sandbox/demo-org';
import { startMlflowSandbox, type SandboxServer } from '../../sandbox/mlflow/server';

const org = generateDemoOrg({ models: 12 });
const SEARCH = '/api/2.0/mlflow/registered-models/search';
const servers: SandboxServer[] = [];

async function start(options: Partial<Parameters<typeof startMlflowSandbox>[0]> = {}): Promise<SandboxServer> {
  const server = await startMlflowSandbox({ org, instance: 'prod', ...options });
  servers.push(server);
  return server;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('auth', () => {
  it('answers basic auth like MLflow’s basic-auth app', async () => {
    const server = await start({ auth: { type: 'basic', username: 'admin', password: 's3cret' } });
    const anonymous = await fetch(server.url + SEARCH);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="mlflow"');
    expect(await anonymous.text()).toMatch(/^You are not authenticated/);

    const basic = (user: string, pass: string): Record<string, string> => ({
      authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
    });
    const wrong = await fetch(server.url + SEARCH, { headers: basic('admin', 'nope') });
    expect(wrong.status).toBe(401);
    await wrong.text();
    const right = await fetch(server.url + SEARCH, { headers: basic('admin', 's3cret') });
    expect(right.status).toBe(200);
    await right.text();
    // /health stays open, as in mlflow/server/auth.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('answers a missing or wrong bearer token with UNAUTHENTICATED', async () => {
    const server = await start({ auth: { type: 'bearer', token: 'dapi-test' } });
    const missing = await fetch(server.url + SEARCH);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error_code: 'UNAUTHENTICATED' });
    const wrong = await fetch(server.url + SEARCH, { headers: { authorization: 'Bearer other' } });
    expect(wrong.status).toBe(401);
    await wrong.text();
    const right = await fetch(server.url + SEARCH, { headers: { authorization: 'Bearer dapi-test' } });
    expect(right.status).toBe(200);
    await right.text();
  });
});

describe('faults', () => {
  it('resets connections while down, and the control API still answers', async () => {
    const server = await start({ faults: { down: true } });
    await expect(fetch(server.url + SEARCH)).rejects.toThrow();
    const stats = await (await fetch(`${server.url}/__sandbox/stats`)).json();
    expect(stats).toEqual({ total: 1, byRoute: { [`GET ${SEARCH}`]: 1 }, byOperation: {}, throttled: 0 });

    const patched = await fetch(`${server.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ down: false }) });
    expect(await patched.json()).toMatchObject({ down: false });
    expect(server.faults.down).toBe(false);
    const back = await fetch(server.url + SEARCH);
    expect(back.status).toBe(200);
    await back.text();
  });

  it('sends Retry-After with an injected 429', async () => {
    const server = await start({ faults: { failRate: 1, failStatus: 429 } });
    const res = await fetch(server.url + SEARCH);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ error_code: 'REQUEST_LIMIT_EXCEEDED' });
    expect(server.stats.throttled).toBe(1);
    server.faults.retryAfterSeconds = 7;
    const again = await fetch(server.url + SEARCH);
    expect(again.headers.get('retry-after')).toBe('7');
    await again.text();
  });

  it('fails the same requests on every run for a seed', async () => {
    const statuses = async (): Promise<number[]> => {
      const server = await start({ seed: 99, faults: { failRate: 0.5 } });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) {
        const res = await fetch(server.url + SEARCH);
        out.push(res.status);
        await res.text();
      }
      return out;
    };
    const first = await statuses();
    expect(await statuses()).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });

  it('adds latency', async () => {
    const server = await start({ faults: { latencyMs: 150 } });
    const started = Date.now();
    const res = await fetch(server.url + SEARCH);
    await res.text();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    server.faults.latencyMs = 0;
  });

  it('rejects unknown or invalid faults', async () => {
    const server = await start();
    const unknown = await fetch(`${server.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ explode: true }) });
    expect(unknown.status).toBe(400);
    await unknown.text();
    const bad = await fetch(`${server.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ failRate: 2 }) });
    expect(bad.status).toBe(400);
    await bad.text();
    expect(server.faults.failRate).toBe(0);
  });
});

describe('stats', () => {
  it('counts vendor requests per route, not control requests, and resets', async () => {
    const server = await start();
    for (const path of [SEARCH, SEARCH, '/api/2.0/mlflow/registered-models/get?name=fraud-detector']) {
      const res = await fetch(server.url + path);
      await res.text();
    }
    expect(server.stats.total).toBe(3);
    expect(server.stats.byRoute).toEqual({
      [`GET ${SEARCH}`]: 2,
      'GET /api/2.0/mlflow/registered-models/get': 1,
    });
    const viaApi = await (await fetch(`${server.url}/__sandbox/stats`)).json();
    expect(viaApi).toEqual({ total: 3, byRoute: server.stats.byRoute, byOperation: {}, throttled: 0 });

    const held = server.stats;
    await (await fetch(`${server.url}/__sandbox/stats/reset`, { method: 'POST' })).text();
    expect(held.total).toBe(0);
    expect(held.byRoute).toEqual({});
    server.stats.reset();
    expect(server.stats.total).toBe(0);
  });

  it('tells an observer of every vendor request, with its route', async () => {
    const server = await start();
    const seen: string[] = [];
    server.stats.observe = (call) => seen.push(call.route);
    await (await fetch(server.url + SEARCH)).text();
    await (await fetch(`${server.url}/__sandbox/stats`)).text();
    expect(seen).toEqual([`GET ${SEARCH}`]);
  });
});
