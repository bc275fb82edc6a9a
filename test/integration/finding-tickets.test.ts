import { Writable } from 'node:stream';
import { runReconcile, parseReconcileArgs } from '../../cli/reconcile';
import { hashApiKey } from '../../gateway/auth/authenticate';
import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';

/**
 * Tickets for findings end to end: the gateway's `openFindingTickets` over the sandbox
 * Jira (which validates and stores issues as Jira does). Counted in POSTs on the sandbox.
 */

let sandbox: Sandbox;
let stack: Stack;
let project: string;

const OPEN = /* GraphQL */ `
  mutation Open($filter: FindingTicketFilter, $dryRun: Boolean!, $resolveGone: Boolean! = true) {
    openFindingTickets(filter: $filter, dryRun: $dryRun, resolveGone: $resolveGone) {
      dryRun jira project created existing wouldCreate failed
      results {
        fingerprint outcome key url summary note
        finding { severity rule model { key } }
        ticket { id key status labels }
        assignee { id }
        error { code source message fields }
      }
      gone { fingerprint outcome key transitioned note error { message fields } }
    }
  }
`;

const FINDINGS = /* GraphQL */ `
  query { findings(first: 500) { nodes { fingerprint waiver { reason } } } }
`;

// Asked first after the tickets are filed: Finding.ticket is as fresh as the Jira cache (and
// the gateway's response cache), like every Jira read of the graph.
const FINDING_TICKETS = /* GraphQL */ `
  query { findings(first: 500) { nodes { fingerprint waiver { reason } ticket { key labels } } } }
`;

const issuePosts = () => sandbox.jira.corp!.stats.byRoute['POST /rest/api/3/issue'] ?? 0;
const searches = () => sandbox.jira.corp!.stats.byRoute['GET /rest/api/3/search/jql'] ?? 0;

async function jira(path: string): Promise<any> {
  const { email, apiToken } = { email: 'modelgraph-bot@acme.io', apiToken: 'sandbox-jira-api-token' };
  const res = await fetch(`${sandbox.jira.corp!.url}${path}`, {
    headers: { authorization: `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}` },
  });
  return res.json();
}

/** Every issue of the project that carries a label, from the sandbox Jira itself. */
async function issuesLabelled(label: string): Promise<any[]> {
  const jql = encodeURIComponent(`project = "${project}" AND labels = "${label}" ORDER BY key ASC`);
  const body = await jira(`/rest/api/3/search/jql?jql=${jql}&fields=labels,status,summary,assignee,priority&maxResults=100`);
  return body.issues;
}

