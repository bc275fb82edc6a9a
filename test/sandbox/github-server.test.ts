import { githubInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { ownersOf, parseCodeOwners } from '../../connectors/git/codeowners';
import { GithubConnector, type GithubConnectorDeps } from '../../connectors/github';
import { generateDemoOrg, type DemoOrg, type DemoPerson } from '../../sandbox/demo-org';
import { createGithubStore } from '../../sandbox/github/store';
import { startGithubSandbox, type GithubSandboxOptions } from '../../sandbox/github/server';
import type { SandboxServer } from '../../sandbox/mlflow/server';

/**
 * The GitHub sandbox seeded from the demo org, checked over HTTP with the GitHub connector
 * (as the gateway uses it) and with plain fetch where the wire itself is the point.
 */

const TOKEN = 'ghp_sandboxToken0123456789';
const org: DemoOrg = generateDemoOrg();
const people = new Map(org.people.map((p) => [p.id, p]));
const githubModels = org.models.filter((m) => m.repository.host === 'github');
const repoNames = [...new Set(githubModels.map((m) => m.repository.fullName))].sort();

let servers: SandboxServer[] = [];
let connectors: GithubConnector[] = [];

async function sandbox(options: Partial<GithubSandboxOptions> = {}): Promise<SandboxServer> {
  const server = await startGithubSandbox({ org, instance: 'cloud', ...options });
  servers.push(server);
  return server;
}

function connect(
  server: SandboxServer,
  instance: Record<string, unknown> = {},
  deps: Partial<GithubConnectorDeps> = {},
): GithubConnector {
  const github = GithubConnector.fromConfig(
    githubInstanceSchema.parse({ name: 'cloud', url: server.url, webUrl: 'https://github.com', ...instance }),
    { cache: new MemoryCache(), cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 }, clock: { sleep: async () => undefined }, ...deps },
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

/** Every git commit MLflow recorded on a GitHub repository, with the runs that used it. */
function recordedCommits(): Map<string, { fullName: string; runs: Array<{ start: number; personId: string | null }>; ownerId: string | null }> {
  const out = new Map<string, { fullName: string; runs: Array<{ start: number; personId: string | null }>; ownerId: string | null }>();
  for (const model of githubModels) {
    for (const run of model.experiments.flatMap((e) => e.runs)) {
      if (!run.git) continue;
      const entry = out.get(run.git.commit) ?? { fullName: model.repository.fullName, runs: [], ownerId: model.ownerId };
      entry.runs.push({ start: run.startTime, personId: run.personId });
      out.set(run.git.commit, entry);
    }
  }
  return out;
}

describe('GitHub sandbox: seeding', () => {
  it('is deterministic: the same org gives the same repositories, commits and files', () => {
    const a = createGithubStore(org);
    const b = createGithubStore(generateDemoOrg());
    expect(b.repositories).toEqual(a.repositories);
    expect(b.personalEmails).toEqual(a.personalEmails);
    expect(b.repositoriesWithoutCodeOwners).toEqual(a.repositoriesWithoutCodeOwners);
  });

  it('has one repository per GitHub repository of the models, the monorepo shared by several models', () => {
    const store = createGithubStore(org);
    expect(store.repositories.map((r) => r.fullName)).toEqual(repoNames);
    const shared = store.repositories.filter((r) => r.models.length > 1);
    expect(shared.length).toBeGreaterThanOrEqual(1);
    for (const repo of store.repositories) {
      const model = githubModels.find((m) => m.repository.fullName === repo.fullName)!;
      expect(repo.defaultBranch).toBe(model.repository.defaultBranch);
    }
  });
});

describe('GitHub sandbox: the connector against it', () => {
  it('lists the org repositories through Link pagination, sorted by full name', async () => {
    const server = await sandbox();
    const github = connect(server, {}, { pageSizes: { orgRepositories: 5 } });

    const repositories = await github.listOrgRepositories(org.githubOrg);

    expect(repositories.map((r) => r.fullName)).toEqual(repoNames);
    // One request per page of 5, the later ones through the Link header's /organizations/{id} URLs.
    const pages = Math.ceil(repoNames.length / 5);
    expect(server.stats.byRoute[`GET /orgs/${org.githubOrg}/repos`]).toBe(1);
    const linked = Object.entries(server.stats.byRoute).filter(([route]) => /^GET \/organizations\/\d+\/repos$/.test(route));
    expect(linked.map(([, n]) => n)).toEqual([pages - 1]);
  });

  it('serves each repository with its default branch, description, topics and visibility', async () => {
    const server = await sandbox();
    const github = connect(server);
    const store = createGithubStore(org);

    for (const expected of store.repositories) {
      const repo = await github.getRepository(expected.fullName);
      expect(repo).toMatchObject({
        url: `https://github.com/${expected.fullName}`.toLowerCase(),
        fullName: expected.fullName,
        defaultBranch: expected.defaultBranch,
        description: expected.description,
        topics: expected.topics,
        visibility: expected.visibility.toUpperCase(),
        archived: false,
      });
    }
    expect(new Set(store.repositories.map((r) => r.visibility))).toEqual(new Set(['public', 'private', 'internal']));
  });

  it('serves every commit MLflow runs recorded, by the person who ran it, before the run started', async () => {
    const server = await sandbox();
    const github = connect(server);
    const store = createGithubStore(org);
    const commits = recordedCommits();
    expect(commits.size).toBeGreaterThan(20);

    for (const [sha, recorded] of commits) {
      const commit = await github.getCommit(recorded.fullName, sha);
      expect(commit).not.toBeNull();
      const firstStart = Math.min(...recorded.runs.map((r) => r.start));
      expect(Date.parse(commit!.authoredAt!)).toBeLessThan(firstStart);
      expect(Date.parse(commit!.committedAt!)).toBeLessThan(firstStart);
      // The author is the person of the earliest run a person started (else the model's owner).
      const byPerson = [...recorded.runs].sort((a, b) => a.start - b.start).find((r) => r.personId);
      const author = people.get(byPerson?.personId ?? recorded.ownerId ?? '');
      if (!author) continue;
      expect(commit!.authorAccount).toEqual({ tool: 'GITHUB', instance: 'cloud', nativeId: author.githubLogin, email: null, displayName: null });
      expect(commit!.author).toMatchObject({ tool: 'GIT', displayName: author.displayName });
      expect(commit!.author!.email).toBe(store.personalEmails.get(author.id) ?? author.email);
      expect(commit!.repositoryUrl).toBe(`https://github.com/${recorded.fullName}`);
    }
  });

  it('has exactly one person committing with a personal email, still linked to their login', async () => {
    const server = await sandbox();
    const github = connect(server);
    const store = createGithubStore(org);
    expect(store.personalEmails.size).toBe(1);
    const [[personId, personal]] = [...store.personalEmails.entries()] as [[string, string]];
    const person = people.get(personId) as DemoPerson;
    expect(personal).not.toBe(person.email);

    const theirs = [...recordedCommits()].filter(([sha]) => {
      const repo = store.repositories.find((r) => r.bySha.has(sha))!;
      return repo.bySha.get(sha)!.authorLogin === person.githubLogin;
    });
    expect(theirs.length).toBeGreaterThanOrEqual(2);
    for (const [sha, recorded] of theirs) {
      const commit = await github.getCommit(recorded.fullName, sha);
      expect(commit?.author).toMatchObject({ nativeId: personal, email: personal, displayName: person.displayName });
      expect(commit?.authorAccount?.nativeId).toBe(person.githubLogin);
    }
  });

  it('answers the latest commit of the default branch and of a feature branch', async () => {
    const server = await sandbox();
    const github = connect(server);
    const store = createGithubStore(org);
    for (const repo of store.repositories) {
      const latest = await github.getLatestCommit(repo.fullName);
      expect(latest?.sha).toBe(repo.heads.get(repo.defaultBranch)!.sha);
    }
    const withBranch = store.repositories.find((r) => [...r.heads.keys()].some((b) => b !== r.defaultBranch))!;
    const branch = [...withBranch.heads.keys()].find((b) => b !== withBranch.defaultBranch)!;
    await expect(github.getLatestCommit(withBranch.fullName, branch)).resolves.toMatchObject({ sha: withBranch.heads.get(branch)!.sha });
    await expect(github.getLatestCommit(withBranch.fullName, 'no-such-branch')).resolves.toBeNull();
    await expect(github.getCommit(withBranch.fullName, 'f'.repeat(40))).resolves.toBeNull();
    await expect(github.getRepository(`${org.githubOrg}/no-such-repo`)).resolves.toBeNull();
  });

  it('has CODEOWNERS in all three locations, and deliberately one repository with none', async () => {
    const server = await sandbox();
    const github = connect(server);
    const found = new Map<string, string | null>();
    for (const name of repoNames) found.set(name, (await github.getCodeOwnersFile(name))?.path ?? null);

    expect(new Set(found.values())).toEqual(new Set(['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS', null]));
    const missing = [...found].filter(([, path]) => path === null).map(([name]) => name);
    expect(missing).toEqual(createGithubStore(org).repositoriesWithoutCodeOwners);
    expect(missing).toHaveLength(1);
    // The model nobody owns is the one without code owners.
    expect(githubModels.find((m) => m.repository.fullName === missing[0])?.ownerId).toBeNull();
  });

  it('serves the monorepo’s .github/CODEOWNERS over its stale docs/CODEOWNERS, with last-match-wins rules', async () => {
    const server = await sandbox();
    const github = connect(server);
    const monorepo = githubModels.find((m) => m.repository.path)!;
    const shared = githubModels.filter((m) => m.repository.fullName === monorepo.repository.fullName);

    const file = await github.getCodeOwnersFile(monorepo.repository.fullName);
    expect(file?.path).toBe('.github/CODEOWNERS');
    expect(file?.ref).toBe(monorepo.repository.defaultBranch);
    const rules = parseCodeOwners(file!.content, 'github');
    expect(rules.errors).toEqual([]);
    const team = `@${org.githubOrg}/${monorepo.team}`;
    for (const model of shared) {
      const owner = model.ownerId ? `@${people.get(model.ownerId)!.githubLogin}` : undefined;
      // The model's folder rule comes after /models/ and wins over it ...
      expect(ownersOf(rules, `${model.repository.path}/train.py`)).toEqual(owner ? [team, owner] : [team]);
      // ... and the pipelines rule after it wins in turn.
      expect(ownersOf(rules, `${model.repository.path}/pipelines/train.py`)).toEqual([`@${org.githubOrg}/ml-platform`]);
    }
    expect(ownersOf(rules, 'README.md')).toEqual([team]);
    // The file GitHub ignores is there all the same.
    const stale = await fetch(`${server.url}/repos/${monorepo.repository.fullName}/contents/docs/CODEOWNERS`);
    expect(stale.status).toBe(200);
  });

  it('writes single-repository CODEOWNERS with team and user owners, comments and overriding rules', async () => {
    const server = await sandbox();
    const github = connect(server);
    const model = githubModels.find((m) => !m.repository.path && m.ownerId && m.team !== 'ml-platform')!;
    const file = await github.getCodeOwnersFile(model.repository.fullName);
    const rules = parseCodeOwners(file!.content, 'github');
    const team = `@${org.githubOrg}/${model.team}`;
    expect(file!.content).toMatch(/^# Code owners for /);
    expect(ownersOf(rules, 'src/model.py')).toEqual([team, `@${people.get(model.ownerId!)!.githubLogin}`]);
    expect(ownersOf(rules, 'pipelines/train.py')).toEqual([`@${org.githubOrg}/ml-platform`]);
    expect(ownersOf(rules, 'notes.txt')).toEqual([team]);
  });
});

describe('GitHub sandbox: the wire', () => {
  const repoPath = () => `/repos/${repoNames[0]}`;

  it('sends an ETag and x-ratelimit-* on a 200, and a 304 for If-None-Match that is not counted', async () => {
    const now = Date.UTC(2025, 5, 1, 12, 0, 0);
    const server = await sandbox({ now: () => now });

    const first = await fetch(`${server.url}${repoPath()}`);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect({
      limit: first.headers.get('x-ratelimit-limit'),
      remaining: first.headers.get('x-ratelimit-remaining'),
      used: first.headers.get('x-ratelimit-used'),
      reset: first.headers.get('x-ratelimit-reset'),
      resource: first.headers.get('x-ratelimit-resource'),
    }).toEqual({ limit: '5000', remaining: '4999', used: '1', reset: String(Math.floor(now / 1000) + 3600), resource: 'core' });

    const again = await fetch(`${server.url}${repoPath()}`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('x-ratelimit-remaining')).toBe('4999');

    const weak = await fetch(`${server.url}${repoPath()}`, { headers: { 'If-None-Match': `"other", W/${etag}` } });
    expect(weak.status).toBe(304);
  });

  it('lets the connector revalidate with 304s that cost no rate limit', async () => {
    let now = Date.UTC(2025, 5, 1, 12, 0, 0);
    const server = await sandbox({ now: () => now });
    const github = connect(server, {}, { cacheDefaults: { ttlSeconds: 60, staleSeconds: 60 }, clock: { now: () => now, sleep: async () => undefined } });
    const first = await github.getRepository(repoNames[0]!);

    now += 600_000;
    await expect(github.getRepository(repoNames[0]!)).resolves.toEqual(first);
    const rate = await fetch(`${server.url}/rate_limit`);
    expect(((await rate.json()) as { resources: { core: { used: number } } }).resources.core.used).toBe(1);
    expect(server.stats.byRoute[`GET ${repoPath()}`]).toBe(2);
  });

  it('answers 403 with x-ratelimit-remaining 0 once the budget is spent; the connector reports SOURCE_RATE_LIMITED', async () => {
    const now = Date.UTC(2025, 5, 1, 12, 0, 0);
    const server = await sandbox({ now: () => now, rateLimit: { limit: 3 } });
    for (const remaining of ['2', '1', '0']) {
      const res = await fetch(`${server.url}${repoPath()}`);
      expect(res.headers.get('x-ratelimit-remaining')).toBe(remaining);
    }
    const limited = await fetch(`${server.url}${repoPath()}`);
    expect(limited.status).toBe(403);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(((await limited.json()) as { message: string }).message).toMatch(/^API rate limit exceeded/);
    // /rate_limit is free, even now.
    expect((await fetch(`${server.url}/rate_limit`)).status).toBe(200);

    const github = connect(server, {}, { clock: { now: () => now, sleep: async () => undefined } });
    const err = await github.getRepository(repoNames[0]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_RATE_LIMITED, status: 403, retryAfterMs: 3_601_000 });
  });

  it('with auth: 401 Bad credentials for a wrong token; anonymous callers see public repositories only, at 60 an hour', async () => {
    const server = await sandbox({ auth: { type: 'token', token: TOKEN } });
    const store = createGithubStore(org);
    const privateRepo = store.repositories.find((r) => r.visibility === 'private')!;
    const publicRepo = store.repositories.find((r) => r.visibility === 'public')!;

    const bad = await fetch(`${server.url}/repos/${privateRepo.fullName}`, { headers: { Authorization: 'Bearer wrong' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });

    const anonymous = await fetch(`${server.url}/repos/${privateRepo.fullName}`);
    expect(anonymous.status).toBe(404);
    expect(await anonymous.json()).toMatchObject({ message: 'Not Found', status: '404' });
    expect(anonymous.headers.get('x-ratelimit-limit')).toBe('60');
    expect((await fetch(`${server.url}/repos/${publicRepo.fullName}`)).status).toBe(200);

    const good = connect(server, { auth: { type: 'token', token: TOKEN } });
    await expect(good.getRepository(privateRepo.fullName)).resolves.toMatchObject({ visibility: 'PRIVATE' });
    await expect(good.health()).resolves.toBeUndefined();
    const wrong = connect(server, { auth: { type: 'token', token: 'ghp_wrong' } });
    await expect(wrong.health()).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_UNAUTHENTICATED, status: 401 });
  });

  it('lists a directory, and serves a file raw when asked for the raw media type', async () => {
    const server = await sandbox();
    const root = await fetch(`${server.url}/repos/${repoNames[0]}/contents/`);
    const entries = (await root.json()) as Array<{ name: string; type: string }>;
    expect(entries.find((e) => e.name === 'README.md')).toMatchObject({ type: 'file' });
    const raw = await fetch(`${server.url}/repos/${repoNames[0]}/contents/README.md`, {
      headers: { Accept: 'application/vnd.github.raw+json' },
    });
    expect(raw.headers.get('content-type')).toBe('application/vnd.github.raw; charset=utf-8');
    expect(await raw.text()).toMatch(/^# /);
  });
});

describe('GitHub sandbox: GitHub Enterprise Server mode', () => {
  it('serves the API under /api/v3 without rate limiting, and links to its own host', async () => {
    const server = await sandbox({ enterprise: true });
    const github = connect(server, { url: `${server.url}/api/v3`, webUrl: undefined }, { pageSizes: { orgRepositories: 10 } });
    const host = new URL(server.url).hostname;

    expect(github.webOrigin).toBe(server.url);
    await expect(github.health()).resolves.toBeUndefined();
    const repositories = await github.listOrgRepositories(org.githubOrg);
    expect(repositories.map((r) => r.fullName)).toEqual(repoNames);
    expect(repositories[0]!.url).toBe(`https://${host}/${repoNames[0]}`.toLowerCase());
    expect(repositories[0]!.source.url).toBe(`${server.url}/${repoNames[0]}`);

    const res = await fetch(`${server.url}/api/v3/repos/${repoNames[0]}`);
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    expect((await fetch(`${server.url}/repos/${repoNames[0]}`)).status).toBe(404);
    const rate = await fetch(`${server.url}/api/v3/rate_limit`);
    expect(rate.status).toBe(404);
    expect(await rate.json()).toMatchObject({ message: 'Rate limiting is not enabled.' });
  });
});
