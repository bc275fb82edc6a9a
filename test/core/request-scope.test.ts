import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceCache } from '../../connectors/core/cache/source-cache';
import { CircuitBreaker } from '../../connectors/core/circuit-breaker';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { HttpClient, type HttpClientOptions } from '../../connectors/core/http-client';
import {
  RequestLimitError,
  RequestScope,
  currentRequestScope,
  isRequestLimitError,
  outsideRequestScope,
  runInRequestScope,
  untilRequestDeadline,
} from '../../connectors/core/request-scope';
import { SourceHealthRegistry } from '../../connectors/core/source-health';
import { ArmTokenProvider } from '../../connectors/azureml';
import { VertexConnector } from '../../connectors/vertex';
import { vertexInstanceSchema } from '../../config/schema';
import { DEFAULT_GOVERNANCE } from '../../subgraphs/inventory/governance/types';
import { GovernanceIndex, type GovernanceSources } from '../../subgraphs/inventory/governance/inventory-index';
import { OwnershipIndex } from '../../subgraphs/inventory/ownership';
import { waitFor } from '../helpers/wait-for';

/**
 * The per-request upstream call budget and deadline, as the connector core applies them.
 * Every upstream request reaches a local server that counts it; nothing here asserts on
 * elapsed time, only on what was sent and what failed how.
 */

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';

interface Upstream {
  url: string;
  /** Request paths, in arrival order. */
  requests: string[];
  /** Answers by path; the last one repeats. Default: 200 {"ok": true}. */
  answers: Map<string, Answer[]>;
  close(): Promise<void>;
}

async function upstream(): Promise<Upstream> {
  const requests: string[] = [];
  const answers = new Map<string, Answer[]>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    requests.push(path);
    const queue = answers.get(path) ?? [];
    const answer: Answer = (queue.length > 1 ? queue.shift() : queue[0]) ?? { status: 200, body: { ok: true } };
    // Never answered: only the client's timeout or abort ends it.
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const SOURCE = 'mlflow:prod';
let server: Upstream;
let clients: HttpClient[] = [];
let waits: number[] = [];

function client(overrides: Partial<HttpClientOptions> = {}): HttpClient {
  const c = new HttpClient({
    source: SOURCE,
    baseURL: server.url,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
  clients.push(c);
  return c;
}

function scope(init: Partial<ConstructorParameters<typeof RequestScope>[0]> = {}): RequestScope {
  return new RequestScope({ requestId: 'req-1', ...init });
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    return err as SourceError;
  }
  throw new Error('expected the call to fail');
}

beforeEach(async () => {
  server = await upstream();
  waits = [];
});

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await server.close();
});

