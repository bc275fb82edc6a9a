import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { scratchDir, startServerProcess } from '../bench/processes';
import { freePort, listenOnFreePort, PORT_ATTEMPTS } from './free-port';

/**
 * The free-port race, made to happen: the first port handed out is one this test holds,
 * as when another process takes a freePort() before its server listens on it.
 */

let taken: Server;
let takenPort: number;
let accepted: Socket[];

beforeEach(async () => {
  // Whatever took the port: it accepts a connection and never answers.
  accepted = [];
  taken = createServer((socket) => accepted.push(socket));
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
  takenPort = (taken.address() as { port: number }).port;
});

afterEach(async () => {
  const closed = new Promise<void>((resolve) => taken.close(() => resolve()));
  for (const socket of accepted) socket.destroy();
  await closed;
});

/** The taken port first, then free ones; every port handed out is recorded. */
function takenFirst(): { pickPort: () => Promise<number>; picked: number[] } {
  const picked: number[] = [];
  return {
    picked,
    pickPort: async () => {
      const port = picked.length === 0 ? takenPort : await freePort();
      picked.push(port);
      return port;
    },
  };
}

/** An HTTP server on `port`, as a test's own server starts: rejects with the listen error. */
function listenHttp(port: number): Promise<HttpServer> {
  const server = createHttpServer((_req, res) => res.end('mine'));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('listenOnFreePort', () => {
  it('starts again on a new port when the first was taken (EADDRINUSE), and the second start serves', async () => {
    const ports = takenFirst();
    const errors: unknown[] = [];
    const server = await listenOnFreePort(
      (port) =>
        listenHttp(port).catch((err: unknown) => {
          errors.push(err);
          throw err;
        }),
      ports,
    );
    try {
      expect(ports.picked).toHaveLength(2);
      expect(ports.picked[0]).toBe(takenPort);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'EADDRINUSE', port: takenPort });
      const port = (server.address() as { port: number }).port;
      expect(port).toBe(ports.picked[1]);
      expect(port).not.toBe(takenPort);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('mine');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('does not retry any other failure: it is the answer at once', async () => {
    const ports = takenFirst();
    let starts = 0;
    const failure = Object.assign(new Error('permission denied'), { code: 'EACCES' });
    await expect(
      listenOnFreePort(async () => {
        starts++;
        throw failure;
      }, ports),
    ).rejects.toBe(failure);
    expect(starts).toBe(1);
    expect(ports.picked).toHaveLength(1);
  });

  it(`gives up after ${PORT_ATTEMPTS} starts on taken ports, with the last EADDRINUSE`, async () => {
    let starts = 0;
    await expect(
      listenOnFreePort(
        (port) => {
          starts++;
          return listenHttp(port);
        },
        { pickPort: async () => takenPort },
      ),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(starts).toBe(PORT_ATTEMPTS);
  });
});

describe('a modelgraph serve child process on a taken port', () => {
  it('exits saying so, and startServerProcess spawns it again on a new port that serves', async () => {
    const ports = takenFirst();
    const scratch = scratchDir();
    const server = await startServerProcess({ cache: { warmUp: false }, sources: {}, logLevel: 'warn' }, scratch, 'free-port-retry', ports);
    try {
      // The first spawn failed in a way the retry took for EADDRINUSE: any other failure would be the answer.
      expect(ports.picked).toHaveLength(2);
      expect(ports.picked[0]).toBe(takenPort);
      expect(server.graphqlUrl).toBe(`http://127.0.0.1:${ports.picked[1]}/graphql`);
      expect((await fetch(server.graphqlUrl.replace(/\/graphql$/, '/healthz'))).status).toBe(200);
    } finally {
      expect((await server.stop()).exitCode).toBe(0);
    }
  }, 30_000);
});
