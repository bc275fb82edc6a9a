import { readFileSync } from 'node:fs';
import type { ApolloServer, BaseContext } from '@apollo/server';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { ModelgraphConfig } from '../config/schema';
import { BreakerCache } from '../connectors/core/cache/breaker-cache';
import { FailSafeCache } from '../connectors/core/cache/fail-safe-cache';
import { RedisBreaker } from '../connectors/core/cache/redis-breaker';
import { MemoryCache } from '../connectors/core/cache/memory-cache';
import { createRedisClient, RedisCache } from '../connectors/core/cache/redis-cache';
import type { KeyValueCache } from '../connectors/core/cache/types';
import type { ConnectorDeps } from '../connectors/core/connector';
import type { Logger } from '../connectors/core/logger';
import type { SourceKind } from '../connectors/core/source';
import { SourceHealthRegistry } from '../connectors/core/source-health';
import type { ConnectorSlot, ConnectorSlots } from '../connectors/source-module';
import { configuredInstances, createConnectors, SOURCE_KIND_VALUES, SOURCE_MODULES, type RegisteredSource } from '../connectors/sources';
import type { RunningServer } from '../subgraphs/common/http-server';
import { startGraphQLServer, sendJson, sourcesRoute } from '../subgraphs/common/http-server';
import { callerOf, inForwardedScope, subgraphAdmission } from '../subgraphs/common/gateway-trust';
import { randomSecret } from '../lib/request-signature';
import { createMetricsRegistry, startMetricsServer, type MetricsServer } from '../lib/metrics-server';
import { PeopleDirectory } from '../subgraphs/common/identity';
import { createGitSubgraph } from '../subgraphs/git';
import {
  createInventorySubgraph,
  createSourceStatusReader,
  mlflowListingSource,
  type SourceStatusReader,
  readOverrides,
  registryListingSource,
  type FactSources,
  type LinkingRules,
  type ModelListingSource,
} from '../subgraphs/inventory';
import { createJiraSubgraph } from '../subgraphs/jira';
import { createMlflowSubgraph } from '../subgraphs/mlflow';
import { createRegistriesSubgraph } from '../subgraphs/registries';
import { Warmer, warmUpIntervalMs, type WarmUpJob } from '../subgraphs/common/warm-up';
import { openHistoryStore } from '../subgraphs/inventory/history/open-store';
import type { HistoryStore } from '../subgraphs/inventory/history/types';
import { readSupergraph } from './compose';
import { createAuthenticator } from './auth/authenticate';
import { createRateLimiter } from './rate-limit';
import { ResponseStore } from './response-cache/response-store';
import { startGateway } from './server';
import { SUBGRAPHS, type SubgraphName } from './subgraphs';

/**
 * Wiring: configuration in, running servers out. The only place that turns config into
 * caches, connectors, subgraphs and the gateway, for the all-in-one process (`npm start`,
 * tests, benchmarks) and for one role per process (docker-compose) alike.
 */

export interface Runtime {
  linking: LinkingRules;
  /** The process's logger, for what runs outside any request (index rebuilds). */
  logger: Logger;
  cache: KeyValueCache;
  people: PeopleDirectory;
  mlflow: Array<ConnectorSlots['mlflow']>;
  jira: Array<ConnectorSlots['jira']>;
  gitHosts: Array<ConnectorSlots['gitHosts']>;
  registries: Array<ConnectorSlots['registries']>;
  /** Every connector's calls, cache lookups, rate limits and breaker, as `Query.sources` and `GET /sources` report them. */
  health: SourceHealthRegistry;
  /** What the gateway signs subgraph requests with and the subgraphs verify; undefined: unsigned (loopback only). */
  subgraphSecret?: string;
  /** The Redis client behind the cache, when there is one (the gateway's rate limiter shares it). */
  redis?: Redis;
  /** The process's Prometheus registry (`server.metrics`); undefined when metrics are off. */
  metrics?: Registry;
  /** Whether `redis` answers; the rate limiter falls back to memory while it does not. */
  redisBreaker?: RedisBreaker;
  /** Aborted when the process shuts down: background work (index rebuilds) stops with it. */
  shutdownSignal: AbortSignal;
  /** Stops background work at once; close() does it too. */
  stopBackgroundWork(): void;
  /**
   * The governance history store (`history`), opened and migrated on first call; undefined
   * when history is off. Rejects, naming `history`, when it cannot be opened.
   */
  history(): Promise<HistoryStore | undefined>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** People known without an aliases file (the demo derives them from its organisation). */
  people?: PeopleDirectory;
  /** The subgraph secret when the config has none (the all-in-one process makes one up). */
  subgraphSecret?: string;
  /** The registry the sources and subgraphs record into; the all-in-one process shares it with its gateway. */
  metrics?: Registry;
}

