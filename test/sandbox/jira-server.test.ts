import { jiraInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceErrorCode } from '../../connectors/core/errors';
import { JiraConnector } from '../../connectors/jira';
import type { ErrorCollection, JiraIssueBean, SearchAndReconcileResults, SearchResultsV2 } from '../../connectors/jira/types';
import { generateDemoOrg } from '../../sandbox/demo-org';
import {
  createStoreFromSeed,
  JIRA_SEED_GAPS,
  JqlError,
  parseJql,
  seedJiraIssues,
  startJiraSandbox,
  type JiraStore,
} from '../../sandbox/jira';
import type { SandboxServer } from '../../sandbox/mlflow/server';

const org = generateDemoOrg();
const seed = seedJiraIssues(org, { flavor: 'cloud' });
const store: JiraStore = createStoreFromSeed(seed);

const EMAIL = 'svc-modelgraph@acme.io';
const API_TOKEN = 'cloud-api-token-123';
const PAT = 'dc-personal-access-token-456';
const BASIC = `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`;

let cloud: SandboxServer;
let dc: SandboxServer;

beforeAll(async () => {
  cloud = await startJiraSandbox({ org, instance: 'corp', flavor: 'cloud', auth: { type: 'basic', email: EMAIL, apiToken: API_TOKEN } });
  dc = await startJiraSandbox({ org, instance: 'onprem', flavor: 'datacenter', auth: { type: 'bearer', token: PAT }, maxResultsCap: 20 });
});

afterAll(async () => {
  await Promise.all([cloud.close(), dc.close()]);
});

beforeEach(() => {
  cloud.faults.failRate = 0;
  dc.faults.failRate = 0;
});

