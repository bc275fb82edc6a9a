import { VENDOR_RATE_LIMITS } from '../helpers/vendor-limits';
import { checkVendorLimits, maxInWindow } from './upstream-calls';

describe('maxInWindow', () => {
  it('finds the busiest half-open window', () => {
    expect(maxInWindow([], 1000)).toBe(0);
    expect(maxInWindow([0, 999, 1000, 1500, 1998], 1000)).toBe(4);
    expect(maxInWindow([0, 999, 1000, 1500, 1999], 1000)).toBe(3);
    expect(maxInWindow([0, 1000, 2000], 1000)).toBe(1);
  });
});

describe('checkVendorLimits', () => {
  const every = (n: number, gapMs: number) => Array.from({ length: n }, (_, i) => i * gapMs);

  it("holds a token bucket's second to its burst plus a second's refill", () => {
    // SageMaker: 5 a second, bursts of 10, per operation.
    expect(VENDOR_RATE_LIMITS.SAGEMAKER).toEqual({ requestsPerSecond: 5, burst: 10 });
    const [within] = checkVendorLimits([{ unit: 'sagemaker:prod-us Search', kind: 'SAGEMAKER', atMs: every(15, 66) }]);
    expect(within).toMatchObject({ maxPerSecond: 15, allowedPerSecond: 15, ok: true });
    const [over] = checkVendorLimits([{ unit: 'sagemaker:prod-us Search', kind: 'SAGEMAKER', atMs: every(16, 60) }]);
    expect(over).toMatchObject({ maxPerSecond: 16, ok: false });
  });

  it("holds GitHub's minute and hour, and leaves MLflow, which states no limit, alone", () => {
    const [github] = checkVendorLimits([{ unit: 'github:cloud', kind: 'GITHUB', atMs: every(901, 50) }]);
    expect(github).toMatchObject({ maxPerMinute: 901, allowedPerMinute: 900, allowedPerHour: 5000, ok: false });
    const [mlflow] = checkVendorLimits([{ unit: 'mlflow:prod', kind: 'MLFLOW', atMs: every(5000, 1) }]);
    expect(mlflow).toMatchObject({ maxPerSecond: 1000, ok: true });
    expect(mlflow.allowedPerSecond).toBeUndefined();
  });
});
