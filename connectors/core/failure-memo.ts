import { SourceError, SourceErrorCode } from './errors';
import { isRequestLimitError, type RequestScope } from './request-scope';

/** Codes that mean the source, not the object asked for, is failing. */
const SOURCE_WIDE = new Set<SourceErrorCode>([
  SourceErrorCode.SOURCE_UNAVAILABLE,
  SourceErrorCode.SOURCE_TIMEOUT,
  SourceErrorCode.SOURCE_RATE_LIMITED,
  SourceErrorCode.SOURCE_UNAUTHENTICATED,
  // An SSO login page or a proxy's HTML where JSON belongs: every endpoint answers it.
  SourceErrorCode.SOURCE_BAD_RESPONSE,
]);

/**
 * A call not sent because its source failed moments ago (or earlier in the same request):
 * the failure it repeats was counted when it happened, so neither the circuit breaker nor
 * the source's health counts this one again.
 */
export class RememberedFailure extends SourceError {
  readonly remembered = true;
}

export function isRememberedFailure(err: unknown): err is RememberedFailure {
  return err instanceof RememberedFailure;
}

/**
 * Credentials refused are remembered within the request only: connectors holding short-lived
 * tokens (Azure's Entra tokens) drop a refused one, and the next request's new token may work.
 */
const REQUEST_ONLY = new Set<SourceErrorCode>([SourceErrorCode.SOURCE_UNAUTHENTICATED]);

/** How long a request's failure is kept when its scope has no deadline (the inventory's own walk). */
const REQUEST_MEMORY_WITHOUT_DEADLINE_MS = 120_000;

export interface FailureMemoOptions {
  /** How long a failure is remembered across requests, in ms; 0: only within the request. Default 0 (the config's default is 5 s). */
  rememberMs?: number;
  /** For tests: the clock. Default: `Date.now`. */
  now?: () => number;
}

/**
 * What a source's last failure taught us, so that it costs one retry budget rather than one
 * per call: a GraphQL request that touches a source in several places (the inventory's
 * listing, then each `_entities` fetch, in several subgraph requests) would otherwise wait
 * out the budget at each of them.
 *
 * - Within one request (the gateway's request id, shared by all its subgraph requests), a
 *   source that failed is not asked again until the request ends.
 * - Across requests, for `rememberMs` after the failure (a few seconds), it is not asked
 *   either, so that a burst of queries does not each pay for the same outage. The circuit
 *   breaker takes over from there for a source that stays down.
 * - While one call of a request is retrying the source, the request's other calls wait for
 *   its verdict rather than send attempts of their own.
 *
 * Only failures that say the source as a whole is unusable are remembered; a 404 or a 403
 * is about one object, a 400 about one request, and the request's own budget or deadline
 * says nothing about the source. One per source instance, beside its circuit breaker.
 */
export class FailureMemo {
  private readonly rememberMs: number;
  private readonly now: () => number;
  private last: { error: SourceError; at: number } | undefined;
  /** Failures by the gateway's request id, each kept until its request's deadline. */
  private readonly byRequest = new Map<string, { error: SourceError; until: number }>();
  /** By request id: the call now retrying after a failed attempt, whose verdict the request's other calls wait for. */
  private readonly retrying = new Map<string, { call: object; settled: Promise<void>; settle: () => void }>();

  constructor(
    private readonly source: string,
    options: FailureMemoOptions = {},
  ) {
    const rememberMs = options.rememberMs ?? 0;
    if (!Number.isFinite(rememberMs) || rememberMs < 0) throw new Error(`${source}: rememberMs must be >= 0, got ${rememberMs}`);
    this.rememberMs = rememberMs;
    this.now = options.now ?? Date.now;
  }

  /** Whether `err` is a failure of the whole source, worth remembering. */
  static isSourceWide(err: unknown): err is SourceError {
    return err instanceof SourceError && !isRequestLimitError(err) && !isRememberedFailure(err) && SOURCE_WIDE.has(err.code);
  }

  /**
   * The error a call should fail with at once, without asking the source, or undefined when
   * the source may be asked. It keeps the original code, status and Retry-After, so that a
   * client sees the same failure whichever field asked first.
   */
  recall(scope: RequestScope | undefined): RememberedFailure | undefined {
    const now = this.now();
    const inRequest = this.failedInRequest(scope);
    if (inRequest) return this.repeat(inRequest, 'it failed earlier in this request');
    const last = this.last;
    if (last && now - last.at < this.rememberMs) return this.repeat(last.error, `it failed ${now - last.at} ms ago`);
    return undefined;
  }

