import {
  chunkModelKeys,
  isoFromJira,
  jqlForModels,
  jqlString,
  mapIssue,
  mapIssueWithDetails,
  modelKeysOf,
  modelLinkValue,
  scopeJql,
  statusCategoryOf,
  ticketFields,
  type JiraMapContext,
  type JiraModelLink,
} from '../../connectors/jira';
import type { JiraIssueBean, SearchAndReconcileResults, SearchResultsV2 } from '../../connectors/jira/types';
import cloudFixture from '../fixtures/jira/cloud-search-jql.json';
import dcFixture from '../fixtures/jira/dc-search.json';

/**
 * Mapping Jira's JSON (Cloud REST v3 and Data Center REST v2 shapes) to tickets: pure, no
 * HTTP. The fixtures follow the shapes of the Cloud OpenAPI (`IssueBean`, `User`,
 * `StatusDetails`) with the status-category keys real sites send.
 */

const LABEL: JiraModelLink = { type: 'label', pattern: 'model:{key}' };
const COMPONENT: JiraModelLink = { type: 'component', pattern: '{key}' };
const CUSTOM: JiraModelLink = { type: 'customField', field: 'customfield_10042' };

const cloud: JiraMapContext = { instance: 'corp', siteUrl: 'https://acme.atlassian.net', flavor: 'cloud', modelLink: LABEL };
const dc: JiraMapContext = { instance: 'onprem', siteUrl: 'https://jira.example.com', flavor: 'datacenter', modelLink: LABEL };

const cloudIssues = (cloudFixture as SearchAndReconcileResults).issues!;
const dcIssues = (dcFixture as SearchResultsV2).issues!;

describe('mapIssue (Cloud, REST v3)', () => {
  it('maps a resolved ticket: ids, link, status category, people, UTC times and model keys', () => {
    expect(mapIssue(cloudIssues[0]!, cloud)).toEqual({
      key: 'RISK-12',
      id: 'corp/RISK-12',
      source: { kind: 'JIRA', instance: 'corp', nativeId: 'RISK-12', url: 'https://acme.atlassian.net/browse/RISK-12' },
      url: 'https://acme.atlassian.net/browse/RISK-12',
      summary: 'Approve fraud-detector v5 for production',
      type: 'Task',
      status: 'Done',
      statusCategory: 'DONE',
      priority: 'High',
      labels: ['model-approval', 'model:fraud-detector'],
      components: [],
      assignee: {
        tool: 'JIRA',
        instance: 'corp',
        nativeId: '5b10a2844c20165700ede21g',
        email: 'mia@example.com',
        displayName: 'Mia Krystof',
      },
      // Cloud hides most emails: no emailAddress at all.
      reporter: { tool: 'JIRA', instance: 'corp', nativeId: '5b10a2844c20165700ede22h', email: null, displayName: 'Emma Richards' },
      // +1000 (the caller's time zone, Sydney) to UTC.
      created: '2025-05-06T09:24:50.000Z',
      updated: '2025-05-09T00:02:13.411Z',
      resolved: '2025-05-09T00:00:00.000Z',
      modelKeys: ['fraud-detector'],
    });
  });

  it('maps an open, unassigned ticket linking two models (label case kept) and an app reporter', () => {
    const t = mapIssue(cloudIssues[1]!, cloud);
    expect(t.status).toBe('In Review');
    expect(t.statusCategory).toBe('IN_PROGRESS');
    expect(t.assignee).toBeNull();
    expect(t.reporter?.nativeId).toBe('557058:f58131cb-b67d-43c7-b30d-6b58d40bd077');
    expect(t.resolved).toBeNull();
    expect(t.components).toEqual(['serving']);
    expect(t.modelKeys).toEqual(['credit-risk-scorer', 'Fraud-Detector']);
  });

  it('treats an empty email as hidden, missing priority and reporter as null, and dedupes model keys', () => {
    const t = mapIssue(cloudIssues[2]!, cloud);
    expect(t.statusCategory).toBe('TODO');
    expect(t.status).toBe('Backlog');
    expect(t.priority).toBeNull();
    expect(t.reporter).toBeNull();
    expect(t.assignee).toEqual({ tool: 'JIRA', instance: 'corp', nativeId: '5b10ac8d82e05b22cc7d4ef5', email: null, displayName: 'Former user' });
    expect(t.created).toBe('2025-07-10T19:00:00.000Z');
    expect(t.modelKeys).toEqual(['churn-predictor', 'ltv-predictor']);
  });

  it('survives an issue with no fields at all', () => {
    const t = mapIssue({ id: '1', key: 'X-1' }, cloud);
    expect(t).toMatchObject({ key: 'X-1', summary: '', type: null, status: null, statusCategory: 'UNKNOWN', labels: [], components: [], assignee: null, created: null, modelKeys: [] });
  });
});

