import { backoffMs, requestForbidsRetry, retryPolicy } from '../../connectors/core/retry-policy';
import { RequestScope } from '../../connectors/core/request-scope';
import { SagemakerRetryStrategy } from '../../connectors/sagemaker/client';

describe('retryPolicy', () => {
  it('fills the defaults every source shares, and keeps at least one attempt', () => {
    expect(retryPolicy(undefined)).toEqual({ maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5000, budgetMs: 15000 });
    expect(retryPolicy({ maxAttempts: 0, budgetMs: 100 })).toMatchObject({ maxAttempts: 1, budgetMs: 100 });
  });

  it('is what the SDK-based SageMaker strategy is configured from', () => {
    const strategy = new SagemakerRetryStrategy({ maxAttempts: 2.7 });
    expect(strategy.maxAttempts).toBe(retryPolicy({ maxAttempts: 2.7 }).maxAttempts);
    expect(strategy.budgetMs).toBe(retryPolicy(undefined).budgetMs);
  });
});

describe('backoffMs', () => {
  it('doubles its bound per retry up to maxDelayMs, with full jitter', () => {
    const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 300 });
    const top = () => 0.999999;
    expect(backoffMs(policy, 0, top)).toBe(99);
    expect(backoffMs(policy, 1, top)).toBe(199);
    expect(backoffMs(policy, 5, top)).toBe(299);
    expect(backoffMs(policy, 5, () => 0)).toBe(0);
  });
});

describe('requestForbidsRetry', () => {
  it('allows a retry outside any request, and refuses one that would pass the request deadline', () => {
    expect(requestForbidsRetry(1000, undefined, undefined)).toBeUndefined();
    const scope = new RequestScope({ requestId: 'r1', deadlineAt: 1_050, now: () => 1_000 });
    expect(requestForbidsRetry(10, scope, undefined)).toBeUndefined();
    expect(requestForbidsRetry(50, scope, undefined)).toMatch(/request deadline/);
  });

  it('refuses one the request\'s upstream call budget cannot pay for', () => {
    expect(requestForbidsRetry(10, new RequestScope({ requestId: 'r2', callBudget: 0 }), undefined)).toMatch(/^no retry: /);
  });
});