describe('RequestScope', () => {
  it('charges calls per source until the budget is spent, then refuses naming the source and the budget', () => {
    const s = scope({ callBudget: 3 });
    s.charge('mlflow:prod');
    s.charge('github:oss');
    s.charge('mlflow:prod');
    expect(s.callsMade).toBe(3);
    expect(Object.fromEntries(s.callsBySource)).toEqual({ 'mlflow:prod': 2, 'github:oss': 1 });
    let refused: unknown;
    try {
      s.charge('jira:cloud');
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(RequestLimitError);
    expect(refused).toMatchObject({ source: 'jira:cloud', code: SourceErrorCode.REQUEST_BUDGET_EXCEEDED, limit: 'budget', requestId: 'req-1' });
    expect((refused as Error).message).toBe("jira:cloud: this request's upstream call budget (3 calls) is spent");
    // A refusal counts nothing.
    expect(s.callsMade).toBe(3);
    expect(s.callsBySource.has('jira:cloud')).toBe(false);
  });

  it('is unlimited without a budget, and refuses the very first call with a budget of 0', () => {
    const unlimited = scope();
    for (let i = 0; i < 1000; i++) unlimited.charge(SOURCE);
    expect(unlimited.callsMade).toBe(1000);
    expect(() => scope({ callBudget: 0 }).charge(SOURCE)).toThrow("mlflow:prod: this request's upstream call budget (0 calls) is spent");
    expect(() => scope({ callBudget: -1 })).toThrow(RangeError);
    expect(() => scope({ callBudget: 1.5 })).toThrow(RangeError);
  });

  it('reads its deadline with its own clock', () => {
    let now = 1_000;
    const s = scope({ deadlineAt: 1_500, now: () => now });
    expect(s.remainingMs()).toBe(500);
    expect(s.expired()).toBe(false);
    now = 1_500;
    expect(s.remainingMs()).toBe(0);
    expect(s.expired()).toBe(true);
    expect(() => s.checkDeadline(SOURCE)).toThrow('mlflow:prod: the request deadline was reached');
    expect(scope().remainingMs()).toBeUndefined();
    expect(scope().expired()).toBe(false);
  });

  it('follows the request across awaits and timers, and is left behind by outsideRequestScope', async () => {
    const s = scope();
    const seen = await runInRequestScope(s, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const inside = currentRequestScope();
      const outside = await outsideRequestScope(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return currentRequestScope();
      });
      return { inside, outside, after: currentRequestScope() };
    });
    expect(seen).toEqual({ inside: s, outside: undefined, after: s });
    expect(currentRequestScope()).toBeUndefined();
  });

  it('untilRequestDeadline: does not start past the deadline, stops waiting at it, and runs unlimited without one', async () => {
    let started = 0;
    const never = () => {
      started++;
      return new Promise<string>(() => undefined);
    };
    const past = await failure(runInRequestScope(scope({ deadlineAt: Date.now() - 1 }), () => untilRequestDeadline(SOURCE, 'waiting for a token', never)));
    expect(past).toMatchObject({ code: SourceErrorCode.SOURCE_TIMEOUT, source: SOURCE });
    expect(started).toBe(0);

    const cut = await failure(runInRequestScope(scope({ deadlineAt: Date.now() + 50 }), () => untilRequestDeadline(SOURCE, 'waiting for a token', never)));
    expect(isRequestLimitError(cut)).toBe(true);
    expect(cut.message).toBe('mlflow:prod: the request deadline was reached while waiting for a token');
    expect(started).toBe(1);

    expect(await untilRequestDeadline(SOURCE, 'x', async () => 'token')).toBe('token');
  });
});

