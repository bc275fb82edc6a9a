import { SourceError, SourceErrorCode } from './errors';
import { isRememberedFailure } from './failure-memo';
import { isRequestLimitError } from './request-scope';

export interface CircuitBreakerOptions {
  /** Consecutive failed calls (after their retries) that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long an open circuit fails calls at once before letting one trial through. Default 30000. */
  resetAfterMs?: number;
  now?: () => number;
  /** Told of every change of state (closed -> open, open -> half-open, ...), e.g. to log it. Default: none. */
  onStateChange?: (change: { from: CircuitState; to: CircuitState; failures: number }) => void;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

type State = { kind: 'closed'; failures: number } | { kind: 'open'; until: number } | { kind: 'half-open' };

/**
 * One per source instance. A dead upstream would otherwise cost every query the whole
 * retry budget (seconds) before its fields fail; once it has failed `failureThreshold`
 * calls in a row, calls fail at once, naming the source, until one trial call after
 * `resetAfterMs` succeeds.
 *
 * Only unavailability counts (network errors, timeouts, 5xx): a 4xx or a 429 is an answer
 * from a live upstream. A call refused or cut short by its GraphQL request's own budget or
 * deadline (a RequestLimitError) counts neither way.
 */
export class CircuitBreaker {
  private state: State = { kind: 'closed', failures: 0 };
  private readonly threshold: number;
  private readonly resetAfterMs: number;
  private readonly now: () => number;
  private readonly onStateChange: CircuitBreakerOptions['onStateChange'];

  constructor(
    private readonly source: string,
    options: CircuitBreakerOptions = {},
  ) {
    this.threshold = Math.max(1, options.failureThreshold ?? 5);
    this.resetAfterMs = Math.max(0, options.resetAfterMs ?? 30_000);
    this.now = options.now ?? Date.now;
    this.onStateChange = options.onStateChange;
  }

  get status(): CircuitState {
    return this.state.kind;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state.kind === 'open') {
      if (this.now() < state.until) throw this.openError(state.until);
      this.moveTo({ kind: 'half-open' });
    } else if (state.kind === 'half-open') {
      // One trial at a time; the others fail fast until it has answered.
      throw this.openError(this.now());
    }
    try {
      const result = await call();
      this.moveTo({ kind: 'closed', failures: 0 });
      return result;
    } catch (err) {
      if (isRequestLimitError(err) || isRememberedFailure(err)) {
        // Refused or cut short by the request's own budget or deadline: no verdict on the
        // upstream. A trial that never really ran gives its turn to the next call.
        if (this.state.kind === 'half-open' && state.kind === 'open') this.moveTo(state);
        throw err;
      }
      if (countsAsDown(err)) {
        const failures = this.state.kind === 'closed' ? this.state.failures + 1 : this.threshold;
        this.moveTo(
          failures >= this.threshold ? { kind: 'open', until: this.now() + this.resetAfterMs } : { kind: 'closed', failures },
        );
      } else {
        // The upstream answered (a 4xx, a 429): it is alive.
        this.moveTo({ kind: 'closed', failures: 0 });
      }
      throw err;
    }
  }

  private moveTo(next: State): void {
    const from = this.state.kind;
    this.state = next;
    if (from !== next.kind) {
      this.onStateChange?.({ from, to: next.kind, failures: next.kind === 'closed' ? next.failures : this.threshold });
    }
  }

  private openError(until: number): SourceError {
    const seconds = Math.max(0, Math.ceil((until - this.now()) / 1000));
    return new SourceError({
      source: this.source,
      code: SourceErrorCode.SOURCE_UNAVAILABLE,
      message: `circuit open after ${this.threshold} consecutive failures; next try in ${seconds} s`,
      upstreamCode: 'CIRCUIT_OPEN',
      retryAfterMs: Math.max(0, until - this.now()),
      attempts: 0,
    });
  }
}

function countsAsDown(err: unknown): boolean {
  if (!(err instanceof SourceError)) return false;
  if (err.code === SourceErrorCode.SOURCE_TIMEOUT) return true;
  return err.code === SourceErrorCode.SOURCE_UNAVAILABLE && (err.status === undefined || err.status >= 500);
}
