import { sagemakerInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceErrorCode } from '../../connectors/core/errors';
import { SourceHealthRegistry, type SourceHealth } from '../../connectors/core/source-health';
import { SagemakerConnector } from '../../connectors/sagemaker';
import { generateDemoOrg } from '../../sandbox/demo-org';
import { startSagemakerSandbox } from '../../sandbox';
import type { SagemakerSandboxServer } from '../../sandbox/sagemaker';

/**
 * The SageMaker connector calls through the AWS SDK, not the HttpClient: its health is
 * recorded by SDK middleware. Against the sandbox on 127.0.0.1, real SigV4 requests and
 * the SDK's own retry loop.
 */

const KEY_ID = 'AKIASANDBOXHEALTH001';
const SECRET = 'sandbox/health/secret/access/key/000000';
const T0 = Date.parse('2025-07-01T00:00:00Z');

let server: SagemakerSandboxServer;
const open: SagemakerConnector[] = [];

beforeAll(async () => {
  server = await startSagemakerSandbox({ org: generateDemoOrg({ models: 6 }), credentials: { accessKeyId: KEY_ID } });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.faults.down = false;
  server.stats.reset();
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

function connector(instance: Record<string, unknown> = {}, ttlSeconds = 0): { sagemaker: SagemakerConnector; health: SourceHealthRegistry } {
  const health = new SourceHealthRegistry({ now: () => T0 });
  const config = sagemakerInstanceSchema.parse({
    name: 'prod-us',
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { type: 'static', accessKeyId: KEY_ID, secretAccessKey: SECRET },
    ...instance,
  });
  const sagemaker = SagemakerConnector.fromConfig(config, {
    cache: new MemoryCache(),
    cacheDefaults: { ttlSeconds, staleSeconds: 0 },
    // Retry waits are skipped; latencies are measured on the real clock.
    clock: { sleep: async () => undefined },
    random: () => 0.5,
    health,
  });
  open.push(sagemaker);
  return { sagemaker, health };
}

function recorded(health: SourceHealthRegistry): SourceHealth {
  const all = health.snapshot();
  expect(all.map((s) => s.source)).toEqual(['sagemaker:prod-us']);
  return all[0]!;
}

describe('SageMaker health recording', () => {
  it('lists the instance before its first call, with its breaker', () => {
    const { health } = connector();
    expect(recorded(health)).toMatchObject({ kind: 'SAGEMAKER', instance: 'prod-us', reachable: null, calls: 0, circuit: 'CLOSED', rateLimit: null });
  });

  it('records a successful call with its latency', async () => {
    const { sagemaker, health } = connector();
    await sagemaker.health();
    const s = recorded(health);
    expect(s).toMatchObject({ reachable: true, calls: 1, errors: 0, lastSuccessAt: '2025-07-01T00:00:00.000Z', lastError: null, rateLimit: null });
    expect(s.latencyMs?.samples).toBe(1);
    expect(s.latencyMs!.last).toBeGreaterThanOrEqual(0);
    expect(server.stats.total).toBe(1);
  });

  it('records each attempt the SDK retries, throttled ones as SOURCE_RATE_LIMITED', async () => {
    const { sagemaker, health } = connector();
    server.throttle(2, 'ListEndpoints');
    await sagemaker.health();
    expect(server.stats.total).toBe(3);
    const s = recorded(health);
    expect(s).toMatchObject({ reachable: true, calls: 3, errors: 2, lastError: { code: SourceErrorCode.SOURCE_RATE_LIMITED } });
    expect(s.lastError!.message).toMatch(/^sagemaker:prod-us: ListEndpoints: HTTP 400 ThrottlingException: /);
    expect(s.latencyMs?.samples).toBe(3);
  });

  it('records a refusal by the open circuit as CIRCUIT_OPEN without a latency sample', async () => {
    const { sagemaker, health } = connector({ retry: { maxAttempts: 1 }, breaker: { failureThreshold: 1, resetSeconds: 60, rememberFailureSeconds: 0 } });
    server.faults.down = true;
    await expect(sagemaker.health()).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE });
    expect(recorded(health)).toMatchObject({ reachable: false, calls: 1, errors: 1, circuit: 'OPEN', lastError: { code: 'SOURCE_UNAVAILABLE' } });

    server.faults.down = false;
    const before = server.stats.total;
    await expect(sagemaker.health()).rejects.toMatchObject({ upstreamCode: 'CIRCUIT_OPEN' });
    expect(server.stats.total).toBe(before);
    const s = recorded(health);
    expect(s).toMatchObject({ reachable: false, calls: 2, errors: 2, circuit: 'OPEN', lastError: { code: 'CIRCUIT_OPEN' } });
    expect(s.latencyMs?.samples).toBe(1);
  });

  it('counts its cache lookups', async () => {
    const { sagemaker, health } = connector({}, 60);
    const first = await sagemaker.listModels();
    expect(first.length).toBeGreaterThan(0);
    await sagemaker.listModels();
    const s = recorded(health);
    expect(s.cache).toEqual({ hits: 1, misses: 1, hitRatio: 0.5 });
    expect(s.calls).toBe(server.stats.total);
    expect(JSON.stringify(health.snapshot())).not.toContain(SECRET);
  });
});