async function call<T>(url: string, init: RequestInit = {}, auth = BASIC): Promise<{ status: number; body: T; text: string; headers: Headers }> {
  const res = await fetch(url, { ...init, headers: { authorization: auth, ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body: body as T, text, headers: res.headers };
}

const cloudSearch = (params: Record<string, string>) =>
  call<SearchAndReconcileResults & ErrorCollection>(`${cloud.url}/rest/api/3/search/jql?${new URLSearchParams(params)}`);
const dcSearch = (params: Record<string, string>) =>
  call<SearchResultsV2 & ErrorCollection>(`${dc.url}/rest/api/2/search?${new URLSearchParams(params)}`, {}, `Bearer ${PAT}`);

function keysOf(jql: string): string[] {
  return store.search(jql).issues.map((i) => i.key);
}

function jqlErrors(jql: string): string[] {
  try {
    store.search(jql);
  } catch (err) {
    if (err instanceof JqlError) return err.messages;
    throw err;
  }
  throw new Error(`expected ${jql} to be refused`);
}

// ---- JQL --------------------------------------------------------------------------------

describe('JQL subset', () => {
  it('parses AND tighter than OR, parentheses, NOT IN and ORDER BY', () => {
    expect(parseJql('project = RISK OR project = GROW AND labels = x ORDER BY created DESC, key')).toEqual({
      where: {
        kind: 'or',
        clauses: [
          { kind: 'term', field: 'project', fieldKey: 'project', op: '=', values: ['RISK'] },
          {
            kind: 'and',
            clauses: [
              { kind: 'term', field: 'project', fieldKey: 'project', op: '=', values: ['GROW'] },
              { kind: 'term', field: 'labels', fieldKey: 'labels', op: '=', values: ['x'] },
            ],
          },
        ],
      },
      orderBy: [
        { field: 'created', fieldKey: 'created', direction: 'DESC' },
        { field: 'key', fieldKey: 'key', direction: null },
      ],
    });
    expect(parseJql('(a = 1 OR b = 2) AND c NOT IN ("x", y)').where).toMatchObject({
      kind: 'and',
      clauses: [{ kind: 'or' }, { kind: 'term', op: 'not in', values: ['x', 'y'] }],
    });
    expect(parseJql('ORDER BY key DESC')).toEqual({ where: null, orderBy: [{ field: 'key', fieldKey: 'key', direction: 'DESC' }] });
    expect(parseJql('')).toEqual({ where: null, orderBy: [] });
  });

  it('decodes quoted strings with JQL escapes, and cf[N]', () => {
    expect(parseJql('labels = "a \\"b\\" \\\\ c\\u0041"').where).toMatchObject({ values: ['a "b" \\ cA'] });
    expect(parseJql("labels = 'it\\'s'").where).toMatchObject({ values: ["it's"] });
    expect(parseJql('cf[10042] in (a)').where).toMatchObject({ field: 'cf[10042]', fieldKey: 'cf[10042]' });
  });

  it('finds tickets by label, component, project, key, status, statusCategory and the custom field', () => {
    expect(keysOf('labels = "model:fraud-detector"')).toEqual(keysOf('cf[10042] = fraud-detector'));
    expect(keysOf('labels = "model:fraud-detector"').length).toBeGreaterThan(0);
    expect(keysOf('"customfield_10042" in ("fraud-detector")')).toEqual(keysOf('customfield_10042 = "fraud-detector"'));
    expect(keysOf('component = demand-forecaster').length).toBeGreaterThan(0);
    expect(keysOf('key = RISK-1')).toEqual(['RISK-1']);
    expect(keysOf('key in (RISK-1, GROW-2) ORDER BY key DESC')).toEqual(['RISK-1', 'GROW-2']);
    const inProgress = keysOf('statusCategory = "In Progress"');
    expect(inProgress.sort()).toEqual(keysOf('status in ("In Progress", "In Review")').sort());
    expect(keysOf('statusCategory = done')).toEqual(keysOf('status = Done'));
    expect(keysOf('project = RISK AND statusCategory != Done').every((k) => k.startsWith('RISK-'))).toBe(true);
    // Labels match ignoring case; `!=` never matches an issue without labels.
    expect(keysOf('labels = "MODEL:FRAUD-DETECTOR"')).toEqual(keysOf('labels = "model:fraud-detector"'));
    const unlabelled = seed.issues.filter((i) => i.labels.length === 0).map((i) => i.key);
    expect(unlabelled.length).toBeGreaterThan(0);
    expect(keysOf('labels != "model:fraud-detector"').some((k) => unlabelled.includes(k))).toBe(false);
  });

  it('orders by key, created and updated in both directions', () => {
    const byCreated = store.search('project in (RISK, GROW) ORDER BY created ASC').issues;
    expect(byCreated.map((i) => i.created)).toEqual([...byCreated.map((i) => i.created)].sort((a, b) => a - b));
    const byUpdated = store.search('project = RISK ORDER BY updated DESC').issues;
    expect(byUpdated.map((i) => i.updated)).toEqual([...byUpdated.map((i) => i.updated)].sort((a, b) => b - a));
    const byKey = keysOf('project = RISK ORDER BY key ASC');
    expect(byKey).toEqual([...byKey].sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1])));
  });

  it.each([
    ['project = RISK foo', ["Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'foo'. (line 1, character 16)"]],
    ['labels = "model:fraud', ["Error in the JQL Query: The quoted string 'model:fraud' has not been completed. (line 1, character 10)"]],
    ['labels = a%b', ["Error in the JQL Query: The character '%' is a reserved JQL character. You must enclose it in a string or use the escape '\\u0025' instead. (line 1, character 11)"]],
    ['labels = OR', ["Error in the JQL Query: Expecting either a value, list or function but got 'OR'. You must surround 'OR' in quotation marks to use it as a value. (line 1, character 10)"]],
    ['labels in (a, b', ["Error in the JQL Query: Expecting ')' before the end of the query."]],
    ['labels', ["Error in the JQL Query: Expecting operator before the end of the query. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'."]],
    ['labels foo x', ["Error in the JQL Query: Expecting operator but got 'foo'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 8)"]],
    ['assignee = currentUser()', ["Unable to find JQL function 'currentUser()'."]],
  ])('refuses %s with Jira\'s wording', (jql, messages) => {
    expect(jqlErrors(jql)).toEqual(messages);
  });

  it('reports every unknown field, value and unsupported operator at once', () => {
    expect(jqlErrors('components = a AND component in (nope, "demand-forecaster") AND project = XYZ AND labels ~ x AND cf[999] = a')).toEqual([
      "Field 'components' does not exist or you do not have permission to view it.",
      "The operator '~' is not supported by the 'labels' field.",
      "Field 'cf[999]' does not exist or you do not have permission to view it.",
      "The value 'nope' does not exist for the field 'component'.",
      "The value 'XYZ' does not exist for the field 'project'.",
    ]);
    expect(jqlErrors('cf[10042] = not-a-model')).toEqual(["The option 'not-a-model' for field 'Model' does not exist."]);
    expect(jqlErrors('key = RISK-9999')).toEqual(["An issue with key 'RISK-9999' does not exist for field 'key'."]);
    expect(jqlErrors('project = RISK ORDER BY summary')).toEqual(["Not able to sort using field 'summary'."]);
  });
});

