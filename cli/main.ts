import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ModelgraphError } from '../connectors/core/errors';
import { explainParseError, wantsHelp, type ParseArgsOptionsConfig } from './args';
import { didYouMean } from './did-you-mean';
import { COMMANDS, type CommandName } from './help';
import { ConfigError, loadConfig } from '../config/load';
import { configSchema, type ModelgraphConfig } from '../config/schema';
import { createLogger, type Logger } from '../connectors/core/logger';
import { composeCommand, readPublicSchema, readSupergraph } from '../gateway/compose';
import { hashApiKey, newApiKey } from '../gateway/auth/authenticate';
import { checkExposure } from '../gateway/exposure';
import { createRuntime, processMetrics, startGatewayFromConfig, startMetricsPort, startStack, startSubgraph, startWarmUp } from '../gateway/stack';
import type { WarmUpJob } from '../subgraphs/common/warm-up';
import { configuredInstances, SOURCE_MODULES } from '../connectors/sources';
import { createRedisClient } from '../connectors/core/cache/redis-cache';
import { RedisBreaker } from '../connectors/core/cache/redis-breaker';
import { resolveSubgraphUrls, SUBGRAPHS, type SubgraphName } from '../gateway/subgraphs';
import { describeSandboxModels, describeUpstreamKinds, sandboxConfig, sandboxUpstreams, startSandbox, type SandboxUpstream } from '../sandbox';
import { PeopleDirectory } from '../subgraphs/common/identity';
import { logProcessWarnings } from './process-warnings';
import { parseReconcileArgs, ReconcileUsageError, runReconcile } from './reconcile';
import { parseReportArgs, ReportUsageError, runReport } from './report';
import { startTracing } from './tracing';
import { recordHistoryDemo } from './history-demo';
import { HistoryUnavailableError, openHistoryStore, sqliteAvailable } from '../subgraphs/inventory/history/open-store';

/** Where the demo keeps its history (gitignored): it grows with every run. */
const DEMO_HISTORY_PATH = 'data/history.sqlite';
/** Where `--history-demo` records its simulated week: made afresh each time (a week ending yesterday). */
const DEMO_WEEK_PATH = 'data/history-demo.sqlite';

const USAGE = `modelgraph: one GraphQL graph over MLflow and the other tools of AI teams

Usage:
  modelgraph serve [--config FILE] [--role ROLE] [--port N] [--host HOST]
      Serve the graph (\`modelgraph start\`, what \`npm start\` runs, is the same command).
      Without a config file (--config or MODELGRAPH_CONFIG) it runs the demo: sandbox
      upstreams seeded with a demo organisation (--models N, --seed N), with governance
      history in ${DEMO_HISTORY_PATH}; --history-demo first records a week of simulated
      daily snapshots (into ${DEMO_WEEK_PATH}, made afresh).
      ROLE is all (default: gateway and every subgraph in one process), gateway,
      ${SUBGRAPHS.map((s) => s.name).join(', ')}.
  modelgraph compose [--check] [--out FILE]
      Compose schema/supergraph.graphql from the subgraph schemas, and next to it
      schema/public.graphql (the schema clients see); --check fails when either
      checked-in file is stale.
  modelgraph schema [--public]
      Print the supergraph the gateway loads, or with --public the schema it serves to
      clients (no federation internals, nothing @inaccessible): the SDL for a client's
      code generator.
  modelgraph report FILE.graphql [--var NAME=VALUE ...] [--format table|csv|json|markdown]
                    [--endpoint URL] [--out FILE]
      Run a GraphQL report (see reports/), following cursor connections to the end.
      Without --endpoint it runs against the embedded demo.
  modelgraph reconcile [--fail-on low|medium|high] [--format table|json] [--rule RULE ...]
                       [--endpoint URL] [--record [--config FILE]]
      Print the governance findings; exit 0 when none reaches --fail-on (default high),
      1 when some do, 2 on an error. Without --endpoint, against the embedded demo.
      --record also writes them to the history store of the config file's \`history\`
      (default ./data/history.sqlite).
  modelgraph reconcile --open-tickets [--dry-run | --apply] [--severity LEVEL] [--rule RULE ...]
                       [--endpoint URL]
      File a Jira issue per unwaived finding without one (config tickets), and comment on
      the issues of findings that are gone; a dry run unless --apply. Exit 0, or 2 when a
      ticket could not be filed. Needs the governance:write scope (MODELGRAPH_API_KEY).
  modelgraph api-key [--name NAME] [--scope SCOPE ...]
      Make a new API key for a script or CI job: prints the key (give it to the client;
      it is not stored) and the server.auth.apiKeys entry with its SHA-256 hash.
  modelgraph sandbox [--port N] [--models N] [--seed N]
      Run only the sandbox upstreams, one per source kind (MLflow twice), on consecutive
      ports from N; prints each one's URL and credentials.

\`modelgraph COMMAND --help\` lists a command's options with their defaults, and an example.

Exit codes: 0 success; 1 a check that failed (reconcile's gate, compose --check) or an error
while running; 2 bad usage, a bad configuration, or anything else that stops a command from
starting (a port in use, a store that cannot be opened).

Environment: PORT, REDIS_URL, MODELGRAPH_CONFIG, MODELGRAPH_API_KEY (what report and reconcile
send the gateway as a Bearer token), MODELGRAPH_SUBGRAPH_SECRET (the gateway and
subgraphs' shared signing secret), MODELGRAPH_SUBGRAPH_<NAME>_URL (where a gateway run alone
finds each subgraph), MODELGRAPH_METRICS_PORT (Prometheus /metrics on a port of
its own), NODE_ENV=production (introspection off), and OpenTelemetry's OTEL_* variables
(traces are exported when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_TRACES_EXPORTER says so).
`;

