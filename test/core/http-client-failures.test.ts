import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { HttpClient, type HttpClientOptions } from '../../connectors/core/http-client';
import { RequestScope, runInRequestScope } from '../../connectors/core/request-scope';
import { SourceHealthRegistry } from '../../connectors/core/source-health';
import { readForwardedRequest } from '../../lib/caller';

/**
 * A source's failure costs once: how the HttpClient remembers it within a request and for a
 * moment across requests. Counts what reached a local server; times nothing.
 */

const SOURCE = 'jira:corp';
let server: Server;
let url: string;
/** Request paths in arrival order. */
let requests: string[];
/** Status to answer with; the server answers 200 {"ok": true} otherwise. */
let failWith: number | undefined;
/** When set, failures left before the server answers 200 (overrides failWith). */
let failuresLeft: number | undefined;
let clients: HttpClient[];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const status = failuresLeft === undefined ? (failWith ?? 200) : failuresLeft-- > 0 ? 503 : 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status === 200 ? { ok: true } : { errorMessages: ['down'] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
  failWith = undefined;
  failuresLeft = undefined;
  clients = [];
});

afterEach(() => {
  for (const c of clients) c.close();
});

function client(overrides: Partial<HttpClientOptions> = {}): HttpClient {
  const c = new HttpClient({
    source: SOURCE,
    baseURL: url,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    breaker: { failureThreshold: 1000 },
    sleep: async () => undefined,
    ...overrides,
  });
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (err) {
    return err as SourceError;
  }
  throw new Error('expected a failure');
}

describe('a failed source within one request', () => {
  it('is not asked again: the later calls fail at once with the same code, naming the source', async () => {
    failWith = 503;
    const health = new SourceHealthRegistry();
    const c = client({ health: health.recorderFor(SOURCE) });
    const scope = new RequestScope({ requestId: 'portal-1' });
    const first = await failure(runInRequestScope(scope, () => c.get('/search')));
    expect(first).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, attempts: 3 });
    expect(requests).toHaveLength(3);

    // A later subgraph request of the same gateway request has a scope of its own, with the same id.
    const sameRequest = new RequestScope({ requestId: 'portal-1' });
    for (const path of ['/search', '/issue/1', '/issue/2']) {
      const again = await failure(runInRequestScope(sameRequest, () => c.get(path)));
      expect(again).toMatchObject({ source: SOURCE, code: SourceErrorCode.SOURCE_UNAVAILABLE, status: 503, attempts: 0 });
      expect(again.message).toMatch(/not asked again: it failed earlier in this request/);
    }
    expect(requests).toHaveLength(3);
    // The repeats are no calls: the health counts the three attempts only.
    expect(health.snapshot()[0]).toMatchObject({ calls: 3, errors: 3 });

    // Another request asks again (no memory across requests is configured here).
    failWith = undefined;
    expect(await runInRequestScope(new RequestScope({ requestId: 'portal-2' }), () => c.get('/search'))).toEqual({ ok: true });
  });

  it('concurrent calls wait for the retrying call and send nothing once it has failed', async () => {
    failWith = 503;
    const c = client({ maxConcurrency: 1 });
    const scope = new RequestScope({ requestId: 'portal-1' });
    const results = await Promise.all(['/a', '/b', '/c'].map((path) => failure(runInRequestScope(scope, () => c.get(path)))));
    // One call's attempts, whichever call made them.
    expect(requests).toHaveLength(3);
    expect(new Set(requests).size).toBe(1);
    expect(results.map((e) => e.code)).toEqual([
      SourceErrorCode.SOURCE_UNAVAILABLE,
      SourceErrorCode.SOURCE_UNAVAILABLE,
      SourceErrorCode.SOURCE_UNAVAILABLE,
    ]);
  });

  it('concurrent calls go ahead once the retrying call succeeds', async () => {
    failuresLeft = 1;
    const c = client({ maxConcurrency: 1 });
    const scope = new RequestScope({ requestId: 'portal-1' });
    const answers = await Promise.all(['/a', '/b'].map((path) => runInRequestScope(scope, () => c.get(path))));
    expect(answers).toEqual([{ ok: true }, { ok: true }]);
    expect(requests).toHaveLength(3);
  });

  it('a 404 or a 403 is about one object: the next call is sent', async () => {
    const c = client();
    const scope = new RequestScope({ requestId: 'portal-1' });
    for (const status of [404, 403]) {
      failWith = status;
      await failure(runInRequestScope(scope, () => c.get('/one')));
    }
    failWith = undefined;
    expect(await runInRequestScope(scope, () => c.get('/other'))).toEqual({ ok: true });
  });
});

describe('a source another subgraph request reported failed', () => {
  it('is not asked, and the request reports only its own failures for the gateway to pass on', async () => {
    const c = client();
    const scope = new RequestScope({ requestId: 'portal-1' });
    scope.failedSources.set(SOURCE, new SourceError({ source: SOURCE, code: SourceErrorCode.SOURCE_TIMEOUT, message: 'no response within 10000 ms' }));
    const err = await failure(runInRequestScope(scope, () => c.get('/search')));
    expect(err).toMatchObject({ source: SOURCE, code: SourceErrorCode.SOURCE_TIMEOUT, attempts: 0 });
    expect(requests).toEqual([]);
    expect([...scope.failedHere]).toEqual([]);

    failWith = 503;
    const other = client({ source: 'github:cloud' });
    await failure(runInRequestScope(scope, () => other.get('/repos')));
    expect([...scope.failedHere]).toEqual(['github:cloud']);
  });

  it('travels in the signed extensions as well-formed entries only', () => {
    const forwarded = readForwardedRequest({
      modelgraph: {
        caller: { kind: 'apiKey', id: 'reconcile-ci', scopes: ['jira:read'] },
        requestId: 'portal-1',
        failedSources: { 'jira:corp': { code: 'SOURCE_UNAVAILABLE', message: 'jira:corp: HTTP 503', status: 503 }, bad: { code: 1 } },
      },
    });
    expect(forwarded?.failedSources).toEqual({ 'jira:corp': { code: 'SOURCE_UNAVAILABLE', message: 'jira:corp: HTTP 503', status: 503 } });
  });
});

describe('a failed source across requests', () => {
  it('is remembered for rememberFailureMs, then asked again; the breaker does not count the repeats', async () => {
    let now = 1_000_000;
    failWith = 503;
    const c = client({ rememberFailureMs: 5_000, now: () => now, retry: { maxAttempts: 1 }, breaker: { failureThreshold: 2 } });
    await failure(c.get('/search'));
    for (let i = 0; i < 5; i++) {
      const again = await failure(c.get('/search'));
      expect(again.message).toMatch(/not asked again: it failed \d+ ms ago/);
    }
    expect(requests).toHaveLength(1);
    now += 5_000;
    failWith = undefined;
    // Had the five repeats counted, the breaker (threshold 2) would refuse this call.
    expect(await c.get('/search')).toEqual({ ok: true });
    expect(requests).toHaveLength(2);
  });
});
