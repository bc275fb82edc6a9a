import Redis from 'ioredis';
import { ConfigError } from '../../config/load';
import { configSchema } from '../../config/schema';
import { createLogger } from '../../connectors/core/logger';
import { hashApiKey } from '../../gateway/auth/authenticate';
import { checkExposure } from '../../gateway/exposure';
import { createRateLimiter } from '../../gateway/rate-limit';
import { startStack, type Stack } from '../../gateway/stack';
import { sandboxConfig, startSandbox, type Sandbox } from '../../sandbox';
import { PeopleDirectory } from '../../subgraphs/common/identity';

/**
 * The gateway's own rules around the graph: what a refused request looks like, who sees
 * readiness detail, how errors read without `debug`, the rate limit, the audit line, and
 * which configurations refuse to start.
 */

const ADMIN = 'mgk_admin-key-0000000000000000000000000000';
const READER = 'mgk_reader-key-000000000000000000000000000';

let sandbox: Sandbox;
let stack: Stack;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  sandbox = await startSandbox({ models: 8 });
  const demo = sandboxConfig(sandbox);
  const config = configSchema.parse({
    server: {
      port: 0,
      auth: {
        mode: 'required',
        apiKeys: [
          { name: 'ops', hash: hashApiKey(ADMIN), scopes: ['admin', 'jira:read', 'mlflow:read'] },
          { name: 'portal', hash: hashApiKey(READER), scopes: ['jira:read'] },
        ],
      },
      rateLimit: { requestsPerMinute: 1000 },
    },
    // The audit line's cache counts below are the test's queries' alone.
    cache: { warmUp: false },
    sources: demo.sources,
  });
  const logger = createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) });
  stack = await startStack(config, logger, { people: PeopleDirectory.fromData(demo.peopleAliases) });
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

async function post(body: unknown, headers: Record<string, string> = { 'x-api-key': READER }) {
  const res = await fetch(stack.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { data?: any; errors?: any[] } };
}

describe('request-shape errors are 400, never 500', () => {
  it.each([
    ['several operations and no operationName', { query: 'query A { __typename } query B { __typename }' }, /operationName/],
    ['an unknown operationName', { query: 'query A { __typename }', operationName: 'B' }, /no operation named "B"/],
    ['a subscription', { query: 'subscription S { __typename }' }, /subscription/i],
    ['invalid JSON', '{"query": ', /not valid JSON/],
  ])('%s', async (_name, body, message) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(message);
  });
});

describe('errors tell the client what failed, never where it runs', () => {
  it('names a dead subgraph, with no URL, socket error or stack trace', async () => {
    await stack.subgraphs.jira.close();
    const res = await post({ query: '{ model(key: "fraud-detector") { key tickets { key } } }' });
    expect(res.status).toBe(200);
    expect(res.body.data.model.key).toBe('fraud-detector');
    const error = res.body.errors!.find((e) => e.extensions.code === 'SUBGRAPH_UNAVAILABLE');
    expect(error).toMatchObject({ message: 'subgraph "jira" is unavailable', extensions: { subgraph: 'jira' } });
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|stacktrace|\/work\//);
  });

  it('gives readiness detail to an admin only', async () => {
    const anonymous = await fetch(`${stack.gateway.url}/readyz`);
    expect(anonymous.status).toBe(503);
    expect(await anonymous.json()).toEqual({ status: 'unavailable' });
    const admin = await fetch(`${stack.gateway.url}/readyz`, { headers: { 'x-api-key': ADMIN } });
    const detail = (await admin.json()) as { subgraphs: Array<{ name: string; ok: boolean; url?: string }> };
    expect(detail.subgraphs.find((s) => s.name === 'jira')).toEqual({ name: 'jira', ok: false, error: 'unreachable' });
    expect(JSON.stringify(detail)).not.toMatch(/http:/);
  });
});

