import nock from 'nock';
import { Registry } from 'prom-client';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { HttpClient, type HttpClientOptions } from '../../connectors/core/http-client';
import { RateLimiter, type RateLimit } from '../../connectors/core/rate-limiter';
import { RequestScope, isRequestLimitError, runInRequestScope } from '../../connectors/core/request-scope';
import { readRateLimitHeaders } from '../../connectors/core/rate-limit';
import { SourceHealthRegistry } from '../../connectors/core/source-health';
import { useNock } from '../helpers/nock';

/**
 * The limiter inside the HttpClient, against nock: the clock is simulated (a sleep moves
 * it), and each interceptor notes the simulated time it was reached, so the tests count
 * sends per simulated window and never wait real time.
 */

const API = 'http://github.test';
const SOURCE = 'github:corp';

class SimulatedClock {
  t = Date.parse('2026-01-01T00:00:00Z');
  readonly now = () => this.t;
  readonly sleeps: number[] = [];
  readonly sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.t += ms;
  };
}

/** GitHub's headers, as connectors/github reads them. */
const parseGithubHeaders = (headers: Readonly<Record<string, string>>) =>
  readRateLimitHeaders(
    headers,
    { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset', resource: 'x-ratelimit-resource' },
    'epoch-seconds',
  );

let clients: HttpClient[] = [];

function client(clock: SimulatedClock, limit: RateLimit, overrides: Partial<HttpClientOptions> = {}): HttpClient {
  const c = new HttpClient({
    source: SOURCE,
    baseURL: API,
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0.5,
    parseRateLimit: parseGithubHeaders,
    rateLimiter: new RateLimiter(SOURCE, limit, { now: clock.now }),
    ...overrides,
  });
  clients.push(c);
  return c;
}

/** Answers `times` GETs of `path` with 200, noting the simulated time of each. */
function serve(clock: SimulatedClock, path: string, times: number, headers: () => Record<string, string> = () => ({})): number[] {
  const sentAt: number[] = [];
  nock(API)
    .get(path)
    .times(times)
    .reply(() => {
      sentAt.push(clock.t);
      return [200, { ok: true }, headers()];
    });
  return sentAt;
}

function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  let max = 0;
  for (let i = 0; i < times.length; i++) {
    let j = i;
    while (j < times.length && times[j]! < times[i]! + windowMs) j++;
    max = Math.max(max, j - i);
  }
  return max;
}

const epochSeconds = (ms: number) => String(Math.floor(ms / 1000));

// No real network, a clean slate per test, every declared request made, and node's http
// module given back unpatched when the file is done (later files in the worker need it).
useNock();

afterEach(() => {
  for (const c of clients) c.close();
  clients = [];
  // And no more than declared.
  expect(nock.activeMocks()).toEqual([]);
});

