import nock from 'nock';
import { useNock } from '../helpers/nock';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceCache } from '../../connectors/core/cache/source-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { HttpClient, type HttpClientOptions } from '../../connectors/core/http-client';
import {
  CIRCUIT_OPEN,
  SourceHealthRegistry,
  circuitState,
  parseSourceName,
  type SourceHealthRecorder,
} from '../../connectors/core/source-health';

const T0 = Date.parse('2025-06-01T12:00:00.000Z');

function registry(): { health: SourceHealthRegistry; clock: { t: number } } {
  const clock = { t: T0 };
  return { health: new SourceHealthRegistry({ now: () => clock.t }), clock };
}

function only(health: SourceHealthRegistry) {
  const [entry, ...rest] = health.snapshot();
  expect(rest).toEqual([]);
  return entry!;
}

describe('SourceHealthRegistry', () => {
  it('hands out one recorder per source and lists sources sorted by name', () => {
    const { health } = registry();
    const prod = health.recorder('MLFLOW', 'prod');
    expect(health.recorder('MLFLOW', 'prod')).toBe(prod);
    expect(health.recorderFor('mlflow:prod')).toBe(prod);
    health.recorder('SAGEMAKER', 'prod-us');
    health.recorder('JIRA', 'corp');
    health.recorder('MLFLOW', 'dev');
    expect(health.snapshot().map((s) => s.source)).toEqual(['jira:corp', 'mlflow:dev', 'mlflow:prod', 'sagemaker:prod-us']);
  });

  it('reports a source nobody called yet as not known', () => {
    const { health } = registry();
    health.recorder('VERTEX_AI', 'eu');
    expect(health.snapshot()).toEqual([
      {
        source: 'vertex_ai:eu',
        kind: 'VERTEX_AI',
        instance: 'eu',
        reachable: null,
        calls: 0,
        errors: 0,
        lastSuccessAt: null,
        lastErrorAt: null,
        lastError: null,
        latencyMs: null,
        cache: { hits: 0, misses: 0, hitRatio: null },
        rateLimit: null,
        circuit: null,
      },
    ]);
  });

  it('counts calls and errors, dates them, and flips reachable with the latest outcome', () => {
    const { health, clock } = registry();
    const r = health.recorder('JIRA', 'corp');
    r.recordCall({ ok: true, latencyMs: 40, status: 200 });
    expect(only(health).reachable).toBe(true);

    clock.t = T0 + 1000;
    r.recordCall({ ok: false, latencyMs: 12, status: 503, error: { code: 'SOURCE_UNAVAILABLE', message: 'jira:corp: HTTP 503: down' } });
    let s = only(health);
    expect(s.reachable).toBe(false);
    expect(s.lastSuccessAt).toBe('2025-06-01T12:00:00.000Z');
    expect(s.lastErrorAt).toBe('2025-06-01T12:00:01.000Z');
    expect(s.lastError).toEqual({ code: 'SOURCE_UNAVAILABLE', message: 'jira:corp: HTTP 503: down', at: '2025-06-01T12:00:01.000Z' });

    clock.t = T0 + 2000;
    r.recordCall({ ok: true, latencyMs: 30, status: 200 });
    s = only(health);
    expect(s).toMatchObject({ reachable: true, calls: 3, errors: 1, lastSuccessAt: '2025-06-01T12:00:02.000Z' });
    // The last error stays visible after recovery: it is what an operator looks for.
    expect(s.lastError?.at).toBe('2025-06-01T12:00:01.000Z');
    expect(s.latencyMs).toEqual({ last: 30, p50: 30, p95: 40, samples: 3 });
  });

  it('reports nearest-rank percentiles of the observed latencies', () => {
    const { health } = registry();
    const r = health.recorder('MLFLOW', 'prod');
    // 1..100 in a shuffled order: the summary must not depend on arrival order.
    const latencies = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    for (const ms of latencies) r.recordCall({ ok: true, latencyMs: ms });
    expect(only(health).latencyMs).toEqual({ last: latencies[99], p50: 50, p95: 95, samples: 100 });

    const small = new SourceHealthRegistry();
    const one = small.recorder('MLFLOW', 'prod');
    for (const ms of [300, 100, 200]) one.recordCall({ ok: true, latencyMs: ms });
    expect(small.snapshot()[0]!.latencyMs).toEqual({ last: 200, p50: 200, p95: 300, samples: 3 });
  });

  it('keeps only the latest 200 latencies in its ring buffer', () => {
    const { health } = registry();
    const r = health.recorder('GITHUB', 'cloud');
    // 1..250: the first 50 fall out, leaving 51..250.
    for (let ms = 1; ms <= 250; ms++) r.recordCall({ ok: true, latencyMs: ms });
    expect(only(health).latencyMs).toEqual({ last: 250, p50: 150, p95: 240, samples: 200 });
    expect(only(health).calls).toBe(250);

    // A buffer of 3 (configurable) wraps around more than once.
    const tiny = new SourceHealthRegistry({ latencySamples: 3 });
    const t = tiny.recorder('GITHUB', 'cloud');
    for (const ms of [1000, 1000, 1000, 5, 6, 7, 8]) t.recordCall({ ok: true, latencyMs: ms });
    expect(tiny.snapshot()[0]!.latencyMs).toEqual({ last: 8, p50: 7, p95: 8, samples: 3 });
  });

  it('counts a call refused by the open circuit as an error without a latency sample', () => {
    const { health } = registry();
    const r = health.recorder('GITLAB', 'com');
    r.recordCall({ ok: true, latencyMs: 10 });
    r.recordCall({ ok: false, error: { code: CIRCUIT_OPEN, message: 'gitlab:com: circuit open after 5 consecutive failures; next try in 30 s' } });
    expect(only(health)).toMatchObject({
      reachable: false,
      calls: 2,
      errors: 1,
      lastError: { code: 'CIRCUIT_OPEN' },
      latencyMs: { last: 10, p50: 10, p95: 10, samples: 1 },
    });
  });

  it('computes the cache hit ratio', () => {
    const { health } = registry();
    const r = health.recorder('MLFLOW', 'prod');
    for (const hit of [true, true, false, true]) r.recordCache(hit);
    expect(only(health).cache).toEqual({ hits: 3, misses: 1, hitRatio: 0.75 });
  });

  it('keeps the latest rate-limit reading whole, and ignores one that says nothing', () => {
    const { health } = registry();
    const r = health.recorder('GITHUB', 'cloud');
    r.recordRateLimit({ limit: 5000, remaining: 4999, resetAt: '2025-06-01T13:00:00Z', resource: 'core' });
    expect(only(health).rateLimit).toEqual({ limit: 5000, remaining: 4999, resetAt: '2025-06-01T13:00:00.000Z', resource: 'core' });
    r.recordRateLimit({ limit: 30, remaining: 12, resource: 'search' });
    expect(only(health).rateLimit).toEqual({ limit: 30, remaining: 12, resetAt: null, resource: 'search' });
    r.recordRateLimit({ resource: 'graphql' });
    r.recordRateLimit({ remaining: Number.NaN, resetAt: 'not a date' });
    expect(only(health).rateLimit).toEqual({ limit: 30, remaining: 12, resetAt: null, resource: 'search' });
  });

  it('redacts credentials a message still carries, and truncates long ones', () => {
    const { health } = registry();
    const r = health.recorder('MLFLOW', 'prod');
    r.recordCall({
      ok: false,
      error: {
        code: 'SOURCE_UNAUTHENTICATED',
        message: 'mlflow:prod: HTTP 401: token Bearer dapi0123456789abcdef refused for https://svc:hunter2@mlflow.example.com/api',
      },
    });
    const message = only(health).lastError!.message;
    expect(message).toBe('mlflow:prod: HTTP 401: token Bearer [REDACTED] refused for https://[REDACTED]@mlflow.example.com/api');
    expect(message).not.toContain('dapi0123456789abcdef');
    expect(message).not.toContain('hunter2');

    r.recordCall({ ok: false, error: { code: 'SOURCE_BAD_RESPONSE', message: 'x'.repeat(2000) } });
    expect(only(health).lastError!.message).toHaveLength(501);
  });

  it('reads the attached breaker when the snapshot is taken', () => {
    const { health } = registry();
    const r = health.recorder('AZURE_ML', 'prod');
    let state: 'closed' | 'open' | 'half-open' = 'closed';
    r.attachCircuit(() => circuitState(state));
    expect(only(health).circuit).toBe('CLOSED');
    state = 'open';
    expect(only(health).circuit).toBe('OPEN');
    state = 'half-open';
    expect(only(health).circuit).toBe('HALF_OPEN');
  });

  it('parses the names sourceName produces, and nothing else', () => {
    expect(parseSourceName('vertex_ai:eu-west')).toEqual({ kind: 'VERTEX_AI', instance: 'eu-west' });
    expect(parseSourceName('azure_ml:prod')).toEqual({ kind: 'AZURE_ML', instance: 'prod' });
    // Core reads the shape, not the list of kinds (connectors/sources.ts holds that).
    expect(parseSourceName('Vertex AI:x')).toBeUndefined();
    expect(parseSourceName('mlflow prod:x')).toBeUndefined();
    expect(parseSourceName('mlflow:')).toBeUndefined();
    expect(parseSourceName('mlflow')).toBeUndefined();
    expect(() => new SourceHealthRegistry().recorderFor('MLflow prod')).toThrow('not a source name');
    // Given the registry's kinds (as the runtime does), a misspelt kind is refused too.
    const known = new SourceHealthRegistry({ kinds: ['MLFLOW', 'VERTEX_AI'] as never });
    expect(known.recorderFor('vertex_ai:eu').kind).toBe('VERTEX_AI');
    expect(() => known.recorderFor('vertex:eu')).toThrow('"vertex:eu" is not a source name (<kind>:<instance>, the kind one of mlflow, vertex_ai)');
  });
});

