import { RequestScope, runInRequestScope } from '../../connectors/core/request-scope';
import { TtlValue } from '../../subgraphs/inventory/ttl-value';

// ---- TtlValue ---------------------------------------------------------------------------------

describe('TtlValue', () => {
  function counter(options: { failFirst?: number; delayMs?: number } = {}) {
    let builds = 0;
    const build = async () => {
      builds++;
      const n = builds;
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      if (n <= (options.failFirst ?? 0)) throw new Error(`build ${n} failed`);
      return `value-${n}`;
    };
    return {
      build,
      get builds() {
        return builds;
      },
    };
  }

  it('builds on the first get and keeps the value for the TTL', async () => {
    let now = 10_000;
    const c = counter();
    const value = new TtlValue(c.build, 1_000, () => now);
    expect(c.builds).toBe(0);
    expect(await value.get()).toBe('value-1');
    now = 10_999;
    expect(await value.get()).toBe('value-1');
    expect(c.builds).toBe(1);
  });

  it('rebuilds once the TTL has passed, counting from when the build finished', async () => {
    let now = 0;
    const c = counter();
    const value = new TtlValue(c.build, 1_000, () => now);
    await value.get();
    now = 1_000;
    expect(await value.get()).toBe('value-2');
    now = 1_999;
    expect(await value.get()).toBe('value-2');
    now = 2_000;
    expect(await value.get()).toBe('value-3');
    expect(c.builds).toBe(3);
  });

  it('dates the value at the end of a slow build', async () => {
    let now = 0;
    let release!: () => void;
    let builds = 0;
    const value = new TtlValue(
      () =>
        new Promise<number>((resolve) => {
          builds++;
          release = () => resolve(builds);
        }),
      1_000,
      () => now,
    );
    const pending = value.get();
    now = 5_000; // the build took 5 s
    release();
    expect(await pending).toBe(1);
    now = 5_500;
    expect(await value.get()).toBe(1);
    expect(builds).toBe(1);
  });

  it('shares one build between concurrent callers', async () => {
    const c = counter({ delayMs: 10 });
    const value = new TtlValue(c.build, 60_000);
    const answers = await Promise.all([value.get(), value.get(), value.get(), value.get()]);
    expect(answers).toEqual(['value-1', 'value-1', 'value-1', 'value-1']);
    expect(c.builds).toBe(1);
  });

  it('shares one rebuild between concurrent callers once expired', async () => {
    let now = 0;
    const c = counter({ delayMs: 5 });
    const value = new TtlValue(c.build, 100, () => now);
    await value.get();
    now = 100;
    const answers = await Promise.all([value.get(), value.get()]);
    expect(answers).toEqual(['value-2', 'value-2']);
    expect(c.builds).toBe(2);
  });

  it('rejects every waiting caller when the build fails, keeps nothing, and retries on the next get', async () => {
    const c = counter({ failFirst: 1, delayMs: 5 });
    const value = new TtlValue(c.build, 60_000, () => 0);
    const [a, b] = await Promise.allSettled([value.get(), value.get()]);
    expect(a).toEqual({ status: 'rejected', reason: new Error('build 1 failed') });
    expect(b).toEqual({ status: 'rejected', reason: new Error('build 1 failed') });
    expect(c.builds).toBe(1);
    expect(await value.get()).toBe('value-2');
    expect(c.builds).toBe(2);
    expect(await value.get()).toBe('value-2');
    expect(c.builds).toBe(2);
  });

  it('keeps serving nothing stale after a failed rebuild: the next get retries', async () => {
    let now = 0;
    const c = counter();
    let fail = false;
    const value = new TtlValue(
      async () => {
        if (fail) throw new Error('down');
        return c.build();
      },
      100,
      () => now,
    );
    expect(await value.get()).toBe('value-1');
    now = 200;
    fail = true;
    await expect(value.get()).rejects.toThrow('down');
    fail = false;
    expect(await value.get()).toBe('value-2');
  });
});

describe('TtlValue with a stale window', () => {
  it('serves the old value at once while one rebuild runs, then the new one', async () => {
    let now = 0;
    let builds = 0;
    let release: (v: number) => void = () => undefined;
    const value = new TtlValue<number>(
      () => (++builds === 1 ? Promise.resolve(1) : new Promise<number>((resolve) => (release = resolve))),
      100,
      () => now,
      50,
    );
    expect(await value.get()).toBe(1);
    now = 120; // past the TTL, inside the stale window
    expect(await value.get()).toBe(1);
    expect(await value.get()).toBe(1);
    expect(builds).toBe(2); // one background rebuild, shared
    release(2);
    await new Promise((r) => setImmediate(r));
    expect(await value.get()).toBe(2);
  });

  it('marks an answer built from a value past its TTL stale (extensions.freshness), and a fresh one not', async () => {
    let now = 0;
    const value = new TtlValue<number>(async () => 1, 100, () => now, 50, { rebuilds: { name: 'governance' } });
    const read = async () => {
      const scope = new RequestScope({ requestId: 'r' });
      await runInRequestScope(scope, () => value.get());
      return Object.fromEntries(scope.staleBySource);
    };
    expect(await read()).toEqual({});
    now = 99;
    expect(await read()).toEqual({});
    now = 130; // 30 ms past the TTL, in the stale window
    expect(await read()).toEqual({ 'index:governance': 30 });
  });

  it('keeps the old value when a background rebuild fails, and waits for a build after the window', async () => {
    let now = 0;
    let fail = false;
    let builds = 0;
    const value = new TtlValue<number>(
      async () => {
        builds++;
        if (fail) throw new Error('jira:corp is down');
        return builds;
      },
      100,
      () => now,
      50,
    );
    expect(await value.get()).toBe(1);
    fail = true;
    now = 130;
    expect(await value.get()).toBe(1);
    await new Promise((r) => setImmediate(r));
    now = 200; // past TTL + stale: the caller waits, and sees the error
    await expect(value.get()).rejects.toThrow('jira:corp is down');
  });
});
