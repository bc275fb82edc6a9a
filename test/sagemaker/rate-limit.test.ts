import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sagemakerInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceErrorCode } from '../../connectors/core/errors';
import { RequestScope, isRequestLimitError, runInRequestScope } from '../../connectors/core/request-scope';
import { SourceHealthRegistry } from '../../connectors/core/source-health';
import { SAGEMAKER_LIMITS } from '../../connectors/sagemaker/limits';
import { SagemakerConnector } from '../../connectors/sagemaker';

/**
 * SageMaker's client-side limits, one limiter per API, through the AWS SDK against a local
 * server that speaks enough AWS JSON 1.1 and notes the simulated time of every request.
 * The clock moves only in the connector's sleeps; nothing waits real time.
 */

const SOURCE = 'sagemaker:prod-us';
const AMZ_JSON = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': '0b5e5e0e-5c4a-4f5e-9a8f-3d0e2c7b9a11' };

interface Upstream {
  url: string;
  /** `X-Amz-Target` operation and the simulated time it arrived, in arrival order. */
  requests: { operation: string; at: number }[];
  close(): Promise<void>;
}

const clock = { t: Date.parse('2026-01-01T00:00:00Z') };
const sleeps: number[] = [];

async function upstream(): Promise<Upstream> {
  const up: Upstream = { url: '', requests: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^SageMaker\./, '');
      up.requests.push({ operation, at: clock.t });
      res.writeHead(200, AMZ_JSON);
      if (operation === 'DescribeModelPackageGroup') {
        res.end(
          JSON.stringify({
            ModelPackageGroupName: `group-${up.requests.length}`,
            ModelPackageGroupArn: `arn:aws:sagemaker:us-east-1:123456789012:model-package-group/group-${up.requests.length}`,
            ModelPackageGroupStatus: 'Completed',
            CreationTime: 1_700_000_000,
          }),
        );
      } else {
        res.end(JSON.stringify({ Tags: [] }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  up.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  up.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return up;
}

let server: Upstream;
const open: SagemakerConnector[] = [];

beforeEach(async () => {
  clock.t = Date.parse('2026-01-01T00:00:00Z');
  sleeps.length = 0;
  server = await upstream();
});
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await server.close();
});

function connector(instance: Record<string, unknown> = {}) {
  const config = sagemakerInstanceSchema.parse({
    name: 'prod-us',
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { type: 'static', accessKeyId: 'AKIALIMITTEST0000001', secretAccessKey: 'limit/test/secret/key' },
    ...instance,
  });
  const sagemaker = SagemakerConnector.fromConfig(config, {
    cache: new MemoryCache({ now: () => clock.t }),
    cacheDefaults: { ttlSeconds: 60, staleSeconds: 600 },
    clock: {
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.t += ms;
      },
      now: () => clock.t,
    },
    random: () => 0.5,
    health: new SourceHealthRegistry({ now: () => clock.t }),
  });
  open.push(sagemaker);
  return sagemaker;
}

const timesOf = (operation: string) => server.requests.filter((r) => r.operation === operation).map((r) => r.at - Date.parse('2026-01-01T00:00:00Z'));

describe('SageMaker: one rate limiter per API', () => {
  it('defaults every operation to its own bucket of the vendor default', async () => {
    const { requestsPerSecond, burst } = SAGEMAKER_LIMITS.rateLimit;
    const sagemaker = connector();
    // Each getModel is one DescribeModelPackageGroup and one ListTags.
    const n = burst! + 3;
    for (let i = 0; i < n; i++) await sagemaker.getModel(`group-${i}`);
    const interval = 1000 / requestsPerSecond!;
    // Each API has its burst, then one call per interval; the other API's calls take nothing from it.
    const expected = Array.from({ length: n }, (_, i) => Math.max(0, i - burst! + 1) * interval);
    expect(timesOf('DescribeModelPackageGroup')).toEqual(expected);
    expect(timesOf('ListTags')).toEqual(expected);
    // One shared bucket would have made the 2n calls wait 2n - burst times.
    expect(sleeps).toHaveLength(n - burst!);
  });

  it('applies rateLimit.operations to that operation only', async () => {
    const sagemaker = connector({
      rateLimit: { requestsPerSecond: 10, burst: 10, operations: { DescribeModelPackageGroup: { requestsPerSecond: 1, burst: 1 } } },
    });
    for (let i = 0; i < 4; i++) await sagemaker.getModel(`group-${i}`);
    expect(timesOf('DescribeModelPackageGroup')).toEqual([0, 1000, 2000, 3000]);
    expect(timesOf('ListTags')).toEqual([0, 1000, 2000, 3000]);
    expect(sleeps).toEqual([1000, 1000, 1000]);
  });

  it('fails fast with SOURCE_RATE_LIMITED naming the source, sending nothing, when the slot lies past the request deadline', async () => {
    const sagemaker = connector({ rateLimit: { requestsPerSecond: 0.1, burst: 1 } });
    await sagemaker.getModel('group-a');
    const sent = server.requests.length;
    const scope = new RequestScope({ requestId: 'req-9', deadlineAt: clock.t + 5_000, now: () => clock.t });
    const err = await runInRequestScope(scope, () => sagemaker.getModel('group-b')).catch((e: unknown) => e);
    expect(isRequestLimitError(err)).toBe(true);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_RATE_LIMITED, source: SOURCE, retryAfterMs: 10_000 });
    expect((err as Error).message).toMatch(/^sagemaker:prod-us: not sent: .* past the request deadline$/);
    expect(server.requests.length).toBe(sent);
    expect(scope.callsMade).toBe(0);
    expect(sleeps).toEqual([]);
  });

  it('sends without waiting when turned off', async () => {
    const sagemaker = connector({ rateLimit: { enabled: false } });
    for (let i = 0; i < 30; i++) await sagemaker.getModel(`group-${i}`);
    expect(server.requests).toHaveLength(60);
    expect(sleeps).toEqual([]);
  });
});
