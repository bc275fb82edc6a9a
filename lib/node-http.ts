import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Small pieces every HTTP server of this project needs (the gateway, the subgraphs and the
 * sandbox upstreams), on node's own http module.
 */

/** The whole request body, or undefined once it exceeds `limit` bytes (the rest is drained). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Tracks the server's sockets and returns a function that destroys them: idle keep-alive
 * connections would otherwise hold `server.close()` (and a test run, or a shutdown) open.
 */
export function trackSockets(server: Server): () => void {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return () => {
    for (const socket of sockets) socket.destroy();
  };
}

/** Closes a server gracefully; see {@link drainable}. */
export interface Drain {
  /** True once {@link Drain.close} was called: a readiness check should say no from then on. */
  readonly draining: boolean;
  /**
   * Stops accepting connections, closes idle keep-alive connections at once, lets the
   * requests in flight finish (their responses say `connection: close`), and destroys
   * whatever is still open after `graceMs`. Resolves once every connection is closed.
   */
  close(graceMs: number): Promise<void>;
}

/**
 * Graceful close for a node http server: what a rolling deploy needs so that no request in
 * flight is cut off. Call it right after `createServer`, before any request arrives.
 *
 * Per socket it keeps the responses not yet finished, so that while draining exactly the
 * last one on each socket says `connection: close` (a request pipelined behind another, a
 * load balancer's health check on a kept-alive connection, is still answered), and the
 * socket is ended once its last response is out.
 */
export function drainable(server: Server): Drain {
  const pending = new Map<Socket, ServerResponse[]>();
  let draining = false;

  const markLast = (responses: ServerResponse[]) => {
    responses.forEach((res, i) => {
      if (res.headersSent) return;
      if (i === responses.length - 1) res.setHeader('connection', 'close');
      else res.removeHeader('connection');
    });
  };

  server.on('connection', (socket) => {
    pending.set(socket, []);
    socket.on('close', () => pending.delete(socket));
  });
  // Before the application's own handler, so that the header is set before it can answer.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const responses = pending.get(socket);
    if (!responses) return;
    responses.push(res);
    if (draining) markLast(responses);
    res.on('close', () => {
      const i = responses.indexOf(res);
      if (i >= 0) responses.splice(i, 1);
      // Its headers went out before the drain began (it kept the connection alive): end it here.
      if (draining && responses.length === 0) socket.end();
    });
  });

  return {
    get draining() {
      return draining;
    },
    close(graceMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const [socket, responses] of pending) {
        if (responses.length === 0) socket.destroy();
        else markLast(responses);
      }
      const force = setTimeout(() => {
        for (const socket of pending.keys()) socket.destroy();
      }, Math.max(0, graceMs));
      return closed.finally(() => clearTimeout(force));
    },
  };
}
