import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder in front of a sandbox server that can stop listening: while "refusing",
 * nothing listens on its port, so clients get a real ECONNREFUSED — what a host whose
 * service is down answers — which the sandbox's own `down` fault (a reset after accepting)
 * cannot give. Accepting again listens on the same port, so configured URLs stay valid.
 */
export interface TcpSwitch {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  refuse(): Promise<void>;
  accept(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpSwitch(targetUrl: string): Promise<TcpSwitch> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  async function listen(): Promise<void> {
    const next = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as { port: number }).port;
    server = next;
  }

  async function stop(): Promise<void> {
    const current = server;
    server = undefined;
    if (!current) return;
    const closed = new Promise<void>((resolve) => current.close(() => resolve()));
    // Kept-alive connections would carry on: a refused host has none.
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    refuse: stop,
    accept: async () => {
      if (!server) await listen();
    },
    close: stop,
  };
}
