import { configSchema } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { startStack, type Stack } from '../../gateway/stack';
import { sandboxConfig, type Sandbox } from '../../sandbox';
import { PeopleDirectory } from '../../subgraphs/common/identity';

type DemoSources = ReturnType<typeof sandboxConfig>['sources'];

export interface DemoGraphOptions {
  /** Default: a cache as in production (60 s fresh, 300 s stale). `{0, 0}` for none. */
  cache?: { ttlSeconds: number; staleSeconds: number };
  /** Adjusts the sandbox's source config, e.g. fewer retries for a source a test takes down. */
  sources?: (sources: DemoSources) => DemoSources;
  /** The config's `governance` section, as YAML would give it. */
  governance?: Record<string, unknown>;
}

/** The whole graph (every subgraph and the gateway) over a running sandbox, quiet. */
export function startDemoGraph(sandbox: Sandbox, options: DemoGraphOptions = {}): Promise<Stack> {
  const demo = sandboxConfig(sandbox);
  return startStack(
    configSchema.parse({
      server: { port: 0, host: '127.0.0.1' },
      cache: options.cache ?? { ttlSeconds: 60, staleSeconds: 300 },
      sources: options.sources ? options.sources(demo.sources) : demo.sources,
      ...(options.governance ? { governance: options.governance } : {}),
      logLevel: 'silent',
    }),
    silentLogger,
    { people: PeopleDirectory.fromData(demo.peopleAliases) },
  );
}

/** Fails fast: one attempt and a breaker that never opens, for a source a test takes down. */
export const FAIL_FAST = { retry: { maxAttempts: 1 }, breaker: { failureThreshold: 1000 } } as const;

export async function postGraphql(url: string, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: any[] };
}
