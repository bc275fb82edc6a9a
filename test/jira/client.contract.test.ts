import nock from 'nock';
import { useNock } from '../helpers/nock';
import { jiraInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { JiraConnector, JqlRefusedError, fieldsInError, ticketFields, type JiraConnectorDeps } from '../../connectors/jira';
import type { JiraIssueBean, SearchAndReconcileResults } from '../../connectors/jira/types';
import cloudFixture from '../fixtures/jira/cloud-search-jql.json';
import dcFixture from '../fixtures/jira/dc-search.json';
import errorFixture from '../fixtures/jira/error-collection.json';
import notFoundFixture from '../fixtures/jira/issue-not-found.json';

/**
 * The connector against Jira's documented REST APIs, with the network mocked by nock: every
 * test states the method, path, parameters and headers Jira expects.
 *
 * - Cloud: `GET /rest/api/3/search/jql` (jql, maxResults, fields, nextPageToken), Basic auth
 *   with the account email and an API token.
 * - Data Center: `GET /rest/api/2/search` (jql, startAt, maxResults, fields), Bearer PAT.
 */

const CLOUD = 'https://acme.atlassian.net';
const DC = 'https://jira.example.com';
const EMAIL = 'svc-modelgraph@acme.io';
const API_TOKEN = 'ATATT3xFfGF0-cloud-secret-token';
const PAT = 'NjE2ODQ3MjI4NjQ2OkR-dc-secret-pat';
const BASIC = `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`;
const FIELDS = ticketFields({ type: 'label', pattern: 'model:{key}' }).join(',');
/** What a model ticket search reads besides: the description, with the changelog expanded (approval times). */
const MODEL_READ = { fields: `${FIELDS},description`, expand: 'changelog' };

function cloudConnector(
  instance: Record<string, unknown> = {},
  deps: Partial<JiraConnectorDeps> = {},
): { jira: JiraConnector; waits: number[] } {
  const waits: number[] = [];
  const config = jiraInstanceSchema.parse({
    name: 'corp',
    flavor: 'cloud',
    url: `${CLOUD}/`,
    auth: { type: 'basic', email: EMAIL, apiToken: API_TOKEN },
    ...instance,
  });
  const jira = JiraConnector.fromConfig(config, {
    cache: new MemoryCache(),
    cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
    clock: {
      sleep: async (ms) => {
        waits.push(ms);
      },
    },
    ...deps,
  });
  return { jira, waits };
}

function dcConnector(instance: Record<string, unknown> = {}, deps: Partial<JiraConnectorDeps> = {}): JiraConnector {
  const config = jiraInstanceSchema.parse({
    name: 'onprem',
    flavor: 'datacenter',
    url: DC,
    auth: { type: 'bearer', token: PAT },
    ...instance,
  });
  return JiraConnector.fromConfig(config, {
    cache: new MemoryCache(),
    cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
    clock: { sleep: async () => undefined },
    ...deps,
  });
}

const cloudIssues = (cloudFixture as SearchAndReconcileResults).issues!;

function issue(key: string, labels: string[] = []): JiraIssueBean {
  return { id: String(10000 + Number(key.split('-')[1])), key, fields: { summary: `Ticket ${key}`, labels } };
}

useNock();

describe('Jira Cloud connector contract', () => {
  it('checks health with GET /rest/api/3/myself and Basic email:apiToken', async () => {
    nock(CLOUD, { reqheaders: { authorization: BASIC, accept: /application\/json/ } })
      .get('/rest/api/3/myself')
      .reply(200, { accountId: '712020:abc', displayName: 'modelgraph', active: true });
    const { jira } = cloudConnector();
    await expect(jira.health()).resolves.toBeUndefined();
    expect(jira.source).toBe('jira:corp');
    expect(jira.kind).toBe('JIRA');
  });

  it('searches with GET /search/jql, an explicit field list, and follows nextPageToken across three pages', async () => {
    const jql = 'project = RISK ORDER BY key ASC';
    const base = { jql, maxResults: '2', fields: FIELDS };
    nock(CLOUD, { reqheaders: { authorization: BASIC } })
      .get('/rest/api/3/search/jql')
      .query(base)
      .reply(200, { issues: cloudIssues.slice(0, 2), nextPageToken: 'CAEaAggC', isLast: false });
    nock(CLOUD, { reqheaders: { authorization: BASIC } })
      .get('/rest/api/3/search/jql')
      .query({ ...base, nextPageToken: 'CAEaAggC' })
      .reply(200, { issues: [issue('RISK-20'), issue('RISK-21')], nextPageToken: 'CAEaAggE', isLast: false });
    nock(CLOUD, { reqheaders: { authorization: BASIC } })
      .get('/rest/api/3/search/jql')
      .query({ ...base, nextPageToken: 'CAEaAggE' })
      // The last page carries no token.
      .reply(200, { issues: [issue('RISK-22')], isLast: true });
    const { jira } = cloudConnector({}, { pageSize: 2 });
    const tickets = await jira.searchTickets(jql);
    expect(tickets.map((t) => t.key)).toEqual(['RISK-12', 'RISK-15', 'RISK-20', 'RISK-21', 'RISK-22']);
    expect(tickets[0]!.url).toBe('https://acme.atlassian.net/browse/RISK-12');
    expect(tickets[0]!.assignee?.nativeId).toBe('5b10a2844c20165700ede21g');
  });

  it('stops at isLast even when a token comes along, and at maxResults tickets', async () => {
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query({ jql: 'labels = a', maxResults: '100', fields: FIELDS })
      .reply(200, { issues: [issue('A-1')], nextPageToken: 'stale', isLast: true });
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query({ jql: 'labels = b', maxResults: '100', fields: FIELDS })
      .reply(200, { issues: [issue('B-1'), issue('B-2'), issue('B-3')], nextPageToken: 'more', isLast: false });
    const { jira } = cloudConnector();
    expect((await jira.searchTickets('labels = a')).map((t) => t.key)).toEqual(['A-1']);
    expect((await jira.searchTickets('labels = b', { maxResults: 2 })).map((t) => t.key)).toEqual(['B-1', 'B-2']);
  });

  it('never asks for more than the documented 5000 per page', async () => {
    nock(CLOUD).get('/rest/api/3/search/jql').query({ jql: 'key = A-1', maxResults: '5000', fields: FIELDS }).reply(200, { issues: [], isLast: true });
    const { jira } = cloudConnector({}, { pageSize: 50_000 });
    await expect(jira.searchTickets('key = A-1')).resolves.toEqual([]);
  });

  it('honours Retry-After on 429 (with Jira Cloud rate-limit headers) and then succeeds', async () => {
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query(true)
      .reply(429, { errorMessages: ['Rate limit exceeded.'], errors: {} }, {
        'Retry-After': '7',
        'X-RateLimit-Limit': '350',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': '2025-06-01T10:01Z',
        'RateLimit-Reason': 'jira-burst-based',
      });
    nock(CLOUD).get('/rest/api/3/search/jql').query(true).reply(200, { issues: [issue('A-1')], isLast: true });
    const { jira, waits } = cloudConnector();
    expect((await jira.searchTickets('labels = a')).map((t) => t.key)).toEqual(['A-1']);
    expect(waits).toEqual([7000]);
  });

  it('waits until X-RateLimit-Reset on a 429 that lost its Retry-After', async () => {
    const now = Date.parse('2025-06-01T10:00:55Z');
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query(true)
      .reply(429, { errorMessages: ['Rate limit exceeded.'], errors: {} }, { 'X-RateLimit-Reset': '2025-06-01T10:01Z' });
    nock(CLOUD).get('/rest/api/3/search/jql').query(true).reply(200, { issues: [issue('A-1')], isLast: true });
    const waits: number[] = [];
    const { jira } = cloudConnector({}, { clock: { now: () => now, sleep: async (ms) => void waits.push(ms) } });
    expect((await jira.searchTickets('labels = a')).map((t) => t.key)).toEqual(['A-1']);
    expect(waits).toEqual([5000]);
  });

  it('gives up on a rate limit whose Retry-After exceeds the budget, as SOURCE_RATE_LIMITED', async () => {
    nock(CLOUD).get('/rest/api/3/myself').reply(429, { errorMessages: ['Rate limit exceeded.'], errors: {} }, { 'Retry-After': '3600' });
    const { jira, waits } = cloudConnector();
    const err = await jira.health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe(SourceErrorCode.SOURCE_RATE_LIMITED);
    expect((err as SourceError).retryAfterMs).toBe(3_600_000);
    expect(waits).toEqual([]);
  });

  it('parses an ErrorCollection into a SourceError named after the source, each field error with its field', async () => {
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query(true)
      .reply(400, {
        errorMessages: errorFixture.errorMessages,
        errors: { jql: "Field 'foo' does not exist or you do not have permission to view it." },
      });
    const { jira } = cloudConnector();
    const err = (await jira.searchTickets('project = RISK foo').catch((e: unknown) => e)) as SourceError;
    expect(err).toBeInstanceOf(SourceError);
    expect(err.code).toBe(SourceErrorCode.SOURCE_BAD_REQUEST);
    expect(err.status).toBe(400);
    expect(err.source).toBe('jira:corp');
    expect(err.message).toBe(
      "jira:corp: HTTP 400: Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'foo'. (line 1, character 22); " +
        "jql: Field 'foo' does not exist or you do not have permission to view it.",
    );
    expect(fieldsInError(err)).toEqual(['jql']);
  });

  it("reports Cloud's plain-text 401 without leaking the token, even when it is echoed", async () => {
    nock(CLOUD)
      .get('/rest/api/3/myself')
      .reply(401, `Client must be authenticated to access this resource. (token ${API_TOKEN})`, { 'Content-Type': 'text/plain;charset=UTF-8' });
    const { jira } = cloudConnector();
    const err = (await jira.health().catch((e: unknown) => e)) as SourceError;
    expect(err.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
    expect(err.message).toContain('jira:corp: HTTP 401: Client must be authenticated to access this resource.');
    expect(err.message).not.toContain(API_TOKEN);
    expect(JSON.stringify(err)).not.toContain(API_TOKEN);
  });

  it('gets one ticket with GET /rest/api/3/issue/{key} and the field list; 404 is null', async () => {
    nock(CLOUD, { reqheaders: { authorization: BASIC } })
      .get('/rest/api/3/issue/RISK-12')
      .query({ fields: FIELDS })
      .reply(200, cloudIssues[0]);
    nock(CLOUD).get('/rest/api/3/issue/RISK-999').query({ fields: FIELDS }).reply(404, notFoundFixture);
    const { jira } = cloudConnector();
    expect((await jira.getTicket('RISK-12'))?.summary).toBe('Approve fraud-detector v5 for production');
    await expect(jira.getTicket('RISK-999')).resolves.toBeNull();
  });

  it('does not turn a 403 into null', async () => {
    nock(CLOUD).get('/rest/api/3/issue/RISK-1').query(true).reply(403, { errorMessages: ['You do not have permission.'], errors: {} });
    const { jira } = cloudConnector();
    await expect(jira.getTicket('RISK-1')).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_FORBIDDEN });
  });

  it('finds the tickets of 120 models in three bounded searches and maps each back to its keys', async () => {
    const keys = Array.from({ length: 120 }, (_, i) => `model-${String(i).padStart(3, '0')}`);
    const searches: string[] = [];
    nock(CLOUD, { reqheaders: { authorization: BASIC } })
      .get('/rest/api/3/search/jql')
      .query(true)
      .times(3)
      .reply(function (uri) {
        const query = new URL(uri, CLOUD).searchParams;
        const jql = query.get('jql')!;
        searches.push(jql);
        expect(query.get('fields')).toBe(MODEL_READ.fields);
        expect(query.get('expand')).toBe('changelog');
        expect(query.get('maxResults')).toBe('100');
        const labels = [...jql.matchAll(/"model:([^"]+)"/g)].map((m) => m[1]!);
        // Tickets for every tenth model, and one ticket that links model-000 and model-119.
        const issues = labels.filter((k) => Number(k.slice(-3)) % 10 === 0).map((k) => issue(`ML-${Number(k.slice(-3)) + 1}`, [`model:${k}`, 'model-approval']));
        if (labels.includes('model-000')) issues.push(issue('ML-500', ['model:model-000', 'model:model-119']));
        return [200, { issues, isLast: true }];
      });
    const { jira } = cloudConnector({ projects: ['ML'] });
    const byKey = await jira.ticketsForModels(keys);

    expect(searches).toHaveLength(3);
    for (const jql of searches) {
      expect(jql).toMatch(/^project in \("ML"\) AND \(labels in \([^()]*\)\) ORDER BY key ASC$/);
      expect(jql.length).toBeLessThanOrEqual(1500);
      expect([...jql.matchAll(/"model:/g)].length).toBeLessThanOrEqual(50);
    }
    expect([...byKey.keys()]).toEqual(keys);
    expect(byKey.get('model-010')!.map((t) => t.key)).toEqual(['ML-11']);
    expect(byKey.get('model-000')!.map((t) => t.key)).toEqual(['ML-1', 'ML-500']);
    expect(byKey.get('model-119')!.map((t) => t.key)).toEqual(['ML-500']);
    expect(byKey.get('model-001')).toEqual([]);
  });

  it('serves ticketsForModels from the per-key cache on the next request, whatever the batch', async () => {
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query({ jql: 'labels in ("model:a", "model:b") ORDER BY key ASC', maxResults: '100', ...MODEL_READ })
      .reply(200, { issues: [issue('A-1', ['model:a'])], isLast: true });
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query({ jql: 'labels in ("model:c") ORDER BY key ASC', maxResults: '100', ...MODEL_READ })
      .reply(200, { issues: [], isLast: true });
    const { jira } = cloudConnector({}, { cacheDefaults: { ttlSeconds: 60, staleSeconds: 60 } });
    await jira.ticketsForModels(['a', 'b']);
    const again = await jira.ticketsForModels(['b', 'a', 'c']);
    expect(again.get('a')!.map((t) => t.key)).toEqual(['A-1']);
    expect(again.get('b')).toEqual([]);
    expect(again.get('c')).toEqual([]);
  });

  it('drops components Jira says do not exist and repeats the batch without them', async () => {
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query({ jql: 'component in ("a", "b", "c") ORDER BY key ASC', maxResults: '100', ...MODEL_READ })
      .reply(400, {
        errorMessages: ["The value 'b' does not exist for the field 'component'.", "The value 'C' does not exist for the field 'component'."],
        errors: {},
      });
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query({ jql: 'component in ("a") ORDER BY key ASC', maxResults: '100', ...MODEL_READ })
      .reply(200, { issues: [{ key: 'A-1', fields: { components: [{ name: 'a' }] } }], isLast: true });
    const { jira } = cloudConnector({ modelLink: { type: 'component' } });
    const byKey = await jira.ticketsForModels(['a', 'b', 'c']);
    expect(byKey.get('a')!.map((t) => t.key)).toEqual(['A-1']);
    expect(byKey.get('b')).toEqual([]);
    expect(byKey.get('c')).toEqual([]);
  });

  it('does not swallow other 400s of a batch (a project that does not exist)', async () => {
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query(true)
      .reply(400, { errorMessages: ["The value 'NOPE' does not exist for the field 'project'."], errors: {} });
    const { jira } = cloudConnector({ projects: ['NOPE'] });
    await expect(jira.ticketsForModels(['a'])).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_BAD_REQUEST });
  });

  it('uses cf[N] for a custom-field rule and asks for the field', async () => {
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query({ jql: 'cf[10042] in ("fraud-detector") ORDER BY key ASC', maxResults: '100', fields: `${FIELDS},customfield_10042,description`, expand: 'changelog' })
      .reply(200, { issues: [cloudIssues[0]], isLast: true });
    const { jira } = cloudConnector({ modelLink: { type: 'customField', field: 'customfield_10042' } });
    expect((await jira.ticketsForModels(['fraud-detector'])).get('fraud-detector')!.map((t) => t.key)).toEqual(['RISK-12']);
  });

  it('reads an approval version field and the changelog in the model search itself, not in calls of their own', async () => {
    // One interceptor, answering once: any further call would find none.
    const search = nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query({ jql: 'labels in ("model:a") ORDER BY key ASC', maxResults: '100', fields: `${FIELDS},description,customfield_10050`, expand: 'changelog' })
      .reply(200, {
        issues: [
          {
            ...issue('A-1', ['model:a']),
            fields: { summary: 'Approve a', labels: ['model:a'], customfield_10050: '4' },
            changelog: { startAt: 0, maxResults: 1, total: 1, histories: [{ id: '1', created: '2026-02-05T10:00:00.000+0000', items: [{ field: 'status', fieldId: 'status', fromString: 'In Review', toString: 'Done' }] }] },
          },
        ],
        isLast: true,
      });
    const { jira } = cloudConnector({}, { modelTicketFields: ['customfield_10050'] });
    const [ticket] = (await jira.ticketsForModels(['a'])).get('a')!;
    expect(ticket).toMatchObject({ fieldValues: { customfield_10050: ['4'] }, statusChanges: [{ at: '2026-02-05T10:00:00.000Z', from: 'In Review', to: 'Done' }] });
    expect(search.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('Jira Cloud connector: approval times from changelogs', () => {
  const move = (id: number, day: number, from: string, to: string) => ({
    id: String(id),
    created: `2026-02-${String(day).padStart(2, '0')}T10:00:00.000+0000`,
    items: [{ field: 'status', fieldId: 'status', fromString: from, toString: to }],
  });
  const edit = (id: number, day: number) => ({ id: String(id), created: `2026-02-${String(day).padStart(2, '0')}T11:00:00.000+0000`, items: [{ field: 'labels', fieldId: 'labels' }] });

  it('reads the whole changelog, page by page, of an issue whose search changelog is cut, and of no other', async () => {
    // A-1 moved to Done long ago and was edited a lot since: the search shows only its latest histories.
    const recent = [edit(3, 20), edit(4, 21)];
    const cut = { ...issue('A-1', ['model:a']), changelog: { startAt: 0, maxResults: 2, total: 4, histories: [...recent].reverse() } };
    const whole = { ...issue('A-2', ['model:a']), changelog: { startAt: 0, maxResults: 1, total: 1, histories: [move(9, 3, 'To Do', 'Done')] } };
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query({ jql: 'labels in ("model:a") ORDER BY key ASC', maxResults: '100', ...MODEL_READ })
      .reply(200, { issues: [cut, whole], isLast: true });
    const first = nock(CLOUD)
      .get('/rest/api/3/issue/A-1/changelog')
      .query({ startAt: '0', maxResults: '100' })
      .reply(200, { startAt: 0, maxResults: 2, total: 4, isLast: false, values: [move(1, 1, 'To Do', 'In Review'), move(2, 5, 'In Review', 'Done')] });
    const second = nock(CLOUD)
      .get('/rest/api/3/issue/A-1/changelog')
      .query({ startAt: '2', maxResults: '100' })
      .reply(200, { startAt: 2, maxResults: 2, total: 4, isLast: true, values: recent });
    const { jira } = cloudConnector();
    const tickets = (await jira.ticketsForModels(['a'])).get('a')!;
    expect(first.isDone() && second.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
    expect(tickets.find((t) => t.key === 'A-1')!.statusChanges).toEqual([
      { at: '2026-02-01T10:00:00.000Z', from: 'To Do', to: 'In Review' },
      { at: '2026-02-05T10:00:00.000Z', from: 'In Review', to: 'Done' },
    ]);
    expect(tickets.find((t) => t.key === 'A-2')!.statusChanges).toEqual([{ at: '2026-02-03T10:00:00.000Z', from: 'To Do', to: 'Done' }]);
  });
});

describe('Jira Data Center connector contract', () => {
  it('checks health with GET /rest/api/2/myself and a Bearer personal access token', async () => {
    nock(DC, { reqheaders: { authorization: `Bearer ${PAT}` } })
      .get('/rest/api/2/myself')
      .reply(200, { name: 'svc-modelgraph', key: 'JIRAUSER10000', active: true });
    await expect(dcConnector().health()).resolves.toBeUndefined();
  });

  it('pages /rest/api/2/search by startAt, using the page size the server says it used, until total', async () => {
    const jql = 'project = SCM ORDER BY key ASC';
    nock(DC, { reqheaders: { authorization: `Bearer ${PAT}` } })
      .get('/rest/api/2/search')
      .query({ jql, startAt: '0', maxResults: '1000', fields: FIELDS })
      // The server capped the page at 2 and says so.
      .reply(200, { ...dcFixture, startAt: 0, maxResults: 2, total: 5 });
    nock(DC)
      .get('/rest/api/2/search')
      .query({ jql, startAt: '2', maxResults: '2', fields: FIELDS })
      .reply(200, { startAt: 2, maxResults: 2, total: 5, issues: [issue('SCM-4'), issue('SCM-5')] });
    nock(DC)
      .get('/rest/api/2/search')
      .query({ jql, startAt: '4', maxResults: '2', fields: FIELDS })
      .reply(200, { startAt: 4, maxResults: 2, total: 5, issues: [issue('SCM-6')] });
    const tickets = await dcConnector().searchTickets(jql);
    expect(tickets.map((t) => t.key)).toEqual(['SCM-3', 'SCM-1', 'SCM-4', 'SCM-5', 'SCM-6']);
    expect(tickets[0]!.assignee).toMatchObject({ nativeId: 'rahul.petrov', email: 'rahul.petrov@acme.io' });
    expect(tickets[0]!.url).toBe('https://jira.example.com/browse/SCM-3');
  });

  it('stops on an empty page before total instead of looping', async () => {
    nock(DC).get('/rest/api/2/search').query(true).reply(200, { startAt: 0, maxResults: 50, total: 10, issues: [issue('A-1')] });
    nock(DC).get('/rest/api/2/search').query(true).reply(200, { startAt: 1, maxResults: 50, total: 10, issues: [] });
    expect((await dcConnector().searchTickets('labels = a')).map((t) => t.key)).toEqual(['A-1']);
  });

  it('gets an issue with GET /rest/api/2/issue/{key}; 404 is null', async () => {
    nock(DC).get('/rest/api/2/issue/SCM-1').query({ fields: FIELDS }).reply(200, dcFixture.issues[1]);
    nock(DC).get('/rest/api/2/issue/SCM-404').query({ fields: FIELDS }).reply(404, notFoundFixture);
    const jira = dcConnector();
    expect((await jira.getTicket('SCM-1'))?.statusCategory).toBe('DONE');
    await expect(jira.getTicket('SCM-404')).resolves.toBeNull();
  });

  it('batches model keys on Data Center too', async () => {
    nock(DC)
      .get('/rest/api/2/search')
      .query({ jql: 'labels in ("model:inventory-optimizer", "model:lead-scorer") ORDER BY key ASC', startAt: '0', maxResults: '1000', ...MODEL_READ })
      .reply(200, { startAt: 0, maxResults: 1000, total: 1, issues: [dcFixture.issues[1]] });
    const byKey = await dcConnector().ticketsForModels(['lead-scorer', 'inventory-optimizer']);
    expect([...byKey.keys()]).toEqual(['lead-scorer', 'inventory-optimizer']);
    expect(byKey.get('inventory-optimizer')!.map((t) => t.key)).toEqual(['SCM-1']);
    expect(byKey.get('lead-scorer')).toEqual([]);
  });

  it('refuses a 200 that is not a page of issues', async () => {
    nock(DC).get('/rest/api/2/search').query(true).reply(200, { issues: 'nope' });
    await expect(dcConnector().searchTickets('labels = a')).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_BAD_RESPONSE });
  });
});

describe('Jira connector: tickets of people', () => {
  it('asks for several users in one JQL search and hands each their tickets', async () => {
    const withPeople = (key: string, assignee: string | null, reporter: string): JiraIssueBean => ({
      ...issue(key),
      fields: {
        summary: `Ticket ${key}`,
        assignee: assignee ? { accountId: assignee, displayName: assignee } : null,
        reporter: { accountId: reporter, displayName: reporter },
      },
    });
    nock(CLOUD, { reqheaders: { authorization: BASIC } })
      .get('/rest/api/3/search/jql')
      .query({
        jql: '(assignee in ("5b10a", "712020:b-2", "nobody-asked") OR reporter in ("5b10a", "712020:b-2", "nobody-asked")) ORDER BY updated DESC',
        maxResults: '100',
        fields: FIELDS,
      })
      .reply(200, {
        issues: [withPeople('RISK-1', '5b10a', '712020:b-2'), withPeople('RISK-2', null, '712020:b-2')],
        isLast: true,
      });
    const { jira } = cloudConnector();
    const byUser = await jira.ticketsOfUsers(['712020:b-2', '5b10a', '5b10a', 'nobody-asked']);
    expect(byUser.get('5b10a')?.map((t) => t.key)).toEqual(['RISK-1']);
    expect(byUser.get('712020:b-2')?.map((t) => t.key)).toEqual(['RISK-1', 'RISK-2']);
    expect(byUser.get('nobody-asked')).toEqual([]);
  });
});

describe('Jira connector: the projects scope on every path', () => {
  /** Counts every request to the site; a test that expects none checks the count and removes it. */
  function countRequests(base: string): () => number {
    let calls = 0;
    nock(base)
      .persist()
      .get(/.*/)
      .query(true)
      .reply(() => {
        calls++;
        return [500, { errorMessages: ['not expected'], errors: {} }];
      });
    return () => calls;
  }

  function inProject(key: string, project: string, labels: string[] = []): JiraIssueBean {
    return { id: String(10000 + Number(key.split('-')[1])), key, fields: { summary: `Ticket ${key}`, labels, project: { key: project } } };
  }

  /** Answers one Cloud search, recording the JQL it was sent. */
  function cloudSearch(sent: string[], issues: JiraIssueBean[] = []) {
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query(true)
      .reply(function (uri) {
        sent.push(new URL(uri, CLOUD).searchParams.get('jql')!);
        return [200, { issues, isLast: true }];
      });
  }

  it('sends a search as project in (...) AND (<jql>), with its ORDER BY after the parentheses', async () => {
    const sent: string[] = [];
    cloudSearch(sent, [inProject('RISK-3', 'RISK')]);
    const { jira } = cloudConnector({ projects: ['RISK'] });
    const tickets = await jira.searchTickets('project != RISK ORDER BY created DESC', { maxResults: 50 });
    expect(sent).toEqual(['project in ("RISK") AND (project != RISK) ORDER BY created DESC']);
    expect(tickets.map((t) => t.key)).toEqual(['RISK-3']);
  });

  it('keeps an OR of the caller inside the parentheses, so it cannot widen the scope', async () => {
    const sent: string[] = [];
    cloudSearch(sent);
    const { jira } = cloudConnector({ projects: ['RISK', 'SCM'] });
    await jira.searchTickets('labels = a OR project = GROW');
    expect(sent).toEqual(['project in ("RISK", "SCM") AND (labels = a OR project = GROW)']);
  });

  it('scopes on Data Center the same way', async () => {
    nock(DC)
      .get('/rest/api/2/search')
      .query({ jql: 'project in ("SCM") AND (key = GROW-6 OR key = SCM-1) ORDER BY key ASC', startAt: '0', maxResults: '1000', fields: FIELDS })
      .reply(200, { startAt: 0, maxResults: 1000, total: 1, issues: [dcFixture.issues[1]] });
    const tickets = await dcConnector({ projects: ['SCM'] }).searchTickets('key = GROW-6 OR key = SCM-1 ORDER BY key ASC');
    expect(tickets.map((t) => t.key)).toEqual(['SCM-1']);
  });

  it.each([
    ['closes the parenthesis early', 'x) OR (project = GROW'],
    ['leaves one open', 'project = GROW OR (labels = a'],
    ['escapes a quote outside a string', 'summary ~ a\\" ) OR project = GROW OR ( summary ~ "x\\" y" AND labels = b'],
  ])('refuses JQL that %s, naming the instance, before any request', async (_why, jql) => {
    const calls = countRequests(CLOUD);
    const { jira } = cloudConnector({ projects: ['RISK'] });
    const err = (await jira.searchTickets(jql).catch((e: unknown) => e)) as SourceError;
    expect(err).toBeInstanceOf(JqlRefusedError);
    expect(err).toBeInstanceOf(SourceError);
    expect(err.code).toBe(SourceErrorCode.SOURCE_BAD_REQUEST);
    expect(err.source).toBe('jira:corp');
    expect(err.message).toMatch(/^jira:corp: JQL refused for Jira instance "corp"/);
    expect(calls()).toBe(0);
    nock.cleanAll();
  });

  it('drops issues outside the projects even if the upstream answers them', async () => {
    const sent: string[] = [];
    // A proxy or an app's JQL function that did not honour the JQL.
    cloudSearch(sent, [inProject('RISK-1', 'RISK'), inProject('GROW-6', 'GROW'), inProject('RISK-9', 'GROW')]);
    const { jira } = cloudConnector({ projects: ['RISK'] });
    expect((await jira.searchTickets('labels = a')).map((t) => t.key)).toEqual(['RISK-1']);
  });

  it('answers a key of another project with null and no request at all', async () => {
    const calls = countRequests(CLOUD);
    const { jira } = cloudConnector({ projects: ['RISK'] });
    await expect(jira.getTicket('GROW-6')).resolves.toBeNull();
    await expect(jira.getTicket('grow-6')).resolves.toBeNull();
    await expect(jira.getTicket('RISK-1/../../GROW-6')).resolves.toBeNull();
    expect(calls()).toBe(0);
    nock.cleanAll();
  });

  it('answers an in-scope key whose issue now lives in another project with null, like a missing one', async () => {
    // GROW took RISK-7 over: Jira still answers the old key, with the issue's new key and project.
    nock(CLOUD).get('/rest/api/3/issue/RISK-7').query({ fields: FIELDS }).reply(200, inProject('GROW-31', 'GROW'));
    // A move inside the scope's own key space, told only by the project field.
    nock(CLOUD).get('/rest/api/3/issue/RISK-8').query({ fields: FIELDS }).reply(200, inProject('RISK-8', 'GROW'));
    nock(CLOUD).get('/rest/api/3/issue/RISK-404').query({ fields: FIELDS }).reply(404, notFoundFixture);
    const { jira } = cloudConnector({ projects: ['RISK'] });
    const moved = await jira.getTicket('RISK-7');
    const relabelled = await jira.getTicket('RISK-8');
    const missing = await jira.getTicket('RISK-404');
    expect(moved).toBeNull();
    expect(relabelled).toBeNull();
    expect(moved).toEqual(missing);
  });

  it('asks for the project field and answers an in-scope issue; an id is looked up and judged by its project', async () => {
    expect(FIELDS.split(',')).toContain('project');
    nock(CLOUD).get('/rest/api/3/issue/RISK-12').query({ fields: FIELDS }).reply(200, { ...cloudIssues[0], fields: { ...cloudIssues[0]!.fields, project: { key: 'RISK' } } });
    nock(CLOUD).get('/rest/api/3/issue/10031').query({ fields: FIELDS }).reply(200, inProject('GROW-6', 'GROW'));
    const { jira } = cloudConnector({ projects: ['RISK'] });
    expect((await jira.getTicket('RISK-12'))?.key).toBe('RISK-12');
    await expect(jira.getTicket('10031')).resolves.toBeNull();
  });

  it("scopes a person's tickets", async () => {
    const sent: string[] = [];
    cloudSearch(sent);
    const { jira } = cloudConnector({ projects: ['RISK'] });
    await jira.ticketsOfUsers(['5b10a']);
    expect(sent).toEqual(['project in ("RISK") AND ((assignee in ("5b10a") OR reporter in ("5b10a"))) ORDER BY updated DESC']);
  });

  it("does not let a scoped connector read a model's tickets cached by an unscoped one (shared cache, same instance)", async () => {
    const cache = new MemoryCache();
    const deps = { cache, cacheDefaults: { ttlSeconds: 60, staleSeconds: 60 } };
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query({ jql: 'labels in ("model:a") ORDER BY key ASC', maxResults: '100', ...MODEL_READ })
      .reply(200, { issues: [inProject('GROW-6', 'GROW', ['model:a'])], isLast: true });
    nock(CLOUD)
      .get('/rest/api/3/search/jql')
      .query({ jql: 'project in ("RISK") AND (labels in ("model:a")) ORDER BY key ASC', maxResults: '100', ...MODEL_READ })
      .reply(200, { issues: [inProject('RISK-2', 'RISK', ['model:a'])], isLast: true });
    const unscoped = cloudConnector({}, deps).jira;
    const scoped = cloudConnector({ projects: ['RISK'] }, deps).jira;
    expect((await unscoped.ticketsForModels(['a'])).get('a')!.map((t) => t.key)).toEqual(['GROW-6']);
    expect((await scoped.ticketsForModels(['a'])).get('a')!.map((t) => t.key)).toEqual(['RISK-2']);
  });

  it('does not let a scoped connector read an issue cached by an unscoped one', async () => {
    const cache = new MemoryCache();
    const deps = { cache, cacheDefaults: { ttlSeconds: 60, staleSeconds: 60 } };
    // Without its project field (an entry cached before the field was asked for), the key
    // Jira answered with still tells.
    nock(CLOUD).get('/rest/api/3/issue/RISK-7').query({ fields: FIELDS }).reply(200, { key: 'GROW-31', fields: { summary: 'moved' } });
    const unscoped = cloudConnector({}, deps).jira;
    const scoped = cloudConnector({ projects: ['RISK'] }, deps).jira;
    expect((await unscoped.getTicket('RISK-7'))?.key).toBe('GROW-31');
    nock(CLOUD).get('/rest/api/3/issue/RISK-7').query({ fields: FIELDS }).reply(200, { key: 'GROW-31', fields: { summary: 'moved' } });
    await expect(scoped.getTicket('RISK-7')).resolves.toBeNull();
  });
});
