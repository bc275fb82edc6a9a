import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import cors from 'cors';
import type { Registry } from 'prom-client';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { LimitsConfig, ServerConfig } from '../config/schema';
import type { Logger } from '../connectors/core/logger';
import { hasScope, type Caller } from '../lib/caller';
import { writeMetrics } from '../lib/metrics-server';
import { SIGNATURE_HEADER, signBody } from '../lib/request-signature';
import { sendJson, startGraphQLServer, type Admission, type RunningServer } from '../subgraphs/common/http-server';
import { wwwAuthenticate, type Authenticator } from './auth/authenticate';
import { readAuthorizationPolicy, supergraphForApolloGateway } from './auth/authorization';
import type { GatewayContext } from './context';
import {
  DEFAULT_OPERATION_LIMITS,
  operationLimitRules,
  operationLimitsPlugin,
  readCostDirectives,
  restoreLimitCode,
  type OperationLimits,
} from './limits/operation-limits';
import { formatGatewayError } from './errors';
import { GatewayMetrics } from './metrics';
import { freshnessPlugin } from './freshness';
import { operationPolicyPlugin } from './operation-policy';
import { rateLimitKey, type ClientRateLimiter } from './rate-limit';
import { responseCachePlugin, type ResponseCachePluginOptions } from './response-cache/plugin';
import { SubgraphDataSource } from './subgraph-data-source';
import { wantsHtml, webPages, type WebPages } from './web-assets';

export interface GatewayOptions {
  /** The composed supergraph (schema/supergraph.graphql), as composition wrote it. */
  supergraphSdl: string;
  /** Subgraph name -> URL of its /graphql endpoint; overrides the URLs in the supergraph. */
  subgraphUrls: Readonly<Record<string, string>>;
  port?: number;
  host?: string;
  /** Default: on, except when NODE_ENV=production. */
  introspection?: boolean;
  limits: LimitsConfig;
  /** Who may ask; see gateway/auth. */
  authenticator: Authenticator;
  /** Signs every subgraph request (and /readyz probes); the gateway itself gives a signed request no rights. */
  subgraphSecret?: string;
  /** Errors as they are (stack traces, upstream messages); see gateway/errors. */
  debug?: boolean;
  cors?: ServerConfig['cors'];
  rateLimiter?: ClientRateLimiter;
  logger: Logger;
  /** How long /readyz waits for each subgraph. Default 2000 ms. */
  readinessTimeoutMs?: number;
  /**
   * Why the process is not ready yet although every subgraph answers (the first warm-up
   * round, in the all-in-one process); undefined once it is. /readyz answers 503 meanwhile,
   * so a load balancer sends no client the cost of a cold index. /graphql stays open: a
   * client that does not wait for readiness is answered, at that cost.
   */
  notReadyBecause?: () => string | undefined;
  /**
   * Where the gateway's metrics go; `route`: also serve the registry at /metrics on this port
   * (`admin` scope when auth is on), rather than on a metrics port of its own. Default: no metrics.
   */
  metrics?: { registry: Registry; route: boolean };
  /**
   * What `GET /sources` answers: every configured source's health, as `Query.sources` gives it
   * (`admin` scope when auth is on: last errors may name upstream hosts). Default: no route.
   */
  sources?: () => Promise<readonly unknown[]>;
  /** Whole answers reused at the gateway (see gateway/response-cache); undefined: none. */
  responseCache?: Pick<ResponseCachePluginOptions, 'store' | 'maxTtlSeconds' | 'now'>;
  /**
   * GraphiQL on GET /graphql from a browser, and the inventory web app on every other path
   * (see gateway/web-assets). Default: the build in dist/web; `false`: neither (404 JSON).
   */
  web?: WebPages | false;
}

type Admitted = { caller: Caller; requestId: string };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The gateway: Apollo Gateway planning over the checked-in supergraph (nothing is composed
 * at run time), behind Apollo Server, with the doors a production gateway needs in front of
 * it — authentication, rate limit, CORS, cost limits — and authorization, signing and error
 * hygiene around it; plus /healthz (alive) and /readyz (every subgraph answers).
 */
