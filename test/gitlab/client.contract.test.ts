import nock from 'nock';
import { useNock } from '../helpers/nock';
import { gitlabInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { GitlabConnector, parseErrorBody, parseLinkHeader, type GitlabConnectorDeps } from '../../connectors/gitlab';
import commitFixture from '../fixtures/gitlab/commit.json';
import commitsFixture from '../fixtures/gitlab/commits.json';
import projectFixture from '../fixtures/gitlab/project.json';
import fileFixture from '../fixtures/gitlab/repository-file.json';

/**
 * The connector against GitLab's documented REST API v4, with the network mocked by nock:
 * every test states the exact method, path (URL-encoded project ids and file paths),
 * parameters and headers GitLab expects.
 */

const BASE = 'https://gitlab.example.com';
const API = '/api/v4';
const PROJECT = 'acme-data/forecasting/demand';
/** `acme-data%2Fforecasting%2Fdemand`: a namespaced path is one URL-encoded `:id` (`doc/api/rest/_index.md`). */
const ID = encodeURIComponent(PROJECT);
const TOKEN = 'glpat-0123456789abcdefghij';

function connector(
  instance: Record<string, unknown> = {},
  deps: Partial<GitlabConnectorDeps> = {},
): { gitlab: GitlabConnector; waits: number[] } {
  const waits: number[] = [];
  const config = gitlabInstanceSchema.parse({
    name: 'com',
    url: BASE,
    auth: { type: 'privateToken', token: TOKEN },
    ...instance,
  });
  const gitlab = GitlabConnector.fromConfig(config, {
    cache: new MemoryCache(),
    cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
    clock: {
      sleep: async (ms) => {
        waits.push(ms);
      },
    },
    ...deps,
  });
  return { gitlab, waits };
}

function project(overrides: Record<string, unknown> = {}) {
  return { ...projectFixture, path_with_namespace: PROJECT, web_url: `${BASE}/${PROJECT}`, ...overrides };
}

function file(path: string, content: string) {
  return { ...fileFixture, file_name: path.split('/').pop(), file_path: path, content: Buffer.from(content).toString('base64') };
}

useNock();

describe('GitLab connector contract', () => {
  it('names itself after its instance and serves the web origin of its URL', () => {
    const { gitlab } = connector();
    expect(gitlab.source).toBe('gitlab:com');
    expect(gitlab.kind).toBe('GITLAB');
    expect(gitlab.host).toBe('GITLAB');
    expect(gitlab.webOrigin).toBe('https://gitlab.example.com');
  });

  it('gets a project by its URL-encoded path, sending the access token as PRIVATE-TOKEN', async () => {
    nock(BASE, { reqheaders: { 'private-token': TOKEN }, badheaders: ['authorization'] })
      .get(`${API}/projects/${ID}`)
      .reply(200, project());
    const { gitlab } = connector();
    const repo = await gitlab.getRepository(PROJECT);
    expect(repo).toMatchObject({
      url: `${BASE}/${PROJECT}`,
      fullName: PROJECT,
      host: 'GITLAB',
      instance: 'com',
      defaultBranch: 'main',
      visibility: 'PRIVATE',
      topics: ['example', 'disapora project'],
    });
  });

  it('sends an OAuth token as Authorization: Bearer, and no PRIVATE-TOKEN', async () => {
    nock(BASE, { reqheaders: { authorization: 'Bearer oauth-secret-token' }, badheaders: ['private-token'] })
      .get(`${API}/projects/${ID}`)
      .reply(200, project());
    const { gitlab } = connector({ auth: { type: 'bearer', token: 'oauth-secret-token' } });
    expect((await gitlab.getRepository(PROJECT))?.fullName).toBe(PROJECT);
  });

  it('checks health with GET /version when authenticated, and one public project when not', async () => {
    nock(BASE, { reqheaders: { 'private-token': TOKEN } })
      .get(`${API}/version`)
      .reply(200, { version: '18.2.1-ee', revision: '6f7d1a9c4e2', enterprise: true });
    await expect(connector().gitlab.health()).resolves.toBeUndefined();

    nock(BASE, { badheaders: ['private-token', 'authorization'] })
      .get(`${API}/projects`)
      .query({ per_page: '1', simple: 'true' })
      .reply(200, []);
    await expect(connector({ auth: { type: 'none' } }).gitlab.health()).resolves.toBeUndefined();
  });

  it('reports refused credentials on health as SOURCE_UNAUTHENTICATED with GitLab\'s message', async () => {
    nock(BASE).get(`${API}/version`).reply(401, { message: '401 Unauthorized' });
    const error = (await connector().gitlab.health().catch((e: unknown) => e)) as SourceError;
    expect(error).toBeInstanceOf(SourceError);
    expect(error.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
    expect(error.message).toBe('gitlab:com: HTTP 401: 401 Unauthorized');
  });

  it('gets a commit by sha without stats, and maps its author', async () => {
    nock(BASE)
      .get(`${API}/projects/${ID}/repository/commits/6104942438c14ec7bd21c6cd5bd995272b3faff6`)
      .query({ stats: 'false' })
      .reply(200, commitFixture);
    const { gitlab } = connector();
    const commit = await gitlab.getCommit(PROJECT, '6104942438c14ec7bd21c6cd5bd995272b3faff6');
    expect(commit?.sha).toBe('6104942438c14ec7bd21c6cd5bd995272b3faff6');
    expect(commit?.author).toEqual({ tool: 'GIT', instance: 'com', nativeId: 'user@example.com', email: 'user@example.com', displayName: 'randx' });
    expect(commit?.authorAccount).toBeNull();
  });

  it("finds an email's user with GET /users?search=, trusting only a user who shows that email", async () => {
    const users = [
      { id: 7, username: 'keriksen', name: 'Kenji Eriksen', state: 'active', public_email: 'kenji.eriksen@acme.io' },
      // The search also matches names and usernames containing the text: not this email's user.
      { id: 8, username: 'kenji.eriksen.acme.io-bot', name: 'bot', state: 'active', public_email: '' },
    ];
    nock(BASE)
      .get(`${API}/users`)
      .query({ search: 'kenji.eriksen@acme.io', per_page: '20' })
      .matchHeader('private-token', TOKEN)
      .reply(200, users);
    nock(BASE).get(`${API}/users`).query({ search: 'nobody@acme.io', per_page: '20' }).reply(200, []);
    const { gitlab } = connector();
    expect(await gitlab.findAccountByEmail(' Kenji.Eriksen@acme.io ')).toEqual({
      tool: 'GITLAB', instance: 'com', nativeId: 'keriksen', email: 'kenji.eriksen@acme.io', displayName: 'Kenji Eriksen',
    });
    expect(await gitlab.findAccountByEmail('nobody@acme.io')).toBeNull();
    // Not an email: nothing is asked.
    expect(await gitlab.findAccountByEmail('Kenji Eriksen')).toBeNull();
  });

  it('asks for the newest commit of a branch with ref_name and per_page=1', async () => {
    nock(BASE)
      .get(`${API}/projects/${ID}/repository/commits`)
      .query({ ref_name: 'feature/holiday-data', per_page: '1' })
      .reply(200, [commitsFixture[0]]);
    nock(BASE).get(`${API}/projects/${ID}/repository/commits`).query({ per_page: '1' }).reply(200, []);
    const { gitlab } = connector();
    expect((await gitlab.getLatestCommit(PROJECT, 'feature/holiday-data'))?.sha).toBe('ed899a2f4b50b4370feeea94676502b42383c746');
    // No branch: GitLab's own default (the default branch); an empty repository lists nothing.
    expect(await gitlab.getLatestCommit(PROJECT)).toBeNull();
  });

  it('answers null for a project, a commit or a branch GitLab does not find', async () => {
    nock(BASE).get(`${API}/projects/${ID}`).reply(404, { message: '404 Project Not Found' });
    nock(BASE).get(`${API}/projects/${ID}/repository/commits/deadbeef`).query({ stats: 'false' }).reply(404, { message: '404 Commit Not Found' });
    nock(BASE).get(`${API}/projects/${ID}/repository/commits`).query({ ref_name: 'gone', per_page: '1' }).reply(404, { message: '404 Not Found' });
    const { gitlab } = connector();
    await expect(gitlab.getRepository(PROJECT)).resolves.toBeNull();
    await expect(gitlab.getCommit(PROJECT, 'deadbeef')).resolves.toBeNull();
    await expect(gitlab.getLatestCommit(PROJECT, 'gone')).resolves.toBeNull();
  });

  it('caches a not-found answer like any other within the TTL', async () => {
    nock(BASE).get(`${API}/projects/${ID}`).once().reply(404, { message: '404 Project Not Found' });
    const { gitlab } = connector({}, { cacheDefaults: { ttlSeconds: 60, staleSeconds: 60 } });
    await expect(gitlab.getRepository(PROJECT)).resolves.toBeNull();
    // Another spelling of the same path: GitLab resolves paths case-insensitively.
    await expect(gitlab.getRepository('Acme-Data/Forecasting/Demand')).resolves.toBeNull();
  });

  describe('CODEOWNERS', () => {
    it('tries CODEOWNERS, docs/CODEOWNERS, .gitlab/CODEOWNERS in that order with a URL-encoded path and ref', async () => {
      const asked: string[] = [];
      const scope = nock(BASE);
      scope.on('request', (req: { path: string }) => asked.push(req.path));
      scope.get(`${API}/projects/${ID}/repository/files/CODEOWNERS`).query({ ref: 'release/2.0' }).reply(404, { message: '404 File Not Found' });
      scope
        .get(`${API}/projects/${ID}/repository/files/docs%2FCODEOWNERS`)
        .query({ ref: 'release/2.0' })
        .reply(200, file('docs/CODEOWNERS', '[Docs] @acme-data/writers\n*.md\n'));
      const { gitlab } = connector();
      const found = await gitlab.getCodeOwnersFile(PROJECT, 'release/2.0');
      expect(found).toEqual({ path: 'docs/CODEOWNERS', ref: 'release/2.0', content: '[Docs] @acme-data/writers\n*.md\n' });
      // The first found wins: .gitlab/CODEOWNERS is never asked for.
      expect(asked).toEqual([
        `${API}/projects/${ID}/repository/files/CODEOWNERS?ref=release%2F2.0`,
        `${API}/projects/${ID}/repository/files/docs%2FCODEOWNERS?ref=release%2F2.0`,
      ]);
    });

    it('reads at the default branch when no ref is given (the files API requires one), and is null when no location has one', async () => {
      nock(BASE).get(`${API}/projects/${ID}`).reply(200, project({ default_branch: 'develop' }));
      for (const path of ['CODEOWNERS', 'docs%2FCODEOWNERS', '.gitlab%2FCODEOWNERS']) {
        nock(BASE).get(`${API}/projects/${ID}/repository/files/${path}`).query({ ref: 'develop' }).reply(404, { message: '404 File Not Found' });
      }
      const { gitlab } = connector();
      await expect(gitlab.getCodeOwnersFile(PROJECT)).resolves.toBeNull();
    });

    it('finds .gitlab/CODEOWNERS last', async () => {
      nock(BASE).get(`${API}/projects/${ID}/repository/files/CODEOWNERS`).query({ ref: 'main' }).reply(404, { message: '404 File Not Found' });
      nock(BASE).get(`${API}/projects/${ID}/repository/files/docs%2FCODEOWNERS`).query({ ref: 'main' }).reply(404, { message: '404 File Not Found' });
      nock(BASE)
        .get(`${API}/projects/${ID}/repository/files/.gitlab%2FCODEOWNERS`)
        .query({ ref: 'main' })
        .reply(200, file('.gitlab/CODEOWNERS', '* @acme-data\n'));
      const { gitlab } = connector();
      expect((await gitlab.getCodeOwnersFile(PROJECT, 'main'))?.path).toBe('.gitlab/CODEOWNERS');
    });

    it('stops at the first answer that is not "File Not Found": a missing project or ref is missing everywhere', async () => {
      nock(BASE).get(`${API}/projects/${ID}/repository/files/CODEOWNERS`).query({ ref: 'nope' }).reply(404, { message: '404 Commit Not Found' });
      const { gitlab } = connector();
      await expect(gitlab.getCodeOwnersFile(PROJECT, 'nope')).resolves.toBeNull();
    });

    it('has nothing to read in an empty repository (no default branch) or a missing project', async () => {
      nock(BASE).get(`${API}/projects/${ID}`).reply(200, project({ default_branch: null, empty_repo: true }));
      nock(BASE).get(`${API}/projects/acme-data%2Fgone`).reply(404, { message: '404 Project Not Found' });
      const { gitlab } = connector();
      // No file is asked for in either case (nock refuses any request it was not told about).
      await expect(gitlab.getCodeOwnersFile(PROJECT)).resolves.toBeNull();
      await expect(gitlab.getCodeOwnersFile('acme-data/gone')).resolves.toBeNull();
    });
  });

  describe('group listings', () => {
    const QUERY = { include_subgroups: 'true', with_shared: 'false', order_by: 'id', sort: 'asc', per_page: '100' };
    const projectAt = (n: number) => project({ id: n, path_with_namespace: `acme-data/team-${n}/model`, web_url: `${BASE}/acme-data/team-${n}/model` });

    it('follows x-next-page across three pages and stops at an empty one', async () => {
      nock(BASE)
        .get(`${API}/groups/acme-data/projects`)
        .query(QUERY)
        .reply(200, [projectAt(1), projectAt(2)], { 'x-page': '1', 'x-next-page': '2', 'x-per-page': '100', 'x-total': '5', 'x-total-pages': '3' });
      nock(BASE)
        .get(`${API}/groups/acme-data/projects`)
        .query({ ...QUERY, page: '2' })
        .reply(200, [projectAt(3), projectAt(4)], { 'x-page': '2', 'x-next-page': '3', 'x-prev-page': '1' });
      nock(BASE)
        .get(`${API}/groups/acme-data/projects`)
        .query({ ...QUERY, page: '3' })
        .reply(200, [projectAt(5)], { 'x-page': '3', 'x-next-page': '', 'x-prev-page': '2' });
      const { gitlab } = connector();
      const repos = await gitlab.listGroupProjects('acme-data');
      expect(repos.map((r) => r.fullName)).toEqual([1, 2, 3, 4, 5].map((n) => `acme-data/team-${n}/model`));
    });

    it('follows the Link header when GitLab sends one (keyset pagination sends nothing else)', async () => {
      const next = `${BASE}${API}/groups/acme-data/projects?include_subgroups=true&order_by=id&pagination=keyset&per_page=100&sort=asc&id_after=2&with_shared=false`;
      nock(BASE)
        .get(`${API}/groups/acme-data/projects`)
        .query(QUERY)
        .reply(200, [projectAt(1), projectAt(2)], { link: `<${next}>; rel="next"` });
      nock(BASE)
        .get(`${API}/groups/acme-data/projects`)
        .query({ ...QUERY, pagination: 'keyset', id_after: '2' })
        .reply(200, [projectAt(3)]);
      const { gitlab } = connector();
      expect((await gitlab.listOwnerRepositories('acme-data')).map((r) => r.fullName)).toHaveLength(3);
    });

    it('never sends the token to a next link on another origin; uses x-next-page instead', async () => {
      nock(BASE)
        .get(`${API}/groups/acme-data/projects`)
        .query(QUERY)
        .reply(200, [projectAt(1)], {
          link: `<http://gitlab.internal:8080${API}/groups/acme-data/projects?page=2>; rel="next"`,
          'x-next-page': '2',
        });
      nock(BASE).get(`${API}/groups/acme-data/projects`).query({ ...QUERY, page: '2' }).reply(200, [projectAt(2)], { 'x-next-page': '' });
      const { gitlab } = connector();
      expect(await gitlab.listGroupProjects('acme-data')).toHaveLength(2);
    });

    it('URL-encodes a subgroup path, drops projects repeated across offset pages, and is empty for an unknown group', async () => {
      nock(BASE)
        .get(`${API}/groups/acme-data%2Fresearch/projects`)
        .query(QUERY)
        .reply(200, [projectAt(1), projectAt(2)], { 'x-next-page': '2' });
      nock(BASE)
        .get(`${API}/groups/acme-data%2Fresearch/projects`)
        .query({ ...QUERY, page: '2' })
        .reply(200, [projectAt(2), projectAt(3)], { 'x-next-page': '' });
      nock(BASE).get(`${API}/groups/nobody/projects`).query(QUERY).reply(404, { message: '404 Group Not Found' });
      const { gitlab } = connector();
      expect((await gitlab.listGroupProjects('acme-data/research')).map((r) => r.fullName)).toEqual([
        'acme-data/team-1/model',
        'acme-data/team-2/model',
        'acme-data/team-3/model',
      ]);
      await expect(gitlab.listGroupProjects('nobody')).resolves.toEqual([]);
    });
  });

  describe('failures', () => {
    it('honours Retry-After on 429 (Rack::Attack answers in plain text) and then succeeds', async () => {
      nock(BASE)
        .get(`${API}/projects/${ID}`)
        .reply(429, 'Retry later\n', {
          'content-type': 'text/plain',
          'retry-after': '7',
          'ratelimit-limit': '2000',
          'ratelimit-remaining': '0',
          'ratelimit-reset': '1767229260',
          'ratelimit-resettime': 'Thu, 01 Jan 2026 01:01:00 GMT',
        });
      nock(BASE).get(`${API}/projects/${ID}`).reply(200, project());
      const { gitlab, waits } = connector();
      expect((await gitlab.getRepository(PROJECT))?.fullName).toBe(PROJECT);
      expect(waits).toEqual([7000]);
    });

    it('waits until RateLimit-Reset on a 429 without Retry-After (GitLab\'s application limits)', async () => {
      const now = Date.UTC(2026, 0, 1, 1, 0, 57);
      nock(BASE)
        .get(`${API}/projects/${ID}/repository/files/CODEOWNERS`)
        .query({ ref: 'main' })
        .reply(429, { message: { error: 'This endpoint has been requested too many times. Try again later.' } }, {
          'ratelimit-reset': String(Date.UTC(2026, 0, 1, 1, 1, 0) / 1000),
        });
      nock(BASE).get(`${API}/projects/${ID}/repository/files/CODEOWNERS`).query({ ref: 'main' }).reply(200, file('CODEOWNERS', '* @a\n'));
      const slept: number[] = [];
      const { gitlab } = connector({}, { clock: { now: () => now, sleep: async (ms) => void slept.push(ms) } });
      expect((await gitlab.getCodeOwnersFile(PROJECT, 'main'))?.content).toBe('* @a\n');
      expect(slept).toEqual([3000]);
    });

    it('gives up on a 429 whose wait exceeds the budget, as SOURCE_RATE_LIMITED naming the source', async () => {
      nock(BASE).get(`${API}/projects/${ID}`).reply(429, 'Retry later\n', { 'retry-after': '60' });
      const { gitlab, waits } = connector({ retry: { budgetMs: 5000 } });
      const error = (await gitlab.getRepository(PROJECT).catch((e: unknown) => e)) as SourceError;
      expect(error).toMatchObject({ source: 'gitlab:com', code: SourceErrorCode.SOURCE_RATE_LIMITED, status: 429, retryAfterMs: 60_000 });
      expect(error.message).toMatch(/^gitlab:com: HTTP 429: Retry later/);
      expect(waits).toEqual([]);
    });

    it('parses GitLab error bodies into the message, and keeps the token out of it', async () => {
      nock(BASE).get(`${API}/projects/${ID}`).reply(403, { message: '403 Forbidden' });
      nock(BASE).get(`${API}/projects/${ID}/repository/files/CODEOWNERS`).query({ ref: 'main' }).reply(400, { error: 'ref is invalid' });
      const { gitlab } = connector();
      const forbidden = (await gitlab.getRepository(PROJECT).catch((e: unknown) => e)) as SourceError;
      expect(forbidden.code).toBe(SourceErrorCode.SOURCE_FORBIDDEN);
      expect(forbidden.message).toBe('gitlab:com: HTTP 403: 403 Forbidden');
      const bad = (await gitlab.getCodeOwnersFile(PROJECT, 'main').catch((e: unknown) => e)) as SourceError;
      expect(bad.code).toBe(SourceErrorCode.SOURCE_BAD_REQUEST);
      expect(bad.message).toBe('gitlab:com: HTTP 400: ref is invalid');
      expect(JSON.stringify(forbidden) + forbidden.message + JSON.stringify(bad) + bad.message).not.toContain(TOKEN);
    });

    it('retries a 502 from the load balancer and reports the HTML page by its status', async () => {
      nock(BASE).get(`${API}/projects/${ID}`).times(2).reply(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', { 'content-type': 'text/html' });
      const { gitlab, waits } = connector({ retry: { maxAttempts: 2 } });
      const error = (await gitlab.getRepository(PROJECT).catch((e: unknown) => e)) as SourceError;
      expect(error).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, status: 502, attempts: 2 });
      expect(error.message).toMatch(/^gitlab:com: HTTP 502: Bad Gateway/);
      expect(waits).toHaveLength(1);
    });
  });
});

describe('parseErrorBody', () => {
  it('reads every error shape GitLab documents', () => {
    expect(parseErrorBody(404, { message: '404 Project Not Found' })).toEqual({ message: '404 Project Not Found' });
    expect(parseErrorBody(400, { error: 'ref is missing' })).toEqual({ message: 'ref is missing' });
    expect(parseErrorBody(400, { message: { name: ['has already been taken'], path: ['is too long', 'is invalid'] } })).toEqual({
      message: 'name has already been taken; path is too long, is invalid',
    });
    expect(parseErrorBody(429, { message: { error: 'This endpoint has been requested too many times. Try again later.' } })).toEqual({
      message: 'This endpoint has been requested too many times. Try again later.',
    });
    expect(
      parseErrorBody(403, {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
        scope: 'read_api',
      }),
    ).toEqual({ upstreamCode: 'insufficient_scope', message: 'The request requires higher privileges than provided by the access token.' });
    expect(parseErrorBody(429, 'Retry later\n')).toEqual({ message: 'Retry later' });
    expect(parseErrorBody(502, '<html>nginx</html>')).toEqual({});
  });
});

describe('parseLinkHeader', () => {
  it('reads GitLab\'s Link header', () => {
    const value =
      '<https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=1&per_page=3>; rel="prev", ' +
      '<https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=3&per_page=3>; rel="next", ' +
      '<https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=1&per_page=3>; rel="first", ' +
      '<https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=3&per_page=3>; rel="last"';
    expect(parseLinkHeader(value)).toEqual({
      prev: 'https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=1&per_page=3',
      next: 'https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=3&per_page=3',
      first: 'https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=1&per_page=3',
      last: 'https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=3&per_page=3',
    });
    expect(parseLinkHeader(undefined)).toEqual({});
  });
});
