import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { readBody, trackSockets } from '../../lib/node-http';
import type { SourceHealth } from '../../connectors/core/source-health';

/** A route next to /graphql (health checks); it writes the whole response itself. */
export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface GraphQLHttpServerOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context (fresh DataLoaders live here). */
  context: (req: IncomingMessage) => Promise<TContext>;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1; use 0.0.0.0 in a container. */
  host?: string;
  /** Extra GET routes by path, e.g. `/healthz`. */
  routes?: Record<string, Route>;
  /** Larger request bodies get 413 before any parsing. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface RunningServer {
  /** `http://<host>:<port>` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves an Apollo Server on node's own http module through Apollo's integration API
 * (`executeHTTPGraphQLRequest`), so the process needs no web framework and health routes
 * sit beside /graphql.
 */
export async function startGraphQLServer<TContext extends BaseContext>(
  options: GraphQLHttpServerOptions<TContext>,
): Promise<RunningServer> {
  const { apollo } = options;
  await apollo.start();
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const routes = options.routes ?? {};

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ errors: [{ message: 'internal server error' }] }));
      } else {
        res.destroy(err as Error);
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    if (route && (req.method === 'GET' || req.method === 'HEAD')) return route(req, res);
    if (url.pathname !== '/graphql') {
      res.statusCode = 404;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: 'not found', graphql: '/graphql' }));
      return;
    }
    const bytes = await readBody(req, maxBodyBytes);
    if (bytes === undefined) {
      res.statusCode = 413;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ errors: [{ message: `request body larger than ${maxBodyBytes} bytes` }] }));
      return;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const raw = bytes.toString('utf8');
    let body: unknown = raw;
    if (raw.length > 0 && (headers.get('content-type') ?? '').includes('application/json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        res.statusCode = 400;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ errors: [{ message: 'request body is not valid JSON' }] }));
        return;
      }
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
      context: () => options.context(req),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  // Callers (the gateway's fetch agent, load balancers) keep idle connections longer than
  // node's default 5 s; a server closing first races their reuse of the socket and the
  // request dies with ECONNRESET. Outlast them instead.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const destroySockets = trackSockets(server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      destroySockets();
      await closed;
      await apollo.stop();
    },
  };
}


export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

/**
 * `GET /sources`: `{"sources": SourceHealth[]}`, the health of the sources this process
 * talks to, so that an inventory running in another process can report them too.
 */
export function sourcesRoute(read: () => readonly SourceHealth[]): Route {
  return (_req, res) => sendJson(res, 200, { sources: read() });
}
