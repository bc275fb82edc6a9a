import { RedisBreaker } from '../../connectors/core/cache/redis-breaker';

/** The breaker's rules on their own, with a probe the test answers; the real Redis is in redis-breaker.test.ts. */

const timeout = () => Promise.reject(new Error('Command timed out'));
const refused = () => Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));

async function tick(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('RedisBreaker', () => {
  const breakers: RedisBreaker[] = [];
  const make = (options: Partial<ConstructorParameters<typeof RedisBreaker>[0]> = {}) => {
    const breaker = new RedisBreaker({ probe: () => Promise.reject(new Error('down')), probeIntervalMs: 1, ...options });
    breakers.push(breaker);
    return breaker;
  };
  afterEach(() => breakers.splice(0).forEach((b) => b.stop()));

  it('opens on the first timeout', async () => {
    const breaker = make();
    await expect(breaker.run(timeout)).rejects.toThrow('timed out');
    expect(breaker.available).toBe(false);
  });

  it('opens on the third fast failure in a row, and a success in between resets the count', async () => {
    const breaker = make();
    await expect(breaker.run(refused)).rejects.toThrow();
    await expect(breaker.run(refused)).rejects.toThrow();
    await breaker.run(async () => 'OK');
    await expect(breaker.run(refused)).rejects.toThrow();
    await expect(breaker.run(refused)).rejects.toThrow();
    expect(breaker.available).toBe(true);
    await expect(breaker.run(refused)).rejects.toThrow();
    expect(breaker.available).toBe(false);
  });

  it('does not count a rejection that is not an Error (a rate limiter saying "over the limit")', async () => {
    const breaker = make({ failureThreshold: 1 });
    await expect(breaker.run(() => Promise.reject({ msBeforeNext: 1000 }))).rejects.toEqual({ msBeforeNext: 1000 });
    expect(breaker.available).toBe(true);
  });

  it('probes while open and closes on the first probe answered', async () => {
    let probes = 0;
    let up = false;
    const breaker = make({ probe: async () => (probes++, up ? 'PONG' : Promise.reject(new Error('down'))) });
    await expect(breaker.run(timeout)).rejects.toThrow();
    while (probes < 3) await tick();
    expect(breaker.available).toBe(false);
    up = true;
    while (!breaker.available) await tick();
    const after = probes;
    await tick();
    await tick();
    expect(probes).toBe(after);
  });

  it('starts open, quietly, until the client is ready', async () => {
    const breaker = make({ initiallyAvailable: false });
    expect(breaker.available).toBe(false);
    breaker.markAvailable();
    expect(breaker.available).toBe(true);
  });
});
