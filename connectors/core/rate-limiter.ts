import { RequestLimitError, currentRequestScope } from './request-scope';
import type { RateLimitReading, SourceHealthRecorder } from './source-health';

/**
 * The client-side limiter of one source instance (or, for SageMaker, of one API of it): the
 * pace modelgraph keeps so that it stays within the vendor's documented limits by itself,
 * and slows further when the vendor's own headers say its budget is running out (vendor
 * defaults: each kind's limits.ts; the headers are read by rate-limit.ts).
 *
 * A call *reserves* its send time before it is sent: concurrent callers get successive
 * times, so a burst of requests is spread rather than released at once when a window
 * opens. A reservation that would have to wait longer than the caller can afford (its
 * request deadline, its retry budget) is refused and reserves nothing, so that the caller
 * fails fast instead of sleeping towards a deadline it cannot meet.
 *
 * Everything is computed from an injected clock: the limiter never sleeps itself.
 */

/** What a source instance may send; every field is optional, an absent one does not limit. */
export interface RateLimit {
  /** Sustained rate (a token bucket refilled at this rate). */
  requestsPerSecond?: number;
  /** Calls that may go at once after a quiet spell (the bucket's size). Default: 1 when `requestsPerSecond` is set. */
  burst?: number;
  /** At most this many calls in any 60 s (a sliding window, not a calendar minute). */
  perMinute?: number;
  /** At most this many calls in any hour (sliding). */
  perHour?: number;
}

/**
 * Below this share of the vendor's stated limit, the remaining budget is spread evenly
 * until the reset. Above it, the configured rate decides alone: a fresh window is not
 * rationed, so that interactive requests keep their bursts.
 */
export const LOW_REMAINING_FRACTION = 0.1;

export type Reservation =
  /** Send after `waitMs` (0: now); the slot is taken. */
  | { ok: true; waitMs: number }
  /** The earliest slot is `waitMs` away, more than the caller may wait; nothing was taken. */
  | { ok: false; waitMs: number; reason: string };

/** What a vendor's header said, per resource (GitHub `core`/`search`, a Jira limit...). */
interface HeaderState {
  /** Epoch ms when the vendor's window resets; nothing here applies after it. */
  resetAt: number;
  /** 0: the budget is spent, nothing is sent before `resetAt`. */
  remaining: number;
  /** Spacing between sends so that `remaining` lasts until `resetAt`; 0: no pacing. */
  paceMs: number;
}

export class RateLimiter {
  private readonly now: () => number;
  private readonly intervalMs: number | undefined;
  /** Token-bucket tolerance: how far ahead of the sustained schedule a burst may run. */
  private readonly toleranceMs: number;
  /** GCRA's theoretical arrival time: when the bucket would be full again. */
  private tat = -Infinity;
  private readonly windows: SlidingWindow[] = [];
  /** The latest reserved send time: reservations are handed out in order. */
  private lastReserved = -Infinity;
  /** Retry-After (or equivalent) from the vendor: nothing goes before it. */
  private pausedUntil = -Infinity;
  private readonly headers = new Map<string, HeaderState>();

  constructor(
    /** `github:corp`, or `sagemaker:prod/DescribeEndpoint`: for messages. */
    readonly name: string,
    readonly limit: Readonly<RateLimit>,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    const rps = limit.requestsPerSecond;
    if (rps !== undefined) {
      if (!(Number.isFinite(rps) && rps > 0)) throw new RangeError(`${name}: requestsPerSecond must be a positive number, got ${rps}`);
      const burst = limit.burst ?? 1;
      if (!(Number.isInteger(burst) && burst >= 1)) throw new RangeError(`${name}: burst must be a positive integer, got ${burst}`);
      this.intervalMs = 1000 / rps;
      this.toleranceMs = (burst - 1) * this.intervalMs;
    } else {
      this.toleranceMs = 0;
    }
    if (limit.perMinute !== undefined) this.windows.push(new SlidingWindow(name, 'perMinute', limit.perMinute, 60_000));
    if (limit.perHour !== undefined) this.windows.push(new SlidingWindow(name, 'perHour', limit.perHour, 3_600_000));
  }

  /**
   * Takes the earliest send slot when it is free now or less than `maxWaitMs` away (a wait
   * ending at the limit would leave the call no time to be sent). `maxWaitMs` Infinity:
   * whatever the wait. `pauseServed`: when the wait the caller has already slept out itself
   * ended (a retry after the Retry-After, or the reset, that the failed attempt named): a
   * pause or a spent budget ending by then is not waited for twice.
   */
  reserve(maxWaitMs: number, options: { pauseServed?: number } = {}): Reservation {
    const now = this.now();
    const { at, reason } = this.earliest(now, options.pauseServed ?? -Infinity);
    const waitMs = Math.max(0, Math.ceil(at - now));
    if (waitMs > 0 && waitMs >= maxWaitMs) return { ok: false, waitMs, reason };
    const sendAt = Math.max(now, at);
    if (this.intervalMs !== undefined) this.tat = Math.max(this.tat, sendAt) + this.intervalMs;
    for (const window of this.windows) window.add(sendAt);
    this.lastReserved = sendAt;
    return { ok: true, waitMs };
  }