describe('HttpClient with a rate limiter', () => {
  // One call after another: the simulated clock moves only in the limiter's sleeps, so the
  // time each interceptor notes is the time the call was sent. (Concurrent callers getting
  // successive slots is rate-limiter.test.ts's.)
  it('never sends more than the configured rate', async () => {
    const clock = new SimulatedClock();
    const http = client(clock, { requestsPerSecond: 2, burst: 3, perMinute: 100 });
    const sentAt = serve(clock, '/repos', 120);
    for (let i = 0; i < 120; i++) await http.get('/repos');
    expect(sentAt).toHaveLength(120);
    // A second holds at most a full bucket (3) plus what refills in it (2); any minute at most 100.
    expect(maxInAnyWindow(sentAt, 1000)).toBeLessThanOrEqual(3 + 2);
    expect(maxInAnyWindow(sentAt, 60_000)).toBe(100);
    // Sustained, past the first burst: one every 500 ms.
    expect(sentAt.slice(3, 100).map((t, i) => t - sentAt[i + 2]!)).toEqual(Array(97).fill(500));
    // The 101st waits for the first to leave the minute.
    expect(sentAt[100]! - sentAt[0]!).toBe(60_000);
  });

  it('lets `burst` calls go at once, and holds the next', async () => {
    const clock = new SimulatedClock();
    const http = client(clock, { requestsPerSecond: 1, burst: 5 });
    const sentAt = serve(clock, '/repos', 6);
    for (let i = 0; i < 6; i++) await http.get('/repos');
    expect(sentAt.filter((t) => t === sentAt[0])).toHaveLength(5);
    expect(sentAt[5]! - sentAt[0]!).toBe(1000);
    expect(clock.sleeps).toEqual([1000]);
  });

  it('waits until x-ratelimit-reset before the next call once x-ratelimit-remaining is 0', async () => {
    const clock = new SimulatedClock();
    const http = client(clock, { perHour: 5_000 }, { retry: { budgetMs: 120_000 } });
    const reset = clock.t + 42_000;
    const first = serve(clock, '/repos/a', 1, () => ({
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': epochSeconds(reset),
      'x-ratelimit-resource': 'core',
    }));
    const second = serve(clock, '/repos/b', 1);
    await http.get('/repos/a');
    await http.get('/repos/b');
    expect(first).toEqual([Date.parse('2026-01-01T00:00:00Z')]);
    expect(second).toEqual([reset]);
    expect(clock.sleeps).toEqual([42_000]);
  });

  it('spreads the calls when x-ratelimit-remaining is low, so that it lasts until the reset', async () => {
    const clock = new SimulatedClock();
    const http = client(clock, { perHour: 5_000 });
    const reset = clock.t + 100_000;
    // 10 of 5,000 left (and one fewer after each call), 100 s to the reset: one call every 10 s.
    let remaining = 10;
    const sentAt = serve(clock, '/repos', 6, () => ({
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(remaining--),
      'x-ratelimit-reset': epochSeconds(reset),
    }));
    for (let i = 0; i < 6; i++) await http.get('/repos');
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    expect(gaps).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(maxInAnyWindow(sentAt, 30_000)).toBe(3);
  });

  it("fails fast with SOURCE_RATE_LIMITED naming the source, sending nothing, when the reset lies past the request's deadline", async () => {
    const clock = new SimulatedClock();
    const metrics = new Registry();
    const health = new SourceHealthRegistry({ now: clock.now, metrics });
    // A retry budget longer than the deadline: the deadline is what refuses.
    const http = client(clock, { perHour: 5_000 }, { health: health.recorderFor(SOURCE), retry: { budgetMs: 300_000 } });
    serve(clock, '/repos/a', 1, () => ({
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': epochSeconds(clock.t + 600_000),
    }));
    await http.get('/repos/a');
    // No interceptor for /repos/b: a send would fail the test with a nock error, not a rate limit.
    const scope = new RequestScope({ requestId: 'req-7', deadlineAt: clock.t + 60_000, callBudget: 100, now: clock.now });
    const err = await runInRequestScope(scope, () => http.get('/repos/b')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(isRequestLimitError(err)).toBe(true);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_RATE_LIMITED, source: SOURCE, retryAfterMs: 600_000, attempts: 0 });
    expect((err as Error).message).toMatch(/^github:corp: not sent: .* past the request deadline$/);
    expect(scope.callsMade).toBe(0);
    expect(clock.sleeps).toEqual([]);
    // Not the source's failure: it stays reachable, with one call and no error.
    expect(health.recorderFor(SOURCE).snapshot()).toMatchObject({ calls: 1, errors: 0, reachable: true });
    const refused = (await metrics.getSingleMetric('modelgraph_upstream_rate_limit_waits_total')!.get()).values;
    expect(refused).toEqual([expect.objectContaining({ labels: { source: SOURCE, outcome: 'refused' }, value: 1 })]);
  });

  it('fails fast when the wait exceeds the retry budget, outside any request', async () => {
    const clock = new SimulatedClock();
    const http = client(clock, { perMinute: 1 }, { retry: { budgetMs: 15_000 } });
    serve(clock, '/repos', 1);
    await http.get('/repos');
    const err = await http.get('/repos').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_RATE_LIMITED, source: SOURCE, retryAfterMs: 60_000 });
    expect((err as Error).message).toMatch(/past the 15000 ms budget/);
  });

  it("holds every call of the source for a 429's Retry-After, not only the retry", async () => {
    const clock = new SimulatedClock();
    const http = client(clock, {}, { retry: { maxAttempts: 1 } });
    nock(API).get('/search').reply(429, { message: 'slow down' }, { 'retry-after': '9' });
    const sentAt = serve(clock, '/repos', 1);
    const start = clock.t;
    await expect(http.get('/search')).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_RATE_LIMITED });
    await http.get('/repos');
    expect(sentAt).toEqual([start + 9_000]);
  });

  it('waits a Retry-After once, not again in the limiter, when it retries', async () => {
    const clock = new SimulatedClock();
    const http = client(clock, {});
    nock(API).get('/repos').reply(429, { message: 'slow down' }, { 'retry-after': '4' });
    serve(clock, '/repos', 1);
    await http.get('/repos');
    expect(clock.sleeps).toEqual([4_000]);
  });

  it("paces a call that names its own limiter by that one alone: GitHub's GraphQL budget is not REST's", async () => {
    const clock = new SimulatedClock();
    const http = client(clock, { perMinute: 2 }, { retry: { budgetMs: 120_000 } });
    const graphql = new RateLimiter(`${SOURCE} graphql`, { perMinute: 3 }, { now: clock.now });
    const rest = serve(clock, '/repos', 3);
    const posted: number[] = [];
    nock(API)
      .post('/graphql')
      .times(4)
      .reply(() => {
        posted.push(clock.t);
        return [200, { data: {} }];
      });
    for (let i = 0; i < 4; i++) await http.request({ method: 'POST', path: '/graphql', body: {}, idempotent: true, rateLimiter: graphql });
    // Three GraphQL calls went at once, the fourth waited out GraphQL's minute...
    expect(posted.slice(0, 3)).toEqual([posted[0], posted[0], posted[0]]);
    expect(posted[3]! - posted[0]!).toBe(60_000);
    // ...and none of them took REST's slots: two REST calls go at once, the third a minute on.
    const before = clock.t;
    for (let i = 0; i < 3; i++) await http.get('/repos');
    expect(rest.slice(0, 2)).toEqual([before, before]);
    expect(rest[2]! - before).toBe(60_000);
  });
});