/** Caches and connectors, shared by every subgraph in the process. */
/** The registries whose listings make the inventory's models: every MLflow instance and cloud registry. */
export function listingSources(runtime: Runtime): ModelListingSource[] {
  return [...runtime.mlflow.map(mlflowListingSource), ...runtime.registries.map(registryListingSource)];
}

/** What the governance index reads each model's facts from: the runtime's connectors. */
export function factSources(runtime: Runtime, config: ModelgraphConfig): FactSources {
  return {
    mlflow: runtime.mlflow,
    registries: runtime.registries,
    jira: runtime.jira,
    gitHosts: runtime.gitHosts,
    people: runtime.people,
    modelRepositories: config.linking.repositories,
  };
}

export function createRuntime(config: ModelgraphConfig, logger: Logger, options: RuntimeOptions = {}): Runtime {
  let redis: Redis | undefined;
  let cache: KeyValueCache;
  let redisBreaker: RedisBreaker | undefined;
  if (config.cache.redisUrl) {
    const redisLogger = logger.child({ component: 'redis' });
    const client = createRedisClient(config.cache.redisUrl, redisLogger);
    redis = client;
    // One breaker per process, shared with the rate limiter: a hung Redis then costs one
    // command timeout, not one per cache read or per request.
    redisBreaker = RedisBreaker.forClient(client, redisLogger);
    cache = new BreakerCache(new RedisCache(client), redisBreaker);
  } else {
    cache = new MemoryCache();
  }
  if (config.inventory.graphUrl) {
    logger.warn('inventory.graphUrl is no longer used (the indexes read the sources directly): remove it from the configuration');
  }
  const health = new SourceHealthRegistry({ metrics: options.metrics, kinds: SOURCE_KIND_VALUES });
  const shutdown = new AbortController();
  const deps: ConnectorDeps = {
    cache,
    cacheDefaults: { ttlSeconds: config.cache.ttlSeconds, staleSeconds: config.cache.staleSeconds, warmListings: config.cache.warmUp },
    logger,
    health,
  };
  const people =
    options.people ??
    (config.people.aliasesFile ? PeopleDirectory.fromFile(config.people.aliasesFile) : PeopleDirectory.empty());
  // Every configured instance of every registered source (connectors/sources.ts), grouped
  // by the interface the subgraphs take them by.
  const { mlflow, jira, gitHosts, registries } = createConnectors(config.sources, {
    ...deps,
    // The governance's approval version field is read with the model tickets, not in a call of its own.
    modelTicketFields: config.governance.approval.versionField ? [config.governance.approval.versionField] : [],
  });
  const linking: LinkingRules = {
    keyTag: config.linking.keyTag,
    overrides: config.linking.overridesFile
      ? readOverrides(readFileSync(config.linking.overridesFile, 'utf8'), config.linking.overridesFile)
      : undefined,
  };
  let history: Promise<HistoryStore | undefined> | undefined;
  return {
    history: () => (history ??= config.history.enabled ? openHistoryStore(config.history) : Promise.resolve(undefined)),
    linking,
    cache,
    people,
    mlflow,
    jira,
    gitHosts,
    registries,
    health,
    subgraphSecret: config.server.subgraphSecret ?? options.subgraphSecret,
    redis,
    metrics: options.metrics,
    logger,
    redisBreaker,
    shutdownSignal: shutdown.signal,
    stopBackgroundWork: () => shutdown.abort(),
    async close() {
      shutdown.abort();
      for (const connector of [...mlflow, ...jira, ...gitHosts, ...registries]) connector.close();
      redisBreaker?.stop();
      redis?.disconnect();
      await (await history?.catch(() => undefined))?.close();
    },
  };
}

const SUBGRAPH_MAX_BODY_BYTES = 64 * 1024 * 1024;

interface SubgraphModule<TContext extends BaseContext> {
  server: ApolloServer<TContext>;
  context: () => Promise<TContext>;
}

/**
 * The kinds of source each subgraph calls: what its process's `GET /sources` reports. Every
 * process builds every configured connector, but in a split deployment only these are used
 * there; the others would report nothing but `reachable: null`.
 */