/** Exit codes (README, Commands): 0 ok, 1 failure, 2 bad usage, configuration or start-up. */
export async function main(argv: string[]): Promise<number | undefined> {
  const [given, ...rest] = argv;
  // `start` is what `npm start` has always run: the same command as `serve`.
  const command = given === 'start' ? 'serve' : given;
  if (command !== undefined && command in COMMANDS && wantsHelp(rest)) {
    process.stdout.write(COMMANDS[command as CommandName].help);
    return 0;
  }
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'compose':
        return compose(rest);
      case 'schema':
        return schema(rest);
      case 'sandbox':
        return await sandbox(rest);
      case 'report':
        return await report(rest);
      case 'reconcile':
        return await reconcile(rest);
      case 'api-key':
        return apiKey(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h': {
        const topic = command === 'help' ? rest[0] : undefined;
        if (topic !== undefined && (topic === 'start' ? 'serve' : topic) in COMMANDS) {
          process.stdout.write(COMMANDS[(topic === 'start' ? 'serve' : topic) as CommandName].help);
          return 0;
        }
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      }
      default: {
        const suggestion = didYouMean(command, [...Object.keys(COMMANDS), 'start', 'help']);
        process.stderr.write(
          `modelgraph: unknown command "${command}"${suggestion ? `; did you mean "${suggestion}"?` : ''}\n\n${USAGE}`,
        );
        return 2;
      }
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof StartupError || err instanceof ReportUsageError || err instanceof ReconcileUsageError) {
      process.stderr.write(`modelgraph: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`modelgraph: ${(err as Error).message}\n`);
    return 1;
  }
}

class UsageError extends ModelgraphError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/**
 * Anything that stops `serve` before it serves (a port in use, Redis or a history store
 * that cannot be opened): exit 2, like a bad configuration, so a service manager or a
 * container's restart policy sees one code for "will not start as configured".
 */
class StartupError extends ModelgraphError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

function parse<T extends ParseArgsOptionsConfig>(command: CommandName, args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new UsageError(explainParseError(err, command, options));
  }
}

function intOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got "${String(value)}"`);
  return n;
}