describe('HttpClient within a request scope', () => {
  it('a budget of N allows exactly N upstream calls; the next fails with REQUEST_BUDGET_EXCEEDED and sends nothing', async () => {
    const c = client();
    const s = scope({ callBudget: 3 });
    await runInRequestScope(s, async () => {
      for (let i = 0; i < 3; i++) await c.get(`/call-${i}`);
      const err = await failure(c.get('/call-3'));
      expect(err).toBeInstanceOf(RequestLimitError);
      expect(err).toMatchObject({ code: SourceErrorCode.REQUEST_BUDGET_EXCEEDED, source: SOURCE });
      expect(err.message).toBe("mlflow:prod: this request's upstream call budget (3 calls) is spent");
    });
    expect(server.requests).toEqual(['/call-0', '/call-1', '/call-2']);
    expect(s.callsMade).toBe(3);
    expect(s.callsBySource.get(SOURCE)).toBe(3);
    // Outside the scope the client is not limited.
    await c.get('/unscoped');
    expect(server.requests).toHaveLength(4);
    expect(s.callsMade).toBe(3);
  });

  it('charges every attempt: retries are calls the vendor sees', async () => {
    server.answers.set('/flaky', [{ status: 503 }, { status: 503 }, { status: 200, body: { ok: true } }]);
    const c = client();
    const s = scope({ callBudget: 3 });
    await runInRequestScope(s, async () => {
      expect(await c.get('/flaky')).toEqual({ ok: true });
      expect(s.callsMade).toBe(3);
      expect((await failure(c.get('/other'))).code).toBe(SourceErrorCode.REQUEST_BUDGET_EXCEEDED);
    });
    expect(server.requests).toEqual(['/flaky', '/flaky', '/flaky']);
    expect(waits).toHaveLength(2);
  });

  it('a retry the budget cannot pay for ends the call with the upstream error, without waiting', async () => {
    server.answers.set('/flaky', [{ status: 503, body: { message: 'down for maintenance' } }, { status: 200 }]);
    const c = client();
    const s = scope({ callBudget: 1 });
    const err = await failure(runInRequestScope(s, () => c.get('/flaky')));
    expect(err).not.toBeInstanceOf(RequestLimitError);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, status: 503, attempts: 1 });
    expect(err.message).toContain("no retry: this request's upstream call budget (1 call) is spent");
    expect(server.requests).toEqual(['/flaky']);
    expect(waits).toEqual([]);
  });

  it('does not charge cache hits, nor calls that join a load already in flight', async () => {
    const c = client();
    const cache = new SourceCache(new MemoryCache(), SOURCE, { ttlSeconds: 60 });
    const s = scope({ callBudget: 1 });
    await runInRequestScope(s, async () => {
      const load = () => c.get<{ ok: boolean }>('/model');
      // Three identical concurrent reads: one upstream call.
      const results = await Promise.all([cache.getOrLoad('model', load), cache.getOrLoad('model', load), cache.getOrLoad('model', load)]);
      expect(results.map((r) => r.value)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
      // A hit costs nothing either: the spent budget does not matter.
      expect(await cache.getOrLoad('model', load)).toEqual({ value: { ok: true }, state: 'hit' });
    });
    expect(server.requests).toEqual(['/model']);
    expect(s.callsMade).toBe(1);
  });

  it("charges a joined load to the request that started it, and lets a joiner whose host ran out of budget load on its own account", async () => {
    const c = client();
    const cache = new SourceCache(new MemoryCache(), SOURCE, { ttlSeconds: 60 });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const broke = scope({ requestId: 'broke', callBudget: 0 });
    const rich = scope({ requestId: 'rich', callBudget: 5 });
    const first = runInRequestScope(broke, () =>
      cache.getOrLoad('model', async () => {
        await gate;
        return c.get('/model');
      }),
    );
    // Let the first load start, so that the second joins it.
    await new Promise((resolve) => setImmediate(resolve));
    const second = runInRequestScope(rich, () => cache.getOrLoad('model', () => c.get('/model')));
    await new Promise((resolve) => setImmediate(resolve));
    open();
    expect((await failure(first)).code).toBe(SourceErrorCode.REQUEST_BUDGET_EXCEEDED);
    expect((await second).value).toEqual({ ok: true });
    expect(server.requests).toEqual(['/model']);
    expect(broke.callsMade).toBe(0);
    expect(rich.callsMade).toBe(1);
  });

  it('a spent budget neither opens the breaker, nor closes it, nor shows in the source health', async () => {
    const health = new SourceHealthRegistry();
    server.answers.set('/down', [{ status: 503 }]);
    const c = client({ retry: { maxAttempts: 1 }, breaker: { failureThreshold: 2 }, health: health.recorderFor(SOURCE) });
    const broke = scope({ callBudget: 0 });

    await failure(c.get('/down'));
    for (let i = 0; i < 5; i++) {
      expect((await failure(runInRequestScope(broke, () => c.get('/down')))).code).toBe(SourceErrorCode.REQUEST_BUDGET_EXCEEDED);
    }
    // Had the refusals counted as answers, this second failure would be the first again.
    await failure(c.get('/down'));
    const fast = await failure(c.get('/down'));
    expect(fast.upstreamCode).toBe('CIRCUIT_OPEN');
    expect(server.requests).toEqual(['/down', '/down']);

    const snapshot = health.snapshot()[0]!;
    expect(snapshot).toMatchObject({ calls: 3, errors: 3 });
    expect(snapshot.lastError?.code).toBe('CIRCUIT_OPEN');
  });

  it('once the deadline is reached, fails at once with SOURCE_TIMEOUT naming the source, sends nothing, and trips no breaker', async () => {
    const health = new SourceHealthRegistry();
    const c = client({ breaker: { failureThreshold: 1 }, health: health.recorderFor(SOURCE) });
    const late = scope({ deadlineAt: Date.now() - 1 });
    for (let i = 0; i < 3; i++) {
      const err = await failure(runInRequestScope(late, () => c.get('/model')));
      expect(err).toBeInstanceOf(RequestLimitError);
      expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_TIMEOUT, source: SOURCE });
      expect(err.message).toBe('mlflow:prod: the request deadline was reached');
    }
    expect(server.requests).toEqual([]);
    expect(late.callsMade).toBe(0);
    expect(health.snapshot()[0]).toMatchObject({ calls: 0, errors: 0 });
    // A threshold of one: had any of them counted, this would fail fast.
    expect(await c.get('/model')).toEqual({ ok: true });
    expect(server.requests).toEqual(['/model']);
  });

  it('cuts an attempt at the deadline when it comes before the timeout, as the deadline and not as a dead source', async () => {
    server.answers.set('/slow', ['hang']);
    const health = new SourceHealthRegistry();
    const c = client({ timeoutMs: 10_000, breaker: { failureThreshold: 1 }, health: health.recorderFor(SOURCE) });
    const s = scope({ deadlineAt: Date.now() + 200 });
    const err = await failure(runInRequestScope(s, () => c.get('/slow')));
    expect(err).toBeInstanceOf(RequestLimitError);
    expect(err.code).toBe(SourceErrorCode.SOURCE_TIMEOUT);
    expect(err.message).toMatch(/^mlflow:prod: the request deadline was reached after \d+ ms without an answer$/);
    // Sent once, never retried: the deadline has passed.
    expect(server.requests).toEqual(['/slow']);
    expect(waits).toEqual([]);
    expect(health.snapshot()[0]).toMatchObject({ errors: 0 });
    expect(await c.get('/fast')).toEqual({ ok: true });
  });

  it('stops waiting for a connection slot at the deadline, without sending anything', async () => {
    server.answers.set('/slow', ['hang']);
    const c = client({ timeoutMs: 10_000, maxConcurrency: 1, retry: { maxAttempts: 1 } });
    // Holds the only slot for the whole timeout.
    const blocker = c.get('/slow').catch((err: unknown) => err);
    await waitFor(() => server.requests.length === 1, { turns: 1000, what: 'the blocking request to reach the server' });
    const s = scope({ deadlineAt: Date.now() + 100 });
    const err = await failure(runInRequestScope(s, () => c.get('/queued')));
    expect(err).toBeInstanceOf(RequestLimitError);
    expect(err.message).toBe('mlflow:prod: the request deadline was reached while waiting for a connection slot');
    expect(s.callsMade).toBe(0);
    expect(server.requests).toEqual(['/slow']);
    c.close();
    await blocker;
  });

  it('without a deadline the same slow attempt is the source timing out, and counts', async () => {
    server.answers.set('/slow', ['hang']);
    const c = client({ timeoutMs: 100, retry: { maxAttempts: 1 }, breaker: { failureThreshold: 1 } });
    const err = await failure(runInRequestScope(scope(), () => c.get('/slow')));
    expect(err).not.toBeInstanceOf(RequestLimitError);
    expect(err.code).toBe(SourceErrorCode.SOURCE_TIMEOUT);
    expect((await failure(c.get('/fast'))).upstreamCode).toBe('CIRCUIT_OPEN');
  });

  it('never sleeps past the deadline before a retry: the upstream error is the answer', async () => {
    server.answers.set('/busy', [{ status: 503, headers: { 'retry-after': '5' } }, { status: 200 }]);
    const now = 1_000_000;
    const c = client();
    const s = scope({ deadlineAt: now + 2_000, now: () => now });
    const err = await failure(runInRequestScope(s, () => c.get('/busy')));
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, status: 503, retryAfterMs: 5_000 });
    expect(err.message).toContain('a retry in 5000 ms would pass the request deadline');
    expect(waits).toEqual([]);
    expect(server.requests).toEqual(['/busy']);
  });

  it('still retries within the deadline', async () => {
    server.answers.set('/busy', [{ status: 503, headers: { 'retry-after': '1' } }, { status: 200, body: { ok: 2 } }]);
    const c = client();
    const s = scope({ deadlineAt: Date.now() + 60_000 });
    expect(await runInRequestScope(s, () => c.get('/busy'))).toEqual({ ok: 2 });
    expect(waits).toEqual([1_000]);
    expect(s.callsMade).toBe(2);
  });
});