export const SUBGRAPH_SOURCE_KINDS: Readonly<Record<SubgraphName, readonly SourceKind[]>> = {
  // The listing reads the registries; the governance index every source.
  inventory: SOURCE_MODULES.map((m) => m.kind),
  mlflow: kindsInSlot('mlflow'),
  jira: kindsInSlot('jira'),
  git: kindsInSlot('gitHosts'),
  registries: kindsInSlot('registries'),
};

function kindsInSlot(slot: ConnectorSlot): SourceKind[] {
  return SOURCE_MODULES.filter((m) => m.slot === slot).map((m) => m.kind);
}

/** Starts one subgraph's HTTP server, with /healthz and /sources. */
export async function startSubgraph(
  name: SubgraphName,
  runtime: Runtime,
  config: ModelgraphConfig,
  listen: { port?: number; host?: string } = {},
  options: {
    peers?: readonly string[];
    /** Where the subgraph's warm-up jobs go (`cache.warmUp`), for the process to run once it serves. */
    warmUp?: WarmUpJob[];
  } = {},
): Promise<RunningServer> {
  const withWarmUp = <M extends { warmUp: WarmUpJob[] }>(subgraph: M): M => {
    options.warmUp?.push(...subgraph.warmUp);
    return subgraph;
  };
  switch (name) {
    case 'inventory':
      return serveSubgraph(
        name,
        runtime,
        withWarmUp(createInventorySubgraph({
          sources: listingSources(runtime),
          linking: runtime.linking,
          people: runtime.people,
          facts: factSources(runtime, config),
          stop: runtime.shutdownSignal,
          indexTtlMs: config.cache.ttlSeconds * 1000,
          indexStaleMs: config.cache.staleSeconds * 1000,
          governance: config.governance,
          sourceStatus: createSourceStatusReader({
            configured: configuredSources(config),
            local: () => runtime.health.snapshot(),
            // A split deployment's other processes each know the sources they call.
            remote: options.peers ?? [],
            secret: runtime.subgraphSecret,
          }),
          metrics: runtime.metrics,
          logger: runtime.logger.child({ component: 'inventory' }),
          // Opened (and migrated) before the subgraph serves: a store that cannot open fails the start.
          history: await historyOptions(runtime, config),
          warmUp: config.cache.warmUp
            ? { shared: runtime.redis ? new FailSafeCache(runtime.cache, runtime.logger.child({ component: 'index-cache' })) : undefined }
            : undefined,
          tickets: config.tickets && {
            settings: config.tickets,
            // config/schema.ts has checked that the instance is configured.
            connector: runtime.jira.find((j) => j.instance === config.tickets!.jira)!,
            shared: runtime.redis ? new FailSafeCache(runtime.cache, runtime.logger.child({ component: 'ticket-lock' })) : undefined,
          },
        })),
        listen,
      );
    case 'mlflow':
      return serveSubgraph(name, runtime, createMlflowSubgraph(runtime.mlflow, runtime.people, config.governance), listen);
    case 'jira':
      return serveSubgraph(name, runtime, createJiraSubgraph(runtime.jira, runtime.people), listen);
    case 'registries':
      return serveSubgraph(name, runtime, withWarmUp(createRegistriesSubgraph(runtime.registries)), listen);
    case 'git':
      return serveSubgraph(
        name,
        runtime,
        createGitSubgraph(runtime.gitHosts, runtime.people, config.linking.repositories),
        listen,
      );
  }
}

async function historyOptions(runtime: Runtime, config: ModelgraphConfig) {
  const store = await runtime.history();
  return store && { store, intervalMs: config.history.interval };
}

function serveSubgraph<TContext extends BaseContext>(
  name: SubgraphName,
  runtime: Pick<Runtime, 'health' | 'subgraphSecret'>,
  subgraph: SubgraphModule<TContext>,
  listen: { port?: number; host?: string },
): Promise<RunningServer> {
  const kinds = new Set(SUBGRAPH_SOURCE_KINDS[name]);
  return startGraphQLServer({
    apollo: subgraph.server,
    admit: subgraphAdmission(runtime.subgraphSecret),
    around: inForwardedScope,
    context: async (_req, forwarded) => Object.assign(await subgraph.context(), { caller: callerOf(forwarded) }),
    port: listen.port ?? 0,
    host: listen.host ?? '127.0.0.1',
    // Subgraphs hear from the gateway, not from clients: an `_entities` call carries every
    // representation of a page with its @requires fields (a page of models' versions,
    // deployments and tickets for Model.findings), far beyond a client query's size.
    maxBodyBytes: SUBGRAPH_MAX_BODY_BYTES,
    spanAttributes: { 'modelgraph.subgraph': name },
    routes: {
      '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok', subgraph: name }),
      '/sources': sourcesRoute(() => runtime.health.snapshot().filter((s) => kinds.has(s.kind)), runtime.subgraphSecret),
    },
  });
}

