import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sagemakerInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { RequestLimitError, RequestScope, runInRequestScope } from '../../connectors/core/request-scope';
import { SourceHealthRegistry } from '../../connectors/core/source-health';
import { SagemakerConnector } from '../../connectors/sagemaker';
import describeModelPackageFixture from '../fixtures/sagemaker/describe-model-package.json';
import { waitFor } from '../helpers/wait-for';

/**
 * The request budget and deadline for SageMaker, whose calls go through the AWS SDK and its
 * own retry loop rather than the HttpClient. A local server speaks enough AWS JSON 1.1 for
 * the SDK and counts every request it receives; nothing here asserts on elapsed time.
 */

const SOURCE = 'sagemaker:prod-us';
const AMZ_JSON = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': '0b5e5e0e-5c4a-4f5e-9a8f-3d0e2c7b9a11' };
const INTERNAL_FAILURE = { status: 500, body: { __type: 'InternalFailure', message: 'We encountered an internal error.' } };

type Answer = { status: number; body: unknown; afterMs?: number } | 'hang';

interface Upstream {
  url: string;
  /** `X-Amz-Target` operations, in arrival order. */
  requests: string[];
  /** Requests whose connection the client closed before they were answered. */
  abandoned: number;
  /** Called per request with the operation and its ordinal (from 1) among requests of it. */
  respond: (operation: string, nth: number) => Answer;
  close(): Promise<void>;
}

async function upstream(): Promise<Upstream> {
  const up: Upstream = {
    url: '',
    requests: [],
    abandoned: 0,
    respond: () => ({ status: 200, body: { Endpoints: [] } }),
    close: async () => undefined,
  };
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^SageMaker\./, '');
      up.requests.push(operation);
      const answer = up.respond(operation, up.requests.filter((r) => r === operation).length);
      res.on('close', () => {
        if (!res.writableEnded) up.abandoned++;
      });
      if (answer === 'hang') return;
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, AMZ_JSON);
        res.end(JSON.stringify(answer.body));
      };
      if (!answer.afterMs) return send();
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, answer.afterMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  up.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  up.close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return up;
}

let server: Upstream;
const open: SagemakerConnector[] = [];

beforeEach(async () => {
  server = await upstream();
});
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await server.close();
});