export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  const { logger, limits } = options;
  const debug = options.debug ?? false;
  const metrics = options.metrics && new GatewayMetrics(options.metrics.registry);
  // Apollo Gateway otherwise exports its own usage metrics to usage-reporting.api.apollographql.com:
  // a self-hosted gateway does not talk to third parties unbidden. Setting
  // APOLLO_TELEMETRY_DISABLED=false opts back in.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphForApolloGateway(options.supergraphSdl),
    buildService({ name, url }) {
      const target = options.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`no URL for subgraph "${name}"`);
      return new SubgraphDataSource(name, target, options.subgraphSecret, metrics);
    },
    logger: {
      debug: (m: unknown) => logger.debug(String(m)),
      // "Gateway successfully loaded schema" and the like: start-up chatter, not operations.
      info: (m: unknown) => logger.debug(String(m)),
      warn: (m: unknown) => logger.warn(String(m)),
      error: (m: unknown) => logger.error(String(m)),
    },
  });

  const introspection = options.introspection ?? process.env.NODE_ENV !== 'production';
  const costDirectives = readCostDirectives(options.supergraphSdl);
  const operationLimits: OperationLimits = {
    ...DEFAULT_OPERATION_LIMITS,
    maxDepth: limits.maxDepth,
    maxAliases: limits.maxAliases,
    maxDirectives: limits.maxDirectives,
    maxRootFields: limits.maxRootFields,
    maxCost: limits.maxCost,
    defaultListSize: limits.defaultListSize,
  };
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection,
    validationRules: operationLimitRules(operationLimits, costDirectives),
    parseOptions: { maxTokens: limits.maxTokens },
    includeStacktraceInErrorResponses: debug,
    // Without introspection, "Did you mean" would spell the schema out name by name (Apollo Router hides it too).
    formatError: (formatted, error) =>
      formatGatewayError(withOwnCode(introspection ? formatted : withoutSuggestions(formatted), error), debug),
    plugins: [
      operationPolicyPlugin({
        enforceAuthorization: options.authenticator.required,
        policy: readAuthorizationPolicy(options.supergraphSdl),
        logger: logger.child({ component: 'audit' }),
      }),
      operationLimitsPlugin(operationLimits, costDirectives),
      ...(metrics ? [metrics.plugin()] : []),
      freshnessPlugin(),
      // After the policy and limits plugins: they refuse in didResolveOperation, before it answers.
      ...(options.responseCache ? [responseCachePlugin({ ...options.responseCache, metrics })] : []),
      // Apollo's landing page loads Apollo Sandbox from Apollo's CDNs and Google Fonts: a
      // browser offline or behind a strict proxy gets nothing. The gateway serves its own IDE.
      ApolloServerPluginLandingPageDisabled(),
    ],
    // Compact, as Apollo Router answers: indenting a page of 100 models costs CPU under load
    // and bytes on the wire, and tools (jq, the sandbox UI, client libraries) format it anyway.
    stringifyResult: (result) => JSON.stringify(result),
    // Apollo's own SIGTERM handler stops the server and re-raises the signal (exit 143, the
    // query in flight cut off); the CLI drains the HTTP server and stops Apollo itself.
    stopOnTerminationSignals: false,
  });

  const corsMiddleware = cors({
    origin: options.cors?.origins.includes('*') ? '*' : (options.cors?.origins ?? []),
    credentials: options.cors?.credentials ?? false,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after', 'www-authenticate'],
    maxAge: 600,
  });

  async function admit(req: IncomingMessage): Promise<Admission<Admitted>> {
    const requestId = requestIds.get(req) ?? randomUUID();
    // Only the gateway signs, and only towards the subgraphs: a client sending the header is
    // probing for a way past authentication (the gateway once took it for its inventory's walk).
    if (req.headers[SIGNATURE_HEADER] !== undefined) {
      return unauthenticated(requestId, { ok: false, error: 'invalid_request', description: 'the subgraph signature is not accepted by the gateway' });
    }
    const outcome = await options.authenticator.authenticate(req.headers);
    if (!outcome.ok) return unauthenticated(requestId, outcome);
    const key = options.rateLimiter ? rateLimitKey(outcome.caller, req.socket.remoteAddress) : undefined;
    if (key && options.rateLimiter) {
      const taken = await options.rateLimiter.take(key);
      if (!taken.ok) {
        metrics?.operation({ outcome: 'refused' });
        logger.child({ component: 'audit' }).info('graphql operation', {
          requestId,
          caller: `${outcome.caller.kind}:${outcome.caller.id}`,
          outcome: 'refused',
          status: 429,
          errorCodes: ['RATE_LIMITED'],
        });
        return {
          ok: false,
          status: 429,
          headers: { 'retry-after': String(taken.retryAfterSeconds), 'x-request-id': requestId },
          body: {
            errors: [
              {
                message: `rate limit: at most ${taken.limit} requests a minute; retry in ${taken.retryAfterSeconds} s`,
                extensions: { code: 'RATE_LIMITED', retryAfterMs: taken.retryAfterSeconds * 1000 },
              },
            ],
          },
        };
      }
    }
    return { ok: true, state: { caller: outcome.caller, requestId } };
  }

  function unauthenticated(requestId: string, outcome: Parameters<typeof wwwAuthenticate>[0]): Admission<Admitted> {
    metrics?.operation({ outcome: 'refused' });
    logger.child({ component: 'audit' }).info('graphql operation', {
      requestId,
      caller: 'unauthenticated',
      outcome: 'refused',
      status: 401,
      errorCodes: ['UNAUTHENTICATED'],
    });
    return {
      ok: false,
      status: 401,
      headers: { 'www-authenticate': wwwAuthenticate(outcome), 'x-request-id': requestId },
      body: { errors: [{ message: `unauthenticated: ${outcome.description}`, extensions: { code: 'UNAUTHENTICATED' } }] },
    };
  }

  const readinessTimeoutMs = options.readinessTimeoutMs ?? 2000;
  // Set before anything else runs, so that every answer (refusals, errors, routes) carries it.
  const requestIds = new WeakMap<IncomingMessage, string>();
  let running: RunningServer | undefined;
  const web = options.web === false ? undefined : (options.web ?? webPages());
  running = await startGraphQLServer<GatewayContext, Admitted>({
    apollo,
    admit,
    intercept(req, res) {
      const requestId = requestIdOf(req);
      requestIds.set(req, requestId);
      res.setHeader('x-request-id', requestId);
      // cors sets its headers synchronously, and answers a preflight (204) itself.
      corsMiddleware(req as never, res as never, () => undefined);
      return res.writableEnded;
    },
    context: async (_req, state) => {
      const startedAt = Date.now();
      return {
        caller: state.caller,
        requestId: state.requestId,
        startedAt,
        deadlineAt: startedAt + limits.requestTimeoutMs,
        budget: limits.upstreamCallBudget === 0 ? { used: 0 } : { limit: limits.upstreamCallBudget, used: 0 },
        subgraphCalls: {},
        cache: { hits: 0, misses: 0 },
        staleSources: {},
        failedSources: {},
      };
    },
    port: options.port,
    host: options.host,
    // Static pages, open without credentials: they hold no data, and the browser sends the
    // caller's credentials with each GraphQL request, where they are checked as for any client.
    page: web?.ide,
    fallback: web?.app,
    routes: {
      '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
      '/readyz': async (req, res) => {
        // Shutting down: the load balancer should stop sending here before anything else.
        if (running?.draining) return sendJson(res, 503, { status: 'draining' });
        const pending = options.notReadyBecause?.();
        if (pending) return sendJson(res, 503, { status: pending });
        const checks = await Promise.all(
          Object.entries(options.subgraphUrls).map(async ([name, url]) => {
            const error = await probeSubgraph(url, readinessTimeoutMs, options.subgraphSecret);
            return { name, ok: error === null, ...(error ? { error } : {}) };
          }),
        );
        const ready = checks.every((c) => c.ok);
        // Which subgraphs exist and how they fail is for operators only.
        const detail = await mayReadDetail(req);
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', ...(detail ? { subgraphs: checks } : {}) });
      },
      ...(options.metrics?.route ? { '/metrics': metricsRoute(options.metrics.registry) } : {}),
      ...(options.sources ? { '/sources': sourcesRoute(options.sources) } : {}),
    },
  });

  return running;

  /** /metrics beside /graphql: for `admin` callers only when auth is on, as for the detail of /readyz. */
  function metricsRoute(registry: Registry) {
    return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      if (!(await admitAdmin(req, res, '/metrics'))) return;
      await writeMetrics(registry, res);
    };
  }

  /** Source health merged from every subgraph, for `admin` callers when auth is on. */
  function sourcesRoute(read: () => Promise<readonly unknown[]>) {
    return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      // A browser navigating to /sources opens the app's Sources page (which asks the graph);
      // an API client (no text/html in Accept) gets the JSON.
      if (web?.app && wantsHtml(req)) return web.app(req, res);
      if (!(await admitAdmin(req, res, '/sources'))) return;
      sendJson(res, 200, { sources: await read() });
    };
  }

  /** True when the caller may read an operator route; else the 401 or 403 is sent. */
  async function admitAdmin(req: IncomingMessage, res: ServerResponse, route: string): Promise<boolean> {
    if (!options.authenticator.required) return true;
    const outcome = await options.authenticator.authenticate(req.headers);
    if (!outcome.ok) {
      res.setHeader('www-authenticate', wwwAuthenticate(outcome));
      sendJson(res, 401, { error: `unauthenticated: ${outcome.description}` });
      return false;
    }
    if (!hasScope(outcome.caller, 'admin')) {
      sendJson(res, 403, { error: `the admin scope is needed for ${route}` });
      return false;
    }
    return true;
  }

  async function mayReadDetail(req: IncomingMessage): Promise<boolean> {
    if (!options.authenticator.required) return true;
    const outcome = await options.authenticator.authenticate(req.headers);
    return outcome.ok && hasScope(outcome.caller, 'admin');
  }
}

