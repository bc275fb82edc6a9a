/**
 * Plumbing every sandbox upstream shares: an HTTP server on node's own `http` module, fault
 * injection (latency, failures, a dead host), per-route request statistics, and a control API
 * under `/__sandbox/` that tests and benchmarks use to steer a running server.
 *
 * The control API is neither counted nor subject to faults: a benchmark must be able to read
 * the statistics of a server it has just taken "down".
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, trackSockets } from '../lib/node-http';
import { hashSeed, Prng } from './prng';

export interface Faults {
  /** Added before every vendor response. Default 0. */
  latencyMs: number;
  /** A further uniform random delay in [0, jitterMs]. Default 0. */
  jitterMs: number;
  /** Share of vendor requests answered with `failStatus`, 0..1, drawn from a seeded PRNG. Default 0. */
  failRate: number;
  /** Status of injected failures. Default 503. */
  failStatus: number;
  /** `Retry-After` on injected failures; a 429 always carries one (default 1). */
  retryAfterSeconds?: number;
  /** Every vendor request's socket is destroyed unanswered, so clients see a connection reset. */
  down: boolean;
  /**
   * The next this-many vendor requests fail with `failStatus` (it counts down), whatever
   * `failRate`: a burst of errors that ends by itself. Default 0.
   */
  failNext: number;
  /**
   * Every vendor request is answered 200 with a JSON content type and a truncated body, as a
   * proxy that cuts responses short, or a half-written cache, would. Default false.
   */
  malformed: boolean;
}

export const DEFAULT_FAULTS: Readonly<Faults> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  failRate: 0,
  failStatus: 503,
  down: false,
  failNext: 0,
  malformed: false,
});

export interface RequestStats {
  /** Vendor requests received, including those failed by injected faults. */
  total: number;
  /** Keyed `METHOD /path` without the query, e.g. `GET /api/2.0/mlflow/registered-models/search`. */
  byRoute: Record<string, number>;
  /**
   * Keyed by API operation, for vendors whose route does not name it (SageMaker: every call
   * is `POST /`, the operation in `X-Amz-Target`); empty for the others.
   */
  byOperation: Record<string, number>;
  /**
   * Answers telling the caller to slow down: every 429, and a vendor's own throttling error
   * (SageMaker's 400 `ThrottlingException`), injected or not.
   */
  throttled: number;
  /**
   * Called on every counted vendor request, when set: benchmarks time the calls against
   * the vendors' rate limits. Not cleared by `reset`.
   */
  observe?: (call: ObservedCall) => void;
  /** Zeroes the counts in place, so references to this object stay valid. */
  reset(): void;
}

export interface ObservedCall {
  /** `performance.now()` when the request arrived. */
  atMs: number;
  route: string;
  /** Set where the vendor names operations apart from the route (see `byOperation`). */
  operation?: string;
}

export function createRequestStats(): RequestStats {
  const stats: RequestStats = {
    total: 0,
    byRoute: {},
    byOperation: {},
    throttled: 0,
    reset() {
      stats.total = 0;
      stats.throttled = 0;
      for (const key of Object.keys(stats.byRoute)) delete stats.byRoute[key];
      for (const key of Object.keys(stats.byOperation)) delete stats.byOperation[key];
    },
  };
  return stats;
}

export interface SandboxRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The raw body; empty for bodiless requests. */
  body: Buffer;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type SandboxHandler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

export interface SandboxHttpOptions {
  /** Names the server in seeds and errors, e.g. `mlflow:prod`. */
  name: string;
  handler: SandboxHandler;
  /** How the vendor words an injected failure of this status (its error body and headers). */
  faultResponse: (status: number) => SandboxResponse;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1: the sandbox is never reachable from other machines by accident. */
  host?: string;
  faults?: Partial<Faults>;
  /** Seeds the fault PRNG, so a failRate fails the same requests on every run. Default 1. */
  seed?: number;
  /** Larger bodies get 413 before the handler sees them. Default 1 MiB. */
  maxBodyBytes?: number;
  /** The API operation a request calls, where its route does not say (see `RequestStats.byOperation`). */
  operationOf?: (headers: IncomingHttpHeaders) => string | undefined;
  /** Whether a non-429 answer is the vendor's way of saying "slow down" (see `RequestStats.throttled`). */
  isThrottle?: (response: SandboxResponse) => boolean;
}

export interface SandboxHttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  stats: RequestStats;
  /** The live fault settings: change a field and the next request sees it. */
  faults: Faults;
  close(): Promise<void>;
}

const CONTROL_PREFIX = '/__sandbox/';

