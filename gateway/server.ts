import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloGateway } from '@apollo/gateway';
import cors from 'cors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { LimitsConfig, ServerConfig } from '../config/schema';
import type { Logger } from '../connectors/core/logger';
import { INTERNAL, hasScope, type Caller } from '../lib/caller';
import { SIGNATURE_HEADER, signBody, verifySignature } from '../lib/request-signature';
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
import { freshnessPlugin } from './freshness';
import { operationPolicyPlugin } from './operation-policy';
import { rateLimitKey, type ClientRateLimiter } from './rate-limit';
import { SubgraphDataSource } from './subgraph-data-source';

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
  /** Signs every subgraph request; a request to the gateway signed with it is modelgraph's own (the inventory's walk). */
  subgraphSecret?: string;
  /** Errors as they are (stack traces, upstream messages); see gateway/errors. */
  debug?: boolean;
  cors?: ServerConfig['cors'];
  rateLimiter?: ClientRateLimiter;
  logger: Logger;
  /** How long /readyz waits for each subgraph. Default 2000 ms. */
  readinessTimeoutMs?: number;
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
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphForApolloGateway(options.supergraphSdl),
    buildService({ name, url }) {
      const target = options.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`no URL for subgraph "${name}"`);
      return new SubgraphDataSource(name, target, options.subgraphSecret);
    },
    logger: {
      debug: (m: unknown) => logger.debug(String(m)),
      info: (m: unknown) => logger.info(String(m)),
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
      freshnessPlugin(),
    ],
    // Compact, as Apollo Router answers: indenting a page of 100 models costs CPU under load
    // and bytes on the wire, and tools (jq, the sandbox UI, client libraries) format it anyway.
    stringifyResult: (result) => JSON.stringify(result),
  });

  const corsMiddleware = cors({
    origin: options.cors?.origins.includes('*') ? '*' : (options.cors?.origins ?? []),
    credentials: options.cors?.credentials ?? false,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after', 'www-authenticate'],
    maxAge: 600,
  });

  async function admit(req: IncomingMessage, body: Buffer): Promise<Admission<Admitted>> {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    // A request signed with the subgraph secret is modelgraph's own graph walk.
    const signature = req.headers[SIGNATURE_HEADER];
    if (options.subgraphSecret && typeof signature === 'string') {
      if (verifySignature(options.subgraphSecret, body, signature) === 'ok') return { ok: true, state: { caller: INTERNAL, requestId } };
      return unauthenticated(requestId, { ok: false, error: 'invalid_token', description: 'bad internal signature' });
    }
    const outcome = await options.authenticator.authenticate(req.headers);
    if (!outcome.ok) return unauthenticated(requestId, outcome);
    const key = options.rateLimiter ? rateLimitKey(outcome.caller, req.socket.remoteAddress) : undefined;
    if (key && options.rateLimiter) {
      const taken = await options.rateLimiter.take(key);
      if (!taken.ok) {
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
  return startGraphQLServer<GatewayContext, Admitted>({
    apollo,
    admit,
    intercept(req, res) {
      // cors sets its headers synchronously, and answers a preflight (204) itself.
      corsMiddleware(req as never, res as never, () => undefined);
      return res.writableEnded;
    },
    context: async (_req, state) => {
      const startedAt = Date.now();
      const internal = state.caller.kind === 'internal';
      return {
        caller: state.caller,
        requestId: state.requestId,
        startedAt,
        // The inventory's own walk is bounded by its own timeout, not a client's budget.
        ...(internal ? {} : { deadlineAt: startedAt + limits.requestTimeoutMs }),
        budget: internal || limits.upstreamCallBudget === 0 ? { used: 0 } : { limit: limits.upstreamCallBudget, used: 0 },
        subgraphCalls: {},
        staleSources: {},
        failedSources: {},
      };
    },
    port: options.port,
    host: options.host,
    routes: {
      '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
      '/readyz': async (req, res) => {
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
    },
  });

  async function mayReadDetail(req: IncomingMessage): Promise<boolean> {
    if (!options.authenticator.required) return true;
    const outcome = await options.authenticator.authenticate(req.headers);
    return outcome.ok && hasScope(outcome.caller, 'admin');
  }
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
