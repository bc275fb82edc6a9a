/**
 * Polling for tests: waits until something another process, a socket or background work
 * makes happen, and fails naming what it waited for (the only clue a CI log gives).
 *
 * Bounded by wall time (`timeoutMs`, polled every `intervalMs`) or, for work that needs
 * only the event loop to get somewhere (a background refresh against a stub), by `turns`
 * of it: no timer then, so a fake or slow clock changes nothing.
 */

export interface WaitOptions {
  /** What is awaited, for the error: a string, or a function read at failure (a process's output so far). */
  what: string | (() => string);
  /** Gives up after this long; 5000 ms unless told (ignored with `turns`). */
  timeoutMs?: number;
  /** Between two polls; 10 ms unless told (ignored with `turns`). */
  intervalMs?: number;
  /** Polls once per turn of the event loop (setImmediate), for at most this many turns, instead of by time. */
  turns?: number;
  /** A probe that throws means "not yet" (a server not listening yet) rather than failing the wait. */
  ignoreErrors?: boolean;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_INTERVAL_MS = 10;

/** Until `condition` holds. */
export async function waitFor(condition: () => boolean | Promise<boolean>, options: WaitOptions): Promise<void> {
  await waitForValue(async () => ((await condition()) ? true : undefined), options);
}

/** Until `probe` returns something other than undefined, and that. */
export async function waitForValue<T>(probe: () => T | undefined | Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const { turns, ignoreErrors = false } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const deadline = Date.now() + timeoutMs;
  for (let polls = 1; ; polls++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      if (!ignoreErrors) throw err;
    }
    if (turns !== undefined) {
      if (polls > turns) throw new Error(`not within ${turns} turns of the event loop: ${whatOf(options.what)}`);
      await new Promise((resolve) => setImmediate(resolve));
    } else {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${whatOf(options.what)}`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

function whatOf(what: WaitOptions['what']): string {
  return typeof what === 'function' ? what() : what;
}
