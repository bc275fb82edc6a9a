import nock from 'nock';
import { useNock } from '../helpers/nock';
import { jiraInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { JiraConnector, ticketFields, type JiraIssueBean } from '../../connectors/jira';
import { PeopleDirectory } from '../../subgraphs/common/identity';
import { createJiraSubgraph } from '../../subgraphs/jira';

/**
 * Every way into Jira the jira subgraph has (its queries and its entity resolvers), on an
 * instance scoped to RISK, with Jira mocked by nock: what is sent upstream, and what comes
 * back out.
 */

const CLOUD = 'https://acme.atlassian.net';
const FIELDS = ticketFields({ type: 'label', pattern: 'model:{key}' }).join(',');

useNock();

let subgraph: ReturnType<typeof createJiraSubgraph>;

beforeEach(() => {
  const connector = JiraConnector.fromConfig(
    jiraInstanceSchema.parse({
      name: 'corp',
      url: CLOUD,
      auth: { type: 'basic', email: 'svc@acme.io', apiToken: 'token-token-token' },
      projects: ['RISK'],
      retry: { maxAttempts: 1 },
    }),
    { cache: new MemoryCache(), cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 }, clock: { sleep: async () => undefined } },
  );
  subgraph = createJiraSubgraph([connector], PeopleDirectory.empty());
});

async function execute(query: string, variables: Record<string, unknown> = {}) {
  const res = await subgraph.server.executeOperation({ query, variables }, { contextValue: await subgraph.context() });
  if (res.body.kind !== 'single') throw new Error('expected a single result');
  return res.body.singleResult as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

function inProject(key: string, project: string, labels: string[] = []): JiraIssueBean {
  return { id: '10001', key, fields: { summary: `Ticket ${key}`, labels, project: { key: project } } };
}

/** Answers every Cloud search with these issues, recording the JQL sent. */
function searches(issues: JiraIssueBean[] = []): string[] {
  const sent: string[] = [];
  nock(CLOUD)
    .get('/rest/api/3/search/jql')
    .query(true)
    .reply(function (uri) {
      sent.push(new URL(uri, CLOUD).searchParams.get('jql')!);
      return [200, { issues, isLast: true }];
    });
  return sent;
}

const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { key } } }';

describe('jira subgraph on an instance scoped to RISK', () => {
  it('jiraSearch sends the JQL inside the scope', async () => {
    const sent = searches([inProject('RISK-1', 'RISK')]);
    const { data, errors } = await execute('{ jiraSearch(instance: "corp", jql: "project != RISK ORDER BY key") { key } }');
    expect(errors).toBeUndefined();
    expect(sent).toEqual(['project in ("RISK") AND (project != RISK) ORDER BY key']);
    expect(data.jiraSearch).toEqual([{ key: 'RISK-1' }]);
  });

  it('jiraSearch refuses JQL that would escape the scope as user input, saying why and naming the instance', async () => {
    const { data, errors } = await execute('query ($jql: String!) { jiraSearch(instance: "corp", jql: $jql) { key } }', {
      jql: 'x) OR (project = GROW',
    });
    expect(data).toEqual({ jiraSearch: null });
    expect(errors).toHaveLength(1);
    expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', source: 'jira:corp' });
    expect(errors![0]!.message).toContain('Jira instance "corp"');
    expect(errors![0]!.message).toContain('unbalanced parentheses');
  });

  it('jiraTicket of another project is null without a request', async () => {
    const { data, errors } = await execute('{ jiraTicket(instance: "corp", key: "GROW-6") { key } }');
    expect(errors).toBeUndefined();
    expect(data.jiraTicket).toBeNull();
  });

  it('Ticket references resolve only inside the scope: another prefix without a request, a moved issue as missing', async () => {
    nock(CLOUD).get('/rest/api/3/issue/RISK-7').query({ fields: FIELDS }).reply(200, inProject('GROW-31', 'GROW'));
    nock(CLOUD).get('/rest/api/3/issue/RISK-12').query({ fields: FIELDS }).reply(200, inProject('RISK-12', 'RISK'));
    const { data, errors } = await execute(ENTITIES, {
      r: ['corp/GROW-6', 'corp/RISK-7', 'corp/RISK-12'].map((id) => ({ __typename: 'Ticket', id })),
    });
    expect(errors).toBeUndefined();
    expect(data._entities).toEqual([null, null, { key: 'RISK-12' }]);
  });

  it("Model.tickets searches within the scope and keeps only the scope's tickets", async () => {
    const sent = searches([inProject('RISK-2', 'RISK', ['model:fraud']), inProject('GROW-9', 'GROW', ['model:fraud'])]);
    const { data, errors } = await execute('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Model { tickets { key } } } }', {
      r: [{ __typename: 'Model', key: 'fraud' }],
    });
    expect(errors).toBeUndefined();
    expect(sent).toEqual(['project in ("RISK") AND (labels in ("model:fraud")) ORDER BY key ASC']);
    expect(data._entities).toEqual([{ tickets: [{ key: 'RISK-2' }] }]);
  });

  it('Person.tickets searches within the scope', async () => {
    const sent = searches([]);
    const { errors } = await execute('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { tickets { key } } } }', {
      r: [{ __typename: 'Person', id: 'mia@acme.io', identities: [{ tool: 'JIRA', instance: 'corp', nativeId: '5b10a' }] }],
    });
    expect(errors).toBeUndefined();
    expect(sent).toEqual(['project in ("RISK") AND ((assignee in ("5b10a") OR reporter in ("5b10a"))) ORDER BY updated DESC']);
  });
});
