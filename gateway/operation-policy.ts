import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { GraphQLError, Kind, getOperationAST, print, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../connectors/core/logger';
import { authorizeOperation, patchResponse, type AuthorizationPolicy } from './auth/authorization';
import type { GatewayContext } from './context';

/**
 * What the gateway does with an operation once it is parsed and valid, before Apollo
 * Gateway plans it: request-shape errors answered 400 (not the 500 Apollo Gateway gives),
 * the cost check that needs the variables, and the authorization filter; then, on the way
 * out, the FORBIDDEN nulls and one audit line.
 */
export interface OperationPolicyOptions {
  /** Enforce `@authenticated` / `@requiresScopes` (off when auth is off: everyone sees everything). */
  enforceAuthorization: boolean;
  policy: AuthorizationPolicy;
  /** A check that needs the variables (the cost of `first: $n`); a GraphQLError refuses the operation. */
  checkOperation?: (document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>) => GraphQLError | undefined;
  logger: Logger;
}

interface Filtered {
  original: DocumentNode;
}

const filteredRequests = new WeakMap<object, Filtered>();
const documentHashes = new WeakMap<object, string>();

/**
 * Whether authorization took fields the caller may not see out of this request's operation
 * (its answer then gets them back as null, with FORBIDDEN errors): such an answer is partial,
 * and the response cache neither looks it up nor keeps it.
 */
export function wasFilteredByPolicy(context: GatewayContext): boolean {
  return filteredRequests.has(context);
}

function badRequest(message: string, code = 'BAD_REQUEST'): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

export function operationPolicyPlugin(options: OperationPolicyOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          const { document, request } = requestContext;
          documentHashes.set(requestContext.contextValue, requestContext.queryHash);
          const operation = requestContext.operation;
          if (!operation) {
            const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
            throw badRequest(
              request.operationName
                ? `no operation named "${request.operationName}" in the document`
                : operations > 1
                  ? 'the document has several operations: say which one with operationName'
                  : 'the document has no operation',
              'OPERATION_RESOLUTION_FAILURE',
            );
          }
          if (operation.operation === 'subscription') throw badRequest('subscriptions are not supported');
          // graphql-js validates a mutation against a schema with no Mutation type, and the planner then fails.
          if (!requestContext.schema.getRootType(operation.operation)) {
            throw badRequest(`this graph has no ${operation.operation} operations`);
          }
          const refused = options.checkOperation?.(document, request.operationName ?? undefined, request.variables ?? {});
          if (refused) {
            throw new GraphQLError(refused.message, { extensions: { ...refused.extensions, http: { status: 400 } } });
          }

          const caller = requestContext.contextValue.caller;
          if (!options.enforceAuthorization) return;
          const authorized = authorizeOperation(requestContext.schema, document, options.policy, caller);
          if (!authorized.filtered) return;
          filteredRequests.set(requestContext.contextValue, { original: document });
          // The plan is cached by query hash: callers who see different fields must not share one.
          const mutable = requestContext as { -readonly [K in keyof typeof requestContext]: (typeof requestContext)[K] };
          mutable.document = authorized.document;
          mutable.operation = getOperationAST(authorized.document, request.operationName) ?? undefined;
          mutable.queryHash = createHash('sha256').update(print(authorized.document)).digest('hex');
        },

        async willSendResponse(requestContext) {
          const context = requestContext.contextValue;
          const { response } = requestContext;
          const filtered = filteredRequests.get(context);
          if (filtered && response.body.kind === 'single') {
            const result = response.body.singleResult;
            const patched = patchResponse({
              schema: requestContext.schema,
              document: filtered.original,
              operationName: requestContext.request.operationName,
              variables: requestContext.request.variables,
              policy: options.policy,
              caller: context.caller,
              data: result.data as Record<string, unknown> | null | undefined,
            });
            result.data = patched.data;
            result.errors = [...(result.errors ?? []), ...patched.errors];
          }
          audit(options.logger, requestContext, documentHashes.get(context));
        },
      };
    },
  };
}

function audit(logger: Logger, requestContext: GraphQLRequestContext<GatewayContext>, documentHash: string | undefined): void {
  const context = requestContext.contextValue;
  const { response } = requestContext;
  const result = response.body?.kind === 'single' ? response.body.singleResult : undefined;
  const errors = (result?.errors ?? []) as readonly GraphQLFormattedError[];
  const status = response.http.status ?? 200;
  const outcome = operationOutcome(requestContext);
  // Never the variables, the document or a token: who, what (by hash), how it went, what it cost.
  logger.info('graphql operation', {
    requestId: context.requestId,
    caller: `${context.caller.kind}:${context.caller.id}`,
    operationName: requestContext.operationName ?? requestContext.request.operationName ?? null,
    documentHash: documentHash ?? requestContext.queryHash ?? null,
    durationMs: Date.now() - context.startedAt,
    upstreamCalls: context.budget.used,
    upstreamCallsBySubgraph: context.subgraphCalls,
    cacheHits: context.cache?.hits ?? 0,
    cacheMisses: context.cache?.misses ?? 0,
    ...(context.responseCache ? { responseCache: context.responseCache } : {}),
    outcome,
    status,
    errorCodes: [...new Set(errors.map((e) => String((e.extensions as { code?: unknown } | undefined)?.code ?? 'UNKNOWN')))],
    errorsBySource: errorsBySource(errors),
  });
}

/** How an operation ended, as the audit line and the metrics say it. */
export type OperationOutcome = 'ok' | 'partial' | 'error' | 'refused';

/** `refused`: answered 4xx before execution; `partial`: data with errors; `error`: errors and no data. */
export function operationOutcome(requestContext: Pick<GraphQLRequestContext<GatewayContext>, 'response'>): OperationOutcome {
  const { response } = requestContext;
  const result = response.body?.kind === 'single' ? response.body.singleResult : undefined;
  const status = response.http.status ?? 200;
  if (status >= 400) return 'refused';
  if (!result?.errors?.length) return 'ok';
  return result.data === null || result.data === undefined ? 'error' : 'partial';
}

/**
 * How many errors each party caused: the source (`jira:corp`) or subgraph an error names,
 * else `graphql` (the request itself: validation, authorization). Which upstream is failing
 * is the first question an operator asks of a partial answer.
 */
function errorsBySource(errors: readonly GraphQLFormattedError[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const error of errors) {
    const extensions = error.extensions as { source?: unknown; subgraph?: unknown } | undefined;
    const party =
      typeof extensions?.source === 'string'
        ? extensions.source
        : typeof extensions?.subgraph === 'string'
          ? `subgraph:${extensions.subgraph}`
          : 'graphql';
    counts[party] = (counts[party] ?? 0) + 1;
  }
  return counts;
}