function connector(instance: Record<string, unknown> = {}) {
  const waits: number[] = [];
  const clock = { t: Date.parse('2025-07-01T00:00:00Z') };
  const health = new SourceHealthRegistry();
  const config = sagemakerInstanceSchema.parse({
    name: 'prod-us',
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { type: 'static', accessKeyId: 'AKIASCOPETEST0000001', secretAccessKey: 'scope/test/secret/key' },
    ...instance,
  });
  const sagemaker = SagemakerConnector.fromConfig(config, {
    cache: new MemoryCache({ now: () => clock.t }),
    cacheDefaults: { ttlSeconds: 60, staleSeconds: 600 },
    clock: {
      sleep: async (ms) => {
        waits.push(ms);
      },
      now: () => clock.t,
    },
    random: () => 0.5,
    health,
  });
  open.push(sagemaker);
  return { sagemaker, waits, clock, health: () => health.snapshot().find((h) => h.source === SOURCE) };
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

function packageRecord(group: string, version: number) {
  return {
    ModelPackage: {
      ...describeModelPackageFixture,
      ModelPackageName: group,
      ModelPackageGroupName: group,
      ModelPackageVersion: version,
      ModelPackageArn: `arn:aws:sagemaker:us-east-1:111122223333:model-package/${group}/${version}`,
      CreationTime: 1748772000 + version,
      Tags: [],
    },
  };
}

describe('SageMaker within a request scope', () => {
  it('charges every attempt the SDK makes, retries included, and then refuses without a request', async () => {
    server.respond = (_op, nth) => (nth === 1 ? INTERNAL_FAILURE : { status: 200, body: { Endpoints: [] } });
    const { sagemaker, waits, health } = connector();
    const s = scope({ callBudget: 2 });
    await runInRequestScope(s, () => sagemaker.health());
    expect(server.requests).toEqual(['ListEndpoints', 'ListEndpoints']);
    expect(waits).toHaveLength(1);
    expect(s.callsMade).toBe(2);
    expect(Object.fromEntries(s.callsBySource)).toEqual({ [SOURCE]: 2 });

    const err = await failure(runInRequestScope(s, () => sagemaker.health()));
    expect(err).toBeInstanceOf(RequestLimitError);
    expect(err).toMatchObject({ code: SourceErrorCode.REQUEST_BUDGET_EXCEEDED, source: SOURCE });
    expect(err.message).toBe("sagemaker:prod-us: this request's upstream call budget (2 calls) is spent");
    expect(server.requests).toHaveLength(2);
    expect(s.callsMade).toBe(2);
    // The two attempts are in the health; the refusal is not.
    expect(health()).toMatchObject({ calls: 2, errors: 1, reachable: true });
  });

  it('makes no retry the budget cannot pay for: the upstream error is the answer', async () => {
    server.respond = () => INTERNAL_FAILURE;
    const { sagemaker, waits } = connector();
    const err = await failure(runInRequestScope(scope({ callBudget: 1 }), () => sagemaker.health()));
    expect(err).not.toBeInstanceOf(RequestLimitError);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, status: 500 });
    expect(server.requests).toEqual(['ListEndpoints']);
    expect(waits).toEqual([]);
  });

  it('a spent budget does not open the breaker nor show in the health', async () => {
    const { sagemaker, health } = connector({ breaker: { failureThreshold: 1 } });
    const broke = scope({ callBudget: 0 });
    for (let i = 0; i < 3; i++) {
      expect((await failure(runInRequestScope(broke, () => sagemaker.health()))).code).toBe(SourceErrorCode.REQUEST_BUDGET_EXCEEDED);
    }
    expect(server.requests).toEqual([]);
    expect(health()).toMatchObject({ calls: 0, errors: 0 });
    await sagemaker.health();
    expect(server.requests).toEqual(['ListEndpoints']);
  });

  it('once the deadline is reached, fails at once with SOURCE_TIMEOUT, sends nothing, and trips no breaker', async () => {
    const { sagemaker, health } = connector({ breaker: { failureThreshold: 1 } });
    const late = scope({ deadlineAt: Date.now() - 1 });
    const err = await failure(runInRequestScope(late, () => sagemaker.health()));
    expect(err).toBeInstanceOf(RequestLimitError);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_TIMEOUT, source: SOURCE });
    expect(err.message).toMatch(/^sagemaker:prod-us: the request deadline was reached/);
    expect(server.requests).toEqual([]);
    expect(health()).toMatchObject({ calls: 0, errors: 0 });
    await sagemaker.health();
    expect(server.requests).toEqual(['ListEndpoints']);
  });

  it('aborts an attempt at the deadline when it comes before the timeout, without counting it against the source', async () => {
    server.respond = (_op, nth) => (nth === 1 ? 'hang' : { status: 200, body: { Endpoints: [] } });
    const { sagemaker, health, waits } = connector({ timeoutMs: 10_000, breaker: { failureThreshold: 1 } });
    const s = scope({ deadlineAt: Date.now() + 200 });
    const err = await failure(runInRequestScope(s, () => sagemaker.health()));
    expect(err).toBeInstanceOf(RequestLimitError);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_TIMEOUT, source: SOURCE });
    expect(err.message).toMatch(/the request deadline was reached/);
    expect(server.requests).toEqual(['ListEndpoints']);
    expect(waits).toEqual([]);
    // Aborted, not left to run into its 10 s timeout.
    await waitFor(() => server.abandoned === 1, { turns: 100_000, what: 'the attempt to be aborted at the deadline' });
    expect(health()).toMatchObject({ errors: 0 });
    await sagemaker.health();
    expect(server.requests).toEqual(['ListEndpoints', 'ListEndpoints']);
  });

  it('gives a retry only what is left of the retry budget, not the whole timeout', async () => {
    const { sagemaker, clock } = connector({ timeoutMs: 10_000, retry: { maxAttempts: 2, budgetMs: 1_000 } });
    server.respond = (_op, nth) => {
      if (nth === 1) {
        // The first attempt took 800 ms of the 1000 ms budget; a 100 ms backoff follows.
        clock.t += 800;
        return INTERNAL_FAILURE;
      }
      // Answered well within the configured 10 s timeout, but after the 200 ms left.
      return { status: 200, body: { Endpoints: [] }, afterMs: 1_500 };
    };
    const err = await failure(sagemaker.health());
    expect(err).not.toBeInstanceOf(RequestLimitError);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_TIMEOUT, source: SOURCE });
    expect(server.requests).toEqual(['ListEndpoints', 'ListEndpoints']);
  });

  it('refreshes stale version lists by a background Search that the request neither pays for nor cuts', async () => {
    server.respond = (op, nth) =>
      op === 'Search' ? { status: 200, body: { Results: [packageRecord('churn', nth)] } } : { status: 400, body: { __type: 'ValidationException', message: op } };
    const { sagemaker, clock } = connector();
    expect((await sagemaker.getVersions('churn')).map((v) => v.version)).toEqual(['1']);

    clock.t += 61_000;
    const s = scope({ callBudget: 0, deadlineAt: Date.now() - 1 });
    // Served stale at once; the refresh goes on in the background.
    expect((await runInRequestScope(s, () => sagemaker.getVersions('churn'))).map((v) => v.version)).toEqual(['1']);
    // Nothing else reads meanwhile: a read would start a refresh of its own.
    await waitFor(() => server.requests.length === 2, { turns: 1000, what: 'the background Search to reach the server' });
    expect(s.callsMade).toBe(0);
    let versions: string[] = [];
    for (let i = 0; i < 1000 && versions[0] !== '2'; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      // While the refresh is still answering, this joins it rather than asking again.
      versions = (await sagemaker.getVersions('churn')).map((v) => v.version);
    }
    expect(versions).toEqual(['2']);
    expect(server.requests).toEqual(['Search', 'Search']);
  });
});