beforeAll(async () => {
  sandbox = await startSandbox({ models: 36 });
  project = sandbox.org.teams[0]!.jiraProjectKey;
  stack = await startDemoGraph(sandbox, { tickets: { jira: 'corp', project, labels: ['governance'], resolvedTransition: 'Done' } });
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

describe('openFindingTickets', () => {
  let unwaived: string[];

  beforeAll(async () => {
    const body = await postGraphql(stack.graphqlUrl, FINDINGS);
    expect(body.errors).toBeUndefined();
    unwaived = body.data.findings.nodes.filter((f: any) => !f.waiver).map((f: any) => f.fingerprint);
    expect(unwaived.length).toBeGreaterThan(3);
  });

  it('a dry run says what it would file and creates nothing', async () => {
    const before = issuePosts();
    const body = await postGraphql(stack.graphqlUrl, OPEN, { dryRun: true });
    expect(body.errors).toBeUndefined();
    const run = body.data.openFindingTickets;
    expect(run).toMatchObject({ dryRun: true, jira: 'corp', project, created: 0, existing: 0, failed: 0 });
    expect(run.wouldCreate).toBe(unwaived.length);
    expect(run.results.map((r: any) => r.fingerprint).sort()).toEqual([...unwaived].sort());
    expect(run.results.every((r: any) => r.outcome === 'WOULD_CREATE' && r.key === null)).toBe(true);
    expect(issuePosts()).toBe(before);
    expect(await issuesLabelled('modelgraph-finding')).toEqual([]);
  });

  it('two runs at once file one issue per finding', async () => {
    const before = issuePosts();
    const [a, b] = await Promise.all([
      postGraphql(stack.graphqlUrl, OPEN, { dryRun: false }),
      postGraphql(stack.graphqlUrl, OPEN, { dryRun: false }),
    ]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    const runs = [a.data.openFindingTickets, b.data.openFindingTickets];
    expect(runs.map((r) => r.failed)).toEqual([0, 0]);
    // One run filed them all; the other, serialised behind it, found every one filed.
    expect(runs.map((r) => r.created).sort((x, y) => x - y)).toEqual([0, unwaived.length]);
    expect(runs.map((r) => r.existing).sort((x, y) => x - y)).toEqual([0, unwaived.length]);
    expect(issuePosts() - before).toBe(unwaived.length);

    const filed = await issuesLabelled('modelgraph-finding');
    expect(filed).toHaveLength(unwaived.length);
    for (const fp of unwaived) expect(filed.filter((i) => i.fields.labels.includes(`modelgraph-finding-${fp}`))).toHaveLength(1);
    expect(filed.every((i) => i.fields.labels.includes('governance'))).toBe(true);

    // Both runs name the same issue for each finding.
    const keyOf = (run: any) => Object.fromEntries(run.results.map((r: any) => [r.fingerprint, r.key]));
    expect(keyOf(runs[0])).toEqual(keyOf(runs[1]));
  });

  it('files with the severity\'s priority and the summary it reports, unassigned without a code owner', async () => {
    const body = await postGraphql(stack.graphqlUrl, OPEN, { dryRun: false });
    const run = body.data.openFindingTickets;
    expect(run.created).toBe(0);
    const filed = await issuesLabelled('modelgraph-finding');
    const priorities: Record<string, string> = { HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low' };
    for (const r of run.results) {
      const issue = filed.find((i) => i.key === r.key)!;
      expect(issue.fields.priority.name).toBe(priorities[r.finding.severity]);
      expect(issue.fields.summary).toBe(r.summary);
      expect(r.summary).toContain(r.finding.rule);
    }
    // The demo's findings are about models owned by teams or nobody: no person to assign
    // (test/inventory/finding-tickets.test.ts assigns code owners Jira knows).
    const ownerless = run.results.find((r: any) => r.finding.rule === 'NO_OWNER');
    expect(ownerless).toBeDefined();
    expect(filed.find((i) => i.key === ownerless.key)!.fields.assignee).toBeNull();
  });

  it('Finding.ticket names each finding\'s issue, in one Jira search for the page', async () => {
    const before = searches();
    const body = await postGraphql(stack.graphqlUrl, FINDING_TICKETS);
    expect(body.errors).toBeUndefined();
    const withTicket = body.data.findings.nodes.filter((f: any) => !f.waiver);
    expect(withTicket.every((f: any) => f.ticket?.labels.includes(`modelgraph-finding-${f.fingerprint}`))).toBe(true);
    // Findings per search: 40 fingerprint labels.
    expect(searches() - before).toBe(Math.ceil(body.data.findings.nodes.length / 40));
  });
});

describe('openFindingTickets: a Jira 400', () => {
  let bad: Stack;
  afterAll(async () => bad?.close());

  it('is reported per finding with the source and the field named', async () => {
    const other = sandbox.org.teams[1]!.jiraProjectKey;
    bad = await startDemoGraph(sandbox, { tickets: { jira: 'corp', project: other, priorities: { high: 'Urgent', medium: 'Urgent', low: 'Urgent' } } });
    const before = issuePosts();
    const body = await postGraphql(bad.graphqlUrl, OPEN, { dryRun: false, filter: { severity: 'HIGH' }, resolveGone: false });
    expect(body.errors).toBeUndefined();
    const run = body.data.openFindingTickets;
    expect(run.created).toBe(0);
    expect(run.failed).toBe(run.results.length);
    expect(run.results.length).toBeGreaterThan(0);
    for (const r of run.results) {
      expect(r.outcome).toBe('FAILED');
      expect(r.key).toBeNull();
      expect(r.error).toMatchObject({ code: 'SOURCE_BAD_REQUEST', source: 'jira:corp', fields: ['priority'] });
      expect(r.error.message).toContain("priority: Priority name 'Urgent' is not valid");
    }
    expect(issuePosts() - before).toBe(run.results.length);
  });
});

describe('openFindingTickets: a finding that is gone', () => {
  let later: Stack;
  afterAll(async () => later?.close());

  it('gets a comment and the configured transition, once', async () => {
    // The same Jira project, with a rule switched off: its findings are no longer reported.
    const config = { jira: 'corp', project, labels: ['governance'], resolvedTransition: 'Done' };
    later = await startDemoGraph(sandbox, { tickets: config, governance: { rules: { UNTRACEABLE_VERSION: { enabled: false } } } });
    const filed = (await issuesLabelled('modelgraph-finding')).filter((i) => i.fields.status.name !== 'Done');
    const dry = (await postGraphql(later.graphqlUrl, OPEN, { dryRun: true })).data.openFindingTickets;
    const goneKeys = dry.gone.map((g: any) => g.key).sort();
    expect(goneKeys.length).toBeGreaterThan(0);
    expect(dry.gone.every((g: any) => g.outcome === 'WOULD_RESOLVE')).toBe(true);
    expect(filed.length).toBeGreaterThan(goneKeys.length);

    const run = (await postGraphql(later.graphqlUrl, OPEN, { dryRun: false })).data.openFindingTickets;
    expect(run.gone.map((g: any) => g.key).sort()).toEqual(goneKeys);
    expect(run.gone.every((g: any) => g.outcome === 'RESOLVED' && g.transitioned)).toBe(true);
    for (const key of goneKeys) {
      const comments = await jira(`/rest/api/3/issue/${key}/comment`);
      expect(comments.total).toBe(1);
      expect(JSON.stringify(comments.comments[0].body)).toContain('is no longer reported');
      const issue = await jira(`/rest/api/3/issue/${key}?fields=status,labels`);
      expect(issue.fields.status.name).toBe('Done');
      expect(issue.fields.labels).toContain('modelgraph-finding-gone');
    }

    // A second run finds nothing more to say.
    const again = (await postGraphql(later.graphqlUrl, OPEN, { dryRun: false })).data.openFindingTickets;
    expect(again.gone).toEqual([]);
    expect(again.created).toBe(0);
  });
});

describe('openFindingTickets behind authentication, and reconcile --open-tickets', () => {
  const WRITER = 'writer-key-0123456789abcdef';
  const READER = 'reader-key-0123456789abcdef';
  let guarded: Stack;
  let other: string;

  beforeAll(async () => {
    other = sandbox.org.teams[2]!.jiraProjectKey;
    guarded = await startDemoGraph(sandbox, {
      tickets: { jira: 'corp', project: other },
      server: {
        auth: {
          mode: 'required',
          apiKeys: [
            { name: 'ci-tickets', hash: hashApiKey(WRITER), scopes: ['governance:write', 'jira:read'] },
            { name: 'portal', hash: hashApiKey(READER), scopes: ['jira:read'] },
          ],
        },
      },
    });
  });
  afterAll(async () => guarded?.close());

  function sink(): { stream: Writable; text: () => string } {
    const chunks: string[] = [];
    const stream = new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) });
    return { stream, text: () => chunks.join('') };
  }

  async function cli(argv: string[], key: string) {
    const out = sink();
    const err = sink();
    const code = await runReconcile(
      { ...parseReconcileArgs([...argv, '--endpoint', guarded.graphqlUrl]), endpoint: guarded.graphqlUrl, headers: { authorization: `Bearer ${key}` } },
      { stdout: out.stream, stderr: err.stream },
    );
    return { code, stdout: out.text(), stderr: err.text() };
  }

  it('needs governance:write: without it the mutation is FORBIDDEN and nothing is sent to Jira', async () => {
    const before = issuePosts();
    const body = await postGraphql(guarded.graphqlUrl, OPEN, { dryRun: false }, { authorization: `Bearer ${READER}` });
    expect(body.data?.openFindingTickets ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(body.errors?.[0]?.message).toContain('governance:write');
    expect(issuePosts()).toBe(before);
  });

  it('the CLI prints a dry run by default, and two --apply runs at once file each finding once', async () => {
    const dry = await cli(['--open-tickets'], WRITER);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run \(Jira corp, project [A-Z]+\): would file (\d+), 0 already filed/);
    const wouldFile = Number(/would file (\d+)/.exec(dry.stdout)![1]);
    expect(wouldFile).toBeGreaterThan(0);

    const before = issuePosts();
    const [a, b] = await Promise.all([cli(['--open-tickets', '--apply'], WRITER), cli(['--open-tickets', '--apply'], WRITER)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(issuePosts() - before).toBe(wouldFile);
    const filed = [a.stdout, b.stdout].map((out) => Number(/filed (\d+),/.exec(out)![1])).sort((x, y) => x - y);
    expect(filed).toEqual([0, wouldFile]);
    expect(a.stdout + b.stdout).toContain(`${sandbox.jira.corp!.url}/browse/${other}-`);
  });

  it('the CLI refuses --apply without --open-tickets', () => {
    expect(() => parseReconcileArgs(['--apply'])).toThrow('--apply, --dry-run and --severity go with --open-tickets');
  });
});