export async function startSandboxHttpServer(options: SandboxHttpOptions): Promise<SandboxHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const stats = createRequestStats();
  const faults: Faults = { ...DEFAULT_FAULTS, ...options.faults };
  validateFaults(faults);
  const rng = new Prng(hashSeed(options.name, options.seed ?? 1));
  const failDraws = rng.fork('fail');
  const jitterDraws = rng.fork('jitter');
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        send(res, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `sandbox error: ${String(err)}` }, req.method);
      } else {
        res.destroy();
      }
    });
  });
  const destroySockets = trackSockets(server);

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const method = (req.method ?? 'GET').toUpperCase();

    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      const body = await readBody(req, maxBodyBytes);
      send(res, control(method, url.pathname, body ?? Buffer.alloc(0)), method);
      return;
    }

    stats.total++;
    const route = `${method} ${url.pathname}`;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    const operation = options.operationOf?.(req.headers);
    if (operation) stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
    stats.observe?.({ atMs: performance.now(), route, ...(operation ? { operation } : {}) });

    if (faults.down) {
      // No response at all: the client sees ECONNRESET / "socket hang up".
      req.socket.destroy();
      return;
    }
    const delay = faults.latencyMs + (faults.jitterMs > 0 ? jitterDraws.next() * faults.jitterMs : 0);
    if (delay > 0) await sleep(delay);
    if (closing || res.destroyed) return;
    const burst = faults.failNext > 0;
    if (burst) faults.failNext--;
    if (burst || (faults.failRate > 0 && failDraws.next() < faults.failRate)) {
      const failure = options.faultResponse(faults.failStatus);
      const headers = { ...failure.headers };
      if (faults.retryAfterSeconds !== undefined || faults.failStatus === 429) {
        headers['retry-after'] = String(faults.retryAfterSeconds ?? 1);
      }
      reply(res, { ...failure, headers }, method);
      return;
    }

    if (faults.malformed) {
      reply(res, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"truncated": [{"' }, method);
      return;
    }

    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) {
      reply(res, { status: 413, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Request Entity Too Large' }, method);
      return;
    }
    const response = await options.handler({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body });
    reply(res, response, method);
  }

  /** Sends a vendor answer, counting throttling ones. */
  function reply(res: ServerResponse, response: SandboxResponse, method: string): void {
    if (response.status === 429 || options.isThrottle?.(response)) stats.throttled++;
    send(res, response, method);
  }

  function control(method: string, path: string, body: Buffer): SandboxResponse {
    const sub = path.slice(CONTROL_PREFIX.length);
    if (sub === 'stats' && method === 'GET') return json(200, { total: stats.total, byRoute: stats.byRoute, byOperation: stats.byOperation, throttled: stats.throttled });
    if (sub === 'stats/reset' && method === 'POST') {
      stats.reset();
      return json(200, { total: stats.total, byRoute: stats.byRoute, byOperation: stats.byOperation, throttled: stats.throttled });
    }
    if (sub === 'faults' && method === 'GET') return json(200, faults);
    if (sub === 'faults' && method === 'POST') {
      let patch: unknown;
      try {
        patch = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return json(400, { error: 'body must be JSON' });
      }
      try {
        mergeFaults(faults, patch);
      } catch (err) {
        return json(400, { error: (err as Error).message });
      }
      return json(200, faults);
    }
    return json(404, { error: `no sandbox control route ${method} ${path}` });
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      // An open socket keeps the process alive while a request waits; the timer need not.
      timer.unref();
      timers.add(timer);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  // A wildcard bind is reachable on loopback; clients cannot dial 0.0.0.0 everywhere.
  const dialHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${dialHost}:${port}`,
    port,
    stats,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        destroySockets();
      }),
  };
}

function send(res: ServerResponse, response: SandboxResponse, method: string | undefined): void {
  if (res.destroyed) return;
  const body = response.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body, 'utf8');
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  res.setHeader('content-length', String(body.length));
  res.end(method === 'HEAD' ? undefined : body);
}


export function json(status: number, value: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** Reads a JSON request body; undefined when it is empty or not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const FAULT_KEYS: Record<keyof Faults, 'number' | 'boolean'> = {
  latencyMs: 'number',
  jitterMs: 'number',
  failRate: 'number',
  failStatus: 'number',
  retryAfterSeconds: 'number',
  down: 'boolean',
  failNext: 'number',
  malformed: 'boolean',
};

/** Applies a partial update from the control API, rejecting unknown keys and bad values. */
export function mergeFaults(target: Faults, patch: unknown): void {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw new Error('faults must be a JSON object');
  const next: Faults = { ...target };
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    const kind = FAULT_KEYS[key as keyof Faults];
    if (!kind) throw new Error(`unknown fault '${key}'; known: ${Object.keys(FAULT_KEYS).join(', ')}`);
    if (key === 'retryAfterSeconds' && value === null) {
      delete next.retryAfterSeconds;
      continue;
    }
    if (typeof value !== kind) throw new Error(`fault '${key}' must be a ${kind}`);
    (next as unknown as Record<string, unknown>)[key] = value;
  }
  validateFaults(next);
  Object.assign(target, next);
  if (next.retryAfterSeconds === undefined) delete target.retryAfterSeconds;
}

function validateFaults(f: Faults): void {
  if (!(f.latencyMs >= 0) || !(f.jitterMs >= 0)) throw new Error('latencyMs and jitterMs must be >= 0');
  if (!(f.failRate >= 0 && f.failRate <= 1)) throw new Error('failRate must be within 0..1');
  if (!Number.isInteger(f.failStatus) || f.failStatus < 400 || f.failStatus > 599) {
    throw new Error('failStatus must be an HTTP error status (400..599)');
  }
  if (f.retryAfterSeconds !== undefined && !(f.retryAfterSeconds >= 0)) throw new Error('retryAfterSeconds must be >= 0');
  if (!Number.isInteger(f.failNext) || f.failNext < 0) throw new Error('failNext must be a non-negative integer');
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Time-out',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/**
 * What a reverse proxy in front of a tool answers when the failure is its own (a 502, a
 * 504): nginx's HTML page, not the vendor's JSON, which clients must survive too.
 */
export function proxyErrorPage(status: number): SandboxResponse {
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  return {
    status,
    headers: { 'content-type': 'text/html' },
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  };
}