/**
 * The caller's `x-request-id` when it is a plausible id (so a client can follow its request
 * through the logs), else a fresh UUID: an arbitrary header must not reach the logs as is.
 */
function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * With introspection off the schema is not for browsing, so "Did you mean ...?" hints (which
 * name fields, arguments and enum values) are cut, as Apollo Router does.
 */
function withoutSuggestions(formatted: GraphQLFormattedError): GraphQLFormattedError {
  return { ...formatted, message: formatted.message.replace(/ ?Did you mean .+\?$/, '') };
}

/**
 * Apollo Server files every validation error under GRAPHQL_VALIDATION_FAILED, which would
 * hide which limit refused an operation (QUERY_TOO_DEEP, COST_ESTIMATED_TOO_EXPENSIVE...); and
 * its own 400s without a code (a persisted-query hash that does not match...) it files under
 * INTERNAL_SERVER_ERROR, which would read as the gateway's fault.
 */
function withOwnCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const restored = restoreLimitCode(formatted, error);
  if (!(error instanceof GraphQLError) || error.extensions?.code !== undefined) return restored;
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  if (status !== undefined && status >= 400 && status < 500) {
    return { ...restored, extensions: { ...restored.extensions, code: 'BAD_REQUEST' } };
  }
  return restored;
}

/** null when the subgraph answers a trivial query in time, else what went wrong, in words that name no address. */
async function probeSubgraph(url: string, timeoutMs: number, secret: string | undefined): Promise<string | null> {
  try {
    const body = JSON.stringify({ query: '{ __typename }' });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { [SIGNATURE_HEADER]: signBody(secret, body) } : {}) },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return `HTTP ${res.status}`;
    const answer = (await res.json()) as { data?: { __typename?: string } };
    return answer.data?.__typename === 'Query' ? null : 'unexpected answer';
  } catch (err) {
    return (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'unreachable';
  }
}