async function serve(args: string[]): Promise<number | undefined> {
  const opts = parse('serve', args, COMMANDS.serve.options);
  const role = String(opts.role);
  if (role !== 'all' && role !== 'gateway' && !SUBGRAPHS.some((s) => s.name === role)) {
    throw new UsageError(`--role must be all, gateway or a subgraph (${SUBGRAPHS.map((s) => s.name).join(', ')})`);
  }
  const configPath = (opts.config as string | undefined) ?? process.env.MODELGRAPH_CONFIG ?? undefined;
  const config = loadConfig({ path: configPath || undefined });
  const historyDemo = Boolean(opts['history-demo']);
  if (historyDemo && (configPath || role !== 'all')) throw new UsageError('--history-demo runs with the demo only (no --config, --role all)');
  const port = intOption(opts.port, 'port');
  if (port !== undefined) config.server.port = port;
  if (opts.host) config.server.host = String(opts.host);
  const logger = createLogger({ level: config.logLevel, bindings: { service: 'modelgraph', role } });
  logProcessWarnings(logger.child({ component: 'process' }));
  if (role !== 'gateway') checkExposure(config, role);
  // A config file without sources starts a graph that answers every query with nothing.
  if (configPath && role !== 'gateway' && configuredInstances(config.sources).length === 0) {
    logger.warn(`no sources configured in ${configPath}: every query will answer with empty lists; add some under \`sources\` (${SOURCE_MODULES.map((m) => m.configKey).join(', ')}; see examples/modelgraph.yaml)`);
  }

  // Before anything serves: spans of the first requests go to the exporter too.
  const tracing = startTracing(role);
  // Each is given the grace period requests in flight have to finish (0 after a failed start).
  const closers: Array<(graceMs: number) => Promise<void>> = [];
  try {
    if (role === 'all') {
      let demoNote = '';
      let upstreams: SandboxUpstream[] = [];
      let people: PeopleDirectory | undefined;
      if (!configPath) {
        const models = intOption(opts.models, 'models') ?? 36;
        const seed = intOption(opts.seed, 'seed');
        const week = await demoHistory(config, logger, historyDemo, { models, seed });
        const sandboxes = await startSandbox(week ? { org: week.org } : { models, seed });
        closers.push(() => sandboxes.close());
        const demo = sandboxConfig(sandboxes);
        config.sources = configSchema.shape.sources.parse(demo.sources);
        config.tickets = configSchema.shape.tickets.parse(demo.tickets);
        people = PeopleDirectory.fromData(demo.peopleAliases, 'demo people');
        upstreams = sandboxUpstreams(sandboxes);
        demoNote = `demo organisation: ${describeSandboxModels(sandboxes.org)}; sandbox ${describeUpstreamKinds(upstreams)}`;
      }
      const stack = await startStack(config, logger, { people });
      closers.unshift((graceMs) => stack.close(graceMs));
      // The banner comes once the listings and indexes are held: the first query is fast.
      if (config.cache.warmUp) logger.info('warming up: listings, deployments and indexes', { url: stack.graphqlUrl });
      await stack.warmedUp;
      announce(logger, stack.graphqlUrl, config, { note: demoNote, upstreams }, { metricsUrl: stack.metricsUrl, tracing: tracing !== undefined });
    } else if (role === 'gateway') {
      const subgraphUrls = gatewaySubgraphUrls(config);
      checkExposure(config, role, subgraphUrls);
      // The rate limit is shared by every gateway replica through Redis, when there is one.
      const redisLogger = logger.child({ component: 'redis' });
      const redis = config.cache.redisUrl ? createRedisClient(config.cache.redisUrl, redisLogger) : undefined;
      const redisBreaker = redis && RedisBreaker.forClient(redis, redisLogger);
      if (redis) {
        closers.push(async () => {
          redisBreaker?.stop();
          redis.disconnect();
        });
      }
      const metrics = processMetrics(config);
      const gateway = await startGatewayFromConfig(config, {
        supergraphSdl: readSupergraph(),
        subgraphUrls,
        subgraphSecret: config.server.subgraphSecret,
        redis,
        redisBreaker,
        logger,
        metrics,
      });
      closers.push((graceMs) => gateway.close(graceMs));
      const metricsPort = await startMetricsPort(config, metrics);
      if (metricsPort) closers.push(() => metricsPort.close());
      logger.info('gateway listening', { url: `${gateway.url}/graphql`, subgraphs: subgraphUrls });
    } else {
      const metrics = processMetrics(config);
      const runtime = createRuntime(config, logger, { metrics });
      closers.push(() => runtime.close());
      // A subgraph's /graphql answers only the signed gateway: Prometheus scrapes the metrics port.
      const metricsPort = await startMetricsPort(config, metrics);
      if (metricsPort) closers.push(() => metricsPort.close());
      // The inventory reports the health of sources the other subgraph processes call.
      const peers = Object.entries(resolveSubgraphUrls(config.subgraphs))
        .filter(([name]) => name !== role)
        .map(([, url]) => url);
      const warmUp: WarmUpJob[] = [];
      const server = await startSubgraph(
        role as SubgraphName,
        runtime,
        config,
        { port: config.server.port, host: config.server.host },
        { peers, warmUp },
      );
      // In the background: the indexes walk the graph through a gateway that may not be up yet
      // (a failed round is logged and retried).
      void startWarmUp(config, runtime, warmUp);
      closers.unshift((graceMs) => {
        // An index rebuild in progress would hold a request waiting for it, and the drain.
        runtime.stopBackgroundWork();
        return server.close(graceMs);
      });
      logger.info('subgraph listening', { subgraph: role, url: `${server.url}/graphql` });
    }
  } catch (err) {
    await closeAll(closers, 0);
    await tracing?.shutdown().catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new StartupError('PORT_IN_USE', `port ${config.server.port} is already in use; set PORT or --port to another one`);
    }
    if (err instanceof ModelgraphError) throw new StartupError(err.code, err.message, { cause: err });
    throw new StartupError('STARTUP_FAILED', `cannot start: ${(err as Error).message}`, { cause: err });
  }
  // A second signal (Ctrl-C twice) does not wait for the drain.
  const signal = await untilSignal((again) => {
    logger.warn('second signal: exiting without waiting for requests in flight', { signal: again });
    process.exit(1);
  });
  const graceMs = config.server.shutdownGraceSeconds * 1000;
  // /readyz answers 503 from here on, new connections are refused, idle ones closed; what
  // is in flight gets graceMs to finish.
  logger.info('shutting down: draining requests in flight', { signal, graceSeconds: config.server.shutdownGraceSeconds });
  const startedAt = Date.now();
  await closeAll(closers, graceMs);
  logger.info('shut down', { durationMs: Date.now() - startedAt });
  // Last: the spans of the requests that were in flight are flushed, not dropped.
  await tracing?.shutdown().catch(() => undefined);
  return 0;
}