/** The gateway as the config describes it, for the all-in-one process and `--role gateway` alike. */
export async function startGatewayFromConfig(
  config: ModelgraphConfig,
  wiring: {
    supergraphSdl: string;
    subgraphUrls: Record<string, string>;
    subgraphSecret?: string;
    redis?: Redis;
    redisBreaker?: RedisBreaker;
    logger: Logger;
    /** Where the gateway's metrics go (see {@link processMetrics}). */
    metrics?: Registry;
    /** See GatewayOptions.notReadyBecause. */
    notReadyBecause?: () => string | undefined;
    /**
     * What the gateway's `GET /sources` answers. Default: every subgraph process's
     * `/sources`, merged (a gateway run alone calls no source itself).
     */
    sources?: SourceStatusReader;
  },
): Promise<RunningServer> {
  const { server } = config;
  const sources =
    wiring.sources ??
    createSourceStatusReader({
      configured: configuredSources(config),
      remote: Object.values(wiring.subgraphUrls),
      secret: wiring.subgraphSecret,
    });
  return startGateway({
    supergraphSdl: wiring.supergraphSdl,
    subgraphUrls: wiring.subgraphUrls,
    subgraphSecret: wiring.subgraphSecret,
    port: server.port,
    host: server.host,
    introspection: server.introspection,
    limits: server.limits,
    authenticator: await createAuthenticator(server.auth),
    debug: server.debug,
    cors: server.cors,
    rateLimiter: createRateLimiter({
      requestsPerMinute: server.rateLimit.requestsPerMinute,
      redis: wiring.redis,
      redisBreaker: wiring.redisBreaker,
    }),
    logger: wiring.logger,
    responseCache: responseCacheFromConfig(config, wiring),
    // Beside /graphql only when no metrics port is configured: then the metrics server serves it.
    metrics: wiring.metrics && { registry: wiring.metrics, route: server.metrics.port === undefined },
    notReadyBecause: wiring.notReadyBecause,
    sources: () => sources.read(),
  });
}

/**
 * The gateway's response cache as `cache.responses` describes it: in this process's memory,
 * and in the Redis every replica shares when there is one (through the breaker: a hung Redis
 * costs an execution, not a wait); undefined when turned off.
 */
function responseCacheFromConfig(
  config: ModelgraphConfig,
  wiring: { redis?: Redis; redisBreaker?: RedisBreaker; logger: Logger },
): { store: ResponseStore; maxTtlSeconds: number } | undefined {
  const settings = config.cache.responses;
  if (!settings.enabled || settings.maxTtlSeconds === 0) return undefined;
  const shared =
    wiring.redis && wiring.redisBreaker
      ? new FailSafeCache(new BreakerCache(new RedisCache(wiring.redis), wiring.redisBreaker), wiring.logger.child({ component: 'response-cache' }))
      : undefined;
  return {
    store: new ResponseStore({ shared, maxEntries: settings.maxEntries, maxBytes: settings.maxBytes }),
    maxTtlSeconds: settings.maxTtlSeconds,
  };
}

/** A process's metrics registry, or undefined when `server.metrics.enabled` is false. */
export function processMetrics(config: ModelgraphConfig): Registry | undefined {
  return config.server.metrics.enabled ? createMetricsRegistry() : undefined;
}

/**
 * The metrics port's listener, when `server.metrics.port` is set: every role serves its
 * registry there (a subgraph process has no other way to be scraped, its /graphql being
 * for the signed gateway only).
 */
export async function startMetricsPort(config: ModelgraphConfig, registry: Registry | undefined): Promise<MetricsServer | undefined> {
  const { port, host } = config.server.metrics;
  if (!registry || port === undefined) return undefined;
  return startMetricsServer(registry, { port, host: host ?? config.server.host });
}