describe('background work within a request scope', () => {
  it('a stale entry seen by a request with no budget left and its deadline passed is still refreshed in the background', async () => {
    let now = 1_000_000;
    const c = client();
    const cache = new SourceCache(new MemoryCache({ now: () => now }), SOURCE, { ttlSeconds: 60, staleSeconds: 600, now: () => now });
    server.answers.set('/model', [{ status: 200, body: { v: 1 } }, { status: 200, body: { v: 2 } }]);
    const load = () => c.get<{ v: number }>('/model');
    expect((await cache.getOrLoad('model', load)).value).toEqual({ v: 1 });

    now += 61_000;
    const s = scope({ callBudget: 0, deadlineAt: now - 1, now: () => now });
    expect(await runInRequestScope(s, () => cache.getOrLoad('model', load))).toEqual({ value: { v: 1 }, state: 'stale' });
    // Lets the background refresh started by the stale hit run to its end.
    await waitFor(() => server.requests.length === 2, { turns: 1000, what: 'the background refresh to reach the server' });
    expect(s.callsMade).toBe(0);
    // The refreshed entry is what the next request gets, fresh (once stored).
    let next: { value: { v: number }; state: string } | undefined;
    for (let i = 0; i < 1000 && next?.state !== 'hit'; i++) {
      next = await cache.getOrLoad('model', load);
      if (next.state !== 'hit') await new Promise((resolve) => setImmediate(resolve));
    }
    expect(next).toEqual({ value: { v: 2 }, state: 'hit' });
    expect(server.requests).toEqual(['/model', '/model']);
  });
});

