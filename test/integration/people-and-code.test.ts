import { canonicalRepoUrl } from '../../connectors/git/repo-url';
import type { Stack } from '../../gateway/stack';
import {
  JIRA_SEED_GAPS,
  SANDBOX_CLOUD_ONLY_MODELS,
  describeSandboxModels,
  startSandbox,
  type DemoModel,
  type DemoRun,
  type Sandbox,
} from '../../sandbox';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';

/**
 * The graph across mlflow + jira + git + inventory over HTTP: owners, repositories,
 * commits and approval tickets of every demo model, against the sandboxes of all five
 * upstreams.
 */

let sandbox: Sandbox;
let stack: Stack;

/** Models the seeded clouds register that no MLflow instance knows. */
const CLOUD_ONLY = SANDBOX_CLOUD_ONLY_MODELS;

beforeAll(async () => {
  sandbox = await startSandbox({ models: 36 });
  const retry = { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20, budgetMs: 1000 };
  stack = await startDemoGraph(sandbox, {
    // No caching, so every query's upstream calls are counted in full.
    cache: { ttlSeconds: 0, staleSeconds: 0 },
    sources: (s) => ({ ...s, jira: s.jira.map((j) => ({ ...j, retry, breaker: { failureThreshold: 100 } })) }),
  });
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

beforeEach(() => {
  for (const s of sandbox.all()) {
    s.faults.down = false;
    s.stats.reset();
  }
});

const graphql = (query: string, variables: Record<string, unknown> = {}) => postGraphql(stack.graphqlUrl, query, variables);

const EVERYTHING = /* GraphQL */ `
  {
    models(first: 100) {
      nodes {
        key
        tickets { id key summary statusCategory modelKeys assignee { id } }
        repository { url fullName host }
        codeOwners { handle kind person { id } }
        mlflowVersions(stage: "Production") {
          version
          run { runId person { id displayName } commit { sha author { id } authorIdentity { email } } }
        }
      }
    }
  }
`;

const demoModel = (key: string): DemoModel => sandbox.org.models.find((m) => m.key === key)!;
const runsOf = (m: DemoModel): DemoRun[] => m.experiments.flatMap((e) => e.runs);
const productionRuns = (m: DemoModel): DemoRun[] =>
  m.registrations
    .flatMap((r) => r.versions)
    .filter((v) => v.stage === 'Production')
    .map((v) => runsOf(m).find((r) => r.id === v.runId)!)
    .filter(Boolean);

describe('owners, code and approvals across tools', () => {
  let body: { data?: any; errors?: any[] };
  let byKey: Map<string, any>;

  beforeAll(async () => {
    body = await graphql(EVERYTHING);
    byKey = new Map(body.data.models.nodes.map((n: any) => [n.key, n]));
  });

  it('answers without errors', () => {
    expect(body.errors).toBeUndefined();
    // Every model of the organisation, and the ones only a cloud registry knows.
    expect([...byKey.keys()].sort()).toEqual([...sandbox.org.models.map((m) => m.key), ...CLOUD_ONLY].sort());
    // The count the demo banner gives is the graph's.
    expect(describeSandboxModels(sandbox.org)).toMatch(new RegExp(`^${byKey.size} models `));
  });

  it("serves the sources' health on the gateway's GET /sources, each source counted once", async () => {
    const res = await fetch(new URL('/sources', stack.graphqlUrl));
    expect(res.status).toBe(200);
    const { sources } = (await res.json()) as { sources: Array<{ name: string; calls: number }> };
    expect(sources.map((s) => s.name)).toEqual(stack.runtime.health.snapshot().map((h) => h.source).sort());
    const recorded = stack.runtime.health.snapshot().find((h) => h.source === 'mlflow:prod')!;
    expect(recorded.calls).toBeGreaterThan(0);
    expect(sources.find((s) => s.name === 'mlflow:prod')!.calls).toBe(recorded.calls);
  });

  it('links each model to its approval tickets, with the seeded gaps', () => {
    expect(byKey.get(JIRA_SEED_GAPS.noTicket).tickets).toEqual([]);
    // In production, but the approval ticket of the production version is not done.
    const risky = demoModel(JIRA_SEED_GAPS.productionNotApproved);
    const inProduction = risky.registrations.flatMap((r) => r.versions).find((v) => v.stage === 'Production')!;
    const approval = byKey
      .get(risky.key)
      .tickets.find((t: any) => t.summary.includes(`${risky.key} v${inProduction.version} `));
    expect(approval).toBeDefined();
    expect(approval.statusCategory).not.toBe('DONE');
    // ...whereas fraud-detector's production version was approved.
    const fraud = demoModel('fraud-detector');
    const fraudProd = fraud.registrations.flatMap((r) => r.versions).find((v) => v.stage === 'Production')!;
    expect(
      byKey.get('fraud-detector').tickets.find((t: any) => t.summary.includes(`v${fraudProd.version} `))?.statusCategory,
    ).toBe('DONE');
    const [a, b] = JIRA_SEED_GAPS.twoModels;
    const shared = byKey.get(a).tickets.filter((t: any) => byKey.get(b).tickets.some((u: any) => u.id === t.id));
    expect(shared).toHaveLength(1);
    expect(shared[0].modelKeys.sort()).toEqual([a, b].sort());
    // Linked by a component, not the configured label rule: invisible to this site's rule.
    expect(byKey.get(JIRA_SEED_GAPS.componentLinked).tickets).toEqual([]);
  });

  it('finds each model\'s repository from the newest version\'s run, however the URL was recorded', () => {
    for (const model of sandbox.org.models) {
      const traceable = runsOf(model).some((r) => r.git);
      const node = byKey.get(model.key);
      if (!traceable) {
        expect(node.repository).toBeNull();
        continue;
      }
      expect(node.repository?.url).toBe(canonicalRepoUrl(model.repository.url));
      expect(node.repository.host).toBe(model.repository.host.toUpperCase());
    }
  });

  it('reads code owners from CODEOWNERS, and has none where the repository has no file', () => {
    expect(byKey.get('fraud-detector').codeOwners.length).toBeGreaterThan(0);
    expect(byKey.get('lead-scorer').codeOwners).toEqual([]);
    expect(byKey.get('causal-uplift-explorer').codeOwners).toEqual([]);
    const users = body.data.models.nodes.flatMap((n: any) => n.codeOwners ?? []).filter((o: any) => o.kind === 'USER');
    expect(users.length).toBeGreaterThan(0);
    // Every user owner resolves to a person by the aliases file (their email), not a login.
    expect(users.filter((o: any) => !o.person.id.includes('@'))).toEqual([]);
  });

  it('follows a production version to the commit it was trained from, and its author', () => {
    let checked = 0;
    for (const model of sandbox.org.models) {
      for (const version of byKey.get(model.key).mlflowVersions) {
        const run = productionRuns(model).find((r) => r.id === version.run.runId)!;
        if (run.git) {
          expect(version.run.commit?.sha).toBe(run.git.commit);
          expect(version.run.commit.author.id).toMatch(/@/);
          checked++;
        } else {
          expect(version.run.commit).toBeNull();
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
    // Every run of address-normalizer is untraceable.
    expect(byKey.get('address-normalizer').mlflowVersions.every((v: any) => v.run.commit === null)).toBe(true);
  });

  it('resolves people across tools: one person for an MLflow user, a Jira assignee and a commit', async () => {
    const person = sandbox.org.people[0];
    // Emails are ids whatever their case.
    const { data } = await graphql(`{ person(id: "${person.email.toUpperCase()}") { id } }`);
    expect(data.person).toEqual({ id: person.email.toLowerCase() });
    const ids = new Set<string>();
    for (const node of body.data.models.nodes) {
      for (const t of node.tickets ?? []) if (t.assignee) ids.add(t.assignee.id);
      for (const v of node.mlflowVersions) if (v.run.person) ids.add(v.run.person.id);
    }
    const emails = new Set(sandbox.org.people.map((p) => p.email.toLowerCase()));
    const unresolved = [...ids].filter((id) => !emails.has(id) && !id.startsWith('svc-') && !id.startsWith('mlflow:'));
    // The aliases file lists everyone: no human stays a bare tool identity.
    expect(unresolved).toEqual([]);

    const { data: described } = await graphql(`{ person(id: "${person.email}") { email displayName identities { tool nativeId } } }`);
    expect(described.person.displayName).toBe(person.displayName);
    expect(described.person.identities).toEqual(
      expect.arrayContaining([
        { tool: 'JIRA', nativeId: person.jiraAccountId },
        { tool: 'GITHUB', nativeId: person.githubLogin },
      ]),
    );
  });

  it('lists a person\'s tickets (through their Jira account id) and runs (through their MLflow user id)', async () => {
    // Someone whose MLflow user id is not their email, so both need the aliases file.
    const person = sandbox.org.people.find(
      (p) => p.mlflowUserId.toLowerCase() !== p.email.toLowerCase(),
    )!;
    const { data, errors } = await graphql(`{
      person(id: "${person.email}") {
        tickets(first: 500) { key assignee { id } reporter { id } }
        runs(first: 500) { runId person { id } }
      }
    }`);
    expect(errors).toBeUndefined();
    const expectedRuns = sandbox.org.models
      .flatMap(runsOf)
      .filter((r) => r.personId === person.id && r.lifecycleStage === 'active' && r.userId === person.mlflowUserId);
    expect(data.person.runs.map((r: any) => r.runId).sort()).toEqual(expectedRuns.map((r) => r.id).sort());
    expect(data.person.runs.every((r: any) => r.person.id === person.email)).toBe(true);
    expect(data.person.tickets.length).toBeGreaterThan(0);
    for (const t of data.person.tickets) {
      expect([t.assignee?.id, t.reporter?.id]).toContain(person.email);
    }
  });

  it('lists the models a person owns, the reverse of Model.codeOwners', async () => {
    const owned = new Map<string, string[]>();
    for (const node of body.data.models.nodes) {
      for (const owner of node.codeOwners ?? []) {
        if (owner.person) owned.set(owner.person.id, [...(owned.get(owner.person.id) ?? []), node.key]);
      }
    }
    expect(owned.size).toBeGreaterThan(0);
    for (const [personId, keys] of owned) {
      const { data, errors } = await graphql(`{ person(id: "${personId}") { ownedModels { key } } }`);
      expect(errors).toBeUndefined();
      expect(data.person.ownedModels.map((m: any) => m.key).sort()).toEqual([...new Set(keys)].sort());
    }
    const { data } = await graphql(`{ person(id: "nobody@acme.io") { ownedModels { key } } }`);
    expect(data.person.ownedModels).toEqual([]);
  });

  it('keeps upstream calls batched: one ticket search, and a few GraphQL queries per git host, not a call per model', async () => {
    for (const s of sandbox.all()) s.stats.reset();
    await graphql(EVERYTHING);
    const routes = (server: { stats: { byRoute: Record<string, number> } }, pattern: RegExp) =>
      Object.entries(server.stats.byRoute)
        .filter(([route]) => pattern.test(route))
        .reduce((n, [, count]) => n + count, 0);

    expect(sandbox.jira.corp.stats.total).toBe(1);

    const github = sandbox.github.cloud;
    const gitlab = sandbox.gitlab.com;
    // Repositories, commits and CODEOWNERS go to GitHub as GraphQL batches, one per git
    // subgraph fetch of the gateway's plan: nothing else, no organisation listing.
    expect(Object.keys(github.stats.byRoute)).toEqual(['POST /graphql']);
    expect(github.stats.total).toBeLessThanOrEqual(3);
    // GitLab: projects and CODEOWNERS by GraphQL, no group listing, no file probes...
    expect(routes(gitlab, /^POST \/api\/graphql$/)).toBeGreaterThan(0);
    expect(routes(gitlab, /^POST \/api\/graphql$/)).toBeLessThanOrEqual(3);
    expect(routes(gitlab, /groups|\/repository\/files\/|^GET \/api\/v4\/projects\/[^/]+$/)).toBe(0);
    // ...and commits one REST call each (GitLab's GraphQL has no commit read by sha).
    const models = sandbox.org.models.filter((m) => m.repository.host === 'gitlab');
    const commits = new Set(models.flatMap(productionRuns).flatMap((r) => (r.git ? [`${r.git.repoUrl}@${r.git.commit}`] : [])));
    expect(routes(gitlab, /\/repository\/commits\/[0-9a-f]{40}$/)).toBeLessThanOrEqual(commits.size);
  });

  it('when Jira is down, tickets fail with the source named and everything else is answered', async () => {
    sandbox.jira.corp.faults.down = true;
    const down = await graphql(EVERYTHING);
    const jiraErrors = (down.errors ?? []).filter((e: any) => e.extensions?.source === 'jira:corp');
    expect(jiraErrors.length).toBeGreaterThan(0);
    expect(jiraErrors[0].extensions.code).toBe('SOURCE_UNAVAILABLE');
    expect((down.errors ?? []).filter((e: any) => e.extensions?.source !== 'jira:corp')).toEqual([]);
    const nodes = down.data.models.nodes;
    expect(nodes).toHaveLength(sandbox.org.models.length + CLOUD_ONLY.length);
    expect(nodes.every((n: any) => n.tickets === null)).toBe(true);
    expect(nodes.find((n: any) => n.key === 'fraud-detector').repository.url).toBe('https://github.com/acme-ml/fraud-detector');
    expect(nodes.find((n: any) => n.key === 'fraud-detector').mlflowVersions[0].run.commit.sha).toMatch(/^[0-9a-f]{40}$/);
  });
});
