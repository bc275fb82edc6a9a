import { githubInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { GithubConnector, type GithubConnectorDeps } from '../../connectors/github';
import { buildBatchQuery, githubGraphqlUrl, planBatches } from '../../connectors/github/graphql';
import { generateDemoOrg, type DemoOrg } from '../../sandbox/demo-org';
import { startGithubSandbox, type GithubSandboxOptions } from '../../sandbox/github/server';
import { createGithubStore } from '../../sandbox/github/store';
import type { SandboxServer } from '../../sandbox/mlflow/server';

/**
 * GithubConnector.readBatch against the GitHub sandbox's GraphQL endpoint: the same answers
 * as the REST single-key methods, per-key nulls and errors, the shared cache entries, and
 * the REST fallback without a token.
 */

const TOKEN = 'ghp_sandboxToken0123456789';
const org: DemoOrg = generateDemoOrg();
const store = createGithubStore(org);
const repos = store.repositories;
const withCodeOwners = repos.filter((r) => r.codeOwnersPath !== null);

let servers: SandboxServer[] = [];
let connectors: GithubConnector[] = [];

async function sandbox(options: Partial<GithubSandboxOptions> = {}): Promise<SandboxServer> {
  const server = await startGithubSandbox({ org, instance: 'cloud', auth: { type: 'token', token: TOKEN }, ...options });
  servers.push(server);
  return server;
}

function connect(server: SandboxServer, instance: Record<string, unknown> = {}, deps: Partial<GithubConnectorDeps> = {}): GithubConnector {
  const github = GithubConnector.fromConfig(
    githubInstanceSchema.parse({ name: 'cloud', url: server.url, webUrl: 'https://github.com', auth: { type: 'token', token: TOKEN }, ...instance }),
    { cache: new MemoryCache(), cacheDefaults: { ttlSeconds: 60, staleSeconds: 0 }, clock: { sleep: async () => undefined }, ...deps },
  );
  connectors.push(github);
  return github;
}

afterEach(async () => {
  for (const c of connectors) c.close();
  connectors = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const routes = (server: SandboxServer) => ({ ...server.stats.byRoute });

describe('GitHub batch reads (GraphQL)', () => {
  it('answers repositories, commits and CODEOWNERS as the REST methods do, in one request', async () => {
    const server = await sandbox();
    const batch = connect(server);
    // The REST single-key methods, with the same token and a cache of their own.
    const single = connect(server, {}, { cache: new MemoryCache() });

    const picked = [...repos.slice(0, 12), ...withCodeOwners.filter((r) => r.codeOwnersPath !== '.github/CODEOWNERS').slice(0, 4)];
    const commits = picked.flatMap((r) => r.commits.slice(0, 2).map((c) => ({ fullName: r.fullName, sha: c.sha })));
    server.stats.reset();
    const answer = await batch.readBatch({
      repositories: picked.map((r) => r.fullName),
      commits,
      codeOwners: picked.map((r) => ({ fullName: r.fullName })),
    });
    expect(routes(server)).toEqual({ 'POST /graphql': 1 });

    for (const [i, r] of picked.entries()) {
      expect(answer.repositories[i]).toEqual(await single.getRepository(r.fullName));
      expect(answer.codeOwners[i]).toEqual(await single.getCodeOwnersFile(r.fullName));
    }
    for (const [i, k] of commits.entries()) expect(answer.commits[i]).toEqual(await single.getCommit(k.fullName, k.sha));
    // Author login and email came through.
    const withLogin = answer.commits.find((c) => c && !(c instanceof Error) && c.authorAccount);
    expect(withLogin).toMatchObject({ author: { email: expect.stringContaining('@') }, authorAccount: { tool: 'GITHUB' } });
    // Every location GitHub reads showed up, each as the REST read found it.
    const paths = new Set(answer.codeOwners.map((f) => (f && !(f instanceof Error) ? f.path : null)));
    expect(paths).toEqual(new Set(['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS']));
  });

  it('keeps GitHub\'s CODEOWNERS precedence: .github/ wins over a stale docs/ file', async () => {
    const server = await sandbox();
    const github = connect(server);
    const monorepo = repos.find((r) => r.codeOwnersPath === '.github/CODEOWNERS' && r.files.has('docs/CODEOWNERS'))!;
    const none = repos.find((r) => r.codeOwnersPath === null)!;
    const { codeOwners } = await github.readBatch({ codeOwners: [{ fullName: monorepo.fullName }, { fullName: none.fullName }] });
    expect(codeOwners[0]).toEqual({ path: '.github/CODEOWNERS', ref: monorepo.defaultBranch, content: monorepo.files.get('.github/CODEOWNERS') });
    expect(codeOwners[1]).toBeNull();
  });

  it('answers null for a missing repository or commit without failing its neighbours', async () => {
    const server = await sandbox();
    const github = connect(server);
    const [a, b] = repos;
    const answer = await github.readBatch({
      repositories: [a!.fullName, 'acme-ml/no-such-repository', b!.fullName],
      commits: [
        { fullName: a!.fullName, sha: a!.commits[0]!.sha },
        { fullName: a!.fullName, sha: '0'.repeat(40) },
        { fullName: 'acme-ml/no-such-repository', sha: a!.commits[0]!.sha },
      ],
      codeOwners: [{ fullName: 'acme-ml/no-such-repository' }],
    });
    expect(answer.repositories.map((r) => (r && !(r instanceof Error) ? r.fullName : r))).toEqual([a!.fullName, null, b!.fullName]);
    expect(answer.commits[0]).toMatchObject({ sha: a!.commits[0]!.sha });
    expect(answer.commits.slice(1)).toEqual([null, null]);
    expect(answer.codeOwners).toEqual([null]);
  });

  it('serves a warm batch from the cache with no call, and shares entries with the single-key methods', async () => {
    const server = await sandbox();
    const github = connect(server);
    const [a, b] = repos;
    const request = {
      repositories: [a!.fullName, b!.fullName],
      commits: [{ fullName: a!.fullName, sha: a!.commits[0]!.sha }],
      codeOwners: [{ fullName: a!.fullName }],
    };
    const cold = await github.readBatch(request);
    server.stats.reset();
    expect(await github.readBatch(request)).toEqual(cold);
    // The single-key methods find what the batch stored...
    expect(await github.getRepository(b!.fullName)).toEqual(cold.repositories[1]);
    expect(await github.getCommit(a!.fullName, a!.commits[0]!.sha)).toEqual(cold.commits[0]);
    expect(await github.getCodeOwnersFile(a!.fullName)).toEqual(cold.codeOwners[0]);
    expect(server.stats.total).toBe(0);
    // ...and a batch finds what they stored: only the one new key goes upstream.
    const c = repos[2]!;
    await github.getRepository(c.fullName);
    server.stats.reset();
    await github.readBatch({ repositories: [a!.fullName, c.fullName], commits: [{ fullName: c.fullName, sha: c.commits[0]!.sha }] });
    expect(routes(server)).toEqual({ 'POST /graphql': 1 });
  });

  it('serves stale entries at once and refreshes them with one background query', async () => {
    const server = await sandbox();
    const clock = { now: Date.now() };
    const github = connect(server, {}, {
      cache: new MemoryCache({ now: () => clock.now }),
      cacheDefaults: { ttlSeconds: 60, staleSeconds: 600 },
      clock: { now: () => clock.now, sleep: async () => undefined },
    });
    const request = { repositories: [repos[0]!.fullName], codeOwners: [{ fullName: repos[0]!.fullName }] };
    const cold = await github.readBatch(request);
    clock.now += 120_000;
    server.stats.reset();
    expect(await github.readBatch(request)).toEqual(cold);
    for (let i = 0; i < 100 && server.stats.total === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(server.stats.byRoute).toEqual({ 'POST /graphql': 1 });
    // Refreshed: fresh again, nothing more is asked.
    server.stats.reset();
    await github.readBatch(request);
    expect(server.stats.total).toBe(0);
  });

  it('falls back to REST without a token: GitHub answers no anonymous GraphQL', async () => {
    const server = await sandbox({ auth: undefined });
    const github = connect(server, { auth: { type: 'none' } });
    const [a] = repos;
    const answer = await github.readBatch({ repositories: [a!.fullName], commits: [{ fullName: a!.fullName, sha: a!.commits[0]!.sha }] });
    expect(answer.repositories[0]).toMatchObject({ fullName: a!.fullName });
    expect(answer.commits[0]).toMatchObject({ sha: a!.commits[0]!.sha });
    expect(Object.keys(routes(server)).some((r) => r.includes('graphql'))).toBe(false);
  });

  it('fails every key of a query that fails as a whole, with the source named', async () => {
    const server = await sandbox();
    const github = connect(server, { retry: { maxAttempts: 1 } });
    server.faults.failNext = 1;
    server.faults.failStatus = 502;
    const answer = await github.readBatch({ repositories: [repos[0]!.fullName, repos[1]!.fullName] });
    for (const r of answer.repositories) {
      expect(r).toBeInstanceOf(SourceError);
      expect((r as SourceError).source).toBe('github:cloud');
    }
  });

  it('reports a spent GraphQL budget as SOURCE_RATE_LIMITED, and paces by the graphql resource', async () => {
    const server = await sandbox({ rateLimit: { limit: 1 } });
    const github = connect(server, { rateLimit: { enabled: false } });
    await github.readBatch({ repositories: [repos[0]!.fullName] });
    const answer = await github.readBatch({ repositories: [repos[1]!.fullName] });
    expect(answer.repositories[0]).toBeInstanceOf(SourceError);
    expect((answer.repositories[0] as SourceError).code).toBe(SourceErrorCode.SOURCE_RATE_LIMITED);
  });

  it('bounds each query to 50 repositories, so a 120-repository batch is three requests', async () => {
    const big = generateDemoOrg({ models: 1000 });
    const server = await sandbox({ org: big });
    const github = connect(server);
    const names = createGithubStore(big).repositories.slice(0, 120).map((r) => r.fullName);
    expect(names.length).toBeGreaterThan(100);
    server.stats.reset();
    const answer = await github.readBatch({ repositories: names, codeOwners: names.map((fullName) => ({ fullName })) });
    expect(answer.repositories.every((r) => r && !(r instanceof Error))).toBe(true);
    expect(server.stats.byRoute['POST /graphql']).toBe(Math.ceil(names.length / 50));
  });
});

describe('GitHub batch query text', () => {
  it('sends every value as a variable, never in the query text', () => {
    const { query, variables } = buildBatchQuery([{ owner: 'o"}', name: 'n', commits: ['abc1234'], codeOwnersRefs: ['', 'v1'] }]);
    expect(query).not.toContain('o"}');
    expect(Object.values(variables)).toEqual(expect.arrayContaining(['o"}', 'n', 'abc1234', 'HEAD:.github/CODEOWNERS', 'v1:docs/CODEOWNERS']));
  });

  it('splits a repository with more objects than a query takes across queries', () => {
    const commits = Array.from({ length: 700 }, (_, i) => i.toString(16).padStart(40, '0'));
    const batches = planBatches([{ owner: 'o', name: 'n', commits, codeOwnersRefs: [''] }]);
    expect(batches.length).toBe(3);
    expect(batches.flat().flatMap((r) => r.commits)).toEqual(commits);
    expect(batches.flat().flatMap((r) => r.codeOwnersRefs)).toEqual(['']);
  });

  it('finds GraphQL beside the REST root: /graphql, or /api/graphql on GitHub Enterprise Server', () => {
    expect(githubGraphqlUrl('https://api.github.com')).toBe('https://api.github.com/graphql');
    expect(githubGraphqlUrl('https://ghe.example.com/api/v3/')).toBe('https://ghe.example.com/api/graphql');
  });
});