  /**
   * What the vendor said about its budget in a response: at 0 nothing more is sent until
   * the reset; at or below {@link LOW_REMAINING_FRACTION} of the limit (or with no limit
   * stated) the rest is spread evenly until the reset. A reading without a remaining count
   * or a reset time (Azure states no reset) cannot be planned with, and changes nothing.
   */
  observe(reading: RateLimitReading): void {
    const now = this.now();
    const resetAt = reading.resetAt === undefined ? NaN : Date.parse(reading.resetAt);
    const remaining = reading.remaining;
    const resource = reading.resource ?? '';
    if (remaining === undefined || !Number.isFinite(resetAt)) return;
    if (resetAt <= now) {
      this.headers.delete(resource);
      return;
    }
    const low = reading.limit === undefined || remaining <= reading.limit * LOW_REMAINING_FRACTION;
    if (remaining > 0 && !low) {
      this.headers.delete(resource);
      return;
    }
    this.headers.set(resource, { resetAt, remaining, paceMs: remaining > 0 ? (resetAt - now) / remaining : 0 });
  }

  /**
   * The vendor refused a call and named a wait (Retry-After): no call of this limiter goes
   * before it. It is also the vendor's latest word on when to ask again, so a spent budget
   * whose stated reset lies further off (GitLab's own window, read from the same answer)
   * gives way to it rather than adding a second wait.
   */
  pauseUntil(epochMs: number): void {
    if (!Number.isFinite(epochMs)) return;
    this.pausedUntil = Math.max(this.pausedUntil, epochMs);
    for (const state of this.headers.values()) {
      if (state.remaining === 0 && state.resetAt > epochMs) state.resetAt = epochMs;
    }
  }

  private earliest(now: number, pauseServed: number): { at: number; reason: string } {
    let at = Math.max(now, this.lastReserved);
    let reason = 'the configured rate';
    const later = (candidate: number, why: string) => {
      if (candidate > at) {
        at = candidate;
        reason = why;
      }
    };
    if (this.intervalMs !== undefined) later(this.tat - this.toleranceMs, `the configured rate (${this.limit.requestsPerSecond}/s)`);
    for (const window of this.windows) later(window.nextFree(), `the configured limit (${window.size} ${window.label})`);
    if (this.pausedUntil > pauseServed) later(this.pausedUntil, 'the Retry-After the source sent');
    for (const [resource, state] of this.headers) {
      if (state.resetAt <= now) {
        this.headers.delete(resource);
        continue;
      }
      const what = resource ? `"${resource}" ` : '';
      if (state.remaining === 0) {
        if (state.resetAt > pauseServed) later(state.resetAt, `the source's ${what}rate limit (0 left until ${new Date(state.resetAt).toISOString()})`);
      } else if (at < state.resetAt) later(this.lastReserved + state.paceMs, `the source's ${what}rate limit (${state.remaining} left, spread until the reset)`);
    }
    return { at, reason };
  }
}

/**
 * At most `size` reservations in any `windowMs`: a ring of the latest `size` send times, so
 * that a 5,000-an-hour window costs one slot write per call.
 */
class SlidingWindow {
  private readonly times: number[];
  /** Where the oldest of the ring is (and the next write goes, once it is full). */
  private head = 0;
  private count = 0;

  constructor(
    name: string,
    readonly label: 'perMinute' | 'perHour',
    readonly size: number,
    private readonly windowMs: number,
  ) {
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`${name}: ${label} must be a positive integer, got ${size}`);
    this.times = new Array<number>(size);
  }

  /** When one more may go: at once while fewer than `size` were reserved, else when the oldest leaves the window. */
  nextFree(): number {
    return this.count < this.size ? -Infinity : this.times[this.head]! + this.windowMs;
  }

  add(at: number): void {
    if (this.count < this.size) {
      this.times[(this.head + this.count) % this.size] = at;
      this.count++;
      return;
    }
    this.times[this.head] = at;
    this.head = (this.head + 1) % this.size;
  }
}

export interface SlotWaitOptions {
  /** `github:corp`: named by the error. */
  source: string;
  /** What is left of the call's retry budget, in ms: no wait may outlast it. */
  budgetLeftMs: number;
  /** The call's whole budget, for the message. */
  budgetMs: number;
  sleep: (ms: number) => Promise<void>;
  health?: SourceHealthRecorder;
  /** See {@link RateLimiter.reserve}. */
  pauseServed?: number;
}

/**
 * Waits for the limiter's next slot, for one attempt about to be sent. A slot further away
 * than the current request's deadline or the call's retry budget is not waited for: the
 * call fails at once with SOURCE_RATE_LIMITED naming the source (a {@link RequestLimitError},
 * so neither the breaker nor the source's health takes it for the source's failure), and
 * nothing is sent.
 */
export async function waitForSlot(limiter: RateLimiter, options: SlotWaitOptions): Promise<void> {
  const scope = currentRequestScope();
  const deadlineLeft = scope?.remainingMs() ?? Infinity;
  const reservation = limiter.reserve(Math.min(options.budgetLeftMs, deadlineLeft), { pauseServed: options.pauseServed });
  if (!reservation.ok) {
    options.health?.recordRateLimitWait?.({ waitMs: reservation.waitMs, refused: true });
    const past = deadlineLeft <= options.budgetLeftMs ? 'the request deadline' : `the ${options.budgetMs} ms budget`;
    throw new RequestLimitError({
      source: options.source,
      limit: 'rate',
      requestId: scope?.requestId ?? '',
      message: `not sent: ${reservation.reason} allows the next call in ${reservation.waitMs} ms, past ${past}`,
      retryAfterMs: reservation.waitMs,
      attempts: 0,
    });
  }
  if (reservation.waitMs > 0) {
    options.health?.recordRateLimitWait?.({ waitMs: reservation.waitMs, refused: false });
    await options.sleep(reservation.waitMs);
  }
}
