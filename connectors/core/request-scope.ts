import { AsyncLocalStorage } from 'node:async_hooks';
import { SourceError, SourceErrorCode } from './errors';

/**
 * What one subgraph request may still spend upstream: a number of calls and a point in time.
 *
 * The scope travels with the request through `AsyncLocalStorage`, so that the connectors
 * (the HTTP client, the SageMaker SDK middleware) find it without every resolver and
 * loader passing it along. Whatever runs on behalf of no single request (background
 * refreshes, index rebuilds, shared token fetches) runs in {@link outsideRequestScope}.
 */

export interface RequestScopeInit {
  /** The gateway's id of the request: for logs and error reports. */
  requestId: string;
  /** Upstream calls this subgraph request may still make; undefined = unlimited. */
  callBudget?: number;
  /** Epoch ms; undefined = none. */
  deadlineAt?: number;
  /** For tests: the clock the deadline is read with. Default: `Date.now`. */
  now?: () => number;
}

/**
 * A call refused (or an attempt cut short) by the request's own limits rather than by the
 * upstream: the source may be perfectly healthy, so neither the circuit breaker nor the
 * source's health counts it (see {@link isRequestLimitError}).
 */
export class RequestLimitError extends SourceError {
  /**
   * Which limit: the call budget (REQUEST_BUDGET_EXCEEDED), the deadline (SOURCE_TIMEOUT), or
   * the source's client-side rate limit, whose next free slot lies past the deadline or the
   * retry budget (SOURCE_RATE_LIMITED, with `retryAfterMs` the wait; see rate-limiter.ts).
   */
  readonly limit: RequestLimit;
  /** Empty outside any request (a background refresh refused by the rate limiter). */
  readonly requestId: string;

  constructor(init: { source: string; limit: RequestLimit; requestId: string; message: string; attempts?: number; retryAfterMs?: number }) {
    super({
      source: init.source,
      code: LIMIT_CODES[init.limit],
      message: init.message,
      attempts: init.attempts,
      retryAfterMs: init.retryAfterMs,
    });
    this.limit = init.limit;
    this.requestId = init.requestId;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), limit: this.limit, requestId: this.requestId };
  }
}

export type RequestLimit = 'budget' | 'deadline' | 'rate';

const LIMIT_CODES: Record<RequestLimit, SourceErrorCode> = {
  budget: SourceErrorCode.REQUEST_BUDGET_EXCEEDED,
  deadline: SourceErrorCode.SOURCE_TIMEOUT,
  rate: SourceErrorCode.SOURCE_RATE_LIMITED,
};

export function isRequestLimitError(err: unknown): err is RequestLimitError {
  return err instanceof RequestLimitError;
}

export class RequestScope {
  readonly requestId: string;
  /** Undefined: unlimited. */
  readonly callBudget?: number;
  readonly deadlineAt?: number;
  /** Upstream attempts charged so far, retries included. */
  callsMade = 0;
  /** The same, per source (`mlflow:prod`). */
  readonly callsBySource = new Map<string, number>();
  /** Cache lookups this request made that were served (fresh or stale) and that had to load: for its log line. */
  readonly cacheLookups = { hits: 0, misses: 0 };
  /** Sources some of whose answers came from a stale cache entry, with the oldest such entry's age in ms. */
  readonly staleBySource = new Map<string, number>();
  /**
   * Sources that failed in this request, by source: those the gateway reported from other
   * subgraph requests, and those that fail in this one (see failure-memo.ts).
   */
  readonly failedSources = new Map<string, SourceError>();
  /** The subset of {@link failedSources} that failed here, for the gateway to pass on. */
  readonly failedHere = new Set<string>();
  /**
   * The earliest time (epoch ms) at which a cache entry this request's answer was built from
   * stops being fresh; undefined while none was used. The gateway's response cache keeps the
   * answer no longer than this (see gateway/response-cache).
   */
  freshUntil?: number;
  private readonly now: () => number;

  constructor(init: RequestScopeInit) {
    const budget = init.callBudget;
    if (budget !== undefined && !(Number.isInteger(budget) && budget >= 0)) {
      throw new RangeError(`callBudget must be a non-negative integer, got ${budget}`);
    }
    if (init.deadlineAt !== undefined && !Number.isFinite(init.deadlineAt)) {
      throw new RangeError(`deadlineAt must be a finite epoch ms, got ${init.deadlineAt}`);
    }
    this.requestId = init.requestId;
    this.callBudget = budget;
    this.deadlineAt = init.deadlineAt;
    this.now = init.now ?? Date.now;
  }