  /**
   * The failure this request already met at this source, if any: a call that was waiting
   * (for a connection slot, or to retry) when it happened should stop then.
   */
  failedInRequest(scope: RequestScope | undefined): SourceError | undefined {
    // Reported by another subgraph request of the same gateway request (maybe another process).
    const reported = scope?.failedSources.get(this.source);
    if (reported) return reported;
    const id = scope?.requestId;
    if (!id) return undefined;
    const entry = this.byRequest.get(id);
    if (!entry) return undefined;
    if (this.now() < entry.until) return entry.error;
    this.byRequest.delete(id);
    return undefined;
  }

  /** Remembers `err` when it is a source-wide failure; an upstream's other answers count as signs of life. */
  noteFailure(err: unknown, scope: RequestScope | undefined): void {
    if (!FailureMemo.isSourceWide(err)) {
      // A 404 or a 403 is an answer: the source is up again, whatever it said before.
      if (err instanceof SourceError && err.status !== undefined && !isRememberedFailure(err)) this.last = undefined;
      return;
    }
    const now = this.now();
    if (!REQUEST_ONLY.has(err.code)) this.last = { error: err, at: now };
    if (scope && !scope.failedSources.has(this.source)) {
      scope.failedSources.set(this.source, err);
      scope.failedHere.add(this.source);
    }
    const id = scope?.requestId;
    if (!id) return;
    this.prune(now);
    if (!this.byRequest.has(id)) {
      this.byRequest.set(id, { error: err, until: scope?.deadlineAt ?? now + REQUEST_MEMORY_WITHOUT_DEADLINE_MS });
    }
  }

  /**
   * `call` failed an attempt and may try again: until it settles, the request's other calls
   * wait for its verdict ({@link untilRetryingCallSettles}) instead of sending attempts that
   * would most likely fail the same way and spend the source's budget twice.
   */
  noteRetrying(scope: RequestScope | undefined, call: object): void {
    const id = scope?.requestId;
    if (!id || this.retrying.has(id)) return;
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.retrying.set(id, { call, settled, settle });
  }

  /** `call` is over, whatever its outcome; the calls waiting for it go on. */
  noteSettled(scope: RequestScope | undefined, call: object): void {
    const id = scope?.requestId;
    const entry = id ? this.retrying.get(id) : undefined;
    if (!id || entry?.call !== call) return;
    this.retrying.delete(id);
    entry.settle();
  }

  /** Whether another call of the request is retrying this source now (see {@link noteRetrying}). */
  anotherCallRetrying(scope: RequestScope | undefined, call: object): boolean {
    const entry = scope?.requestId ? this.retrying.get(scope.requestId) : undefined;
    return entry !== undefined && entry.call !== call;
  }

  /** Waits while another call of the request is retrying this source (see {@link noteRetrying}). */
  async untilRetryingCallSettles(scope: RequestScope | undefined, call: object): Promise<void> {
    const id = scope?.requestId;
    if (!id) return;
    for (let entry = this.retrying.get(id); entry && entry.call !== call; entry = this.retrying.get(id)) {
      await entry.settled;
    }
  }

  /** The source answered: other requests may ask it again at once (this request's memory stays). */
  noteSuccess(): void {
    this.last = undefined;
  }

  private prune(now: number): void {
    for (const [id, entry] of this.byRequest) if (now >= entry.until) this.byRequest.delete(id);
  }

  /** {@link failedInRequest} as the error a call fails with instead of being sent. */
  recallInRequest(scope: RequestScope | undefined): RememberedFailure | undefined {
    const failed = this.failedInRequest(scope);
    return failed && this.repeat(failed, 'it failed earlier in this request');
  }

  private repeat(error: SourceError, why: string): RememberedFailure {
    return new RememberedFailure({
      source: this.source,
      code: error.code,
      message: `${error.message} (not asked again: ${why})`,
      status: error.status,
      upstreamCode: error.upstreamCode,
      retryAfterMs: error.retryAfterMs,
      attempts: 0,
    });
  }
}