// ---- seeded data ------------------------------------------------------------------------

describe('seeded tickets', () => {
  const ticketsOf = (key: string) => seed.issues.filter((i) => i.modelField.includes(key));

  it('are deterministic', () => {
    expect(seedJiraIssues(generateDemoOrg(), { flavor: 'datacenter' })).toEqual(seed);
  });

  it('give most models an approval ticket in their team project, created after the version it approves', () => {
    const withTickets = org.models.filter((m) => ticketsOf(m.key).length > 0);
    expect(withTickets.length / org.models.length).toBeGreaterThan(0.6);
    for (const model of withTickets) {
      const project = org.teams.find((t) => t.slug === model.team)!.jiraProjectKey;
      for (const ticket of ticketsOf(model.key)) {
        expect(ticket.projectKey).toBe(project);
        const v = /^Approve \S+ v(\d+) for production$/.exec(ticket.summary);
        if (!v) continue;
        const version = model.registrations.flatMap((r) => r.versions).find((x) => String(x.version) === v[1])!;
        expect(ticket.created).toBeGreaterThan(version.creationTime);
        expect(ticket.updated).toBeGreaterThanOrEqual(ticket.created);
      }
    }
    const statuses = new Set(seed.issues.map((i) => i.status));
    expect([...statuses].sort()).toEqual(['Done', 'In Progress', 'In Review', 'To Do']);
    for (const i of seed.issues) expect(i.resolved !== null).toBe(i.status === 'Done');
    expect(seed.issues.some((i) => i.modelField.length === 0)).toBe(true);
  });

  it('leave lead-scorer without any ticket', () => {
    expect(JIRA_SEED_GAPS.noTicket).toBe('lead-scorer');
    expect(ticketsOf('lead-scorer')).toEqual([]);
    expect(keysOf('labels = "model:lead-scorer" OR component = "lead-scorer" OR cf[10042] = "lead-scorer"')).toEqual([]);
  });

  it('leave the production approval of credit-risk-scorer not Done', () => {
    const model = org.models.find((m) => m.key === 'credit-risk-scorer')!;
    const production = model.registrations.flatMap((r) => r.versions).find((v) => v.stage === 'Production')!;
    const approval = ticketsOf('credit-risk-scorer').find((t) => t.summary === `Approve credit-risk-scorer v${production.version} for production`)!;
    expect(approval.status).not.toBe('Done');
    expect(approval.resolved).toBeNull();
    expect(keysOf('labels = "model:credit-risk-scorer" AND statusCategory = Done')).toEqual([]);
  });

  it('have one ticket linking two models', () => {
    const joint = seed.issues.filter((i) => i.modelField.length === 2);
    expect(joint).toHaveLength(1);
    expect(joint[0]!.labels).toEqual(['model:churn-predictor', 'model:ltv-predictor']);
  });

  it('link demand-forecaster by component, not by label', () => {
    const tickets = ticketsOf('demand-forecaster');
    expect(tickets.length).toBeGreaterThan(0);
    for (const t of tickets) {
      expect(t.components).toContain('demand-forecaster');
      expect(t.labels).not.toContain('model:demand-forecaster');
    }
    expect(keysOf('labels = "model:demand-forecaster"')).toEqual([]);
    expect(keysOf('component = "demand-forecaster"')).toEqual(tickets.map((t) => t.key));
  });
});

// ---- Cloud over HTTP --------------------------------------------------------------------

