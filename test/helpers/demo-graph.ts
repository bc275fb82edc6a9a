import { configSchema } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { startStack, type Stack } from '../../gateway/stack';
import { sandboxConfig, type Sandbox } from '../../sandbox';
import { PeopleDirectory } from '../../subgraphs/common/identity';

type DemoSources = ReturnType<typeof sandboxConfig>['sources'];

export interface DemoGraphOptions {
  /**
   * Default: a cache as in production (60 s fresh, 300 s stale), in memory. `{0, 0}` for none.
   * `responses`: the gateway's response cache (`cache.responses`), on by default.
   * `warmUp`: off unless a test turns it on: its background reads would add upstream calls to
   * the counts most tests make.
   */
  cache?: {
    ttlSeconds: number;
    staleSeconds: number;
    redisUrl?: string;
    responses?: { enabled?: boolean; maxTtlSeconds?: number };
    warmUp?: boolean;
  };
  /** Adjusts the sandbox's source config, e.g. fewer retries for a source a test takes down. */
  sources?: (sources: DemoSources) => DemoSources;
  /** The config's `governance` section, as YAML would give it. */
  governance?: Record<string, unknown>;
  /** More of the config's `server` section (auth, limits, rateLimit...), as YAML would give it. */
  server?: Record<string, unknown>;
  /** The config's `history` section (off by default), as YAML would give it. */
  history?: Record<string, unknown>;
  /** The config's `tickets` section, as YAML would give it. Default: the demo's (`sandboxConfig`). */
  tickets?: Record<string, unknown>;
}

/** The whole graph (every subgraph and the gateway) over a running sandbox, quiet. */
export function startDemoGraph(sandbox: Sandbox, options: DemoGraphOptions = {}): Promise<Stack> {
  const demo = sandboxConfig(sandbox);
  return startStack(
    configSchema.parse({
      server: { port: 0, host: '127.0.0.1', ...options.server },
      cache: { warmUp: false, ...(options.cache ?? { ttlSeconds: 60, staleSeconds: 300 }) },
      sources: forgetFailuresByDefault(options.sources ? options.sources(demo.sources) : demo.sources),
      ...(options.governance ? { governance: options.governance } : {}),
      ...(options.history ? { history: options.history } : {}),
      // As `modelgraph serve`'s demo: tickets for findings go to the sandbox Jira.
      tickets: options.tickets ?? demo.tickets,
      logLevel: 'silent',
    }),
    silentLogger,
    { people: PeopleDirectory.fromData(demo.peopleAliases) },
  );
}

/**
 * Tests that take a source down and bring it back expect the next request to ask it again,
 * so failures are remembered only within a request unless a test sets
 * `breaker.rememberFailureSeconds` itself (the fault matrix does).
 */
function forgetFailuresByDefault(sources: DemoSources): DemoSources {
  const out: Record<string, unknown[]> = {};
  for (const [kind, instances] of Object.entries(sources)) {
    out[kind] = (instances as Array<{ breaker?: Record<string, unknown> }>).map((instance) => ({
      ...instance,
      breaker: { rememberFailureSeconds: 0, ...instance.breaker },
    }));
  }
  return out as DemoSources;
}

/** Fails fast: one attempt and a breaker that never opens, for a source a test takes down. */
export const FAIL_FAST = { retry: { maxAttempts: 1 }, breaker: { failureThreshold: 1000 } } as const;

export async function postGraphql(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: any[] };
}

/** Every upstream request the sandbox servers have received so far. */
export function upstreamCalls(sandbox: Sandbox): number {
  return sandbox.all().reduce((n, server) => n + server.stats.total, 0);
}