describe('mapIssue (Data Center, REST v2)', () => {
  it('names people by username and keeps their email; offsets other than UTC become UTC', () => {
    const t = mapIssue(dcIssues[0]!, dc);
    expect(t.url).toBe('https://jira.example.com/browse/SCM-3');
    expect(t.assignee).toEqual({ tool: 'JIRA', instance: 'onprem', nativeId: 'rahul.petrov', email: 'rahul.petrov@acme.io', displayName: 'Rahul Petrov' });
    expect(t.reporter?.nativeId).toBe('admin');
    expect(t.created).toBe('2025-04-06T09:15:00.000Z');
    expect(t.statusCategory).toBe('TODO');
  });

  it('links by the configured rule: the component-linked ticket has no key under the label rule', () => {
    expect(mapIssue(dcIssues[0]!, dc).modelKeys).toEqual([]);
    expect(mapIssue(dcIssues[0]!, { ...dc, modelLink: COMPONENT }).modelKeys).toEqual(['demand-forecaster']);
  });

  it('maps a custom "Closed" status by its category and a resolution date in +0100', () => {
    const t = mapIssue(dcIssues[1]!, dc);
    expect(t.status).toBe('Closed');
    expect(t.statusCategory).toBe('DONE');
    expect(t.resolved).toBe('2025-03-01T08:30:00.000Z');
    expect(t.assignee?.nativeId).toBe('felix.jensen');
  });
});

describe('modelKeysOf', () => {
  const withFields = (fields: JiraIssueBean['fields']): JiraIssueBean => ({ key: 'A-1', fields });

  it('reads select options, strings and string arrays from the custom field', () => {
    expect(modelKeysOf(cloudIssues[0]!, CUSTOM)).toEqual(['fraud-detector']);
    expect(modelKeysOf(cloudIssues[1]!, CUSTOM)).toEqual([]);
    expect(modelKeysOf(withFields({ customfield_10042: 'lead-scorer' }), CUSTOM)).toEqual(['lead-scorer']);
    expect(modelKeysOf(withFields({ customfield_10042: ['a', 'b', 'a'] }), CUSTOM)).toEqual(['a', 'b']);
    expect(modelKeysOf(withFields({ customfield_10042: { value: 'c', id: '1' } }), CUSTOM)).toEqual(['c']);
    expect(modelKeysOf(withFields({ customfield_10042: 42 }), CUSTOM)).toEqual([]);
  });

  it('matches the pattern literally, whatever characters it holds', () => {
    const link: JiraModelLink = { type: 'label', pattern: 'ml.{key}+v' };
    expect(modelKeysOf(withFields({ labels: ['ml.fraud+v', 'mlXfraud+v', 'ml.+v', 'other'] }), link)).toEqual(['fraud']);
    expect(modelLinkValue('fraud', link)).toBe('ml.fraud+v');
  });

  it('uses the key itself as the custom field value', () => {
    expect(modelLinkValue('fraud-detector', CUSTOM)).toBe('fraud-detector');
    expect(modelLinkValue('fraud-detector', COMPONENT)).toBe('fraud-detector');
    expect(modelLinkValue('fraud-detector', LABEL)).toBe('model:fraud-detector');
  });
});

describe('statusCategoryOf', () => {
  it('maps the three categories by key, falls back to the name, and leaves the rest UNKNOWN', () => {
    expect(statusCategoryOf({ statusCategory: { key: 'new' } })).toBe('TODO');
    expect(statusCategoryOf({ statusCategory: { key: 'indeterminate' } })).toBe('IN_PROGRESS');
    expect(statusCategoryOf({ statusCategory: { key: 'done' } })).toBe('DONE');
    expect(statusCategoryOf({ statusCategory: { name: 'In Progress' } })).toBe('IN_PROGRESS');
    expect(statusCategoryOf({ statusCategory: { key: 'undefined', name: 'No Category' } })).toBe('UNKNOWN');
    expect(statusCategoryOf({ name: 'Open' })).toBe('UNKNOWN');
    expect(statusCategoryOf(null)).toBe('UNKNOWN');
  });
});

