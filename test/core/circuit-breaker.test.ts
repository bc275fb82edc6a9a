import { CircuitBreaker } from '../../connectors/core/circuit-breaker';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';

const down = () => new SourceError({ source: 'mlflow:x', code: SourceErrorCode.SOURCE_UNAVAILABLE, message: 'reset' });
const http503 = () =>
  new SourceError({ source: 'mlflow:x', code: SourceErrorCode.SOURCE_UNAVAILABLE, message: '503', status: 503 });
const notFound = () =>
  new SourceError({ source: 'mlflow:x', code: SourceErrorCode.SOURCE_NOT_FOUND, message: '404', status: 404 });

function setup(threshold = 3) {
  let now = 0;
  const breaker = new CircuitBreaker('mlflow:x', { failureThreshold: threshold, resetAfterMs: 10_000, now: () => now });
  const call = jest.fn();
  const run = (outcome: () => unknown) =>
    breaker.run(async () => {
      call();
      const value = outcome();
      if (value instanceof Error) throw value;
      return value;
    });
  return { breaker, call, run, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures and then fails at once, naming the source', async () => {
    const { breaker, call, run } = setup(3);
    for (let i = 0; i < 3; i++) await expect(run(i % 2 ? http503 : down)).rejects.toBeInstanceOf(SourceError);
    expect(breaker.status).toBe('open');
    const error = (await run(() => 'never').catch((e: unknown) => e)) as SourceError;
    expect(call).toHaveBeenCalledTimes(3);
    expect(error).toMatchObject({ source: 'mlflow:x', code: SourceErrorCode.SOURCE_UNAVAILABLE, upstreamCode: 'CIRCUIT_OPEN' });
    expect(error.message).toMatch(/^mlflow:x: circuit open after 3 consecutive failures; next try in 10 s/);
  });

  it('does not count answers from a live upstream, and they reset the count', async () => {
    const { breaker, run } = setup(2);
    await expect(run(down)).rejects.toThrow();
    await expect(run(notFound)).rejects.toThrow();
    await expect(run(down)).rejects.toThrow();
    expect(breaker.status).toBe('closed');
  });

  it('lets one trial through after the reset time: success closes, failure reopens', async () => {
    const { breaker, call, run, advance } = setup(1);
    await expect(run(down)).rejects.toThrow();
    advance(10_000);
    await expect(run(down)).rejects.toThrow('reset');
    expect(breaker.status).toBe('open');
    expect(call).toHaveBeenCalledTimes(2);
    advance(10_000);
    await expect(run(() => 'ok')).resolves.toBe('ok');
    expect(breaker.status).toBe('closed');
  });

  it('fails other calls at once while the trial is in flight', async () => {
    const { breaker, advance } = setup(1);
    await expect(breaker.run(async () => Promise.reject(down()))).rejects.toThrow();
    advance(10_000);
    let finish: (v: string) => void = () => undefined;
    const trial = breaker.run(() => new Promise<string>((resolve) => (finish = resolve)));
    await expect(breaker.run(async () => 'second')).rejects.toMatchObject({ upstreamCode: 'CIRCUIT_OPEN' });
    finish('first');
    await expect(trial).resolves.toBe('first');
  });
});

describe('CircuitBreaker transitions', () => {
  it('reports each change of state once, for the warn line an operator reads', async () => {
    let now = 0;
    const changes: string[] = [];
    const breaker = new CircuitBreaker('mlflow:x', {
      failureThreshold: 2,
      resetAfterMs: 1_000,
      now: () => now,
      onStateChange: ({ from, to }) => changes.push(`${from}->${to}`),
    });
    const fail = () => breaker.run(async () => Promise.reject(down())).catch(() => undefined);
    await fail();
    expect(changes).toEqual([]);
    await fail();
    await fail(); // refused while open: no change
    now += 1_000;
    await breaker.run(async () => 'ok');
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });
});
