import { configSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import type { JiraConnector } from '../../connectors/jira';
import { PeopleDirectory } from '../../subgraphs/common/identity';
import { createInventorySubgraph, createSourceStatusReader } from '../../subgraphs/inventory';

/**
 * Replicas share the governance index through the cache under a key that names what its
 * content depends on besides the sources' data: replicas configured otherwise (a rolling
 * deploy adding a Jira site, another graph on the same Redis) must not read each other's.
 */
async function storedKeys(shared: MemoryCache, jiraSources: string[], repositories: Record<string, string> = {}): Promise<string[]> {
  const config = configSchema.parse({});
  const subgraph = createInventorySubgraph({
    sources: [],
    linking: { keyTag: config.linking.keyTag },
    people: PeopleDirectory.empty(),
    // No models: a build reads nothing from these, and only their names count.
    facts: {
      mlflow: [],
      registries: [],
      jira: jiraSources.map((source) => ({ source, instance: source.split(':')[1] }) as unknown as JiraConnector),
      gitHosts: [],
      people: PeopleDirectory.empty(),
      modelRepositories: repositories,
    },
    indexTtlMs: 60_000,
    governance: config.governance,
    sourceStatus: createSourceStatusReader({ configured: [] }),
    warmUp: { shared },
  });
  await Promise.all(subgraph.warmUp.map((job) => job.run()));
  return [...(shared as unknown as { entries: Map<string, unknown> }).entries.keys()].filter((k) => k.startsWith('modelgraph:v1:index:governance:'));
}

it('keys the shared governance index by the sources its facts come from and the configured repositories', async () => {
  const shared = new MemoryCache();
  const [one] = await storedKeys(shared, ['jira:corp']);
  expect(one).toMatch(/^modelgraph:v1:index:governance:[0-9a-f]{16}$/);
  // The same configuration: the same key, one entry.
  expect(await storedKeys(shared, ['jira:corp'])).toEqual([one]);
  // Another Jira site, or another repository mapping: a copy of its own.
  const withSite = await storedKeys(new MemoryCache(), ['jira:corp', 'jira:ops']);
  const withRepo = await storedKeys(new MemoryCache(), ['jira:corp'], { 'fraud-detector': 'https://github.com/acme/fraud' });
  expect(new Set([one, ...withSite, ...withRepo]).size).toBe(3);
});