describe('isoFromJira', () => {
  it.each([
    ['2025-01-06T09:00:00.000+0000', '2025-01-06T09:00:00.000Z'],
    ['2025-01-06T09:00:00.000+0530', '2025-01-06T03:30:00.000Z'],
    ['2025-01-06T09:00:00.000-0800', '2025-01-06T17:00:00.000Z'],
    ['2025-01-06T09:00:00+01:00', '2025-01-06T08:00:00.000Z'],
    ['2025-01-06T09:00:00.123456Z', '2025-01-06T09:00:00.123Z'],
    ['2025-01-06T09:00+0000', '2025-01-06T09:00:00.000Z'],
    ['2025-01-06', '2025-01-06T00:00:00.000Z'],
  ])('%s -> %s', (input, expected) => {
    expect(isoFromJira(input)).toBe(expected);
  });

  it('returns null for absent or unreadable values and accepts epoch milliseconds', () => {
    expect(isoFromJira(null)).toBeNull();
    expect(isoFromJira(undefined)).toBeNull();
    expect(isoFromJira('')).toBeNull();
    expect(isoFromJira('yesterday')).toBeNull();
    expect(isoFromJira('2025-13-45T99:00:00.000+0000')).toBeNull();
    expect(isoFromJira(1736154000000)).toBe('2025-01-06T09:00:00.000Z');
  });
});

describe('jqlString', () => {
  it('quotes with double quotes and escapes quotes and backslashes', () => {
    expect(jqlString('model:fraud-detector')).toBe('"model:fraud-detector"');
    expect(jqlString('say "hi"')).toBe('"say \\"hi\\""');
    expect(jqlString('C:\\models')).toBe('"C:\\\\models"');
    expect(jqlString("it's")).toBe('"it\'s"');
  });

  it('escapes line breaks, tabs and the characters JQL refuses as \\uXXXX', () => {
    expect(jqlString('a\nb\rc\td')).toBe('"a\\nb\\rc\\td"');
    expect(jqlString('a\u0001b\u007fc\ufffed')).toBe('"a\\u0001b\\u007fc\\ufffed"');
  });

  it('keeps reserved words, reserved characters and non-ASCII literal inside the quotes', () => {
    expect(jqlString('order')).toBe('"order"');
    expect(jqlString('a+b/c#d')).toBe('"a+b/c#d"');
    expect(jqlString('Müller–Öz')).toBe('"Müller–Öz"');
  });
});

describe('jqlForModels', () => {
  it('batches keys into one IN clause per rule, in key order', () => {
    expect(jqlForModels(['a', 'b'], LABEL)).toBe('labels in ("model:a", "model:b") ORDER BY key ASC');
    expect(jqlForModels(['a', 'b'], COMPONENT)).toBe('component in ("a", "b") ORDER BY key ASC');
    expect(jqlForModels(['a'], CUSTOM)).toBe('cf[10042] in ("a") ORDER BY key ASC');
  });

  it('restricts to the configured projects, exactly as the connector scopes any JQL, and drops duplicate keys', () => {
    expect(jqlForModels(['a', 'a', 'b"x'], LABEL, ['RISK', 'GROW'])).toBe(
      'project in ("RISK", "GROW") AND (labels in ("model:a", "model:b\\"x")) ORDER BY key ASC',
    );
    expect(jqlForModels(['a'], LABEL, ['RISK'])).toBe(scopeJql(jqlForModels(['a'], LABEL), ['RISK']));
  });

  it('refuses an empty batch rather than searching everything', () => {
    expect(() => jqlForModels([], LABEL)).toThrow(RangeError);
  });
});

describe('chunkModelKeys', () => {
  const keys = Array.from({ length: 120 }, (_, i) => `model-${String(i).padStart(3, '0')}`);

  it('bounds the number of keys per batch', () => {
    const chunks = chunkModelKeys(keys, LABEL, { maxKeys: 50, maxLength: 100_000 });
    expect(chunks.map((c) => c.length)).toEqual([50, 50, 20]);
    expect(chunks.flat()).toEqual(keys);
  });

  it('bounds the JQL length per batch, projects included', () => {
    const long = Array.from({ length: 40 }, (_, i) => `${'x'.repeat(60)}-${i}`);
    const chunks = chunkModelKeys(long, LABEL, { maxKeys: 50, maxLength: 600, projects: ['RISK'] });
    expect(chunks.length).toBeGreaterThan(4);
    expect(chunks.flat()).toEqual(long);
    for (const chunk of chunks) expect(jqlForModels(chunk, LABEL, ['RISK']).length).toBeLessThanOrEqual(600);
  });

  it('gives a key too long for the limit a batch of its own', () => {
    const chunks = chunkModelKeys(['a', 'y'.repeat(500), 'b'], LABEL, { maxKeys: 50, maxLength: 200 });
    expect(chunks).toEqual([['a'], ['y'.repeat(500)], ['b']]);
  });
});

