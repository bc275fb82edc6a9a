import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { context as otelContext, propagation } from '@opentelemetry/api';
import { GraphQLError } from 'graphql';
import { FORWARD_EXTENSION, readSourceFailures, type ForwardedRequest, type ForwardedResponse } from '../lib/caller';
import { SIGNATURE_HEADER, signBody } from '../lib/request-signature';
import type { GatewayContext } from './context';
import type { GatewayMetrics } from './metrics';
import { noteStaleSources } from './freshness';

/** How long past the request deadline a subgraph may take to report its sources' timeouts. */
const DEADLINE_GRACE_MS = 1_000;

/** Carries the deadline from `willSendRequest` to the fetcher; never sent. */
const DEADLINE_HEADER = 'x-modelgraph-internal-deadline';

/**
 * The gateway's request to one subgraph: it forwards the caller and what is left of the
 * request's upstream call budget and deadline in `extensions.modelgraph`, signs the exact
 * body, and turns a subgraph that cannot be reached into `SUBGRAPH_UNAVAILABLE` naming it,
 * never its URL or the socket error.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    private readonly secret: string | undefined,
    private readonly metrics?: GatewayMetrics,
  ) {
    super({ url });
    // Node's own fetch: the request deadline aborts it, and it keeps connections alive.
    this.fetcher = ((input: string, init: RequestInit & { headers: Record<string, string> }) => {
      const body = typeof init.body === 'string' ? init.body : '';
      const { [DEADLINE_HEADER]: deadline, ...headers } = init.headers;
      if (this.secret) headers[SIGNATURE_HEADER] = signBody(this.secret, body);
      // traceparent of Apollo Gateway's fetch span, active here, so that the subgraph's spans
      // join the trace. Not signed, nor does it need to be: it grants nothing.
      propagation.inject(otelContext.active(), headers);
      const deadlineAt = deadline === undefined ? undefined : Number(deadline);
      const signal =
        deadlineAt === undefined || Number.isNaN(deadlineAt)
          ? undefined
          : AbortSignal.timeout(Math.max(1, deadlineAt + DEADLINE_GRACE_MS - Date.now()));
      return fetch(input, { ...init, headers, signal });
    }) as unknown as RemoteGraphQLDataSource['fetcher'];
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!context?.caller) return;
    const forwarded: ForwardedRequest = {
      caller: context.caller,
      requestId: context.requestId,
      ...(context.budget.limit !== undefined ? { callBudget: Math.max(0, context.budget.limit - context.budget.used) } : {}),
      ...(context.deadlineAt !== undefined ? { deadlineAt: context.deadlineAt } : {}),
      ...(Object.keys(context.failedSources ?? {}).length > 0 ? { failedSources: { ...context.failedSources } } : {}),
    };
    request.extensions = { ...request.extensions, [FORWARD_EXTENSION]: forwarded };
    // Read and removed by the fetcher, which sees only the HTTP request.
    if (context.deadlineAt !== undefined) request.http?.headers.set(DEADLINE_HEADER, String(context.deadlineAt));
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const started = performance.now();
    try {
      const deadlineAt = options.context?.deadlineAt;
      if (deadlineAt !== undefined && Date.now() >= deadlineAt + DEADLINE_GRACE_MS) throw new Error('deadline');
      const response = await super.process(options);
      this.metrics?.subgraphFetch(this.name, response.errors?.length ? 'error' : 'ok', performance.now() - started);
      return response;
    } catch (err) {
      this.metrics?.subgraphFetch(this.name, 'unavailable', performance.now() - started);
      if (err instanceof GraphQLError && err.extensions?.code === 'SUBGRAPH_UNAVAILABLE') throw err;
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).message === 'deadline';
      const response = (err as GraphQLError).extensions?.response as { status?: number } | undefined;
      throw new GraphQLError(
        timedOut
          ? `subgraph "${this.name}" did not answer before the request deadline`
          : response?.status
            ? `subgraph "${this.name}" answered HTTP ${response.status}`
            : `subgraph "${this.name}" is unavailable`,
        { extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: this.name } },
      );
    }
  }

  override async didReceiveResponse({
    response,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0]) {
    const report = response.extensions?.[FORWARD_EXTENSION] as Partial<ForwardedResponse> | undefined;
    if (context?.budget && typeof report?.upstreamCalls === 'number') {
      context.budget.used += report.upstreamCalls;
      context.subgraphCalls[this.name] = (context.subgraphCalls[this.name] ?? 0) + report.upstreamCalls;
    }
    if (context?.cache && report) {
      context.cache.hits += typeof report.cacheHits === 'number' ? report.cacheHits : 0;
      context.cache.misses += typeof report.cacheMisses === 'number' ? report.cacheMisses : 0;
    }
    if (context?.staleSources && report?.stale) noteStaleSources(context, report.stale);
    if (context && typeof report?.freshUntil === 'number' && Number.isFinite(report.freshUntil)) {
      context.freshUntil = Math.min(context.freshUntil ?? Infinity, report.freshUntil);
    }
    // A source that failed here costs the request once: the next subgraph requests are told.
    if (context?.failedSources && report?.failed) Object.assign(context.failedSources, readSourceFailures(report.failed));
    if (response.extensions) delete response.extensions[FORWARD_EXTENSION];
    return response;
  }
}