export interface Stack {
  /** `http://host:port/graphql` */
  graphqlUrl: string;
  gateway: RunningServer;
  subgraphs: Record<SubgraphName, RunningServer>;
  runtime: Runtime;
  /** Where the process's /metrics is served (the gateway's port, or the metrics port); undefined when metrics are off. */
  metricsUrl?: string;
  /**
   * Settles when the first warm-up round is done (`cache.warmUp`; at once when it is off): the
   * listings and indexes are then held, and the first query does not wait for them.
   */
  warmedUp: Promise<void>;
  /** Requests in flight get `graceMs` to finish (default 0: cut at once); see RunningServer.close. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts `cache.warmUp`'s rounds over the jobs the process's subgraphs gave; the promise
 * settles with the first round (never rejects: failures are logged and retried).
 */
export function startWarmUp(config: ModelgraphConfig, runtime: Runtime, jobs: readonly WarmUpJob[]): Promise<void> {
  if (!config.cache.warmUp || jobs.length === 0) return Promise.resolve();
  return new Warmer(jobs, {
    intervalMs: warmUpIntervalMs(config.cache.ttlSeconds),
    logger: runtime.logger.child({ component: 'warm-up' }),
    signal: runtime.shutdownSignal,
  }).start();
}

/**
 * Every subgraph on a free loopback port, and the gateway on the configured port: one
 * process serving the whole graph.
 */
export async function startStack(
  config: ModelgraphConfig,
  logger: Logger,
  options: RuntimeOptions & { supergraphSdl?: string } = {},
): Promise<Stack> {
  // Subgraphs on loopback still check the gateway's signature: another local user or a
  // browser page reaching 127.0.0.1 must not get past the gateway's authorization.
  // One registry for the gateway and every subgraph: they share the process, and one scrape covers them.
  const metrics = processMetrics(config);
  const runtime = createRuntime(config, logger, { ...options, subgraphSecret: options.subgraphSecret ?? randomSecret(), metrics });
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const subgraphs = {} as Record<SubgraphName, RunningServer>;
    const warmUp: WarmUpJob[] = [];
    for (const { name } of SUBGRAPHS) {
      subgraphs[name] = await startSubgraph(name, runtime, config, {}, { warmUp });
      started.push(subgraphs[name]);
    }
    const metricsPort = await startMetricsPort(config, metrics);
    if (metricsPort) started.push(metricsPort);
    // Not ready until the first warm-up round is done: the process serves the whole graph,
    // so nothing else waits on its readiness.
    let warming = config.cache.warmUp && warmUp.length > 0;
    const gateway = await startGatewayFromConfig(config, {
      notReadyBecause: () => (warming ? 'warming up' : undefined),
      supergraphSdl: options.supergraphSdl ?? readSupergraph(),
      subgraphUrls: Object.fromEntries(Object.entries(subgraphs).map(([n, s]) => [n, `${s.url}/graphql`])),
      subgraphSecret: runtime.subgraphSecret,
      redis: runtime.redis,
      redisBreaker: runtime.redisBreaker,
      logger: logger.child({ component: 'gateway' }),
      metrics,
      // The subgraphs share this process's registry: asking each for its /sources would count
      // a source two subgraphs call twice.
      sources: createSourceStatusReader({ configured: configuredSources(config), local: () => runtime.health.snapshot() }),
    });
    const warmedUp = startWarmUp(config, runtime, warmUp).finally(() => (warming = false));
    return {
      warmedUp,
      graphqlUrl: `${gateway.url}/graphql`,
      gateway,
      subgraphs,
      runtime,
      metricsUrl: metricsPort ? `${metricsPort.url}/metrics` : metrics ? `${gateway.url}/metrics` : undefined,
      async close(graceMs = 0) {
        // An index rebuild is a request to this gateway that may run for minutes: it would
        // hold the drain for the whole grace period, and its result is of no use any more.
        runtime.stopBackgroundWork();
        await gateway.close(graceMs);
        // Only the gateway calls the subgraphs, and it has drained.
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

/** The config's `sources` keys and the source kind each configures. */
export const SOURCE_KINDS = Object.fromEntries(SOURCE_MODULES.map((m) => [m.configKey, m.kind])) as {
  [M in RegisteredSource as M['configKey']]: M['kind'];
};

/** Every configured source instance, as `Query.sources` lists them. */
export function configuredSources(config: ModelgraphConfig): Array<{ kind: SourceKind; instance: string }> {
  return configuredInstances(config.sources);
}