/**
 * The demo's history: on, in SQLite under data/, unless no embedded SQLite can run here or
 * data/ cannot be written (the image's read-only /app): then the demo serves without it, and
 * says so. With `week`, first a simulated week of snapshots (see history-demo.ts), whose last
 * day's organisation the demo then serves; there, no history is an error.
 */
async function demoHistory(
  config: ModelgraphConfig,
  logger: Logger,
  week: boolean,
  org: { models: number; seed?: number },
): Promise<Awaited<ReturnType<typeof recordHistoryDemo>> | undefined> {
  if (!sqliteAvailable()) {
    if (week) throw new HistoryUnavailableError('history: no embedded SQLite can run on this machine (better-sqlite3 on Node 20), so --history-demo cannot record');
    logger.warn('history: no embedded SQLite can run on this machine (better-sqlite3 on Node 20); the demo serves without governance history');
    return undefined;
  }
  const history = { ...config.history, enabled: true, path: week ? DEMO_WEEK_PATH : DEMO_HISTORY_PATH };
  if (!week) {
    try {
      await (await openHistoryStore(history)).close();
      config.history = history;
    } catch (err) {
      logger.warn('the demo serves without governance history', { error: (err as Error).message });
    }
    return undefined;
  }
  config.history = history;
  // A week ending yesterday, in a file of its own: an older run's later snapshots would come after it.
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${DEMO_WEEK_PATH}${suffix}`, { force: true });
  const store = await openHistoryStore(config.history);
  try {
    logger.info('history demo: recording a week of daily snapshots', { store: store.description });
    return await recordHistoryDemo({
      store,
      ...org,
      onDay: (d) =>
        logger.info('history demo: day recorded', { day: d.day, at: d.takenAt.toISOString(), findings: d.findings, opened: d.result.opened, resolved: d.result.resolved }),
    });
  } finally {
    await store.close();
  }
}

function gatewaySubgraphUrls(config: ModelgraphConfig): Record<string, string> {
  return resolveSubgraphUrls(config.subgraphs);
}

function apiKey(args: string[]): number {
  const opts = parse('api-key', args, COMMANDS['api-key'].options);
  const key = newApiKey();
  const scopes = (opts.scope as string[] | undefined) ?? [];
  process.stdout.write(
    [
      `key (give it to the client; modelgraph keeps only its hash):`,
      `  ${key}`,
      ``,
      `config, under server.auth.apiKeys:`,
      `  - name: ${JSON.stringify(String(opts.name))}`,
      `    hash: "${hashApiKey(key)}"`,
      `    scopes: [${scopes.map((s) => JSON.stringify(s)).join(', ')}]`,
      ``,
      `clients send it as "Authorization: Bearer <key>" or "X-API-Key: <key>".`,
      ``,
    ].join('\n'),
  );
  return 0;
}

function compose(args: string[]): number {
  const opts = parse('compose', args, COMMANDS.compose.options);
  const result = composeCommand({ check: Boolean(opts.check), out: opts.out as string | undefined });
  (result.ok ? process.stdout : process.stderr).write(`${result.message}\n`);
  return result.ok ? 0 : 1;
}

function schema(args: string[]): number {
  const opts = parse('schema', args, COMMANDS.schema.options);
  process.stdout.write(opts.public ? readPublicSchema() : readSupergraph());
  return 0;
}

async function sandbox(args: string[]): Promise<number> {
  const opts = parse('sandbox', args, COMMANDS.sandbox.options);
  const basePort = intOption(opts.port, 'port') ?? 5000;
  const sandboxes = await startSandbox({
    models: intOption(opts.models, 'models'),
    seed: intOption(opts.seed, 'seed'),
    host: '0.0.0.0',
    basePort,
  });
  for (const u of sandboxUpstreams(sandboxes)) process.stdout.write(`sandbox ${u.kind} "${u.name}": ${u.url}\n  credentials: ${u.credentials}\n`);
  if (basePort === 5000) process.stdout.write('modelgraph serve --config examples/sandbox.yaml serves the graph over these.\n');
  await untilSignal();
  await sandboxes.close();
  return 0;
}

/**
 * The demo graph in this process, on a free port, quiet: what `report` and `reconcile` run
 * against when no --endpoint is given, so an analyst can try a report with nothing running.
 */
async function withEmbeddedDemo<T>(run: (graphqlUrl: string) => Promise<T>): Promise<T> {
  process.stderr.write('modelgraph: no --endpoint: starting the embedded demo graph\n');
  const sandboxes = await startSandbox({});
  // History of this run only (the trend reports have the current build to show), thrown away after.
  const scratch = sqliteAvailable() ? mkdtempSync(join(tmpdir(), 'modelgraph-demo-')) : undefined;
  try {
    const demo = sandboxConfig(sandboxes);
    const config = configSchema.parse({
      server: { port: 0, host: '127.0.0.1' },
      sources: demo.sources,
      tickets: demo.tickets,
      logLevel: 'silent',
      ...(scratch ? { history: { enabled: true, path: join(scratch, 'history.sqlite') } } : {}),
    });
    const logger = createLogger({ level: 'silent' });
    const stack = await startStack(config, logger, { people: PeopleDirectory.fromData(demo.peopleAliases, 'demo people') });
    try {
      return await run(stack.graphqlUrl);
    } finally {
      await stack.close();
    }
  } finally {
    await sandboxes.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** What the CLI's commands send the gateway to authenticate: MODELGRAPH_API_KEY, when set. */
function apiKeyHeaders(): Record<string, string> | undefined {
  const key = process.env.MODELGRAPH_API_KEY;
  return key ? { authorization: `Bearer ${key}` } : undefined;
}

async function report(args: string[]): Promise<number> {
  const parsed = { headers: apiKeyHeaders(), ...parseReportArgs(args) };
  if (parsed.endpoint) return runReport({ ...parsed, endpoint: parsed.endpoint });
  return withEmbeddedDemo((endpoint) => runReport({ ...parsed, endpoint }));
}

async function reconcile(args: string[]): Promise<number> {
  const parsed = { ...parseReconcileArgs(args), headers: apiKeyHeaders() };
  const io = { stdout: process.stdout, stderr: process.stderr };
  if (parsed.endpoint) return runReconcile({ ...parsed, endpoint: parsed.endpoint }, io);
  return withEmbeddedDemo((endpoint) => runReconcile({ ...parsed, endpoint }, io));
}

/** The query the start-up banner suggests; the integration tests run it, so it cannot rot. */
export const DEMO_EXAMPLE_QUERY =
  '{ models(first: 3) { nodes { key versions(stage: \"Production\") { version source { kind } ... on MlflowModelVersion { run { metrics { key value } commit { sha author { email } } } } } repository { url } codeOwners { handle } tickets { key status } findings { severity message } } } }';

/** The trend query the banner suggests when history is on (the README shows its answer after --history-demo). */
export const DEMO_TRENDS_QUERY =
  '{ findingTrends(period: DAY, groupBy: RULE) { periodStart group opened resolved openAtEnd medianDaysToResolve } }';

function describeHistory(config: ModelgraphConfig): string {
  const h = config.history;
  if (!h.enabled) return 'off';
  return h.postgresUrl ? `PostgreSQL (schema ${h.postgresSchema})` : `SQLite ${h.path}`;
}

/**
 * Says where the graph is served. On a terminal (`npm start`), a banner for the person
 * reading it, on stdout; otherwise (a container, a service manager, a pipe into a log
 * shipper) one JSON log line like every other, so the stream stays machine-readable.
 */
function announce(
  logger: Logger,
  url: string,
  config: ModelgraphConfig,
  demo: { note: string; upstreams: SandboxUpstream[] },
  observability: { metricsUrl?: string; tracing: boolean },
): void {
  if (!process.stdout.isTTY) {
    logger.info('serving', {
      url,
      web: new URL('/', url).href,
      ...(demo.note ? { demo: demo.note, upstreams: demo.upstreams } : { sources: describeSources(config) }),
      cache: config.cache.redisUrl ? 'redis' : 'in-memory',
      history: describeHistory(config),
      auth: describeAuth(config),
      metrics: observability.metricsUrl ?? 'off',
      traces: observability.tracing ? 'exported' : 'off',
    });
    return;
  }
  const shown = url.replace('://127.0.0.1:', '://localhost:');
  const metrics = observability.metricsUrl?.replace('://127.0.0.1:', '://localhost:');
  const example = DEMO_EXAMPLE_QUERY;
  process.stdout.write(
    [
      '',
      `modelgraph is serving ${shown}`,
      `  in a browser: ${new URL('/', shown).href} (the inventory app), ${shown} (GraphiQL)`,
      demo.note ? `  ${demo.note}` : `  sources: ${describeSources(config) || '(none)'}`,
      // The raw vendor APIs behind the demo, to check an answer against (README, "The sandbox").
      ...demo.upstreams.flatMap((u) => [`    ${u.kind} "${u.name}": ${u.url.replace('://127.0.0.1:', '://localhost:')}`, `      ${u.credentials}`]),
      `  cache: ${config.cache.redisUrl ? 'redis' : 'in-memory'}`,
      `  governance history: ${describeHistory(config)}`,
      `  auth: ${describeAuth(config)}`,
      `  metrics: ${metrics ?? 'off'}; traces: ${observability.tracing ? 'exported (OTEL_* environment)' : 'off'}`,
      '',
      'Try:',
      `  curl -s ${shown} -H 'content-type: application/json' \\`,
      `    -d '${JSON.stringify({ query: example })}'`,
      ...(config.history.enabled
        ? [`  curl -s ${shown} -H 'content-type: application/json' \\`, `    -d '${JSON.stringify({ query: DEMO_TRENDS_QUERY })}'`]
        : []),
      '',
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
}

function describeAuth(config: ModelgraphConfig): string {
  const auth = config.server.auth;
  if (!auth || auth.mode === 'none') {
    return `off: anyone who can reach ${config.server.host} may ask anything (see the README's Security section)`;
  }
  return [auth.jwt ? `JWT from ${auth.jwt.issuer}` : '', auth.apiKeys?.length ? `${auth.apiKeys.length} API key(s)` : '']
    .filter(Boolean)
    .join(' and ');
}

function describeSources(config: ModelgraphConfig): string {
  return Object.entries(config.sources)
    .flatMap(([kind, instances]) => instances.map((i: { name: string }) => `${kind}:${i.name}`))
    .join(', ');
}

/**
 * Resolves with the first SIGINT or SIGTERM; later ones go to `onRepeat`. The listeners
 * stay: with none, node's default action would kill the process mid-drain.
 */
function untilSignal(onRepeat: (signal: NodeJS.Signals) => void = () => undefined): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const stop = (signal: NodeJS.Signals) => {
      if (received) return onRepeat(signal);
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function closeAll(closers: Array<(graceMs: number) => Promise<void>>, graceMs: number): Promise<void> {
  for (const close of closers) await close(graceMs).catch(() => undefined);
}
