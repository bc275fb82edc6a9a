import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { jiraInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { createRedisClient, RedisCache } from '../../connectors/core/cache/redis-cache';
import type { KeyValueCache } from '../../connectors/core/cache/types';
import { silentLogger } from '../../connectors/core/logger';
import { JiraConnector } from '../../connectors/jira';
import { generateDemoOrg, type DemoOrg } from '../../sandbox';
import { PeopleDirectory } from '../../subgraphs/common/identity';
import type { GraphFinding } from '../../subgraphs/inventory/governance/graph-finding';
import type { GovernanceIndexData, IndexedModel } from '../../subgraphs/inventory/governance/inventory-index';
import { FindingTickets } from '../../subgraphs/inventory/tickets/finding-tickets';
import type { TicketSettings } from '../../subgraphs/inventory/tickets/draft';
import { TicketLock, TicketLockBusyError } from '../../subgraphs/inventory/tickets/ticket-lock';
import { startRecordingJira, type RecordingJira } from '../helpers/recording-jira';

/**
 * The ticket flow on its own, over the sandbox Jira of both flavours: who a ticket is
 * assigned to, what it says, and that two replicas sharing Redis file each finding once.
 */

const org: DemoOrg = generateDemoOrg({ models: 12 });
const [known, ghost] = org.people;
const project = org.teams[0]!.jiraProjectKey;

function finding(fingerprint: string, modelKey: string, severity: GraphFinding['severity'] = 'HIGH'): GraphFinding {
  return {
    fingerprint,
    rule: 'PRODUCTION_WITHOUT_APPROVAL',
    severity,
    message: `${modelKey} serves production traffic with no approved ticket`,
    model: { key: modelKey },
    evidence: {
      refs: [{ kind: 'SAGEMAKER', instance: 'prod-us', nativeId: `${modelKey}-pkg`, url: `https://console.aws.amazon.com/sagemaker/${modelKey}` }],
      versions: [{ __typename: 'CloudModelVersion', id: `sagemaker:prod-us/${modelKey}/3` }],
      tickets: [],
      deployments: [{ id: `sagemaker:prod-us/${modelKey}-ep/main` }],
    },
    version: null,
    trafficPercent: null,
    waiver: null,
  };
}

function model(key: string, owners: string[]): IndexedModel {
  return { key, codeOwnerPeople: new Set(owners) } as unknown as IndexedModel;
}

/** `owned` by the person Jira knows, `ghosted` by one whose alias names an account Jira has not, `teamOnly` by nobody. */
function index(): GovernanceIndexData {
  const findings = [
    finding('00000000000000a1', 'owned'),
    finding('00000000000000a2', 'ghosted', 'MEDIUM'),
    finding('00000000000000a3', 'team-only', 'LOW'),
    { ...finding('00000000000000a4', 'waived'), waiver: { reason: 'accepted', until: null } },
  ];
  return {
    models: new Map([
      ['owned', model('owned', [known!.email])],
      ['ghosted', model('ghosted', [ghost!.email])],
      ['team-only', model('team-only', [])],
    ]),
    findings,
  };
}

function people(flavor: 'cloud' | 'datacenter'): PeopleDirectory {
  // Data Center knows people by username (the sandbox's are the org's person ids).
  const knownId = flavor === 'cloud' ? known!.jiraAccountId : known!.id;
  return PeopleDirectory.fromData({
    people: [
      { email: known!.email, identities: [`jira:corp:${knownId}`] },
      { email: ghost!.email, identities: ['jira:*:no-such-jira-user'] },
    ],
  });
}

const settings: TicketSettings = {
  jira: 'corp',
  project,
  issueType: 'Task',
  labels: ['governance'],
  priorities: { high: 'Highest', low: 'Low' },
};

function connector(jira: RecordingJira, flavor: 'cloud' | 'datacenter'): JiraConnector {
  return JiraConnector.fromConfig(
    jiraInstanceSchema.parse({
      name: 'corp',
      flavor,
      url: jira.url,
      auth: flavor === 'cloud' ? { type: 'basic', email: 'svc@acme.io', apiToken: 'token-token-token' } : { type: 'bearer', token: 'pat-pat-pat-pat' },
      retry: { maxAttempts: 1 },
      rateLimit: { enabled: false },
    }),
    { cache: new MemoryCache(), cacheDefaults: { ttlSeconds: 60, staleSeconds: 0 }, clock: { sleep: async () => undefined } },
  );
}

function tickets(
  jira: RecordingJira,
  flavor: 'cloud' | 'datacenter',
  lock = new TicketLock(undefined, { ttlSeconds: 60, waitMs: 10_000 }),
  filed: KeyValueCache = new MemoryCache(),
) {
  const data = index();
  return new FindingTickets({ connector: connector(jira, flavor), settings, governance: { get: async () => data }, people: people(flavor), lock, filed });
}

const creates = (jira: RecordingJira) => jira.exchanges.filter((e) => e.method === 'POST' && /\/issue$/.test(e.path));

describe.each(['cloud', 'datacenter'] as const)('ticket flow on Jira %s', (flavor) => {
  let jira: RecordingJira;
  beforeEach(async () => {
    jira = await startRecordingJira(org, flavor);
  });
  afterEach(async () => jira.close());

  it('files one ticket per unwaived finding, assigned to the code owner Jira knows', async () => {
    const run = await tickets(jira, flavor).open({ dryRun: false, resolveGone: false });
    expect(run.results.map((r) => [r.finding.fingerprint, r.outcome])).toEqual([
      ['00000000000000a1', 'CREATED'],
      ['00000000000000a2', 'CREATED'],
      ['00000000000000a3', 'CREATED'],
    ]);
    const [owned, ghosted, teamOnly] = run.results;
    expect(owned!.assignee).toBe(known!.email);
    // Jira refused the ghost's account: the ticket is filed all the same, unassigned, and says so.
    expect(ghosted!.assignee).toBeNull();
    expect(ghosted!.note).toMatch(/^filed unassigned: jira:corp: HTTP 400: assignee: /);
    expect(teamOnly!.assignee).toBeNull();

    const issue = (key: string) => jira.store.getIssue(key)!;
    expect(issue(owned!.ticket!.key).assignee).toBe(known!.id);
    expect(issue(ghosted!.ticket!.key).assignee).toBeNull();
    expect(issue(owned!.ticket!.key).priority).toBe('Highest');
    // No priority configured for MEDIUM: the project's default.
    expect(issue(ghosted!.ticket!.key).priority).toBe('Medium');
    expect(issue(owned!.ticket!.key).labels).toEqual(['modelgraph-finding', 'modelgraph-finding-00000000000000a1', 'governance']);
    expect(owned!.ticket!.url).toBe(`${jira.url}/browse/${owned!.ticket!.key}`);
    // Four POSTs: three tickets, and the ghost's first try.
    expect(creates(jira).map((e) => e.status)).toEqual([201, 400, 201, 201]);
  });

  it('describes the finding with its evidence linked into each tool, in the flavour\'s text format', async () => {
    await tickets(jira, flavor).open({ dryRun: false, resolveGone: false, filter: { fingerprints: ['00000000000000a1'] } });
    const [sent] = creates(jira);
    const fields = (sent!.body as any).fields;
    expect(fields.summary).toBe('[modelgraph] HIGH PRODUCTION_WITHOUT_APPROVAL: owned serves production traffic with no approved ticket');
    if (flavor === 'cloud') {
      expect(fields.description).toMatchObject({ type: 'doc', version: 1 });
      expect(fields.assignee).toEqual({ accountId: known!.jiraAccountId });
      const links = JSON.stringify(fields.description).match(/"href":"[^"]+"/g);
      expect(links).toEqual(['"href":"https://console.aws.amazon.com/sagemaker/owned"']);
    } else {
      expect(typeof fields.description).toBe('string');
      expect(fields.assignee).toEqual({ name: known!.id });
      expect(fields.description).toContain('SageMaker prod-us: owned-pkg (https://console.aws.amazon.com/sagemaker/owned)');
      expect(fields.description).toContain('Deployment sagemaker:prod-us/owned-ep/main');
    }
  });

  it('a dry run reads and writes nothing to Jira but its searches', async () => {
    const run = await tickets(jira, flavor).open({ dryRun: true, resolveGone: true });
    expect(run.results.every((r) => r.outcome === 'WOULD_CREATE' && r.ticket === null)).toBe(true);
    expect(jira.exchanges.filter((e) => e.method !== 'GET')).toEqual([]);
  });
});

describe('two replicas sharing Redis', () => {
  let redis: Redis;
  let jira: RecordingJira;
  beforeAll(async () => {
    redis = createRedisClient('redis://127.0.0.1:6379', silentLogger);
    if (redis.status !== 'ready') await once(redis, 'ready');
    jira = await startRecordingJira(org, 'cloud');
  });
  afterAll(async () => {
    await jira.close();
    redis.disconnect();
  });

  it('file each finding once when they run at once', async () => {
    // Each replica has its own process queue; only the Redis lock stands between them.
    const prefix = `test:${randomUUID()}:`;
    const shared: KeyValueCache = prefixed(new RedisCache(redis), prefix);
    const replica = () => tickets(jira, 'cloud', new TicketLock(shared, { ttlSeconds: 30, waitMs: 10_000, pollMs: 20 }), shared);
    const runs = await Promise.all([replica().open({ dryRun: false, resolveGone: false }), replica().open({ dryRun: false, resolveGone: false })]);
    const outcomes = runs.map((r) => r.results.map((x) => x.outcome).sort().join(','));
    expect(outcomes.sort()).toEqual(['CREATED,CREATED,CREATED', 'EXISTING,EXISTING,EXISTING']);
    // Three tickets and the ghost's refused first try; nothing filed twice.
    expect(creates(jira).filter((e) => e.status === 201)).toHaveLength(3);
    // No lock left behind; what was filed is remembered for the search's index lag.
    expect((await redis.keys(`${prefix}*`)).filter((k) => k.endsWith(':lock'))).toEqual([]);
    expect(await redis.keys(`${prefix}*:filed:*`)).toHaveLength(3);
  });

  it('do not file again while Jira\'s search has not indexed what was just filed', async () => {
    const lagging = await startRecordingJira(org, 'cloud');
    try {
      lagging.searchLags = true;
      const shared = prefixed(new RedisCache(redis), `test:${randomUUID()}:`);
      const replica = () => tickets(lagging, 'cloud', new TicketLock(shared, { ttlSeconds: 30, waitMs: 10_000, pollMs: 20 }), shared);
      const first = await replica().open({ dryRun: false, resolveGone: false });
      const second = await replica().open({ dryRun: false, resolveGone: false });
      expect(first.results.map((r) => r.outcome)).toEqual(['CREATED', 'CREATED', 'CREATED']);
      expect(second.results.map((r) => [r.outcome, r.ticket?.key])).toEqual(first.results.map((r) => ['EXISTING', r.ticket!.key]));
      expect(creates(lagging).filter((e) => e.status === 201)).toHaveLength(3);
      // The search itself found none of them: the memo did.
      const lastSearch = lagging.exchanges.filter((e) => e.path.endsWith('/search/jql')).at(-1)!;
      expect((lastSearch.response as { issues: unknown[] }).issues).toEqual([]);
    } finally {
      await lagging.close();
    }
  });

  it('gives up, filing nothing, when another replica holds the project past its wait', async () => {
    const prefix = `test:${randomUUID()}:`;
    const lockKey = `${prefix}modelgraph:v1:tickets:corp:${project}:lock`;
    await redis.set(lockKey, 'another-replica', 'PX', 30_000);
    const lock = new TicketLock(prefixed(new RedisCache(redis), prefix), { ttlSeconds: 30, waitMs: 150, pollMs: 20 });
    const before = creates(jira).length;
    await expect(tickets(jira, 'cloud', lock).open({ dryRun: false, resolveGone: false })).rejects.toThrow(TicketLockBusyError);
    expect(creates(jira).length).toBe(before);
    expect(await redis.get(lockKey)).toBe('another-replica');
    await redis.del(lockKey);
  });
});

function prefixed(inner: KeyValueCache, prefix: string): KeyValueCache {
  return {
    get: (k) => inner.get(prefix + k),
    set: (k, v, o) => inner.set(prefix + k, v, o),
    delete: (k) => inner.delete(prefix + k),
    setIfAbsent: (k, v, o) => inner.setIfAbsent!(prefix + k, v, o),
  };
}
