import { SourceErrorCode } from '../../connectors/core/errors';
import { LOW_REMAINING_FRACTION, RateLimiter, waitForSlot, type RateLimit } from '../../connectors/core/rate-limiter';
import { RequestLimitError, RequestScope, runInRequestScope } from '../../connectors/core/request-scope';

/**
 * The limiter alone, on a simulated clock: every "send" is a reservation taken and slept
 * out on that clock, and the tests count sends per simulated window. Nothing waits real time.
 */

class SimulatedClock {
  t = Date.parse('2026-01-01T00:00:00Z');
  readonly now = () => this.t;
  readonly sleep = async (ms: number) => {
    this.t += ms;
  };
}

/** Sends `n` calls one after another, each as soon as the limiter lets it; returns the send times. */
async function sendSequentially(limiter: RateLimiter, clock: SimulatedClock, n: number): Promise<number[]> {
  const sent: number[] = [];
  for (let i = 0; i < n; i++) {
    await waitForSlot(limiter, { source: 'test:x', budgetLeftMs: Infinity, budgetMs: Infinity, sleep: clock.sleep });
    sent.push(clock.t);
  }
  return sent;
}

/** The most sends in any window of `windowMs` (sliding, from each send). */
function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  let max = 0;
  for (let i = 0; i < times.length; i++) {
    let j = i;
    while (j < times.length && times[j]! < times[i]! + windowMs) j++;
    max = Math.max(max, j - i);
  }
  return max;
}

function limiter(limit: RateLimit, clock: SimulatedClock): RateLimiter {
  return new RateLimiter('test:x', limit, { now: clock.now });
}

