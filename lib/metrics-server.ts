import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { trackSockets } from './node-http';

/**
 * The Prometheus side of every modelgraph process: one registry per process runtime, and
 * the `/metrics` endpoint that exposes it, beside /graphql or on a port of its own.
 *
 * One registry per runtime rather than prom-client's global one: the all-in-one process
 * (gateway and every subgraph) shares one, so that one scrape covers it all, while the many
 * stacks a test run starts in one process never count into each other's metrics.
 */
export function createMetricsRegistry(options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  // Node's own: CPU, memory, heap, event-loop lag, handles, GC; prefixed as prom-client does.
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Writes the registry in the Prometheus text format. */
export async function writeMetrics(registry: Registry, res: ServerResponse): Promise<void> {
  const body = await registry.metrics();
  res.statusCode = 200;
  res.setHeader('content-type', registry.contentType);
  res.setHeader('cache-control', 'no-store');
  res.end(body);
}

export interface MetricsServer {
  /** `http://host:port` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * `/metrics` alone on its own port (`server.metrics.port`), without authentication: a
 * Prometheus cannot sign requests or hold API keys, so this listener is meant for a private
 * network or loopback, as Apollo Router's on port 9090.
 */
export async function startMetricsServer(registry: Registry, listen: { port: number; host: string }): Promise<MetricsServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.statusCode = 404;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: 'not found', metrics: '/metrics' }));
      return;
    }
    writeMetrics(registry, res).catch((err: unknown) => res.destroy(err as Error));
  });
  const destroySockets = trackSockets(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      destroySockets();
      await closed;
    },
  };
}
