import { jiraInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { JiraConnector } from '../../connectors/jira';
import { generateDemoOrg } from '../../sandbox';
import { checkExchange, loadVendorSpec } from '../helpers/openapi';
import { startRecordingJira, type RecordingJira } from '../helpers/recording-jira';

/**
 * The connector's reads against the sandbox Jira Cloud, each answer checked against
 * Atlassian's OpenAPI document for Jira Cloud (`test/fixtures/jira/jira-cloud-platform-v3.openapi.json`),
 * as test/jira/write.contract.test.ts checks the writes: the sandbox drifting from Jira
 * (a required field dropped, a type changed) fails here.
 */

const spec = loadVendorSpec('jira/jira-cloud-platform-v3.openapi.json');
const org = generateDemoOrg();

let jira: RecordingJira;
let connector: JiraConnector;

beforeAll(async () => {
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

afterAll(async () => {
  connector?.close();
  await jira?.close();
});

it('reads (myself, search/jql with changelogs, issue, changelog pages) as the Cloud OpenAPI documents them', async () => {
  await connector.health();
  const byModel = await connector.ticketsForModels(org.models.map((m) => m.key));
  const first = [...byModel.values()].flat()[0]!;
  expect(first).toBeDefined();
  await expect(connector.getTicket(first.key)).resolves.toMatchObject({ key: first.key });
  await connector.ticketsOfUsers(org.people.slice(0, 3).map((p) => p.jiraAccountId));

  // The connector pages a changelog only when a search cut it short (an issue edited very
  // often, none in the seed): the route is asked here as the connector asks it.
  const auth = `Basic ${Buffer.from('svc@acme.io:token-token-token').toString('base64')}`;
  const changelog = await fetch(`${jira.url}/rest/api/3/issue/${first.key}/changelog?startAt=0&maxResults=100`, { headers: { authorization: auth } });
  expect(changelog.status).toBe(200);

  const checked = jira.exchanges.map((e) => ({ call: `${e.method} ${e.path} ${e.status}`, ...checkExchange(spec, e) }));
  expect([...new Set(checked.map((c) => c.operationId))].sort()).toEqual([
    'getChangeLogs',
    'getCurrentUser',
    'getIssue',
    'searchAndReconsileIssuesUsingJql',
  ]);
  expect(checked.filter((c) => c.problems.length > 0)).toEqual([]);
});
