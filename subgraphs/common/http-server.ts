import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { TRACER_NAME } from '../../connectors/core/tracing';
import { drainable, readBody } from '../../lib/node-http';
import type { SourceHealth } from '../../connectors/core/source-health';
import { SIGNATURE_HEADER, SOURCES_REQUEST_LINE, verifySignature } from '../../lib/request-signature';

/** A route next to /graphql (health checks); it writes the whole response itself. */
export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** A response written instead of the GraphQL one: a refusal before anything is parsed or planned. */
export interface Refusal {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/**
 * What a server decides about a request before GraphQL sees it (authentication, signature,
 * rate limit): a refusal, or what the request runs with.
 */
export type Admission<TState> = { ok: true; state: TState } | ({ ok: false } & Refusal);

export interface GraphQLHttpServerOptions<TContext extends BaseContext, TState = undefined> {
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context (fresh DataLoaders live here) from what `admit` said. */
  context: (req: IncomingMessage, state: TState) => Promise<TContext>;
  /**
   * Runs on every /graphql request once its body is read and before it is parsed: refuses it,
   * or says what it runs with. Default: every request is admitted with `undefined`.
   */
  admit?: (req: IncomingMessage, body: Buffer, parsed: () => unknown) => Promise<Admission<TState>>;
  /** Wraps the GraphQL execution, e.g. to run it in a request scope; may add to the JSON answer. */
  around?: <T>(state: TState, run: () => Promise<T>) => Promise<T>;
  /** Runs first on every request, routes included (CORS); returns true when it wrote the whole response. */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1; use 0.0.0.0 in a container. */
  host?: string;
  /** Extra GET routes by path, e.g. `/healthz`. */
  routes?: Record<string, Route>;
  /**
   * GET /graphql from a browser navigating to it (Accept names text/html, no `query`
   * parameter): a page instead of Apollo's (the gateway's IDE). Default: Apollo answers.
   */
  page?: Route;
  /** Any other GET path (the gateway's web app). Default: 404 JSON. */
  fallback?: Route;
  /** Larger request bodies get 413 before any parsing. Default 1 MiB. */
  maxBodyBytes?: number;
  /** On the SERVER span of every /graphql request, e.g. which subgraph this is. Default: none. */
  spanAttributes?: Attributes;
}

export interface RunningServer {
  /** `http://<host>:<port>` */
  url: string;
  port: number;
  /** True once close() began: a readiness check answers 503 from then on. */
  readonly draining: boolean;
  /**
   * Stops accepting connections and closes idle ones at once; requests in flight get up to
   * `graceMs` to finish (default 0: cut at once, for tests), then Apollo stops.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Serves an Apollo Server on node's own http module through Apollo's integration API
 * (`executeHTTPGraphQLRequest`), so the process needs no web framework and health routes
 * sit beside /graphql.
 */
export async function startGraphQLServer<TContext extends BaseContext, TState = undefined>(
  options: GraphQLHttpServerOptions<TContext, TState>,
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
    if (options.intercept?.(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    if (route && isGet) return route(req, res);
    if (url.pathname === '/graphql' && isGet && options.page && !url.searchParams.has('query') && acceptsHtml(req)) {
      return options.page(req, res);
    }
    if (url.pathname !== '/graphql' && isGet && options.fallback) return options.fallback(req, res);
    if (url.pathname !== '/graphql') {
      res.statusCode = 404;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: 'not found', graphql: '/graphql' }));
      return;
    }
    return inServerSpan(req, res, options.spanAttributes, () => handleGraphQL(req, res, url));
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const bytes = await readBody(req, maxBodyBytes);
    if (bytes === undefined) {
      return sendJson(res, 413, { errors: [{ message: `request body larger than ${maxBodyBytes} bytes`, extensions: { code: 'BAD_REQUEST' } }] });
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const raw = bytes.toString('utf8');
    const isJson = raw.length > 0 && (headers.get('content-type') ?? '').includes('application/json');
    // Parsed at most once, and only when needed: a refusal (a bad signature on a 64 MiB body)
    // should cost no parsing at all.
    let parsed: { value: unknown } | null | undefined;
    const parse = (): { value: unknown } | null => {
      if (parsed === undefined) {
        try {
          parsed = { value: isJson ? JSON.parse(raw) : raw };
        } catch {
          parsed = null;
        }
      }
      return parsed;
    };
    let state = undefined as TState;
    if (options.admit) {
      const admission = await options.admit(req, bytes, () => parse()?.value);
      if (!admission.ok) return writeRefusal(res, admission);
      state = admission.state;
    }
    const body = parse();
    if (body === null) {
      return sendJson(res, 400, { errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    }
    const execute = () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body: body.value },
        context: () => options.context(req, state),
      });
    const response = await (options.around ? options.around(state, execute) : execute());
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

  const drain = drainable(server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get draining() {
      return drain.draining;
    },
    async close(graceMs = 0) {
      await drain.close(graceMs);
      await apollo.stop();
    },
  };
}

function acceptsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

export function writeRefusal(res: ServerResponse, refusal: Refusal): void {
  for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
  sendJson(res, refusal.status, refusal.body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

/**
 * `GET /sources`: `{"sources": SourceHealth[]}`, the health of the sources this process
 * talks to, so that an inventory running in another process can report them too. Its last
 * errors may name upstream hosts, so with a subgraph secret only a signed request is
 * answered (see {@link SOURCES_REQUEST_LINE}), as on /graphql.
 */
export function sourcesRoute(read: () => readonly SourceHealth[], secret?: string): Route {
  return (req, res) => {
    if (secret !== undefined) {
      const header = req.headers[SIGNATURE_HEADER];
      const verdict = verifySignature(secret, SOURCES_REQUEST_LINE, Array.isArray(header) ? header[0] : header);
      if (verdict !== 'ok') return sendJson(res, 401, { error: `request signature ${verdict}` });
    }
    sendJson(res, 200, { sources: read() });
  };
}

const serverTracer = trace.getTracer(TRACER_NAME);

/**
 * Runs a /graphql request in an OpenTelemetry SERVER span, continuing the caller's trace when
 * its `traceparent` says so: the gateway's fetch span for a subgraph, a client's for the
 * gateway. With no SDK registered the span is a no-op.
 */
function inServerSpan(req: IncomingMessage, res: ServerResponse, attributes: Attributes | undefined, run: () => Promise<void>): Promise<void> {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const method = (req.method ?? 'GET').toUpperCase();
  return serverTracer.startActiveSpan(
    `${method} /graphql`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': '/graphql', 'url.path': '/graphql', ...attributes } },
    parent,
    async (span) => {
      try {
        await run();
        span.setAttribute('http.response.status_code', res.statusCode);
        // A 4xx is the client's doing; the server span is failed only by the server's own (OpenTelemetry's HTTP conventions).
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
