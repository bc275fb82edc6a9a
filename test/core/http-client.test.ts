import { inspect } from 'node:util';
import nock from 'nock';
import { HttpClient, type HttpClientOptions } from '../../connectors/core/http-client';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { createLogger } from '../../connectors/core/logger';
import { RequestScope, runInRequestScope } from '../../connectors/core/request-scope';

const BASE = 'http://upstream.test';
const TOKEN = 'tok-9f8e7d6c5b4a-SECRET';

/** nock 14 hangs on a plain-object `replyWithError`; an Error with a code works. */
function netError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

let clients: HttpClient[] = [];
let waits: number[] = [];
let logLines: string[] = [];

function client(overrides: Partial<HttpClientOptions> = {}): HttpClient {
  const c = new HttpClient({
    source: 'test:x',
    baseURL: BASE,
    headers: { Authorization: `Bearer ${TOKEN}` },
    logger: createLogger({ level: 'debug', write: (line) => logLines.push(line) }),
    // Recorded, not slept: the tests stay instant and can assert the exact waits.
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    return err as SourceError;
  }
  throw new Error('expected the request to fail');
}

beforeEach(() => {
  nock.cleanAll();
  nock.disableNetConnect();
  waits = [];
  logLines = [];
});

afterEach(() => {
  for (const c of clients) c.close();
  clients = [];
  // Every expected call happened, and no more than expected.
  expect(nock.activeMocks()).toEqual([]);
});

afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  // nock patches node's http module for the whole jest worker; later test files in the
  // same worker talk to real loopback servers and must get it back unpatched.
  nock.restore();
});