// ---- through the real HttpClient -----------------------------------------------------------

describe('HttpClient recording', () => {
  const BASE = 'http://127.0.0.1:9';
  const TOKEN = 'tok-0f1e2d3c4b5a-SECRET';
  const clients: HttpClient[] = [];

  useNock();
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  function client(recorder: SourceHealthRecorder, overrides: Partial<HttpClientOptions> = {}): HttpClient {
    const c = new HttpClient({
      source: recorder.source,
      baseURL: BASE,
      headers: { Authorization: `Bearer ${TOKEN}` },
      sleep: async () => undefined,
      random: () => 0.5,
      health: recorder,
      ...overrides,
    });
    clients.push(c);
    return c;
  }

  it('records every attempt of a retried request with its status and code', async () => {
    const { health } = registry();
    const recorder = health.recorder('MLFLOW', 'prod');
    nock(BASE).get('/models').reply(503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' });
    nock(BASE).get('/models').reply(200, { models: [] });
    await expect(client(recorder).get('/models')).resolves.toEqual({ models: [] });
    const s = only(health);
    expect(s).toMatchObject({ reachable: true, calls: 2, errors: 1, circuit: 'CLOSED', rateLimit: null });
    expect(s.lastError).toMatchObject({ code: 'SOURCE_UNAVAILABLE', message: 'mlflow:prod: HTTP 503 TEMPORARILY_UNAVAILABLE: busy' });
    expect(s.latencyMs?.samples).toBe(2);
    expect(s.latencyMs!.last).toBeGreaterThanOrEqual(0);
  });

  it('records a network failure and a 200 that is not JSON as errors', async () => {
    const { health } = registry();
    const recorder = health.recorder('MLFLOW', 'prod');
    nock(BASE).get('/a').replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(client(recorder, { retry: { maxAttempts: 1 } }).get('/a')).rejects.toBeInstanceOf(SourceError);
    expect(only(health).lastError).toMatchObject({ code: 'SOURCE_UNAVAILABLE', message: 'mlflow:prod: network error (ECONNREFUSED)' });

    nock(BASE).get('/b').reply(200, '<html>sign in</html>', { 'content-type': 'text/html' });
    await expect(client(recorder).get('/b')).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_BAD_RESPONSE });
    expect(only(health)).toMatchObject({ reachable: false, calls: 2, errors: 2, lastError: { code: 'SOURCE_BAD_RESPONSE' } });
  });

  it('counts a 404 as an answered call, not an error: "not there" is an answer', async () => {
    const { health } = registry();
    const recorder = health.recorder('GITHUB', 'cloud');
    nock(BASE).get('/repos/o/r/contents/CODEOWNERS').reply(404, { message: 'Not Found' });
    await expect(client(recorder).get('/repos/o/r/contents/CODEOWNERS')).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_NOT_FOUND });
    expect(only(health)).toMatchObject({ reachable: true, calls: 1, errors: 0, lastError: null });
  });

  it('never records the token an upstream echoes back', async () => {
    const { health } = registry();
    const recorder = health.recorder('GITHUB', 'cloud');
    nock(BASE).get('/user').reply(401, { message: `Bad credentials: ${TOKEN} is not valid` });
    await expect(client(recorder).get('/user')).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_UNAUTHENTICATED });
    const { lastError } = only(health);
    expect(lastError?.message).toBe('github:cloud: HTTP 401: Bad credentials: [REDACTED] is not valid');
    expect(JSON.stringify(health.snapshot())).not.toContain(TOKEN);
  });

  it('records a call the open circuit refuses as CIRCUIT_OPEN, with no latency sample', async () => {
    const { health } = registry();
    const recorder = health.recorder('JIRA', 'corp');
    const http = client(recorder, { retry: { maxAttempts: 1 }, breaker: { failureThreshold: 1, resetAfterMs: 60_000 } });
    nock(BASE).get('/myself').reply(502, 'bad gateway');
    await expect(http.get('/myself')).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE });
    expect(only(health).circuit).toBe('OPEN');

    // No nock interceptor: the breaker must refuse without sending anything.
    await expect(http.get('/myself')).rejects.toMatchObject({ upstreamCode: 'CIRCUIT_OPEN' });
    const s = only(health);
    expect(s).toMatchObject({ reachable: false, calls: 2, errors: 2, circuit: 'OPEN', lastError: { code: 'CIRCUIT_OPEN' } });
    expect(s.lastError!.message).toMatch(/^jira:corp: circuit open after 1 consecutive failures/);
    expect(s.latencyMs?.samples).toBe(1);
  });

  it('keeps the request working when the rate-limit parser throws', async () => {
    const { health } = registry();
    const recorder = health.recorder('GITLAB', 'com');
    nock(BASE).get('/version').reply(200, { version: '17.0.0' });
    const http = client(recorder, {
      parseRateLimit: () => {
        throw new Error('boom');
      },
    });
    await expect(http.get('/version')).resolves.toEqual({ version: '17.0.0' });
    expect(only(health)).toMatchObject({ reachable: true, calls: 1, rateLimit: null });
  });
});