describe('Jira Cloud sandbox', () => {
  const jql = 'project in (RISK, GROW, SCM, SRCH) ORDER BY key ASC';

  it('refuses requests without the API token with Jira Cloud\'s 401', async () => {
    const none = await call(`${cloud.url}/rest/api/3/myself`, {}, '');
    expect(none.status).toBe(401);
    expect(none.text).toBe('Client must be authenticated to access this resource.');
    const wrong = await call(`${cloud.url}/rest/api/3/myself`, {}, `Basic ${Buffer.from(`${EMAIL}:nope`).toString('base64')}`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('x-seraph-loginreason')).toBe('AUTHENTICATED_FAILED');
    const ok = await call<{ accountId: string; emailAddress: string }>(`${cloud.url}/rest/api/3/myself`);
    expect(ok.status).toBe(200);
    expect(ok.body.emailAddress).toBe(EMAIL);
  });

  it('pages /search/jql with opaque nextPageTokens until isLast', async () => {
    const expected = keysOf(jql);
    expect(expected.length).toBeGreaterThan(20);
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await cloudSearch({ jql, maxResults: '10', fields: 'summary', ...(token ? { nextPageToken: token } : {}) });
      expect(status).toBe(200);
      keys.push(...body.issues!.map((i) => i.key!));
      token = body.nextPageToken ?? undefined;
      expect(body.isLast).toBe(token === undefined);
      pages++;
    } while (token);
    expect(pages).toBe(Math.ceil(expected.length / 10));
    expect(keys).toEqual(expected);
  });

  it('returns ids only by default, and exactly the fields asked for', async () => {
    const ids = await cloudSearch({ jql: 'key = RISK-1' });
    expect(ids.body.issues![0]).not.toHaveProperty('fields');
    const some = await cloudSearch({ jql: 'key = RISK-1', fields: 'summary,status' });
    expect(Object.keys(some.body.issues![0]!.fields!)).toEqual(['summary', 'status']);
    const minus = await cloudSearch({ jql: 'key = RISK-1', fields: '*all,-description' });
    expect(minus.body.issues![0]!.fields).not.toHaveProperty('description');
    expect(minus.body.issues![0]!.fields).toHaveProperty('customfield_10042');
  });

  it('caps a page at 100 issues once fields are asked, 5000 for ids; refuses maxResults over 5000', async () => {
    const all = keysOf('project in (RISK, GROW, SCM, SRCH, CX, MLP, RES)');
    const withFields = await cloudSearch({ jql: 'project in (RISK, GROW, SCM, SRCH, CX, MLP, RES)', maxResults: '5000', fields: 'summary' });
    expect(withFields.body.issues).toHaveLength(Math.min(100, all.length));
    const tooMany = await cloudSearch({ jql: 'project = RISK', maxResults: '5001' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errorMessages).toEqual(['The maxResults parameter must be between 1 and 5000.']);
  });

  it('renders Cloud users by account id, hiding most emails, and UTC timestamps', async () => {
    const { body } = await cloudSearch({ jql: 'project in (RISK, GROW, SCM, SRCH, CX, MLP, RES)', maxResults: '100', fields: 'assignee,reporter,created' });
    const users = body.issues!.flatMap((i) => [i.fields!.assignee, i.fields!.reporter]).filter((u) => u);
    expect(users.every((u) => u!.accountId && !u!.name)).toBe(true);
    expect(users.some((u) => u!.emailAddress)).toBe(true);
    expect(users.some((u) => !('emailAddress' in u!))).toBe(true);
    expect(body.issues![0]!.fields!.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  });

  it('answers bad JQL, unbounded JQL and foreign tokens with 400 ErrorCollections', async () => {
    const bad = await cloudSearch({ jql: 'component = nope' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ errorMessages: ["The value 'nope' does not exist for the field 'component'."], errors: {} });
    const unbounded = await cloudSearch({ jql: 'ORDER BY key DESC' });
    expect(unbounded.status).toBe(400);
    expect(unbounded.body.errorMessages).toEqual(['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']);
    const first = await cloudSearch({ jql: 'project = RISK', maxResults: '1' });
    const foreign = await cloudSearch({ jql: 'project = GROW', nextPageToken: first.body.nextPageToken! });
    expect(foreign.status).toBe(400);
  });

  it('serves POST /search/jql with the request bean, and refuses unknown properties', async () => {
    const post = (body: unknown) =>
      call<SearchAndReconcileResults & ErrorCollection>(`${cloud.url}/rest/api/3/search/jql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await post({ jql: 'key = RISK-1', fields: ['summary'], maxResults: 5 });
    expect(ok.status).toBe(200);
    expect(ok.body.issues!.map((i) => i.key)).toEqual(['RISK-1']);
    const bad = await post({ jql: 'key = RISK-1', startAt: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.errorMessages).toEqual(['Invalid request payload. Refer to the REST API documentation and try again.']);
  });

  it('answers the removed /rest/api/3/search with 410', async () => {
    const gone = await call<ErrorCollection>(`${cloud.url}/rest/api/3/search?jql=project%3DRISK`);
    expect(gone.status).toBe(410);
    expect(gone.body.errorMessages![0]).toContain('/rest/api/3/search/jql');
  });

  it('gets an issue by key or id; an unknown one is a 404 ErrorCollection', async () => {
    const byKey = await call<JiraIssueBean>(`${cloud.url}/rest/api/3/issue/risk-1?fields=summary`);
    expect(byKey.status).toBe(200);
    expect(byKey.body.key).toBe('RISK-1');
    const byId = await call<JiraIssueBean>(`${cloud.url}/rest/api/3/issue/${byKey.body.id}`);
    expect(byId.body.fields).toHaveProperty('description.type', 'doc');
    const missing = await call<ErrorCollection>(`${cloud.url}/rest/api/3/issue/RISK-9999`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
  });

  it('expands the changelog: the workflow moves to the status, the move to Done at the resolution date', async () => {
    const done = seed.issues.find((i) => i.status === 'Done' && i.summary.startsWith('Approve '))!;
    const found = await cloudSearch({ jql: `key = ${done.key}`, fields: 'status,resolutiondate', expand: 'changelog' });
    const [issue] = found.body.issues!;
    const histories = issue!.changelog!.histories!;
    expect(issue!.changelog).toMatchObject({ startAt: 0, total: histories.length });
    // Cloud lists the most recent first.
    const moves = [...histories].reverse().map((h) => [h.items![0]!.fromString, h.items![0]!.toString]);
    expect(moves).toEqual([['To Do', 'In Progress'], ['In Progress', 'In Review'], ['In Review', 'Done']]);
    expect(histories[0]!.created).toBe(issue!.fields!.resolutiondate);
    expect(histories[0]!.items![0]).toMatchObject({ field: 'status', fieldId: 'status', to: '10002' });
    const without = await cloudSearch({ jql: `key = ${done.key}`, fields: 'status' });
    expect(without.body.issues![0]!.changelog).toBeUndefined();

    const paged = await call<{ values: unknown[]; total: number; isLast: boolean }>(`${cloud.url}/rest/api/3/issue/${done.key}/changelog?startAt=1&maxResults=1`);
    expect(paged.body).toMatchObject({ total: 3, isLast: false, startAt: 1, maxResults: 1 });
    expect(paged.body.values).toEqual([[...histories].reverse()[1]]);
  });

  it('answers 429 with Retry-After and X-RateLimit-* headers when the fault switch says so', async () => {
    Object.assign(cloud.faults, { failRate: 1, failStatus: 429, retryAfterSeconds: 2 });
    try {
      const limited = await cloudSearch({ jql: 'project = RISK' });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('2');
      expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(limited.headers.get('x-ratelimit-limit')).toBe('350');
      expect(limited.headers.get('x-ratelimit-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
      expect(limited.headers.get('ratelimit-reason')).toBe('jira-burst-based');
    } finally {
      Object.assign(cloud.faults, { failRate: 0, failStatus: 503 });
      delete cloud.faults.retryAfterSeconds;
    }
  });
});

// ---- Data Center over HTTP --------------------------------------------------------------

describe('Jira Data Center sandbox', () => {
  it('wants the personal access token as Bearer', async () => {
    const denied = await call<ErrorCollection>(`${dc.url}/rest/api/2/myself`, {}, BASIC);
    expect(denied.status).toBe(401);
    expect(denied.body.errorMessages).toEqual(['You are not authenticated. Authentication required to perform this operation.']);
    const ok = await call<{ name: string }>(`${dc.url}/rest/api/2/myself`, {}, `Bearer ${PAT}`);
    expect(ok.body.name).toBe('svc-modelgraph');
  });

  it('caps maxResults at the server limit, says so, and pages by startAt until total', async () => {
    const jql = 'project in (RISK, GROW, SCM) ORDER BY key ASC';
    const expected = keysOf(jql);
    expect(expected.length).toBeGreaterThan(20);
    const keys: string[] = [];
    let startAt = 0;
    for (;;) {
      const { status, body } = await dcSearch({ jql, startAt: String(startAt), maxResults: '50' });
      expect(status).toBe(200);
      expect(body.maxResults).toBe(20);
      expect(body.total).toBe(expected.length);
      expect(body.startAt).toBe(startAt);
      keys.push(...body.issues!.map((i) => i.key!));
      startAt += body.issues!.length;
      if (startAt >= body.total! || body.issues!.length === 0) break;
    }
    expect(keys).toEqual(expected);
  });

  it('returns navigable fields by default, users by username with emails, times in the server zone', async () => {
    const { body } = await dcSearch({ jql: 'key = RISK-1' });
    const fields = body.issues![0]!.fields!;
    expect(fields.summary).toEqual(expect.any(String));
    expect(fields.reporter).toMatchObject({ name: expect.any(String), key: expect.stringMatching(/^JIRAUSER\d+$/), emailAddress: expect.stringMatching(/@acme\.io$/) });
    expect(fields.reporter).not.toHaveProperty('accountId');
    expect(fields.created).toMatch(/\+0100$/);
    expect(fields.description).toEqual(expect.any(String));
  });

  it('turns unknown values into warnings with validateQuery=warn', async () => {
    const strict = await dcSearch({ jql: 'component in (nope, "demand-forecaster")' });
    expect(strict.status).toBe(400);
    const warn = await dcSearch({ jql: 'component in (nope, "demand-forecaster")', validateQuery: 'warn' });
    expect(warn.status).toBe(200);
    expect(warn.body.warningMessages).toEqual(["The value 'nope' does not exist for the field 'component'."]);
    expect(warn.body.issues!.length).toBeGreaterThan(0);
  });

  it('has no REST v3', async () => {
    const res = await call(`${dc.url}/rest/api/3/search/jql?jql=project%3DRISK`, {}, `Bearer ${PAT}`);
    expect(res.status).toBe(404);
  });

  it('answers 429 with its token-bucket headers when the fault switch says so', async () => {
    Object.assign(dc.faults, { failRate: 1, failStatus: 429 });
    try {
      const limited = await dcSearch({ jql: 'project = RISK' });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(limited.headers.get('x-ratelimit-fillrate')).toBe('10');
    } finally {
      Object.assign(dc.faults, { failRate: 0, failStatus: 503 });
    }
  });
});

// ---- the connector against the sandbox ----------------------------------------------------

describe('JiraConnector against the sandbox', () => {
  function connector(flavor: 'cloud' | 'datacenter', extra: Record<string, unknown> = {}, waits: number[] = [], onSleep?: () => void): JiraConnector {
    const server = flavor === 'cloud' ? cloud : dc;
    const config = jiraInstanceSchema.parse({
      name: flavor === 'cloud' ? 'corp' : 'onprem',
      flavor,
      url: server.url,
      auth: flavor === 'cloud' ? { type: 'basic', email: EMAIL, apiToken: API_TOKEN } : { type: 'bearer', token: PAT },
      ...extra,
    });
    return JiraConnector.fromConfig(config, {
      cache: new MemoryCache(),
      cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
      clock: {
        sleep: async (ms) => {
          waits.push(ms);
          onSleep?.();
        },
      },
    });
  }

  it.each(['cloud', 'datacenter'] as const)('finds every model\'s tickets in a few searches, gaps included (%s)', async (flavor) => {
    const server = flavor === 'cloud' ? cloud : dc;
    const jira = connector(flavor);
    const keys = org.models.map((m) => m.key);
    server.stats.reset();
    const byKey = await jira.ticketsForModels(keys);
    const route = flavor === 'cloud' ? 'GET /rest/api/3/search/jql' : 'GET /rest/api/2/search';
    expect(server.stats.byRoute[route]).toBeLessThanOrEqual(3);
    expect(byKey.get('lead-scorer')).toEqual([]);
    // The default label rule misses the component-linked model.
    expect(byKey.get('demand-forecaster')).toEqual([]);
    const credit = byKey.get('credit-risk-scorer')!;
    expect(credit.length).toBeGreaterThan(0);
    expect(credit.every((t) => t.statusCategory !== 'DONE')).toBe(true);
    const joint = byKey.get('churn-predictor')!.find((t) => t.modelKeys.length === 2)!;
    expect(byKey.get('ltv-predictor')!.map((t) => t.key)).toContain(joint.key);
    const fraud = byKey.get('fraud-detector')![0]!;
    expect(fraud.url).toBe(`${server.url}/browse/${fraud.key}`);
    expect(fraud.assignee?.nativeId).toBe(
      flavor === 'cloud'
        ? org.people.find((p) => p.id === seed.issues.find((i) => i.key === fraud.key)!.assignee)!.jiraAccountId
        : seed.issues.find((i) => i.key === fraud.key)!.assignee,
    );
    jira.close();
  });

  it('finds the component-linked model with the component rule, and every one with the custom field rule', async () => {
    const byComponent = await connector('cloud', { modelLink: { type: 'component' } }).ticketsForModels(['demand-forecaster', 'lead-scorer', 'not-a-model']);
    expect(byComponent.get('demand-forecaster')!.length).toBeGreaterThan(0);
    expect(byComponent.get('not-a-model')).toEqual([]);
    const byField = await connector('datacenter', { modelLink: { type: 'customField', field: 'customfield_10042' } }).ticketsForModels(['demand-forecaster', 'fraud-detector', 'not-a-model']);
    expect(byField.get('demand-forecaster')!.length).toBeGreaterThan(0);
    expect(byField.get('fraud-detector')!.length).toBeGreaterThan(0);
    expect(byField.get('not-a-model')).toEqual([]);
  });

  it.each(['cloud', 'datacenter'] as const)('pages a whole search and reads one ticket (%s)', async (flavor) => {
    const jql = 'project in (RISK, GROW, SCM, SRCH, CX, MLP, RES) ORDER BY key ASC';
    const tickets = await connector(flavor).searchTickets(jql);
    expect(tickets.map((t) => t.key)).toEqual(keysOf(jql));
    const one = await connector(flavor).getTicket(tickets[0]!.key);
    expect(one).toEqual(tickets[0]);
    await expect(connector(flavor).getTicket('RISK-9999')).resolves.toBeNull();
  });

  it('reports a refused token as SOURCE_UNAUTHENTICATED naming the source', async () => {
    const jira = connector('cloud', { auth: { type: 'basic', email: EMAIL, apiToken: 'wrong-token-value' } });
    await expect(jira.health()).rejects.toMatchObject({
      code: SourceErrorCode.SOURCE_UNAUTHENTICATED,
      message: 'jira:corp: HTTP 401: Client must be authenticated to access this resource.',
    });
  });

  it('waits out a 429 as Retry-After says, then succeeds', async () => {
    const waits: number[] = [];
    Object.assign(cloud.faults, { failRate: 1, failStatus: 429, retryAfterSeconds: 3 });
    const jira = connector('cloud', {}, waits, () => {
      cloud.faults.failRate = 0;
    });
    try {
      await expect(jira.health()).resolves.toBeUndefined();
      expect(waits).toEqual([3000]);
    } finally {
      Object.assign(cloud.faults, { failRate: 0, failStatus: 503 });
      delete cloud.faults.retryAfterSeconds;
    }
  });
});

describe('Jira sandbox: user fields', () => {
  it('matches assignee and reporter by Cloud account id, and by Data Center username or key', () => {
    const withAssignee = seed.issues.find((i) => i.assignee !== null)!;
    const user = store.usersByPerson.get(withAssignee.assignee!)!;
    const cloudKeys = store.search(`assignee in ("${user.accountId}")`).issues.map((i) => i.key);
    expect(cloudKeys).toContain(withAssignee.key);
    expect(cloudKeys.length).toBe(seed.issues.filter((i) => i.assignee === user.personId).length);
    // Cloud has no usernames any more.
    expect(() => store.search(`assignee = "${user.name}"`)).toThrow(/does not exist for the field 'assignee'/);

    const dcStore = createStoreFromSeed(seedJiraIssues(org, { flavor: 'datacenter' }), 'datacenter');
    const reported = dcStore.search(`reporter = "${user.name}" OR reporter = "${user.key}"`).issues;
    expect(reported.map((i) => i.key).sort()).toEqual(
      seed.issues.filter((i) => i.reporter === user.personId).map((i) => i.key).sort(),
    );
  });
});
