import type { Stack } from '../../gateway/stack';
import { seedJiraIssues, startSandbox, type Sandbox } from '../../sandbox';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';

/**
 * A Jira instance restricted to one project (`projects: [RISK]`), through the whole graph:
 * search, lookup by key, a model's tickets and a person's tickets answer only RISK tickets,
 * whatever the caller's JQL says. (Ticket references, which only the gateway may send the
 * subgraph, are covered by test/jira/subgraph.test.ts.)
 */

let sandbox: Sandbox;
let stack: Stack;
let seed: ReturnType<typeof seedJiraIssues>;

const SCOPE = 'RISK';
const OTHER = 'GROW';

beforeAll(async () => {
  sandbox = await startSandbox({ models: 36 });
  seed = seedJiraIssues(sandbox.org);
  stack = await startDemoGraph(sandbox, {
    // No caching: every query's Jira calls are counted in full.
    cache: { ttlSeconds: 0, staleSeconds: 0 },
    // Models come from MLflow and tickets from Jira; no other source has a part in this.
    sources: (s) => ({
      mlflow: s.mlflow,
      jira: s.jira.map((j) => ({ ...j, projects: [SCOPE] })),
      github: [],
      gitlab: [],
      sagemaker: [],
      vertex: [],
      unityCatalog: [],
      azureml: [],
    }),
  });
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

beforeEach(() => sandbox.jira.corp!.stats.reset());

const graphql = (query: string, variables: Record<string, unknown> = {}) => postGraphql(stack.graphqlUrl, query, variables);
const keysIn = (project: string) => seed.issues.filter((i) => i.projectKey === project).map((i) => i.key);
const jiraCalls = () => sandbox.jira.corp!.stats.total;

describe('a Jira instance scoped to one project', () => {
  it('the demo seed has tickets both inside and outside the scope', () => {
    expect(keysIn(SCOPE).length).toBeGreaterThan(0);
    expect(keysIn(OTHER).length).toBeGreaterThan(0);
  });

  it('jiraSearch(jql: "project != RISK") answers only RISK tickets (none), searching within the scope', async () => {
    const { data, errors } = await graphql(`{ jiraSearch(instance: "corp", jql: "project != RISK", first: 500) { key } }`);
    expect(errors).toBeUndefined();
    expect(data.jiraSearch.every((t: { key: string }) => t.key.startsWith(`${SCOPE}-`))).toBe(true);
    expect(data.jiraSearch).toEqual([]);
    expect(jiraCalls()).toBe(1);
  });

  it('an OR in the JQL cannot widen the scope, and its ORDER BY still orders', async () => {
    const { data, errors } = await graphql(
      `{ jiraSearch(instance: "corp", jql: "project = ${OTHER} OR project = ${SCOPE} ORDER BY key DESC", first: 500) { key } }`,
    );
    expect(errors).toBeUndefined();
    const expected = keysIn(SCOPE).sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]));
    expect(data.jiraSearch.map((t: { key: string }) => t.key)).toEqual(expected);
  });

  it('refuses JQL that tries to close the scope\'s parenthesis, saying why and naming the instance, without calling Jira', async () => {
    const { data, errors } = await graphql(`query ($jql: String!) { jiraSearch(instance: "corp", jql: $jql) { key } }`, {
      jql: `x) OR (project = ${OTHER}`,
    });
    expect(data).toEqual({ jiraSearch: null });
    expect(errors).toHaveLength(1);
    expect(errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', source: 'jira:corp' });
    expect(errors![0].message).toContain('Jira instance "corp"');
    expect(errors![0].message).toContain('unbalanced parentheses');
    expect(jiraCalls()).toBe(0);
  });

  it('jiraTicket of another project\'s key is null, like a missing ticket, without calling Jira', async () => {
    const other = keysIn(OTHER)[0]!;
    const { data, errors } = await graphql(`{ other: jiraTicket(instance: "corp", key: "${other}") { key summary } }`);
    expect(errors).toBeUndefined();
    expect(data.other).toBeNull();
    expect(jiraCalls()).toBe(0);

    const inside = keysIn(SCOPE)[0]!;
    const answered = await graphql(`{ inside: jiraTicket(instance: "corp", key: "${inside}") { key } }`);
    expect(answered.data.inside).toEqual({ key: inside });
  });

  it("Model.tickets holds only RISK tickets: other teams' models have none", async () => {
    const { data, errors } = await graphql(`{ models(first: 100) { nodes { key tickets { key } } } }`);
    expect(errors).toBeUndefined();
    const tickets = data.models.nodes.flatMap((m: { tickets: Array<{ key: string }> | null }) => m.tickets ?? []);
    expect(tickets.length).toBeGreaterThan(0);
    expect(tickets.filter((t: { key: string }) => !t.key.startsWith(`${SCOPE}-`))).toEqual([]);
    const growModel = sandbox.org.models.find((m) => sandbox.org.teams.find((t) => t.slug === m.team)?.jiraProjectKey === OTHER)!;
    const node = data.models.nodes.find((m: { key: string }) => m.key === growModel.key);
    expect(node.tickets).toEqual([]);
  });

  it('Person.tickets holds only RISK tickets', async () => {
    const people = (project: string) => {
      const ids = new Set(seed.issues.filter((i) => i.projectKey === project).flatMap((i) => [i.assignee, i.reporter]));
      return sandbox.org.people.filter((p) => ids.has(p.id));
    };
    const outsider = people(OTHER).find((p) => !people(SCOPE).includes(p))!;
    const insider = people(SCOPE)[0]!;
    const { data, errors } = await graphql(`{
      outsider: person(id: "${outsider.email}") { tickets(first: 500) { key } }
      insider: person(id: "${insider.email}") { tickets(first: 500) { key } }
    }`);
    expect(errors).toBeUndefined();
    expect(data.outsider.tickets).toEqual([]);
    expect(data.insider.tickets.length).toBeGreaterThan(0);
    expect(data.insider.tickets.every((t: { key: string }) => t.key.startsWith(`${SCOPE}-`))).toBe(true);
  });
});