describe('HttpClient requests', () => {
  it('sends array params as repeated keys, drops undefined ones, and returns the parsed body', async () => {
    let rawPath = '';
    nock(BASE)
      .get((uri) => uri.startsWith('/api/2.0/mlflow/runs/search'))
      .reply(function () {
        rawPath = this.req.path;
        return [200, { runs: [{ info: { run_id: 'r1' } }] }];
      });

    const data = await client().get<{ runs: unknown[] }>('/api/2.0/mlflow/runs/search', {
      experiment_ids: ['1', 2],
      max_results: 10,
      filter: 'metrics.acc > 0.9',
      active: true,
      page_token: undefined,
    });

    expect(rawPath).toBe(
      '/api/2.0/mlflow/runs/search?experiment_ids=1&experiment_ids=2&max_results=10&filter=metrics.acc+%3E+0.9&active=true',
    );
    expect(data).toEqual({ runs: [{ info: { run_id: 'r1' } }] });
  });

  it('sends the configured Authorization header and per-request headers', async () => {
    nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}`, 'x-request': 'yes', accept: 'application/json' } })
      .get('/ping')
      .reply(200, { ok: true });

    const res = await client().request<{ ok: boolean }>({ method: 'GET', path: '/ping', headers: { 'X-Request': 'yes' } });

    expect(res).toMatchObject({ status: 200, data: { ok: true } });
    expect(res.headers['content-type']).toMatch(/json/);
  });

  it('POSTs the body as JSON', async () => {
    nock(BASE)
      .post('/search', { filter: 'name = "x"', max_results: 5 })
      .matchHeader('content-type', /application\/json/)
      .reply(200, { models: [] });

    await expect(client().post('/search', { filter: 'name = "x"', max_results: 5 })).resolves.toEqual({ models: [] });
  });

  it('returns 304 and empty bodies as undefined data', async () => {
    nock(BASE).get('/etag').reply(304);
    nock(BASE).delete('/thing').reply(204);

    const c = client();
    await expect(c.request({ method: 'GET', path: '/etag' })).resolves.toMatchObject({ status: 304, data: undefined });
    await expect(c.request({ method: 'DELETE', path: '/thing' })).resolves.toMatchObject({ status: 204, data: undefined });
  });
});

describe('HttpClient after close()', () => {
  it('sends nothing more: background work still running at shutdown fails at once, naming the source', async () => {
    const c = client();
    const scope = nock(BASE).get('/after').reply(200, { ok: true });
    c.close();
    const err = await failure(c.get('/after'));
    expect(err).toMatchObject({ source: 'test:x', code: SourceErrorCode.SOURCE_UNAVAILABLE });
    expect(err.message).toBe('test:x: closed: the process is shutting down');
    expect(scope.isDone()).toBe(false);
    nock.cleanAll();
  });
});

describe('HttpClient errors', () => {
  it('maps a 404 to SOURCE_NOT_FOUND with the vendor code and message', async () => {
    nock(BASE)
      .get('/runs/get')
      .query({ run_id: 'abc' })
      .reply(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Run 'abc' not found" });

    const err = await failure(client().get('/runs/get', { run_id: 'abc' }));

    expect(err).toMatchObject({
      source: 'test:x',
      code: SourceErrorCode.SOURCE_NOT_FOUND,
      status: 404,
      upstreamCode: 'RESOURCE_DOES_NOT_EXIST',
      attempts: 1,
    });
    expect(err.message).toBe("test:x: HTTP 404 RESOURCE_DOES_NOT_EXIST: Run 'abc' not found");
    expect(waits).toEqual([]);
  });

  it.each([
    [401, SourceErrorCode.SOURCE_UNAUTHENTICATED],
    [403, SourceErrorCode.SOURCE_FORBIDDEN],
    [400, SourceErrorCode.SOURCE_BAD_REQUEST],
    [500, SourceErrorCode.SOURCE_UNAVAILABLE],
  ])('maps HTTP %i to %s without retrying', async (status, code) => {
    nock(BASE).get('/x').reply(status, { message: 'nope' });

    const err = await failure(client().get('/x'));

    expect(err).toMatchObject({ code, status, attempts: 1 });
    expect(err.message).toBe(`test:x: HTTP ${status}: nope`);
  });

  it('uses the status text when the error body is an HTML page', async () => {
    nock(BASE).get('/x').reply(502, '<html><body>Bad Gateway</body></html>', { 'Content-Type': 'text/html' });

    const err = await failure(client({ retry: { maxAttempts: 1 } }).get('/x'));

    expect(err.message).toBe('test:x: HTTP 502: Bad Gateway');
  });

  it('turns a 200 that is not JSON (an SSO login page) into SOURCE_BAD_RESPONSE', async () => {
    nock(BASE).get('/x').reply(200, '<html>Sign in</html>', { 'Content-Type': 'text/html' });

    const err = await failure(client().get('/x'));

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_BAD_RESPONSE, status: 200 });
    expect(err.message).toMatch(/^test:x: HTTP 200 with a body that is not JSON \(content-type text\/html/);
  });
});

describe('HttpClient retries', () => {
  it('waits exactly Retry-After seconds after a 429, then succeeds', async () => {
    nock(BASE).get('/x').reply(429, { message: 'slow down' }, { 'Retry-After': '2' });
    nock(BASE).get('/x').reply(200, { ok: 1 });

    await expect(client().get('/x')).resolves.toEqual({ ok: 1 });

    expect(waits).toEqual([2000]);
    const warn = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'retrying upstream request');
    expect(warn).toMatchObject({ level: 'warn', source: 'test:x', method: 'GET', path: '/x', status: 429, attempt: 1, delayMs: 2000 });
  });

  it("names the GraphQL request a retry belongs to, so it joins that request's log line", async () => {
    nock(BASE).get('/x').reply(503);
    nock(BASE).get('/x').reply(200, { ok: 1 });

    const scope = new RequestScope({ requestId: 'portal-7f3a' });
    await expect(runInRequestScope(scope, () => client().get('/x'))).resolves.toEqual({ ok: 1 });

    const warn = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'retrying upstream request');
    expect(warn).toMatchObject({ requestId: 'portal-7f3a', status: 503 });
  });

  it('honours Retry-After given as an HTTP-date', async () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    nock(BASE).get('/x').reply(503, '', { 'Retry-After': new Date(now + 3000).toUTCString() });
    nock(BASE).get('/x').reply(200, { ok: 1 });

    await expect(client({ now: () => now }).get('/x')).resolves.toEqual({ ok: 1 });

    expect(waits).toEqual([3000]);
  });

  it('retries a 503 maxAttempts times with jittered exponential backoff, then throws SOURCE_UNAVAILABLE', async () => {
    nock(BASE)
      .get('/x')
      .times(4)
      .reply(503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'try later' });

    const err = await failure(client().get('/x'));

    expect(err).toMatchObject({
      source: 'test:x',
      code: SourceErrorCode.SOURCE_UNAVAILABLE,
      status: 503,
      upstreamCode: 'TEMPORARILY_UNAVAILABLE',
      attempts: 4,
    });
    expect(err.message).toBe('test:x: HTTP 503 TEMPORARILY_UNAVAILABLE: try later (after 4 attempts)');
    // random() = 0.5 of caps 200, 400, 800.
    expect(waits).toEqual([100, 200, 400]);
    expect(logLines.filter((l) => l.includes('retrying upstream request'))).toHaveLength(3);
  });

  it('caps each backoff at maxDelayMs', async () => {
    nock(BASE).get('/x').times(4).reply(502);

    await failure(client({ random: () => 0.999, retry: { baseDelayMs: 1000, maxDelayMs: 1500 } }).get('/x'));

    expect(waits).toEqual([999, 1498, 1498]);
  });

  it('does not retry a non-idempotent POST', async () => {
    nock(BASE).post('/runs/create').reply(503, { message: 'down' });

    const err = await failure(client().post('/runs/create', { name: 'r' }));

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, status: 503, attempts: 1 });
    expect(waits).toEqual([]);
  });

  it('retries a POST marked idempotent (a read-only search)', async () => {
    nock(BASE).post('/runs/search').reply(503);
    nock(BASE).post('/runs/search').reply(200, { runs: [] });

    await expect(client().post('/runs/search', {}, { idempotent: true })).resolves.toEqual({ runs: [] });
    expect(waits).toEqual([100]);
  });

  it('gives up at once with SOURCE_RATE_LIMITED when Retry-After exceeds the budget', async () => {
    nock(BASE).get('/x').reply(429, { message: 'quota' }, { 'Retry-After': '20' });

    const err = await failure(client().get('/x'));

    expect(err).toMatchObject({
      code: SourceErrorCode.SOURCE_RATE_LIMITED,
      status: 429,
      retryAfterMs: 20_000,
      attempts: 1,
    });
    expect(err.message).toMatch(/^test:x: HTTP 429: quota \(a retry in 20000 ms would exceed the 15000 ms budget\)$/);
    expect(waits).toEqual([]);
  });

  it('keeps the total time within budgetMs', async () => {
    let clock = 0;
    nock(BASE).get('/x').times(2).reply(503);

    const err = await failure(
      client({
        now: () => clock,
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
        random: () => 0.99,
        retry: { maxAttempts: 10, baseDelayMs: 400, budgetMs: 1000 },
      }).get('/x'),
    );

    // 396 ms fit in the budget; the next 792 ms would not (604 left).
    expect(waits).toEqual([396]);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, status: 503, attempts: 2 });
  });

  it('retries network errors (ECONNRESET, ECONNREFUSED) and succeeds', async () => {
    nock(BASE).get('/x').replyWithError(netError('ECONNRESET', 'socket hang up'));
    nock(BASE).get('/x').replyWithError(netError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443'));
    nock(BASE).get('/x').reply(200, { ok: 1 });

    await expect(client().get('/x')).resolves.toEqual({ ok: 1 });

    expect(waits).toEqual([100, 200]);
    const warns = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'retrying upstream request');
    expect(warns.map((w) => w.error)).toEqual(['ECONNRESET', 'ECONNREFUSED']);
  });

  it('throws SOURCE_UNAVAILABLE when the network errors persist', async () => {
    nock(BASE).get('/x').times(4).replyWithError(netError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443'));

    const err = await failure(client().get('/x'));

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, attempts: 4, status: undefined });
    expect(err.message).toBe('test:x: network error (ECONNREFUSED) (after 4 attempts)');
    expect(String(err.cause)).toBe('Error: connect ECONNREFUSED 10.0.0.1:443');
  });

  it('does not retry errors a retry cannot fix (DNS)', async () => {
    nock(BASE).get('/x').replyWithError(netError('ENOTFOUND', 'getaddrinfo ENOTFOUND upstream.test'));

    const err = await failure(client().get('/x'));

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, attempts: 1 });
    expect(waits).toEqual([]);
  });

  it('times out each attempt and throws SOURCE_TIMEOUT', async () => {
    nock(BASE).get('/slow').times(2).delay(1000).reply(200, { late: true });

    const started = Date.now();
    const err = await failure(client({ timeoutMs: 50, retry: { maxAttempts: 2 } }).get('/slow'));

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_TIMEOUT, attempts: 2 });
    expect(err.message).toBe('test:x: no response within 50 ms (after 2 attempts)');
    expect(Date.now() - started).toBeLessThan(900);
    expect(waits).toEqual([100]);
  });
});

describe('HttpClient secrets', () => {
  function expectNoSecret(err: SourceError, secrets: string[]): void {
    const surfaces = [err.message, String(err.cause), JSON.stringify(err), inspect(err, { depth: 10 }), logLines.join('\n')];
    for (const secret of secrets) {
      for (const surface of surfaces) expect(surface).not.toContain(secret);
    }
    // The cause is a plain Error, never the AxiosError with its request config and headers.
    const cause = err.cause as Record<string, unknown> | undefined;
    expect([cause?.config, cause?.request, cause?.response]).toEqual([undefined, undefined, undefined]);
  }

  it('redacts a bearer token echoed by the upstream, in errors and in logs', async () => {
    nock(BASE).get('/x').times(2).reply(503, { message: `token ${TOKEN} is throttled` });
    nock(BASE).get('/x').replyWithError(netError('ECONNRESET', `reset while sending Authorization: Bearer ${TOKEN}`));
    nock(BASE).get('/x').reply(401, { error_code: 'UNAUTHENTICATED', message: `invalid token ${TOKEN}` });

    const err = await failure(client().get('/x'));

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_UNAUTHENTICATED, status: 401, attempts: 4 });
    expect(err.message).toBe('test:x: HTTP 401 UNAUTHENTICATED: invalid token [REDACTED] (after 4 attempts)');
    expect(logLines.length).toBeGreaterThan(0);
    expectNoSecret(err, [TOKEN]);
  });

  it('redacts the cause of a network failure', async () => {
    nock(BASE).get('/x').replyWithError(netError('ECONNRESET', `socket hang up for https://bot:${TOKEN}@upstream.test/x`));

    const err = await failure(client({ retry: { maxAttempts: 1 } }).get('/x'));

    expect(String(err.cause)).toBe('Error: socket hang up for https://[REDACTED]@upstream.test/x');
    expectNoSecret(err, [TOKEN]);
  });

  it('redacts Basic credentials and extra secrets, and never logs query strings', async () => {
    const password = 'hunter2-pa55word';
    const apiKey = 'k3y-0123456789';
    const basic = Buffer.from(`alice:${password}`).toString('base64');
    nock(BASE, { reqheaders: { authorization: `Basic ${basic}` } })
      .get('/x')
      .query(true)
      .reply(503, { message: `user alice:${password} (${basic}) key ${apiKey}` });
    nock(BASE).get('/x').query(true).reply(400, { message: `bad key ${apiKey}; header was Basic ${basic}` });

    const err = await failure(
      client({ headers: { Authorization: `Basic ${basic}` }, secrets: [apiKey] }).get('/x', { key: apiKey }),
    );

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_BAD_REQUEST, status: 400, attempts: 2 });
    expect(logLines.join('\n')).toContain('"path":"/x"');
    expectNoSecret(err, [password, basic, apiKey]);
  });
});