describe('RateLimiter: the configured rate', () => {
  it('never sends more than requestsPerSecond in any second once the burst is spent', async () => {
    const clock = new SimulatedClock();
    const sent = await sendSequentially(limiter({ requestsPerSecond: 5, burst: 5 }, clock), clock, 60);
    // The first 5 go at once (the burst); from then on exactly one every 200 ms.
    expect(sent.slice(0, 5).every((t) => t === sent[0])).toBe(true);
    for (let i = 5; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBe(200);
    // Any window after the burst holds at most the rate; the first may hold burst + rate.
    expect(maxInAnyWindow(sent.slice(5), 1000)).toBe(5);
    expect(maxInAnyWindow(sent, 1000)).toBeLessThanOrEqual(5 + 5);
    // Sustained: 60 calls take (60 - 5) / 5 = 11 s.
    expect(sent.at(-1)! - sent[0]!).toBe(11_000);
  });

  it('lets a burst of `burst` calls through at once after a quiet spell, and no more', async () => {
    const clock = new SimulatedClock();
    const l = limiter({ requestsPerSecond: 2, burst: 8 }, clock);
    await sendSequentially(l, clock, 20);
    await clock.sleep(60_000);
    const start = clock.t;
    const sent = await sendSequentially(l, clock, 10);
    expect(sent.filter((t) => t === start)).toHaveLength(8);
    expect(sent[8]! - start).toBe(500);
  });

  it('holds a perMinute window: never more than perMinute in any sliding 60 s', async () => {
    const clock = new SimulatedClock();
    const sent = await sendSequentially(limiter({ perMinute: 30 }, clock), clock, 100);
    expect(maxInAnyWindow(sent, 60_000)).toBe(30);
    // 100 calls at 30 a minute: the 100th goes at the start of the fourth minute.
    expect(sent.at(-1)! - sent[0]!).toBe(3 * 60_000);
  });

  it('holds several windows at once (GitHub: 5,000 an hour and 900 a minute)', async () => {
    const clock = new SimulatedClock();
    const sent = await sendSequentially(limiter({ perHour: 5_000, perMinute: 900 }, clock), clock, 6_000);
    expect(maxInAnyWindow(sent, 60_000)).toBe(900);
    expect(maxInAnyWindow(sent, 3_600_000)).toBe(5_000);
    // The 5,001st waits for the first to leave the hour.
    expect(sent[5_000]! - sent[0]!).toBe(3_600_000);
  });

  it('hands concurrent callers successive slots rather than the same one', async () => {
    const clock = new SimulatedClock();
    const l = limiter({ requestsPerSecond: 4, burst: 1 }, clock);
    const waits = [1, 2, 3, 4].map(() => l.reserve(Infinity));
    expect(waits).toEqual([
      { ok: true, waitMs: 0 },
      { ok: true, waitMs: 250 },
      { ok: true, waitMs: 500 },
      { ok: true, waitMs: 750 },
    ]);
  });
});

describe("RateLimiter: the vendor's headers", () => {
  const resetIn = (clock: SimulatedClock, ms: number) => new Date(clock.t + ms).toISOString();

  it('waits until the reset when remaining is 0 (GitHub x-ratelimit-remaining: 0)', async () => {
    const clock = new SimulatedClock();
    const l = limiter({ perHour: 5_000 }, clock);
    l.observe({ limit: 5_000, remaining: 0, resetAt: resetIn(clock, 1_234_000), resource: 'core' });
    const start = clock.t;
    const [next] = await sendSequentially(l, clock, 1);
    expect(next! - start).toBe(1_234_000);
  });

  it('spreads a low remaining budget evenly until the reset', async () => {
    const clock = new SimulatedClock();
    const l = limiter({ perHour: 5_000 }, clock);
    // 100 left of 5,000 (2%, below the 10% mark) and 10 minutes to go: one call every 6 s.
    expect(100 / 5_000).toBeLessThan(LOW_REMAINING_FRACTION);
    l.observe({ limit: 5_000, remaining: 100, resetAt: resetIn(clock, 600_000) });
    const sent = await sendSequentially(l, clock, 11);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBe(6_000);
    expect(maxInAnyWindow(sent, 60_000)).toBe(10);
  });

  it('does not ration a budget that is not low', async () => {
    const clock = new SimulatedClock();
    const l = limiter({ perHour: 5_000 }, clock);
    l.observe({ limit: 5_000, remaining: 4_000, resetAt: resetIn(clock, 600_000) });
    const sent = await sendSequentially(l, clock, 50);
    expect(sent.at(-1)).toBe(sent[0]);
  });

  it('stops pacing once the reset has passed', async () => {
    const clock = new SimulatedClock();
    const l = limiter({}, clock);
    l.observe({ limit: 5_000, remaining: 0, resetAt: resetIn(clock, 30_000) });
    await clock.sleep(30_000);
    const sent = await sendSequentially(l, clock, 20);
    expect(sent.at(-1)).toBe(sent[0]);
  });

  it('ignores a reading with no reset (Azure states only what is left)', async () => {
    const clock = new SimulatedClock();
    const l = limiter({}, clock);
    l.observe({ remaining: 0, resource: 'subscription-reads' });
    expect(l.reserve(0)).toEqual({ ok: true, waitMs: 0 });
  });

  it('pauses every call until a Retry-After has passed', () => {
    const clock = new SimulatedClock();
    const l = limiter({}, clock);
    l.pauseUntil(clock.t + 7_000);
    expect(l.reserve(Infinity)).toEqual({ ok: true, waitMs: 7_000 });
    // A caller that slept it out itself is not made to wait for it again.
    const other = limiter({}, clock);
    other.pauseUntil(clock.t + 7_000);
    expect(other.reserve(Infinity, { pauseServed: clock.t + 7_000 })).toEqual({ ok: true, waitMs: 0 });
  });
});

describe('waitForSlot: the request deadline and the retry budget', () => {
  it('fails fast with SOURCE_RATE_LIMITED naming the source, takes no slot, and sleeps not at all, when the wait would pass the deadline', async () => {
    const clock = new SimulatedClock();
    const l = limiter({}, clock);
    l.observe({ limit: 5_000, remaining: 0, resetAt: new Date(clock.t + 120_000).toISOString(), resource: 'core' });
    const scope = new RequestScope({ requestId: 'req-1', deadlineAt: clock.t + 60_000, now: clock.now });
    const slept: number[] = [];
    const err = await runInRequestScope(scope, () =>
      waitForSlot(l, { source: 'github:corp', budgetLeftMs: Infinity, budgetMs: 15_000, sleep: async (ms) => void slept.push(ms) }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestLimitError);
    const limitError = err as RequestLimitError;
    expect(limitError.code).toBe(SourceErrorCode.SOURCE_RATE_LIMITED);
    expect(limitError.source).toBe('github:corp');
    expect(limitError.limit).toBe('rate');
    expect(limitError.requestId).toBe('req-1');
    expect(limitError.retryAfterMs).toBe(120_000);
    expect(limitError.message).toMatch(/^github:corp: not sent: .*"core" rate limit.* past the request deadline$/);
    expect(slept).toEqual([]);
    expect(scope.callsMade).toBe(0);
  });

  it('fails fast when the wait would exceed the retry budget (no request scope: a background refresh)', async () => {
    const clock = new SimulatedClock();
    const l = limiter({ perMinute: 1 }, clock);
    await sendSequentially(l, clock, 1);
    const err = await waitForSlot(l, { source: 'vertex_ai:eu', budgetLeftMs: 15_000, budgetMs: 15_000, sleep: clock.sleep }).catch((e: unknown) => e);
    expect((err as RequestLimitError).code).toBe(SourceErrorCode.SOURCE_RATE_LIMITED);
    expect((err as RequestLimitError).message).toMatch(/1 perMinute.*past the 15000 ms budget/);
    // Refused reservations take nothing: the slot a minute on is still free for a caller that can wait.
    expect(l.reserve(Infinity)).toEqual({ ok: true, waitMs: 60_000 });
  });

  it('waits when the slot comes before the deadline', async () => {
    const clock = new SimulatedClock();
    const l = limiter({ requestsPerSecond: 1 }, clock);
    await sendSequentially(l, clock, 1);
    const scope = new RequestScope({ requestId: 'req-2', deadlineAt: clock.t + 5_000, now: clock.now });
    const start = clock.t;
    await runInRequestScope(scope, () => waitForSlot(l, { source: 'jira:corp', budgetLeftMs: 15_000, budgetMs: 15_000, sleep: clock.sleep }));
    expect(clock.t - start).toBe(1_000);
  });

  it('rejects nonsense limits at construction, naming the limiter', () => {
    expect(() => new RateLimiter('github:corp', { requestsPerSecond: 0 })).toThrow(/github:corp: requestsPerSecond/);
    expect(() => new RateLimiter('github:corp', { requestsPerSecond: 1, burst: 0.5 })).toThrow(/burst/);
    expect(() => new RateLimiter('github:corp', { perMinute: -1 })).toThrow(/perMinute/);
  });
});

describe("RateLimiter: a Retry-After and a spent budget's reset from the same answer", () => {
  it('waits for the Retry-After, the vendor\'s word on when to ask again, not for both', () => {
    const clock = new SimulatedClock();
    const l = limiter({}, clock);
    l.observe({ limit: 2_000, remaining: 0, resetAt: new Date(clock.t + 2_463).toISOString() });
    l.pauseUntil(clock.t + 2_000);
    expect(l.reserve(Infinity, { pauseServed: clock.t + 2_000 })).toEqual({ ok: true, waitMs: 0 });
  });
});