// ---- through a real SourceCache ------------------------------------------------------------

describe('SourceCache recording', () => {
  it('counts fresh and stale entries as hits and loads as misses', async () => {
    const { health, clock } = registry();
    const recorder = health.recorder('MLFLOW', 'prod');
    const backend = new MemoryCache({ now: () => clock.t });
    const cache = new SourceCache(backend, 'mlflow:prod', { ttlSeconds: 10, staleSeconds: 50, now: () => clock.t, health: recorder });
    let loads = 0;
    const load = async () => `v${++loads}`;

    expect(await cache.getOrLoad('k', load)).toEqual({ value: 'v1', state: 'miss' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.getOrLoad('k', load)).toEqual({ value: 'v1', state: 'hit' });
    clock.t += 20_000;
    expect(await cache.getOrLoad('k', load)).toEqual({ value: 'v1', state: 'stale' });
    await new Promise((resolve) => setImmediate(resolve));
    await expect(cache.getOrLoad('other', async () => Promise.reject(new Error('upstream down')))).rejects.toThrow('upstream down');
    expect(await cache.peek('k')).toBe('v2');
    expect(await cache.peek('absent')).toBeUndefined();

    // miss, hit, stale (hit), failed load (miss), peek found (hit), peek not found (miss).
    expect(only(health).cache).toEqual({ hits: 3, misses: 3, hitRatio: 0.5 });
    // The cache records lookups only; calls are the HTTP client's to record.
    expect(only(health).calls).toBe(0);
  });
});
