import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { currentRequestScope, RequestScope, runInRequestScope } from '../../connectors/core/request-scope';
import {
  ANONYMOUS,
  FORWARD_EXTENSION,
  readForwardedRequest,
  type Caller,
  type ForwardedRequest,
  type ForwardedResponse,
  type SourceFailure,
} from '../../lib/caller';
import { SIGNATURE_HEADER, verifySignature } from '../../lib/request-signature';
import type { Admission } from './http-server';

/**
 * A subgraph trusts only its gateway: with a secret configured, a request must carry the
 * gateway's signature over its exact body (see lib/request-signature), or it is refused with
 * 401 before it is parsed. What the gateway forwards in `extensions.modelgraph` (the caller,
 * the upstream call budget left, the deadline) is read only from a signed request.
 */

export interface SubgraphCallerContext {
  /** Who the gateway says is asking; anonymous when the gateway sent no identity (auth off). */
  caller: Caller;
}

/** The admission of a subgraph's /graphql requests. */
export function subgraphAdmission(secret: string | undefined) {
  return async (req: IncomingMessage, body: Buffer, parsed: () => unknown): Promise<Admission<ForwardedRequest | undefined>> => {
    if (secret) {
      const header = req.headers[SIGNATURE_HEADER];
      const verdict = verifySignature(secret, body, Array.isArray(header) ? header[0] : header);
      if (verdict !== 'ok') {
        return {
          ok: false,
          status: 401,
          body: {
            errors: [
              { message: `this subgraph answers only its gateway: the request signature is ${verdict}`, extensions: { code: 'UNAUTHENTICATED' } },
            ],
          },
        };
      }
    }
    // Without a secret (a subgraph on loopback in development) nothing forwarded is trusted.
    const forwarded = secret ? readForwardedRequest((parsed() as { extensions?: unknown } | undefined)?.extensions) : undefined;
    return { ok: true, state: forwarded };
  };
}

/** Runs the request's execution in a request scope holding its call budget and deadline. */
export function inForwardedScope<T>(forwarded: ForwardedRequest | undefined, run: () => Promise<T>): Promise<T> {
  const scope = new RequestScope({
    requestId: forwarded?.requestId ?? '',
    callBudget: forwarded?.callBudget,
    deadlineAt: forwarded?.deadlineAt,
  });
  for (const [source, failure] of Object.entries(forwarded?.failedSources ?? {})) {
    if (!Object.values(SourceErrorCode).includes(failure.code as SourceErrorCode)) continue;
    scope.failedSources.set(
      source,
      new SourceError({ source, code: failure.code as SourceErrorCode, message: failure.message, status: failure.status }),
    );
  }
  return runInRequestScope(scope, run);
}

export function callerOf(forwarded: ForwardedRequest | undefined): Caller {
  return forwarded?.caller ?? ANONYMOUS;
}

/**
 * Reports the upstream calls the request made (for the gateway's budget and audit line),
 * which sources answered from stale cache entries (for the client's `extensions.freshness`)
 * and until when the cache entries it used stay fresh (for the gateway's response cache)
 * in `extensions.modelgraph`.
 */
export function upstreamCallsPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const scope = currentRequestScope();
          if (!scope || response.body.kind !== 'single') return;
          const report: ForwardedResponse = {
            upstreamCalls: scope.callsMade,
            cacheHits: scope.cacheLookups.hits,
            cacheMisses: scope.cacheLookups.misses,
            ...(scope.staleBySource.size > 0 ? { stale: Object.fromEntries(scope.staleBySource) } : {}),
            ...(scope.failedHere.size > 0 ? { failed: failuresToReport(scope) } : {}),
            ...(scope.freshUntil !== undefined ? { freshUntil: scope.freshUntil } : {}),
          };
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, [FORWARD_EXTENSION]: report };
        },
      };
    },
  };
}

/** The sources that failed in this subgraph request, as the gateway passes them on. */
function failuresToReport(scope: RequestScope): Record<string, SourceFailure> {
  const out: Record<string, SourceFailure> = {};
  for (const source of scope.failedHere) {
    const error = scope.failedSources.get(source);
    if (error) out[source] = { code: error.code, message: error.message, ...(error.status !== undefined ? { status: error.status } : {}) };
  }
  return out;
}
