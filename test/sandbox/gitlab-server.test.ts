import { createHash } from 'node:crypto';
import { gitlabInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { ownersOf, parseCodeOwners } from '../../connectors/git/codeowners';
import { canonicalRepoUrl, parseRepoUrl } from '../../connectors/git/repo-url';
import { GitlabConnector } from '../../connectors/gitlab';
import type { GitlabCommitDetail, GitlabProject, GitlabRepositoryFile } from '../../connectors/gitlab/types';
import { generateDemoOrg, type DemoPerson, type DemoRun } from '../../sandbox/demo-org';
import { startGitlabSandbox, type GitlabAuth } from '../../sandbox/gitlab/server';
import { createGitlabStore } from '../../sandbox/gitlab/store';
import type { SandboxServer } from '../../sandbox/mlflow/server';

const org = generateDemoOrg();
const TOKEN = 'glpat-sandbox-0123456789';
const AUTH = { 'PRIVATE-TOKEN': TOKEN };
const people = new Map(org.people.map((p) => [p.id, p]));

/** The org's GitLab repositories, and the runs that trained from each. */
const gitlabRepos = [...new Set(org.models.filter((m) => m.repository.host === 'gitlab').map((m) => m.repository.fullName))].sort();
const gitlabRuns: Array<{ run: DemoRun; fullName: string }> = org.models
  .filter((m) => m.repository.host === 'gitlab')
  .flatMap((m) => m.experiments.flatMap((e) => e.runs.filter((r) => r.git).map((run) => ({ run, fullName: m.repository.fullName }))));

let server: SandboxServer;
let api: string;

beforeAll(async () => {
  server = await startGitlabSandbox({ org, instance: 'com', auth: { type: 'privateToken', token: TOKEN } });
  api = `${server.url}/api/v4`;
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.faults.failRate = 0;
  server.faults.failStatus = 503;
  delete server.faults.retryAfterSeconds;
});

async function get<T = unknown>(
  path: string,
  headers: Record<string, string> = AUTH,
  base = api,
): Promise<{ status: number; body: T; text: string; headers: Headers }> {
  const res = await fetch(`${base}${path}`, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text (429) or HTML
  }
  return { status: res.status, body: body as T, text, headers: res.headers };
}

const enc = encodeURIComponent;

function connector(options: { auth?: GitlabAuth | { type: 'none' }; pageSize?: number; retry?: Record<string, number> } = {}) {
  const waits: number[] = [];
  const config = gitlabInstanceSchema.parse({
    name: 'com',
    url: server.url,
    auth: options.auth ?? { type: 'privateToken', token: TOKEN },
    retry: options.retry,
  });
  // The sandbox stands in for gitlab.com: its links say https://gitlab.com, where the org's code lives.
  const gitlab = GitlabConnector.fromConfig(
    { ...config, webUrl: 'https://gitlab.com' },
    {
      cache: new MemoryCache(),
      cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
      pageSize: options.pageSize,
      clock: { sleep: async (ms) => void waits.push(ms) },
    },
  );
  return { gitlab, waits };
}

function personalEmail(p: DemoPerson): string {
  const [first, last] = p.id.split('.');
  return `${first}.${last!.charAt(0)}@gmail.com`;
}

describe('projects', () => {
  it('serves every GitLab repository of the org in GitLab\'s project shape', async () => {
    expect(gitlabRepos.length).toBeGreaterThan(5);
    for (const fullName of gitlabRepos) {
      const { status, body } = await get<GitlabProject>(`/projects/${enc(fullName)}`);
      expect(status).toBe(200);
      const model = org.models.find((m) => m.repository.fullName === fullName)!;
      expect(body).toMatchObject({
        path_with_namespace: fullName,
        default_branch: 'main',
        web_url: model.repository.url,
        http_url_to_repo: `${model.repository.url}.git`,
        ssh_url_to_repo: `git@gitlab.com:${fullName}.git`,
        namespace: { kind: 'group', full_path: fullName.slice(0, fullName.lastIndexOf('/')) },
      });
      expect(['public', 'internal', 'private']).toContain(body.visibility);
      expect(body.topics).toEqual(body.tag_list);
      expect(body.topics).toContain('machine-learning');
      // Numeric ids work as well as paths.
      expect((await get<GitlabProject>(`/projects/${body.id}`)).body.path_with_namespace).toBe(fullName);
    }
  });

  it('answers GitLab\'s 404s: an unknown project, and an unknown route', async () => {
    expect(await get(`/projects/${enc('acme-data/nope/nothing')}`)).toMatchObject({ status: 404, body: { message: '404 Project Not Found' } });
    // A raw slash in `:id` matches no route, as on GitLab.
    expect(await get(`/projects/${gitlabRepos[0]}`)).toMatchObject({ status: 404, body: { error: '404 Not Found' } });
  });

  it('shows anonymous callers public projects only, answering 404 for the others, and keeps /version for users', async () => {
    const store = createGitlabStore(org);
    const pub = store.projects.find((p) => p.visibility === 'public')!;
    const hidden = store.projects.find((p) => p.visibility !== 'public')!;
    expect((await get(`/projects/${enc(pub.fullName)}`, {})).status).toBe(200);
    expect(await get(`/projects/${enc(hidden.fullName)}`, {})).toMatchObject({ status: 404, body: { message: '404 Project Not Found' } });
    expect(await get('/version', {})).toMatchObject({ status: 401, body: { message: '401 Unauthorized' } });
    expect(await get('/version')).toMatchObject({ status: 200, body: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });
  });

  it('refuses a wrong token with 401 on every endpoint, and takes an access token as Bearer or ?private_token= too', async () => {
    const path = `/projects/${enc(gitlabRepos[0]!)}`;
    expect(await get(path, { 'PRIVATE-TOKEN': 'glpat-wrong' })).toMatchObject({ status: 401, body: { message: '401 Unauthorized' } });
    expect((await get(path, { Authorization: 'Bearer glpat-wrong' })).status).toBe(401);
    expect((await get(path, { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get(`${path}?private_token=${TOKEN}`, {})).status).toBe(200);
  });

  it('takes an OAuth token only as Bearer', async () => {
    const oauth = await startGitlabSandbox({ org, instance: 'oauth', auth: { type: 'bearer', token: 'oauth-abc' } });
    try {
      const path = `${oauth.url}/api/v4/version`;
      expect((await fetch(path, { headers: { Authorization: 'Bearer oauth-abc' } })).status).toBe(200);
      expect((await fetch(path, { headers: { 'PRIVATE-TOKEN': 'oauth-abc' } })).status).toBe(401);
    } finally {
      await oauth.close();
    }
  });
});

describe('group projects and pagination', () => {
  it('pages through a group and its subgroups with x-next-page, x-total and Link, as documented', async () => {
    const names: string[] = [];
    let page: string | null = '1';
    let pages = 0;
    while (page) {
      const { status, body, headers }: { status: number; body: GitlabProject[]; headers: Headers } = await get(
        `/groups/acme-data/projects?include_subgroups=true&order_by=id&sort=asc&per_page=4&page=${page}`,
      );
      expect(status).toBe(200);
      pages++;
      names.push(...body.map((p) => p.path_with_namespace!));
      expect(headers.get('x-page')).toBe(String(pages));
      expect(headers.get('x-per-page')).toBe('4');
      expect(headers.get('x-total')).toBe(String(gitlabRepos.length));
      expect(headers.get('x-total-pages')).toBe(String(Math.ceil(gitlabRepos.length / 4)));
      expect(headers.get('link')).toContain('rel="first"');
      page = headers.get('x-next-page') || null;
      if (page) expect(headers.get('link')).toMatch(new RegExp(`[?&]page=${page}&per_page=4>; rel="next"`));
      else expect(headers.get('link')).not.toContain('rel="next"');
    }
    expect(pages).toBe(Math.ceil(gitlabRepos.length / 4));
    expect(names).toEqual(gitlabRepos);
  });

  it('leaves subgroup projects out unless include_subgroups=true, and lists a subgroup by its encoded path', async () => {
    expect((await get<GitlabProject[]>('/groups/acme-data/projects')).body).toEqual([]);
    const sub = await get<GitlabProject[]>(`/groups/${enc('acme-data/supply-chain')}/projects?per_page=100`);
    expect(sub.body.map((p) => p.path_with_namespace).sort()).toEqual(gitlabRepos.filter((n) => n.startsWith('acme-data/supply-chain/')));
    expect(await get('/groups/nobody/projects')).toMatchObject({ status: 404, body: { message: '404 Group Not Found' } });
  });

  it('caps per_page at 100 and refuses what is not a number', async () => {
    const { headers } = await get('/groups/acme-data/projects?include_subgroups=true&per_page=500');
    expect(headers.get('x-per-page')).toBe('100');
    expect(await get('/groups/acme-data/projects?per_page=lots')).toMatchObject({ status: 400, body: { error: 'per_page is invalid' } });
  });

  it('lists only public projects, in simple form, to anonymous callers', async () => {
    const { body } = await get<GitlabProject[]>('/groups/acme-data/projects?include_subgroups=true', {});
    expect(body.length).toBeGreaterThan(0);
    for (const p of body) {
      expect(p.visibility).toBeUndefined();
      expect(createGitlabStore(org).findProject(p.path_with_namespace!)!.visibility).toBe('public');
    }
  });
});

describe('commits', () => {
  it('has every commit a run recorded on GitLab, written by whoever ran it before the run started', async () => {
    expect(gitlabRuns.length).toBeGreaterThan(20);
    const seen = new Set<string>();
    for (const { run, fullName } of gitlabRuns) {
      const sha = run.git!.commit;
      const { status, body } = await get<GitlabCommitDetail>(`/projects/${enc(fullName)}/repository/commits/${sha}`);
      expect(status).toBe(200);
      expect(body.id).toBe(sha);
      expect(body.short_id).toBe(sha.slice(0, 8));
      expect(body.web_url).toBe(`https://gitlab.com/${fullName}/-/commit/${sha}`);
      expect(body.message!.startsWith(body.title!)).toBe(true);
      expect(Date.parse(body.authored_date!)).toBeLessThan(run.startTime);
      expect(Date.parse(body.committed_date!)).toBeGreaterThanOrEqual(Date.parse(body.authored_date!));
      expect(Date.parse(body.committed_date!)).toBeLessThan(run.startTime);
      expect(body.created_at).toBe(body.committed_date);
      const person = run.personId ? people.get(run.personId)! : undefined;
      if (person && !seen.has(sha)) {
        // The first run of a commit is its author's (later runs may retrain someone else's commit).
        const firstRun = gitlabRuns.filter((r) => r.run.git!.commit === sha).sort((a, b) => a.run.startTime - b.run.startTime)[0]!.run;
        if (firstRun === run) {
          expect(body.author_name).toBe(person.displayName);
          expect([person.email, personalEmail(person)]).toContain(body.author_email);
          if (run.git!.branch === 'main') expect(body.author_email).toBe(person.email);
        }
      }
      if (!person) expect(org.people.map((p) => p.email).concat(org.people.map(personalEmail))).toContain(body.author_email);
      seen.add(sha);
    }
  });

  it('has someone commit from a personal address on a topic branch, so one person shows two git identities', () => {
    const store = createGitlabStore(org);
    const personal = store.projects.flatMap((p) => [...p.commits.values()]).filter((c) => c.dto.author_email!.endsWith('@gmail.com'));
    expect(personal.length).toBeGreaterThan(0);
    expect(personal.every((c) => c.branch !== 'main')).toBe(true);
  });

  it('lists a branch newest first, paged, without x-total (the Commits API leaves it out)', async () => {
    const fullName = gitlabRepos.find((n) => createGitlabStore(org).findProject(n)!.branches.get('main')!.length >= 3)!;
    const { body, headers } = await get<GitlabCommitDetail[]>(`/projects/${enc(fullName)}/repository/commits?ref_name=main&per_page=2`);
    expect(body).toHaveLength(2);
    expect(Date.parse(body[0]!.committed_date!)).toBeGreaterThanOrEqual(Date.parse(body[1]!.committed_date!));
    expect(body[0]!.parent_ids).toEqual([body[1]!.id]);
    expect(body[0]).not.toHaveProperty('stats');
    expect(headers.get('x-next-page')).toBe('2');
    expect(headers.get('x-total')).toBeNull();
    expect(headers.get('link')).not.toContain('rel="last"');
    // No ref_name: the default branch.
    expect((await get<GitlabCommitDetail[]>(`/projects/${enc(fullName)}/repository/commits?per_page=1`)).body[0]!.id).toBe(body[0]!.id);
    expect((await get<GitlabCommitDetail[]>(`/projects/${enc(fullName)}/repository/commits?ref_name=no-such-branch`)).body).toEqual([]);
  });

  it('resolves an abbreviated sha or a branch name, and answers 404 Commit Not Found otherwise', async () => {
    const { run, fullName } = gitlabRuns[0]!;
    const sha = run.git!.commit;
    expect((await get<GitlabCommitDetail>(`/projects/${enc(fullName)}/repository/commits/${sha.slice(0, 10)}`)).body.id).toBe(sha);
    expect((await get<GitlabCommitDetail>(`/projects/${enc(fullName)}/repository/commits/main`)).status).toBe(200);
    expect((await get<GitlabCommitDetail>(`/projects/${enc(fullName)}/repository/commits/${sha}?stats=false`)).body).not.toHaveProperty('stats');
    expect(await get(`/projects/${enc(fullName)}/repository/commits/${'0'.repeat(40)}`)).toMatchObject({
      status: 404,
      body: { message: '404 Commit Not Found' },
    });
  });
});

describe('repository files and CODEOWNERS', () => {
  const store = createGitlabStore(org);

  it('requires ref, and tells a missing ref from a missing file', async () => {
    const p = store.projects.find((x) => x.codeownersPath === 'CODEOWNERS')!;
    const base = `/projects/${enc(p.fullName)}/repository/files/CODEOWNERS`;
    expect(await get(base)).toMatchObject({ status: 400, body: { error: 'ref is missing' } });
    expect(await get(`${base}?ref=`)).toMatchObject({ status: 400, body: { error: 'ref is empty' } });
    expect(await get(`${base}?ref=no-such-branch`)).toMatchObject({ status: 404, body: { message: '404 Commit Not Found' } });
    expect(await get(`/projects/${enc(p.fullName)}/repository/files/${enc('docs/NOPE')}?ref=main`)).toMatchObject({
      status: 404,
      body: { message: '404 File Not Found' },
    });
  });

  it('serves a file base64-encoded with git\'s blob id, its sha256 and the X-Gitlab-* headers', async () => {
    const p = store.projects.find((x) => x.codeownersPath === '.gitlab/CODEOWNERS')!;
    const { status, body, headers } = await get<GitlabRepositoryFile>(`/projects/${enc(p.fullName)}/repository/files/${enc('.gitlab/CODEOWNERS')}?ref=HEAD`);
    expect(status).toBe(200);
    const content = Buffer.from(body.content!, 'base64');
    expect(body).toMatchObject({ file_name: 'CODEOWNERS', file_path: '.gitlab/CODEOWNERS', encoding: 'base64', ref: 'HEAD', size: content.length });
    expect(body.blob_id).toBe(createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex'));
    expect(body.content_sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(body.commit_id).toBe(p.branches.get('main')!.at(-1)!.sha);
    expect(headers.get('x-gitlab-blob-id')).toBe(body.blob_id);
    expect(headers.get('x-gitlab-file-path')).toBe('.gitlab/CODEOWNERS');
  });

  it('puts CODEOWNERS in every documented location, leaves one project without any, and gives one project two', () => {
    const where = store.projects.map((p) => p.codeownersPath);
    expect(where.filter((w) => w === null)).toHaveLength(1);
    expect(new Set(where.filter(Boolean))).toEqual(new Set(['CODEOWNERS', 'docs/CODEOWNERS', '.gitlab/CODEOWNERS']));
    const two = store.projects.filter((p) => p.files.has('docs/CODEOWNERS') && p.files.has('.gitlab/CODEOWNERS'));
    expect(two).toHaveLength(1);
    expect(two[0]!.codeownersPath).toBe('docs/CODEOWNERS');
    // .github/CODEOWNERS is GitHub's location, not GitLab's.
    expect(store.projects.some((p) => p.files.has('.github/CODEOWNERS'))).toBe(false);
  });

  it('writes CODEOWNERS in GitLab syntax: sections, an optional one, approvals, default owners, a later rule winning', () => {
    const p = store.projects.find((x) => x.codeownersPath === 'CODEOWNERS' && !x.archived)!;
    const parsed = parseCodeOwners(p.files.get('CODEOWNERS')!.content, 'gitlab');
    expect(parsed.errors).toEqual([]);
    const byName = new Map(parsed.sections.map((s) => [s.name, s]));
    expect(byName.get('Model')).toMatchObject({ optional: false, approvals: 2 });
    expect(byName.get('Model')!.defaultOwners).toHaveLength(2);
    expect(byName.get('Documentation')).toMatchObject({ optional: true, approvals: 1 });
    const [owner, second] = byName.get('Model')!.defaultOwners as [string, string];
    const group = `@${p.namespace.fullPath}`;
    // In [Model], /training/config.yaml comes after /training/ and wins for that file.
    expect(ownersOf(parsed, 'training/config.yaml')).toEqual(expect.arrayContaining([group, owner]));
    expect(ownersOf(parsed, 'training/config.yaml')).not.toContain(second);
    expect(ownersOf(parsed, 'training/train.py')).toEqual(expect.arrayContaining([owner, second]));
    // Every @user named is a GitLab user of the org; every @a/b a group path.
    const usernames = new Set(org.people.map((x) => `@${x.gitlabUsername}`));
    for (const handle of parsed.rules.flatMap((r) => r.owners)) {
      if (handle.includes('/')) expect(handle.startsWith(`@${org.gitlabGroup}/`)).toBe(true);
      else if (handle !== `@${org.gitlabGroup}`) expect(usernames.has(handle)).toBe(true);
    }
  });

  it('archives the project whose models\' owners have all left, and its CODEOWNERS still names them', () => {
    const archived = store.projects.filter((p) => p.archived);
    expect(archived.length).toBeGreaterThanOrEqual(1);
    for (const p of archived) {
      const model = org.models.find((m) => m.key === p.modelKeys[0])!;
      const owner = people.get(model.ownerId!)!;
      expect(owner.active).toBe(false);
      if (p.codeownersPath) expect(p.files.get(p.codeownersPath)!.content).toContain(`@${owner.gitlabUsername}`);
    }
  });

  it('is the same on every run and differs with the seed', () => {
    const again = createGitlabStore(generateDemoOrg());
    expect(again.projects).toEqual(store.projects);
    expect(again.groups).toEqual(store.groups);
    const other = createGitlabStore(generateDemoOrg({ seed: 7 }));
    expect(other.projects.map((p) => p.dto.created_at)).not.toEqual(store.projects.map((p) => p.dto.created_at));
  });
});

describe('rate limits and faults', () => {
  it('sends Rack::Attack\'s RateLimit-* headers on every response', async () => {
    const { headers } = await get(`/projects/${enc(gitlabRepos[0]!)}`);
    expect(Number(headers.get('ratelimit-limit'))).toBe(2000);
    expect(Number(headers.get('ratelimit-observed'))).toBeGreaterThan(0);
    expect(Number(headers.get('ratelimit-remaining'))).toBe(2000 - Number(headers.get('ratelimit-observed')));
    expect(Number(headers.get('ratelimit-reset')) % 60).toBe(0);
    expect(headers.get('ratelimit-name')).toBe('throttle_authenticated_api');
  });

  it('throttles past the limit with 429, a plain-text body, Retry-After and RateLimit-ResetTime, until the window resets', async () => {
    let now = Date.UTC(2026, 0, 1, 1, 0, 15);
    const small = await startGitlabSandbox({ org, instance: 'small', rateLimit: { requestsPerMinute: 3 }, now: () => now });
    try {
      const url = `${small.url}/api/v4/version`;
      for (let i = 0; i < 3; i++) expect((await fetch(url)).status).toBe(200);
      const throttled = await fetch(url);
      expect(throttled.status).toBe(429);
      expect(await throttled.text()).toBe('Retry later\n');
      expect(throttled.headers.get('retry-after')).toBe('45');
      expect(throttled.headers.get('ratelimit-remaining')).toBe('0');
      expect(throttled.headers.get('ratelimit-reset')).toBe(String(Date.UTC(2026, 0, 1, 1, 1, 0) / 1000));
      expect(throttled.headers.get('ratelimit-resettime')).toBe('Thu, 01 Jan 2026 01:01:00 GMT');
      now += 45_000;
      expect((await fetch(url)).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('answers injected 429s as GitLab does when the fault switch says so', async () => {
    server.faults.failStatus = 429;
    server.faults.failRate = 1;
    server.faults.retryAfterSeconds = 2;
    const { status, text, headers } = await get(`/projects/${enc(gitlabRepos[0]!)}`);
    expect(status).toBe(429);
    expect(text).toBe('Retry later\n');
    expect(headers.get('retry-after')).toBe('2');
    expect(headers.get('ratelimit-remaining')).toBe('0');
  });
});

describe('the connector against the sandbox', () => {
  it('reads every repository under the URL the rest of the graph knows it by', async () => {
    const { gitlab } = connector();
    expect(gitlab.webOrigin).toBe('https://gitlab.com');
    for (const fullName of gitlabRepos) {
      const repo = (await gitlab.getRepository(fullName))!;
      const model = org.models.find((m) => m.repository.fullName === fullName)!;
      expect(repo.url).toBe(canonicalRepoUrl(model.repository.url));
      expect(repo).toMatchObject({ host: 'GITLAB', instance: 'com', fullName, defaultBranch: 'main' });
      expect(repo.visibility).not.toBe('UNKNOWN');
    }
    // Every remote form MLflow recorded names one of them.
    const urls = new Set(gitlabRepos.map((n) => `https://gitlab.com/${n}`));
    for (const { run } of gitlabRuns) expect(urls).toContain(parseRepoUrl(run.git!.repoUrl)!.canonicalUrl);
  });

  it('lists the whole group across pages', async () => {
    const { gitlab } = connector({ pageSize: 4 });
    const repos = await gitlab.listOwnerRepositories('acme-data');
    expect(repos.map((r) => r.fullName).sort()).toEqual(gitlabRepos);
    expect(server.stats.byRoute['GET /api/v4/groups/acme-data/projects']).toBeGreaterThanOrEqual(Math.ceil(gitlabRepos.length / 4));
  });

  it('finds CODEOWNERS where GitLab would, and none for the project without', async () => {
    const { gitlab } = connector();
    const store = createGitlabStore(org);
    for (const p of store.projects) {
      const file = await gitlab.getCodeOwnersFile(p.fullName);
      if (p.codeownersPath === null) expect(file).toBeNull();
      else expect(file).toEqual({ path: p.codeownersPath, ref: 'main', content: p.files.get(p.codeownersPath)!.content });
    }
  });

  it('gets commits and the newest commit of main', async () => {
    const { gitlab } = connector();
    const store = createGitlabStore(org);
    const { run, fullName } = gitlabRuns[gitlabRuns.length - 1]!;
    const commit = (await gitlab.getCommit(fullName, run.git!.commit))!;
    expect(commit.repositoryUrl).toBe(`https://gitlab.com/${fullName}`);
    expect(commit.author?.tool).toBe('GIT');
    expect(Date.parse(commit.authoredAt!)).toBeLessThan(run.startTime);
    const head = store.findProject(fullName)!.branches.get('main')!.at(-1)!;
    expect((await gitlab.getLatestCommit(fullName))?.sha).toBe(head.sha);
  });

  it('sees only public projects without credentials', async () => {
    const { gitlab } = connector({ auth: { type: 'none' } });
    const store = createGitlabStore(org);
    const pub = store.projects.find((p) => p.visibility === 'public')!;
    const hidden = store.projects.find((p) => p.visibility !== 'public')!;
    expect((await gitlab.getRepository(pub.fullName))?.visibility).toBe('PUBLIC');
    await expect(gitlab.getRepository(hidden.fullName)).resolves.toBeNull();
    await expect(gitlab.health()).resolves.toBeUndefined();
  });

  it('waits as long as a 429 says, and reports a source that stays throttled as rate limited', async () => {
    server.faults.failStatus = 429;
    server.faults.failRate = 1;
    server.faults.retryAfterSeconds = 2;
    const { gitlab, waits } = connector({ retry: { maxAttempts: 2 } });
    const error = (await gitlab.getRepository(gitlabRepos[0]!).catch((e: unknown) => e)) as SourceError;
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ source: 'gitlab:com', code: SourceErrorCode.SOURCE_RATE_LIMITED, attempts: 2 });
    expect(waits).toEqual([2000]);
  });
});