describe('inventory index builds within a request scope', () => {
  /** Sources of no models that note the request scope each read runs in. */
  function sources() {
    const scopes: Array<RequestScope | undefined> = [];
    const governance: GovernanceSources = {
      listing: async () => {
        scopes.push(currentRequestScope());
        return { models: [], failures: [] };
      },
      reader: () => ({
        model: async () => {
          throw new Error('no model to read');
        },
        allDeployments: async () => {
          scopes.push(currentRequestScope());
          return [];
        },
      }),
    };
    return { governance, scopes };
  }

  it('builds and rebuilds (in the background, once stale) outside the scope of the request that asked', async () => {
    let now = 0;
    const read = sources();
    const findings = new GovernanceIndex(read.governance, DEFAULT_GOVERNANCE, 1_000, () => now, 60_000);
    const ownership = new OwnershipIndex(findings);
    const s = scope({ callBudget: 0, deadlineAt: Date.now() - 1 });
    await runInRequestScope(s, async () => {
      await ownership.modelsOwnedBy('ana@acme.io');
      await findings.get();
      now = 2_000;
      // Stale: served at once, rebuilt in the background.
      await ownership.modelsOwnedBy('ana@acme.io');
      await findings.get();
    });
    // Two builds (the first, then the background rebuild), each a listing and a deployments read.
    await waitFor(() => read.scopes.length === 4, { turns: 1000, what: 'the background rebuild to read the sources' });
    expect(read.scopes).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('token fetches within a request scope', () => {
  function credential() {
    const calls: Array<RequestScope | undefined> = [];
    return {
      calls,
      getToken: async () => {
        calls.push(currentRequestScope());
        return new Promise<never>(() => undefined);
      },
    };
  }

  it('are charged to no request, waited for until its deadline only, and not started past it', async () => {
    const cred = credential();
    const tokens = new ArmTokenProvider(cred, 'https://management.azure.com/.default', 'azure_ml:prod');
    const late = await failure(runInRequestScope(scope({ deadlineAt: Date.now() - 1 }), () => tokens.get()));
    expect(late).toMatchObject({ code: SourceErrorCode.SOURCE_TIMEOUT, source: 'azure_ml:prod' });
    expect(cred.calls).toEqual([]);

    const s = scope({ callBudget: 0, deadlineAt: Date.now() + 50 });
    const cut = await failure(runInRequestScope(s, () => tokens.get()));
    expect(cut).toBeInstanceOf(RequestLimitError);
    expect(cut.message).toBe('azure_ml:prod: the request deadline was reached while waiting for an access token');
    // Fetched once, in no request's scope (another request may join it).
    expect(cred.calls).toEqual([undefined]);
  });

  it('Vertex AI: the token is not charged, the API call is, and a token that never comes ends at the deadline', async () => {
    const asked: Array<RequestScope | undefined> = [];
    let hang = false;
    const vertex = VertexConnector.fromConfig(
      vertexInstanceSchema.parse({ name: 'eu', project: 'acme-ml-prod', location: 'europe-west4', endpoint: server.url, auth: { type: 'adc' } }),
      {
        cache: new MemoryCache(),
        cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
        tokenSource: {
          getAccessToken: async () => {
            asked.push(currentRequestScope());
            return hang ? new Promise<never>(() => undefined) : 'ya29.scope-test-token';
          },
        },
      },
    );
    try {
      const s = scope({ callBudget: 1 });
      await runInRequestScope(s, () => vertex.health());
      expect(s.callsMade).toBe(1);
      expect(server.requests).toHaveLength(1);
      expect(asked).toEqual([undefined]);

      hang = true;
      const cut = await failure(runInRequestScope(scope({ deadlineAt: Date.now() + 50 }), () => vertex.health()));
      expect(cut).toBeInstanceOf(RequestLimitError);
      expect(cut).toMatchObject({ code: SourceErrorCode.SOURCE_TIMEOUT, source: 'vertex_ai:eu' });
      expect(cut.message).toBe('vertex_ai:eu: the request deadline was reached while waiting for an access token');
      expect(server.requests).toHaveLength(1);
    } finally {
      vertex.close();
    }
  });
});

describe('CircuitBreaker and request limits', () => {
  it('gives a half-open trial cut by a request limit back to the next call', async () => {
    let now = 0;
    const breaker = new CircuitBreaker(SOURCE, { failureThreshold: 1, resetAfterMs: 1_000, now: () => now });
    const down = new SourceError({ source: SOURCE, code: SourceErrorCode.SOURCE_UNAVAILABLE, message: 'down' });
    await breaker.run(() => Promise.reject(down)).catch(() => undefined);
    expect(breaker.status).toBe('open');
    now = 2_000;
    const refused = scope({ callBudget: 0 });
    await expect(breaker.run(async () => refused.charge(SOURCE))).rejects.toBeInstanceOf(RequestLimitError);
    // Still due for a trial, not closed by a call that never reached the upstream.
    expect(breaker.status).toBe('open');
    let ran = false;
    await breaker.run(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(breaker.status).toBe('closed');
  });
});
