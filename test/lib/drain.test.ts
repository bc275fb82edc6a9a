import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import net from 'node:net';
import { drainable } from '../../lib/node-http';

/**
 * The drain every server of the process goes through on SIGTERM: idle keep-alive
 * connections close at once, requests in flight finish with `connection: close`, and what
 * outlives the grace period is cut. Raw sockets, so that the test sees exactly what a
 * client or a load balancer sees.
 */

async function serverWith(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  const drain = drainable(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, drain, port: (server.address() as net.AddressInfo).port };
}

/** Connects, sends `request`, and resolves with everything read until the server closes. */
function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.on('error', () => undefined);
  return { socket, closed, text: () => text };
}

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`;

describe('drainable', () => {
  it('closes idle keep-alive connections at once and lets the request in flight finish with connection: close', async () => {
    const release: Array<() => void> = [];
    const { drain, port } = await serverWith((req, res) => {
      if (req.url === '/slow') release.push(() => res.end('slow done'));
      else res.end('quick');
    });
    const idle = connect(port);
    idle.socket.write(GET('/quick'));
    await new Promise<void>((resolve) => idle.socket.once('data', () => resolve()));
    const busy = connect(port);
    busy.socket.write(GET('/slow'));
    await new Promise<void>((resolve) => {
      const check = () => (release.length ? resolve() : setTimeout(check, 5));
      check();
    });

    const closing = drain.close(10_000);
    expect(drain.draining).toBe(true);
    // The idle connection is closed by the server, with nothing more written on it.
    const idleText = await idle.closed;
    expect(idleText.match(/HTTP\/1\.1 200/g)).toHaveLength(1);
    release[0]();
    const busyText = await busy.closed;
    expect(busyText).toMatch(/^HTTP\/1\.1 200/);
    expect(busyText.toLowerCase()).toContain('connection: close');
    expect(busyText).toContain('slow done');
    await closing;
  });

  it('cuts what is still running when the grace period ends', async () => {
    let started = 0;
    const { drain, port } = await serverWith(() => void started++);
    const hung = connect(port);
    hung.socket.write(GET('/never'));
    await new Promise<void>((resolve) => {
      const check = () => (started ? resolve() : setTimeout(check, 5));
      check();
    });
    await drain.close(20);
    expect(await hung.closed).toBe('');
  });
});
