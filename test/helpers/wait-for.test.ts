import { waitFor, waitForValue } from './wait-for';

/** Polls are counted, not timed: each probe records that it ran. */
describe('waitFor / waitForValue', () => {
  it('polls until the condition holds, sync or async', async () => {
    let polls = 0;
    await waitFor(() => ++polls === 3, { intervalMs: 1, what: 'the third poll' });
    expect(polls).toBe(3);
    polls = 0;
    await waitFor(async () => ++polls === 2, { intervalMs: 1, what: 'the second poll' });
    expect(polls).toBe(2);
  });

  it('returns the first value that is not undefined', async () => {
    let polls = 0;
    expect(await waitForValue(() => (++polls < 3 ? undefined : { polls }), { intervalMs: 1, what: 'a value' })).toEqual({ polls: 3 });
  });

  it('times out naming what it waited for, read when it fails', async () => {
    let output = 'nothing yet';
    const waiting = waitFor(
      () => {
        output = 'the process said why';
        return false;
      },
      { timeoutMs: 30, intervalMs: 5, what: () => `the server:\n${output}` },
    );
    await expect(waiting).rejects.toThrow('timed out after 30 ms waiting for the server:\nthe process said why');
  });

  it('by turns of the event loop: polls turns + 1 times, then fails naming what', async () => {
    let polls = 0;
    const never = () => {
      polls++;
      return false;
    };
    await expect(waitFor(never, { turns: 50, what: 'background work' })).rejects.toThrow('not within 50 turns of the event loop: background work');
    expect(polls).toBe(51);
  });

  it('a probe that throws fails the wait, unless told to take it for "not yet"', async () => {
    const boom = new Error('refused');
    const throwing = () => {
      throw boom;
    };
    await expect(waitFor(throwing, { what: 'x' })).rejects.toBe(boom);
    let polls = 0;
    const value = await waitForValue(
      () => {
        if (++polls < 3) throw boom;
        return 'up';
      },
      { intervalMs: 1, ignoreErrors: true, what: 'x' },
    );
    expect([value, polls]).toEqual(['up', 3]);
  });
});