describe('HttpClient concurrency', () => {
  it('keeps at most maxConcurrency requests in flight, and queues the rest', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    nock(BASE)
      .get('/x')
      .query(true)
      .times(7)
      .reply(async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 25));
        inFlight--;
        return [200, { ok: true }];
      });

    const c = client({ maxConcurrency: 3 });
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => c.get('/x', { i })));

    expect(results).toHaveLength(7);
    expect(maxInFlight).toBe(3);
  });

  it('counts the wait for a slot against the budget', async () => {
    let clock = 0;
    nock(BASE)
      .get('/hog')
      .reply(async () => {
        // The first request holds the only slot for 20 s of (fake) time.
        clock += 20_000;
        return [200, { hog: true }];
      });

    const c = client({ maxConcurrency: 1, now: () => clock });
    const [hog, queued] = await Promise.allSettled([c.get('/hog'), c.get('/queued')]);

    expect(hog).toEqual({ status: 'fulfilled', value: { hog: true } });
    expect(queued.status).toBe('rejected');
    const err = (queued as PromiseRejectedResult).reason as SourceError;
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_TIMEOUT, attempts: 0 });
    expect(err.message).toBe('test:x: the 15000 ms budget ran out while waiting for a connection slot');
  });

  it('does not hold a slot during a backoff sleep', async () => {
    let release!: () => void;
    const sleeping = new Promise<void>((resolve) => (release = resolve));
    nock(BASE).get('/retry').reply(503);
    nock(BASE).get('/retry').reply(200, { second: true });
    nock(BASE).get('/other').reply(200, { other: true });

    const c = client({
      maxConcurrency: 1,
      sleep: async (ms) => {
        waits.push(ms);
        await sleeping;
      },
    });
    const retrying = c.get('/retry');
    // With the only slot free during the backoff, another request completes meanwhile.
    while (waits.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await expect(c.get('/other')).resolves.toEqual({ other: true });
    release();
    await expect(retrying).resolves.toEqual({ second: true });
  });
});

