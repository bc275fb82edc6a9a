/** A GraphiQL tab's contents (`defaultTabs`), as @graphiql/react's TabDefinition, which it does not export. */
interface TabDefinition {
  query: string | null;
  variables?: string | null;
  headers?: string | null;
}

// The report queries (reports/*.graphql, what `modelgraph report` runs), bundled at build
// time: the IDE offers each as a tab, and they cannot drift from the files.
const reports = import.meta.glob<string>('../../../reports/*.graphql', { query: '?raw', import: 'default', eager: true });

const FIRST_TAB = `# modelgraph: the federated graph of your models.
# The other tabs are the report queries (reports/*.graphql); the docs are on the left.
# When auth is on, put your credentials in the Headers editor below:
#   { "x-api-key": "..." }   or   { "authorization": "Bearer ..." }
query Inventory {
  models(first: 10) {
    totalCount
    nodes { key name refs { kind instance } }
  }
}
`;

export function exampleTabs(headers: Record<string, string>): TabDefinition[] {
  const headerText = Object.keys(headers).length ? JSON.stringify(headers, null, 2) : undefined;
  const tabs: TabDefinition[] = [{ query: FIRST_TAB, headers: headerText }];
  for (const path of Object.keys(reports).sort()) {
    tabs.push({ query: `# ${path.replace(/^.*\/reports\//, 'reports/')}\n${reports[path]}`, variables: defaultVariables(reports[path]), headers: headerText });
  }
  return tabs;
}

/** The report's required variables (those without a default) as null, for the user to fill in. */
function defaultVariables(query: string): string | undefined {
  const head = /^\s*(?:query|mutation)\s+\w*\s*\(([^)]*)\)/m.exec(query);
  if (!head) return undefined;
  const names = [...head[1].matchAll(/\$(\w+)\s*:\s*([^=,$)]+)(?:=\s*([^,$)]+))?/g)];
  const variables: Record<string, unknown> = {};
  for (const [, name, type, fallback] of names) {
    if (fallback === undefined && type.trim().endsWith('!')) variables[name] = null;
  }
  return Object.keys(variables).length ? JSON.stringify(variables, null, 2) : undefined;
}
