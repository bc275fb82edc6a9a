import { jiraInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError } from '../../connectors/core/errors';
import { fieldsInError, JiraConnector, type IssueDraft } from '../../connectors/jira';
import { generateDemoOrg } from '../../sandbox';
import { checkExchange, loadVendorSpec } from '../helpers/openapi';
import { startRecordingJira, type RecordingJira } from '../helpers/recording-jira';

/**
 * The connector's writes, checked twice: against the sandbox Jira (which answers as Jira
 * does) and, request by request and answer by answer, against Atlassian's OpenAPI document
 * for Jira Cloud (`test/fixtures/jira/jira-cloud-platform-v3.openapi.json`).
 */

const spec = loadVendorSpec('jira/jira-cloud-platform-v3.openapi.json');
const org = generateDemoOrg({ models: 6 });
const project = org.teams[0]!.jiraProjectKey;

let jira: RecordingJira;
let connector: JiraConnector;

beforeEach(async () => {
  jira = await startRecordingJira(org, 'cloud');
  connector = JiraConnector.fromConfig(
    jiraInstanceSchema.parse({
      name: 'corp',
      url: jira.url,
      auth: { type: 'basic', email: 'svc@acme.io', apiToken: 'token-token-token' },
      retry: { maxAttempts: 1 },
      rateLimit: { enabled: false },
    }),
    { cache: new MemoryCache(), cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 }, clock: { sleep: async () => undefined } },
  );
});

afterEach(async () => {
  connector.close();
  await jira.close();
});

const draft: IssueDraft = {
  project,
  issueType: 'Task',
  summary: 'Production model without approval',
  description: [
    { kind: 'paragraph', parts: [{ text: 'credit-risk-scorer serves production traffic.' }] },
    { kind: 'heading', text: 'Evidence' },
    { kind: 'list', items: [[{ text: 'SageMaker prod-us: ' }, { text: 'credit-risk-scorer', href: 'https://console.aws.amazon.com/sagemaker' }]] },
  ],
  labels: ['modelgraph-finding', 'modelgraph-finding-0123456789abcdef'],
  priority: 'High',
  assignee: org.people[0]!.jiraAccountId,
};

it('creates, comments, labels and transitions as the Cloud OpenAPI documents it', async () => {
  const ticket = await connector.createIssue(draft);
  expect(ticket).toMatchObject({ key: `${project}-${ticket.key.split('-')[1]}`, id: `corp/${ticket.key}`, url: `${jira.url}/browse/${ticket.key}` });
  await connector.addComment(ticket.key, [{ kind: 'paragraph', parts: [{ text: 'The finding is gone.' }] }]);
  await connector.addLabels(ticket.key, ['modelgraph-finding-gone']);
  expect(await connector.transitionIssue(ticket.key, 'done')).toBe(true);
  expect(await connector.transitionIssue(ticket.key, 'No such step')).toBe(false);

  const stored = jira.store.getIssue(ticket.key)!;
  expect(stored).toMatchObject({ status: 'Done', priority: 'High', assignee: org.people[0]!.id, type: 'Task' });
  expect(stored.labels).toEqual(['modelgraph-finding', 'modelgraph-finding-0123456789abcdef', 'modelgraph-finding-gone']);
  expect(jira.store.comments.get(stored.id)).toHaveLength(1);

  const checked = jira.exchanges.map((e) => ({ call: `${e.method} ${e.path} ${e.status}`, ...checkExchange(spec, e) }));
  expect(checked.map((c) => c.operationId)).toEqual([
    'createIssue',
    'addComment',
    'editIssue',
    'getTransitions',
    'doTransition',
    'getTransitions',
  ]);
  expect(checked.filter((c) => c.problems.length > 0)).toEqual([]);
});

it('names the fields of a 400, whose body is the documented ErrorCollection', async () => {
  const err = await connector
    .createIssue({ ...draft, summary: '', priority: 'Urgent', labels: ['has space'] })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  expect((err as SourceError).status).toBe(400);
  expect(fieldsInError(err).sort()).toEqual(['labels', 'priority', 'summary']);
  expect((err as SourceError).message).toContain("labels: The label 'has space' contains spaces which is invalid.");
  const [exchange] = jira.exchanges;
  expect(exchange!.response).toEqual({
    errorMessages: [],
    errors: {
      summary: 'You must specify a summary of the issue.',
      labels: "The label 'has space' contains spaces which is invalid.",
      priority: "Priority name 'Urgent' is not valid",
    },
  });
  expect(checkExchange(spec, exchange!)).toEqual({ operationId: 'createIssue', problems: [] });
});

it('the sandbox refuses what Jira refuses: missing project, issue type and summary, and a field off the screen', async () => {
  const res = await fetch(`${jira.url}/rest/api/3/issue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fields: { description: 'not ADF', customfield_99999: 'x' } }),
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { errors: Record<string, string> }).errors).toEqual({
    project: 'Specify a valid project ID or key',
    issuetype: 'Specify an issue type',
    summary: 'You must specify a summary of the issue.',
    description: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)',
    customfield_99999: "Field 'customfield_99999' cannot be set. It is not on the appropriate screen, or unknown.",
  });
  const unknownType = await fetch(`${jira.url}/rest/api/3/issue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fields: { project: { key: project }, issuetype: { name: 'Epic' }, summary: 's' } }),
  });
  expect(unknownType.status).toBe(400);
  expect(((await unknownType.json()) as { errors: Record<string, string> }).errors).toEqual({ issuetype: 'Specify a valid issue type' });
});

it('the checker itself catches a request the document does not allow', () => {
  // A read-only property in a request, and a property a closed response object does not have.
  const { problems } = checkExchange(spec, {
    method: 'POST',
    path: '/rest/api/3/issue/X-1/comment',
    body: { body: { type: 'doc', version: 1, content: [] }, id: '1' },
    status: 201,
    response: {},
  });
  expect(problems).toEqual(['body.id is read-only']);
  expect(checkExchange(spec, { method: 'POST', path: '/rest/api/3/issue', body: {}, status: 201, response: { key: 'X-1', extra: 1 } }).problems).toEqual([
    'response.extra: not a property of the schema',
  ]);
});
