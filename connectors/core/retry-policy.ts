import type { FailureMemo } from './failure-memo';
import type { RequestScope } from './request-scope';

/**
 * The one retry policy of every source, whatever carries its calls: HttpClient for the REST
 * sources, SagemakerRetryStrategy for the AWS SDK. The instance's `retry` settings, their
 * defaults, the backoff and what a request allows mean the same for all of them.
 */

export interface RetryOptions {
  /** Attempts in all, the first included; 1 disables retries. Default: 4. */
  maxAttempts?: number;
  /** Upper bound of the first backoff; it doubles per retry (full jitter). Default: 200. */
  baseDelayMs?: number;
  /** Upper bound of any one backoff (not of a Retry-After wait). Default: 5000. */
  maxDelayMs?: number;
  /**
   * Total time for one call: attempts, waits for a connection slot and backoff sleeps. A
   * wait that would not fit stops the retries at once. Default: 15000.
   */
  budgetMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

/** {@link RetryOptions} with its defaults. */
export function retryPolicy(options: RetryOptions | undefined): RetryPolicy {
  return {
    maxAttempts: Math.max(1, Math.floor(options?.maxAttempts ?? 4)),
    baseDelayMs: options?.baseDelayMs ?? 200,
    maxDelayMs: options?.maxDelayMs ?? 5_000,
    budgetMs: options?.budgetMs ?? 15_000,
  };
}

/**
 * The wait before retry number `retries + 1`, with full jitter: spreads the retries of many
 * clients hit by the same outage.
 */
export function backoffMs(policy: RetryPolicy, retries: number, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retries);
  return Math.floor(random() * cap);
}

/**
 * Why the GraphQL request allows no retry after `delayMs` (its deadline, its upstream call
 * budget, or another of its calls to the source having failed), or undefined when it does.
 * A retry the request cannot afford ends the call with the upstream's own error: that, not
 * the request's limit, is what went wrong.
 */
export function requestForbidsRetry(delayMs: number, scope: RequestScope | undefined, failures: FailureMemo | undefined): string | undefined {
  const left = scope?.remainingMs();
  if (left !== undefined && delayMs >= left) return `a retry in ${delayMs} ms would pass the request deadline`;
  if (scope && !scope.canCharge()) return `no retry: ${scope.budgetSpent()}`;
  // A concurrent call of this request already failed: a retry would only spend more of it.
  if (failures?.failedInRequest(scope)) return 'no retry: the source already failed in this request';
  return undefined;
}