describe('the audit line', () => {
  it('says who asked what (by hash), how it went and what it cost; never variables or keys', async () => {
    lines.length = 0;
    await post({ query: 'query Audited($k: ID!) { model(key: $k) { key } }', variables: { k: 'secret-model-name' }, operationName: 'Audited' });
    const audit = lines.find((l) => l.msg === 'graphql operation' && l.operationName === 'Audited');
    expect(audit).toMatchObject({
      caller: 'apiKey:portal',
      outcome: 'ok',
      status: 200,
      documentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      upstreamCalls: expect.any(Number),
      durationMs: expect.any(Number),
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('secret-model-name');
    expect(text).not.toContain(READER);
  });

  it('counts cache hits and misses, and errors by the source or subgraph that caused them', async () => {
    const query = { query: 'query Cached { model(key: "churn-predictor") { key registered { name } tickets { key } } }' };
    lines.length = 0;
    await post(query, { 'x-api-key': READER, 'x-request-id': 'audit-cold' });
    await post(query, { 'x-api-key': READER, 'x-request-id': 'audit-warm' });
    const cold = lines.find((l) => l.requestId === 'audit-cold');
    const warm = lines.find((l) => l.requestId === 'audit-warm');
    expect(cold).toMatchObject({ operationName: 'Cached', cacheMisses: expect.any(Number), upstreamCalls: expect.any(Number) });
    expect(cold!.cacheMisses).toBeGreaterThan(0);
    // The same question again: answered from the cache, at no upstream cost.
    expect(warm).toMatchObject({ upstreamCalls: 0, cacheMisses: 0 });
    expect(warm!.cacheHits).toBeGreaterThan(0);
    // The jira subgraph was closed above: its field fails, and the line says whose fault it was.
    expect(warm).toMatchObject({ outcome: 'partial', errorsBySource: { 'subgraph:jira': 1 } });
  });

  it('echoes a plausible x-request-id and replaces any other with a fresh one', async () => {
    const mine = await post({ query: '{ __typename }' }, { 'x-api-key': READER, 'x-request-id': 'portal-42.a:b' });
    expect(mine.headers.get('x-request-id')).toBe('portal-42.a:b');
    const hostile = await post({ query: '{ __typename }' }, { 'x-api-key': READER, 'x-request-id': 'a "b" <c>;'.repeat(20) });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await post({ query: '{ __typename }' }, { 'x-request-id': 'no-key-1' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toBe('no-key-1');
  });

  it('writes a refused request too', async () => {
    lines.length = 0;
    await post({ query: '{ __typename }' }, {});
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'graphql operation', outcome: 'refused', status: 401 }));
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the limit, per client', async () => {
    const limiter = createRateLimiter({ requestsPerMinute: 3 })!;
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.take('key:a'));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(results[3]).toMatchObject({ ok: false, limit: 3, retryAfterSeconds: expect.any(Number) });
    expect((await limiter.take('key:b')).ok).toBe(true);
  });

  const redisUrl = process.env.REDIS_URL;
  (redisUrl ? it : it.skip)('shares one count between replicas through Redis', async () => {
    const a = new Redis(redisUrl!);
    const b = new Redis(redisUrl!);
    const client = `key:shared-${Date.now()}`;
    try {
      // Until a client is connected its replica counts in memory (it must not hold requests up).
      await Promise.all([a.ping(), b.ping()]);
      const one = createRateLimiter({ requestsPerMinute: 4, redis: a })!;
      const two = createRateLimiter({ requestsPerMinute: 4, redis: b })!;
      const outcomes = [];
      for (let i = 0; i < 3; i++) outcomes.push((await one.take(client)).ok, (await two.take(client)).ok);
      expect(outcomes.filter(Boolean)).toHaveLength(4);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });

  it('is applied at the door: the 429 carries Retry-After and names the limit', async () => {
    const demo = sandboxConfig(sandbox);
    const limited = await startStack(
      configSchema.parse({
        server: { port: 0, auth: { mode: 'required', apiKeys: [{ name: 'x', hash: hashApiKey(READER) }] }, rateLimit: { requestsPerMinute: 2 } },
        sources: { mlflow: demo.sources.mlflow },
        logLevel: 'silent',
      }),
      createLogger({ level: 'silent' }),
    );
    try {
      const statuses = [];
      let last: Response | undefined;
      for (let i = 0; i < 3; i++) {
        last = await fetch(limited.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': READER },
          body: JSON.stringify({ query: '{ __typename }' }),
        });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await last!.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});

describe('secure by default', () => {
  const parse = (server: Record<string, unknown>) => configSchema.parse({ server });

  it('keeps the default host on loopback', () => {
    expect(parse({}).server.host).toBe('127.0.0.1');
  });

  it('refuses to serve on a reachable host without auth, and says what to write', () => {
    expect(() => checkExposure(parse({ host: '0.0.0.0' }), 'all')).toThrow(ConfigError);
    expect(() => checkExposure(parse({ host: '0.0.0.0' }), 'gateway')).toThrow(/server\.auth.*mode: none/s);
    expect(() => checkExposure(parse({ host: '0.0.0.0', auth: { mode: 'none' } }), 'all')).not.toThrow();
    expect(() => checkExposure(parse({ host: '127.0.0.1' }), 'all')).not.toThrow();
  });

  it('refuses a subgraph on a reachable host without the gateway secret, and a gateway that would send unsigned requests', () => {
    expect(() => checkExposure(parse({ host: '0.0.0.0' }), 'jira')).toThrow(/MODELGRAPH_SUBGRAPH_SECRET/);
    expect(() => checkExposure(parse({ host: '0.0.0.0', subgraphSecret: 'x'.repeat(32) }), 'jira')).not.toThrow();
    const gateway = parse({ host: '0.0.0.0', auth: { mode: 'none' } });
    expect(() => checkExposure(gateway, 'gateway', { jira: 'http://jira:4003/graphql' })).toThrow(/unsigned/);
    expect(() => checkExposure(gateway, 'gateway', { jira: 'http://127.0.0.1:4003/graphql' })).not.toThrow();
  });
});
