import type { IncomingMessage, Server } from 'node:http';
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
