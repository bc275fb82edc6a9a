/**
 * The subgraphs the supergraph is composed from. The URLs are the docker-compose service
 * names; a running gateway is told the real URLs at start-up (`subgraphs` in the config, or
 * the ports an all-in-one process picked), so the composed file never changes with them.
 */
export const SUBGRAPHS = [
  { name: 'inventory', schemaFile: 'inventory.graphql', defaultUrl: 'http://inventory:4001/graphql' },
  { name: 'mlflow', schemaFile: 'mlflow.graphql', defaultUrl: 'http://mlflow:4002/graphql' },
  { name: 'jira', schemaFile: 'jira.graphql', defaultUrl: 'http://jira:4003/graphql' },
  { name: 'git', schemaFile: 'git.graphql', defaultUrl: 'http://git:4004/graphql' },
  { name: 'registries', schemaFile: 'registries.graphql', defaultUrl: 'http://registries:4005/graphql' },
] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

/**
 * Where each subgraph runs, for a process that is not the all-in-one one: the config's
 * `subgraphs` (which `MODELGRAPH_SUBGRAPH_<NAME>_URL` overrides, see config/load.ts), then
 * the docker-compose name.
 */
export function resolveSubgraphUrls(configured: Partial<Record<SubgraphName, string>> | undefined): Record<SubgraphName, string> {
  const urls = {} as Record<SubgraphName, string>;
  for (const s of SUBGRAPHS) {
    urls[s.name] = configured?.[s.name] || s.defaultUrl;
  }
  return urls;
}