  /**
   * Counts one upstream attempt against the budget, before it is sent; throws a
   * {@link RequestLimitError} (REQUEST_BUDGET_EXCEEDED) naming the source and the budget
   * when none is left, and then counts nothing.
   */
  charge(source: string): void {
    if (!this.canCharge()) {
      throw new RequestLimitError({
        source,
        limit: 'budget',
        requestId: this.requestId,
        message: this.budgetSpent(),
      });
    }
    this.callsMade++;
    this.callsBySource.set(source, (this.callsBySource.get(source) ?? 0) + 1);
  }

  /** Counts one cache lookup: served from the cache (`hit`) or loaded. */
  recordCacheLookup(hit: boolean): void {
    if (hit) this.cacheLookups.hits++;
    else this.cacheLookups.misses++;
  }

  /**
   * Notes that an answer of `source` was served from a cache entry `ageMs` old that is past
   * its TTL (the source is being refreshed, or failed): the response must say so.
   */
  noteStale(source: string, ageMs: number): void {
    this.staleBySource.set(source, Math.max(ageMs, this.staleBySource.get(source) ?? 0));
  }

  /**
   * Notes that part of the answer came from a cached value fresh until `at` (epoch ms): one
   * loaded now, or one stored earlier. The earliest such time bounds how long the whole
   * answer may be reused.
   */
  noteFreshUntil(at: number): void {
    if (!Number.isFinite(at)) return;
    this.freshUntil = this.freshUntil === undefined ? at : Math.min(this.freshUntil, at);
  }

  /** "this request's upstream call budget (200 calls) is spent". */
  budgetSpent(): string {
    return `this request's upstream call budget (${plural(this.callBudget ?? 0, 'call')}) is spent`;
  }

  /** Whether one more attempt could be charged now. */
  canCharge(): boolean {
    return this.callBudget === undefined || this.callsMade < this.callBudget;
  }

  /** Ms left before the deadline, never negative; undefined without a deadline. */
  remainingMs(): number | undefined {
    return this.deadlineAt === undefined ? undefined : Math.max(0, this.deadlineAt - this.now());
  }

  expired(): boolean {
    return this.deadlineAt !== undefined && this.now() >= this.deadlineAt;
  }

  /** The SOURCE_TIMEOUT a call of `source` fails with once the deadline is reached; `detail` says where it was. */
  deadlineError(source: string, detail?: string, attempts?: number): RequestLimitError {
    return new RequestLimitError({
      source,
      limit: 'deadline',
      requestId: this.requestId,
      message: `the request deadline was reached${detail ? ` ${detail}` : ''}`,
      attempts,
    });
  }

  /** Throws {@link deadlineError} when the deadline is reached. */
  checkDeadline(source: string): void {
    if (this.expired()) throw this.deadlineError(source);
  }
}

// `undefined` is stored explicitly by outsideRequestScope: "no scope", not "inherit".
const storage = new AsyncLocalStorage<RequestScope | undefined>();

/** Runs `fn` (and everything it starts, synchronously or not) in `scope`. */
export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` in no request scope: for work that outlives, or is shared beyond, the request
 * that happened to start it (a background refresh, an index rebuild, a token fetch others
 * join), which must be neither charged to that request nor cut by its deadline.
 */
export function outsideRequestScope<T>(fn: () => T): T {
  return storage.run(undefined, fn);
}

/**
 * `fn()`, waited for no longer than the current request's deadline, and not started at all
 * once it is reached: for waits no attempt's own timeout covers (a connection slot, a
 * credential or token fetch that other requests may share and that cannot be aborted).
 * `fn` goes on after the deadline; only the caller stops waiting, with the deadline's
 * SOURCE_TIMEOUT. Without a scope or a deadline, just `fn()`.
 *
 * Charges nothing by itself. A token fetch is no call to the vendor's API: run it in
 * {@link outsideRequestScope} within `fn`, so that whatever it uses is not charged either.
 */
export async function untilRequestDeadline<T>(source: string, what: string, fn: () => Promise<T>): Promise<T> {
  const scope = currentRequestScope();
  const left = scope?.remainingMs();
  if (!scope || left === undefined) return fn();
  if (left <= 0) throw scope.deadlineError(source);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(scope.deadlineError(source, `while ${what}`)), left);
  });
  try {
    return await Promise.race([fn(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
