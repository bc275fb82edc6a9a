import type { ApolloServer, BaseContext } from '@apollo/server';
import type { Redis } from 'ioredis';
import type { ModelgraphConfig } from '../config/schema';
import { MemoryCache } from '../connectors/core/cache/memory-cache';
import { createRedisClient, RedisCache } from '../connectors/core/cache/redis-cache';
import type { KeyValueCache } from '../connectors/core/cache/types';
import type { Logger } from '../connectors/core/logger';
import { MlflowConnector } from '../connectors/mlflow';
import type { RunningServer } from '../subgraphs/common/http-server';
import { startGraphQLServer, sendJson } from '../subgraphs/common/http-server';
import { createInventorySubgraph, mlflowListingSource } from '../subgraphs/inventory';
import { createMlflowSubgraph } from '../subgraphs/mlflow';
import { readSupergraph } from './compose';
import { startGateway } from './server';
import type { SubgraphName } from './subgraphs';

/**
 * Wiring: configuration in, running servers out. The only place that turns config into
 * caches, connectors, subgraphs and the gateway, for the all-in-one process (`npm start`,
 * tests, benchmarks) and for one role per process (docker-compose) alike.
 */

export interface Runtime {
  cache: KeyValueCache;
  mlflow: MlflowConnector[];
  close(): Promise<void>;
}

/** Caches and connectors, shared by every subgraph in the process. */
export function createRuntime(config: ModelgraphConfig, logger: Logger): Runtime {
  let redis: Redis | undefined;
  let cache: KeyValueCache;
  if (config.cache.redisUrl) {
    redis = createRedisClient(config.cache.redisUrl, logger.child({ component: 'redis' }));
    cache = new RedisCache(redis);
  } else {
    cache = new MemoryCache();
  }
  const cacheDefaults = { ttlSeconds: config.cache.ttlSeconds, staleSeconds: config.cache.staleSeconds };
  const mlflow = config.sources.mlflow.map((instance) =>
    MlflowConnector.fromConfig(instance, { cache, cacheDefaults, logger }),
  );
  return {
    cache,
    mlflow,
    async close() {
      for (const connector of mlflow) connector.close();
      redis?.disconnect();
    },
  };
}

interface SubgraphModule<TContext extends BaseContext> {
  server: ApolloServer<TContext>;
  context: () => Promise<TContext>;
}

/** Starts one subgraph's HTTP server, with /healthz. */
export function startSubgraph(
  name: SubgraphName,
  runtime: Runtime,
  config: ModelgraphConfig,
  listen: { port?: number; host?: string } = {},
): Promise<RunningServer> {
  switch (name) {
    case 'inventory':
      return serveSubgraph(
        name,
        createInventorySubgraph({ sources: runtime.mlflow.map(mlflowListingSource), keyTag: config.linking.keyTag }),
        listen,
      );
    case 'mlflow':
      return serveSubgraph(name, createMlflowSubgraph(runtime.mlflow), listen);
  }
}

function serveSubgraph<TContext extends BaseContext>(
  name: SubgraphName,
  subgraph: SubgraphModule<TContext>,
  listen: { port?: number; host?: string },
): Promise<RunningServer> {
  return startGraphQLServer({
    apollo: subgraph.server,
    context: subgraph.context,
    port: listen.port ?? 0,
    host: listen.host ?? '127.0.0.1',
    routes: { '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok', subgraph: name }) },
  });
}

export interface Stack {
  /** `http://host:port/graphql` */
  graphqlUrl: string;
  gateway: RunningServer;
  subgraphs: Record<SubgraphName, RunningServer>;
  runtime: Runtime;
  close(): Promise<void>;
}

/**
 * Every subgraph on a free loopback port, and the gateway on the configured port: one
 * process serving the whole graph.
 */
export async function startStack(config: ModelgraphConfig, logger: Logger, options: { supergraphSdl?: string } = {}): Promise<Stack> {
  const runtime = createRuntime(config, logger);
  const started: RunningServer[] = [];
  try {
    const inventory = await startSubgraph('inventory', runtime, config);
    started.push(inventory);
    const mlflow = await startSubgraph('mlflow', runtime, config);
    started.push(mlflow);
    const subgraphs = { inventory, mlflow };
    const gateway = await startGateway({
      supergraphSdl: options.supergraphSdl ?? readSupergraph(),
      subgraphUrls: Object.fromEntries(Object.entries(subgraphs).map(([n, s]) => [n, `${s.url}/graphql`])),
      port: config.server.port,
      host: config.server.host,
      introspection: config.server.introspection,
      maxDepth: config.server.maxDepth,
      maxTokens: config.server.maxTokens,
      logger: logger.child({ component: 'gateway' }),
    });
    return {
      graphqlUrl: `${gateway.url}/graphql`,
      gateway,
      subgraphs,
      runtime,
      async close() {
        await gateway.close();
        await Promise.all(started.map((s) => s.close()));
        await runtime.close();
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.close().catch(() => undefined)));
    await runtime.close();
    throw err;
  }
}