describe('ticketFields', () => {
  it('asks for the mapped fields, and the custom field when the rule uses one', () => {
    expect(ticketFields(LABEL)).toEqual([
      'summary', 'issuetype', 'status', 'priority', 'labels', 'components',
      'assignee', 'reporter', 'created', 'updated', 'resolutiondate', 'project',
    ]);
    expect(ticketFields(CUSTOM)).toContain('customfield_10042');
  });
});

describe('mapIssueWithDetails', () => {
  const withFields = (fields: JiraIssueBean['fields']): JiraIssueBean => ({ key: 'A-1', fields });
  const request = { extraFields: ['customfield_10050'] };

  it('flattens a Cloud ADF description: text, blocks on lines of their own, smart links and link targets', () => {
    const description = {
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'Sign-off for ' }, { type: 'text', text: 'version 4', marks: [{ type: 'strong' }] }] },
        { type: 'paragraph', content: [{ type: 'inlineCard', attrs: { url: 'https://console.cloud.google.com/vertex-ai/models/1/versions/4' } }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'the package', marks: [{ type: 'link', attrs: { href: 'arn:aws:sagemaker:us-east-1:1:model-package/router/4' } }] }] },
      ],
    };
    const ticket = mapIssueWithDetails(withFields({ description }), cloud, request);
    expect(ticket.description).toBe(
      'Sign-off for version 4\nhttps://console.cloud.google.com/vertex-ai/models/1/versions/4\nthe package (arn:aws:sagemaker:us-east-1:1:model-package/router/4)',
    );
  });

  it('keeps a Data Center description as it is, and none as null', () => {
    expect(mapIssueWithDetails(withFields({ description: 'Approve v4' }), dc, request).description).toBe('Approve v4');
    expect(mapIssueWithDetails(withFields({ description: null }), dc, request).description).toBeNull();
  });

  it('reads the extra fields as text: strings, options, numbers', () => {
    const values = (value: unknown) => mapIssueWithDetails(withFields({ customfield_10050: value }), cloud, request).fieldValues;
    expect(values(' 4 ')).toEqual({ customfield_10050: ['4'] });
    expect(values([{ value: '3', id: '1' }, { value: '4', id: '2' }])).toEqual({ customfield_10050: ['3', '4'] });
    expect(values(4)).toEqual({ customfield_10050: ['4'] });
    expect(values(null)).toEqual({ customfield_10050: [] });
    expect(mapIssueWithDetails(withFields({}), cloud, { extraFields: [] }).fieldValues).toBeUndefined();
  });

  it('takes the status changes of an expanded changelog, oldest first, and none without one', () => {
    const dto: JiraIssueBean = {
      ...withFields({}),
      changelog: {
        startAt: 0,
        maxResults: 2,
        total: 2,
        // Cloud lists the most recent first.
        histories: [
          { id: '2', created: '2026-02-05T10:00:00.000+0100', items: [{ field: 'status', fieldId: 'status', fromString: 'In Review', toString: 'Done' }] },
          {
            id: '1',
            created: '2026-02-03T09:00:00.000+0000',
            items: [
              { field: 'assignee', fieldId: 'assignee', fromString: null, toString: 'Ana' },
              { field: 'status', fieldId: 'status', fromString: 'To Do', toString: 'In Review' },
            ],
          },
        ],
      },
    };
    expect(mapIssueWithDetails(dto, cloud, request).statusChanges).toEqual([
      { at: '2026-02-03T09:00:00.000Z', from: 'To Do', to: 'In Review' },
      { at: '2026-02-05T09:00:00.000Z', from: 'In Review', to: 'Done' },
    ]);
    expect(mapIssueWithDetails(withFields({}), cloud, request).statusChanges).toBeUndefined();
  });
});
