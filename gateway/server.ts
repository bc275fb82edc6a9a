import { ApolloServer } from '@apollo/server';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Logger } from '../connectors/core/logger';
import { sendJson, startGraphQLServer, type RunningServer } from '../subgraphs/common/http-server';
import { depthLimitRule } from './depth-limit';

export interface GatewayOptions {
  /** The composed supergraph (schema/supergraph.graphql). */
  supergraphSdl: string;
  /** Subgraph name -> URL of its /graphql endpoint; overrides the URLs in the supergraph. */
  subgraphUrls: Readonly<Record<string, string>>;
  port?: number;
  host?: string;
  /** Default: on, except when NODE_ENV=production. */
  introspection?: boolean;
  maxDepth: number;
  maxTokens: number;
  logger: Logger;
  /** How long /readyz waits for each subgraph. Default 2000 ms. */
  readinessTimeoutMs?: number;
}

/**
 * The gateway: Apollo Gateway planning over the checked-in supergraph (nothing is
 * composed at run time), behind Apollo Server with the query limits, plus /healthz
 * (the process is alive) and /readyz (every subgraph answers).
 */
export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  const { logger } = options;
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService({ name, url }) {
      const target = options.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`no URL for subgraph "${name}"`);
      return new RemoteGraphQLDataSource({ url: target });
    },
    logger: {
      debug: (m: unknown) => logger.debug(String(m)),
      info: (m: unknown) => logger.info(String(m)),
      warn: (m: unknown) => logger.warn(String(m)),
      error: (m: unknown) => logger.error(String(m)),
    },
  });

  const introspection = options.introspection ?? process.env.NODE_ENV !== 'production';
  const apollo = new ApolloServer({
    gateway,
    introspection,
    validationRules: [depthLimitRule(options.maxDepth)],
    parseOptions: { maxTokens: options.maxTokens },
    // Subgraph errors already carry `extensions.source`; keep them as they are.
    includeStacktraceInErrorResponses: process.env.NODE_ENV !== 'production' && process.env.NODE_ENV !== 'test',
    // Compact, as Apollo Router answers: indenting a page of 100 models costs CPU under load
    // and bytes on the wire, and tools (jq, the sandbox UI, client libraries) format it anyway.
    stringifyResult: (result) => JSON.stringify(result),
  });

  const readinessTimeoutMs = options.readinessTimeoutMs ?? 2000;
  return startGraphQLServer({
    apollo,
    context: async () => ({}),
    port: options.port,
    host: options.host,
    routes: {
      '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
      '/readyz': async (_req, res) => {
        const checks = await Promise.all(
          Object.entries(options.subgraphUrls).map(async ([name, url]) => {
            const error = await probeSubgraph(url, readinessTimeoutMs);
            return { name, url, ok: error === null, ...(error ? { error } : {}) };
          }),
        );
        const ready = checks.every((c) => c.ok);
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', subgraphs: checks });
      },
    },
  });
}

/** null when the subgraph answers a trivial query in time, else what went wrong. */
async function probeSubgraph(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return `HTTP ${res.status}`;
    const body = (await res.json()) as { data?: { __typename?: string } };
    return body.data?.__typename === 'Query' ? null : 'unexpected answer';
  } catch (err) {
    return (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message;
  }
}
