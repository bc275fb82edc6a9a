import { createServer } from 'node:net';

/**
 * A port nothing listens on right now: bound on loopback once, then released. Between the
 * release and a server's listen another process can take it (EADDRINUSE): a server in this
 * process should listen on port 0 instead, and one that cannot (a child process, told its
 * port) starts through listenOnFreePort.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** How many times a start is tried on a taken port before its EADDRINUSE is the answer. */
export const PORT_ATTEMPTS = 3;

/** A child process that could not listen because its port was taken: the EADDRINUSE it exited with. */
export class AddressInUseError extends Error {
  readonly code = 'EADDRINUSE';
}

/** Whether a `modelgraph serve` process's output says it exited because a port was taken. */
export function saysAddressInUse(output: string): boolean {
  // "port N is already in use" (cli/main.ts), or the raw error of a listener it does not word.
  return /EADDRINUSE|is already in use/.test(output);
}

export function isAddressInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/**
 * `attempt()` again (at most `attempts` times in all) while it fails with EADDRINUSE: the
 * ports it picked were taken in between. Any other failure is the answer at once. The
 * attempt cleans up after itself before it throws (a process it started is stopped).
 */
export async function retryOnAddressInUse<T>(attempt: () => Promise<T>, attempts = PORT_ATTEMPTS): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= attempts || !isAddressInUse(err)) throw err;
    }
  }
}

/**
 * `start` on a free port, and on a new one while the port was taken before `start` could
 * listen on it. `pickPort` is freePort unless a test of this helper hands out a taken one.
 */
export function listenOnFreePort<T>(
  start: (port: number) => Promise<T>,
  { attempts = PORT_ATTEMPTS, pickPort = freePort }: { attempts?: number; pickPort?: () => Promise<number> } = {},
): Promise<T> {
  return retryOnAddressInUse(async () => start(await pickPort()), attempts);
}