describe('HttpClient construction', () => {
  it('fails at start-up on a bad baseURL without quoting it', () => {
    expect(() => new HttpClient({ source: 'test:x', baseURL: `not a url ${TOKEN}` })).toThrow(
      /^test:x: baseURL is not an absolute URL$/,
    );
  });
});

describe('HttpClient classifyResponse (vendor rules for error responses)', () => {
  const rateLimited = { retryable: true, delayMs: 1_500, code: SourceErrorCode.SOURCE_RATE_LIMITED } as const;

  it('retries a response the default rules would not (a 403), waiting the classified delay', async () => {
    nock(BASE).get('/x').reply(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0' });
    nock(BASE).get('/x').reply(200, { ok: 1 });
    const seen: Array<{ status: number; remaining?: string; body: unknown; now: number }> = [];

    const c = client({
      now: () => 5_000,
      classifyResponse: (res, now) => {
        seen.push({ status: res.status, remaining: res.headers['x-ratelimit-remaining'], body: res.body, now });
        return rateLimited;
      },
    });

    await expect(c.get('/x')).resolves.toEqual({ ok: 1 });
    expect(waits).toEqual([1_500]);
    expect(seen).toEqual([{ status: 403, remaining: '0', body: { message: 'API rate limit exceeded' }, now: 5_000 }]);
  });

  it('fails at once with the classified code and delay when the delay exceeds the budget', async () => {
    nock(BASE).get('/x').reply(403, { message: 'API rate limit exceeded' });

    const err = await failure(
      client({ classifyResponse: () => ({ ...rateLimited, delayMs: 600_000 }) }).get('/x'),
    );

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_RATE_LIMITED, status: 403, retryAfterMs: 600_000, attempts: 1 });
    expect(err.message).toBe(
      'test:x: HTTP 403: API rate limit exceeded (a retry in 600000 ms would exceed the 15000 ms budget)',
    );
    expect(waits).toEqual([]);
  });

  it('does not retry what the classifier calls final, and uses its code', async () => {
    nock(BASE).get('/x').reply(429, { message: 'no' });

    const err = await failure(
      client({ classifyResponse: () => ({ retryable: false, code: SourceErrorCode.SOURCE_FORBIDDEN }) }).get('/x'),
    );

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_FORBIDDEN, status: 429, attempts: 1 });
    expect(waits).toEqual([]);
  });

  it('still stops at maxAttempts for classified retries', async () => {
    nock(BASE).get('/x').times(2).reply(403, { message: 'slow down' });

    const err = await failure(client({ retry: { maxAttempts: 2 }, classifyResponse: () => rateLimited }).get('/x'));

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_RATE_LIMITED, attempts: 2, retryAfterMs: 1_500 });
    expect(waits).toEqual([1_500]);
  });

  it('falls back to Retry-After, then backoff, when a retryable verdict names no delay', async () => {
    nock(BASE).get('/x').reply(403, {}, { 'Retry-After': '4' });
    nock(BASE).get('/x').reply(403, {});
    nock(BASE).get('/x').reply(200, { ok: 1 });

    await expect(client({ classifyResponse: () => ({ retryable: true }) }).get('/x')).resolves.toEqual({ ok: 1 });
    // Retry-After 4 s, then the second backoff step (random 0.5 of 400).
    expect(waits).toEqual([4_000, 200]);
  });

  it('leaves responses it returns undefined for, or throws on, to the default rules', async () => {
    nock(BASE).get('/a').reply(429, {}, { 'Retry-After': '1' });
    nock(BASE).get('/a').reply(200, { ok: 'a' });
    nock(BASE).get('/b').reply(503);
    nock(BASE).get('/b').reply(200, { ok: 'b' });
    nock(BASE).get('/c').reply(403, { message: 'nope' });

    await expect(client({ classifyResponse: () => undefined }).get('/a')).resolves.toEqual({ ok: 'a' });
    const throwing = client({
      classifyResponse: () => {
        throw new Error('classifier bug');
      },
    });
    await expect(throwing.get('/b')).resolves.toEqual({ ok: 'b' });
    expect(await failure(throwing.get('/c'))).toMatchObject({ code: SourceErrorCode.SOURCE_FORBIDDEN, attempts: 1 });
    expect(waits).toEqual([1_000, 100]);
  });

  it('is not consulted for successes or 304', async () => {
    nock(BASE).get('/x').reply(304);
    const classifyResponse = jest.fn(() => rateLimited);

    await expect(client({ classifyResponse }).request({ method: 'GET', path: '/x' })).resolves.toMatchObject({ status: 304 });
    expect(classifyResponse).not.toHaveBeenCalled();
  });
});
