import nock from 'nock';
import { useNock } from '../helpers/nock';
import { waitFor } from '../helpers/wait-for';
import { githubInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { GithubConnector, githubWebOrigin, parseLinkHeader, type GithubConnectorDeps } from '../../connectors/github';
import fullRepository from '../fixtures/github/full-repository.json';
import minimalRepositories from '../fixtures/github/minimal-repository-items.json';
import commitFixture from '../fixtures/github/commit.json';
import codeownersFile from '../fixtures/github/content-file-codeowners.json';
import contentDirectory from '../fixtures/github/content-directory.json';

/**
 * The connector against GitHub's documented REST API (operations repos/get, repos/get-commit,
 * repos/list-commits, repos/get-content, repos/list-for-org, rate-limit/get), with the network
 * mocked by nock: every test states the method, path, parameters and headers GitHub expects.
 */

const API = 'https://api.github.com';
const TOKEN = 'ghp_0123456789abcdefSECRET';
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const HEADERS = {
  accept: 'application/vnd.github+json',
  'x-github-api-version': '2022-11-28',
  authorization: `Bearer ${TOKEN}`,
};

function repo(fullName: string): Record<string, unknown> {
  const [owner, name] = fullName.split('/');
  return {
    ...minimalRepositories[0],
    name,
    full_name: fullName,
    owner: { ...minimalRepositories[0]!.owner, login: owner },
    html_url: `https://github.com/${fullName}`,
  };
}

let connectors: GithubConnector[] = [];

function connector(
  instance: Record<string, unknown> = {},
  deps: Partial<GithubConnectorDeps> = {},
): { github: GithubConnector; waits: number[]; clock: { now: number } } {
  const waits: number[] = [];
  const clock = { now: NOW };
  const config = githubInstanceSchema.parse({ name: 'cloud', auth: { type: 'token', token: TOKEN }, ...instance });
  const github = GithubConnector.fromConfig(config, {
    cache: new MemoryCache({ now: () => clock.now }),
    cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
    clock: {
      now: () => clock.now,
      sleep: async (ms) => {
        waits.push(ms);
      },
    },
    ...deps,
  });
  connectors.push(github);
  return { github, waits, clock };
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

/** Until nock has seen every request it was told to expect (background revalidations). */
async function untilDone(scope: nock.Scope): Promise<void> {
  await waitFor(() => scope.isDone(), { timeoutMs: 1000, intervalMs: 5, what: `nock to see ${scope.pendingMocks().join(', ')}` });
  // Let the revalidated entry be stored before the next read.
  await new Promise((resolve) => setTimeout(resolve, 5));
}

useNock();
afterEach(() => {
  for (const c of connectors) c.close();
  connectors = [];
});

describe('GitHub connector contract: requests', () => {
  it('gets a repository with the documented media type, API version and bearer token', async () => {
    nock(API, { reqheaders: HEADERS, badheaders: ['if-none-match'] })
      .get('/repos/octocat/Hello-World')
      .reply(200, fullRepository, { ETag: '"abc"' });
    const { github } = connector();

    const repository = await github.getRepository('octocat/Hello-World');

    expect(repository).toMatchObject({
      url: 'https://github.com/octocat/hello-world',
      fullName: 'octocat/Hello-World',
      defaultBranch: 'master',
      visibility: 'PUBLIC',
      topics: ['octocat', 'atom', 'electron', 'api'],
    });
    expect(github).toMatchObject({ kind: 'GITHUB', host: 'GITHUB', instance: 'cloud', source: 'github:cloud', webOrigin: 'https://github.com' });
  });

  it('sends no Authorization header with auth none', async () => {
    nock(API, { badheaders: ['authorization'] }).get('/repos/octocat/Hello-World').reply(200, fullRepository);
    const { github } = connector({ auth: { type: 'none' } });
    await expect(github.getRepository('octocat/Hello-World')).resolves.toMatchObject({ fullName: 'octocat/Hello-World' });
  });

  it('calls GitHub Enterprise Server under /api/v3 and links to its web host', async () => {
    nock('https://ghe.example.com', { reqheaders: HEADERS })
      .get('/api/v3/repos/acme-ml/fraud-detector')
      .reply(200, { ...repo('acme-ml/fraud-detector'), html_url: 'https://ghe.example.com/acme-ml/fraud-detector' });
    const { github } = connector({ url: 'https://ghe.example.com/api/v3' });

    expect(github.webOrigin).toBe('https://ghe.example.com');
    await expect(github.getRepository('acme-ml/fraud-detector')).resolves.toMatchObject({
      url: 'https://ghe.example.com/acme-ml/fraud-detector',
    });
  });

  it('derives the web origin from the API URL unless webUrl is configured', () => {
    expect(githubWebOrigin('https://api.github.com')).toBe('https://github.com');
    expect(githubWebOrigin('https://ghe.example.com/api/v3/')).toBe('https://ghe.example.com');
    expect(githubWebOrigin('https://api.acme.ghe.com')).toBe('https://acme.ghe.com');
    expect(githubWebOrigin('https://ghe.example.com/api/v3', 'https://code.example.com/')).toBe('https://code.example.com');
  });

  it('checks health with GET /rate_limit, which does not count against the rate limit', async () => {
    nock(API, { reqheaders: HEADERS })
      .get('/rate_limit')
      .reply(200, { resources: { core: { limit: 5000, remaining: 4999, reset: 1_700_000_000, used: 1 } } });
    const { github } = connector();
    await expect(github.health()).resolves.toBeUndefined();
  });

  it('is healthy on a GitHub Enterprise Server whose rate limiting is off (404 on /rate_limit)', async () => {
    nock('https://ghe.example.com')
      .get('/api/v3/rate_limit')
      .reply(404, { message: 'Rate limiting is not enabled.', documentation_url: 'https://docs.github.com/enterprise-server' });
    const { github } = connector({ url: 'https://ghe.example.com/api/v3' });
    await expect(github.health()).resolves.toBeUndefined();
  });

  it('fails health with SOURCE_UNAUTHENTICATED on bad credentials, without the token in the error', async () => {
    nock(API)
      .get('/rate_limit')
      .reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    const { github } = connector();
    const err = await failure(github.health());
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_UNAUTHENTICATED, status: 401, source: 'github:cloud' });
    expect(err.message).toBe('github:cloud: HTTP 401: Bad credentials');
    expect(JSON.stringify(err) + err.message + String(err.cause)).not.toContain(TOKEN);
  });

  it('gets a commit by sha', async () => {
    nock(API, { reqheaders: HEADERS })
      .get('/repos/octocat/Hello-World/commits/6dcb09b5b57875f334f61aebed695e2e4193db5e')
      .reply(200, commitFixture);
    const { github } = connector();

    const commit = await github.getCommit('octocat/Hello-World', '6dcb09b5b57875f334f61aebed695e2e4193db5e');

    expect(commit).toMatchObject({
      sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      message: 'Fix all the bugs',
      author: { tool: 'GIT', nativeId: 'mona@github.com', displayName: 'Monalisa Octocat' },
      authorAccount: { tool: 'GITHUB', nativeId: 'octocat' },
    });
  });

  it('gets the latest commit of a branch with list-commits, per_page=1 and sha=<branch>', async () => {
    nock(API, { reqheaders: HEADERS })
      .get('/repos/octocat/Hello-World/commits')
      .query({ per_page: '1', sha: 'feature/new-features' })
      .reply(200, [commitFixture]);
    nock(API).get('/repos/octocat/Hello-World/commits').query({ per_page: '1' }).reply(200, [commitFixture]);
    const { github } = connector();

    await expect(github.getLatestCommit('octocat/Hello-World', 'feature/new-features')).resolves.toMatchObject({
      sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
    });
    await expect(github.getLatestCommit('octocat/Hello-World')).resolves.toMatchObject({ message: 'Fix all the bugs' });
  });

  it('lists org repositories across three pages by following Link rel="next"', async () => {
    const page = (n: number) => `${API}/organizations/9919/repos?per_page=100&sort=full_name&page=${n}`;
    nock(API, { reqheaders: HEADERS })
      .get('/orgs/acme-ml/repos')
      .query({ per_page: '100', sort: 'full_name' })
      .reply(200, [repo('acme-ml/a'), repo('acme-ml/b')], {
        Link: `<${page(2)}>; rel="next", <${page(3)}>; rel="last"`,
      });
    nock(API, { reqheaders: HEADERS })
      .get('/organizations/9919/repos')
      .query({ per_page: '100', sort: 'full_name', page: '2' })
      .reply(200, [repo('acme-ml/c'), repo('acme-ml/d')], {
        Link: `<${page(1)}>; rel="prev", <${page(3)}>; rel="next", <${page(3)}>; rel="last", <${page(1)}>; rel="first"`,
      });
    nock(API, { reqheaders: HEADERS })
      .get('/organizations/9919/repos')
      .query({ per_page: '100', sort: 'full_name', page: '3' })
      .reply(200, [repo('acme-ml/e')], { Link: `<${page(2)}>; rel="prev", <${page(1)}>; rel="first"` });
    const { github } = connector();

    const repositories = await github.listOrgRepositories('acme-ml');

    expect(repositories.map((r) => r.fullName)).toEqual(['acme-ml/a', 'acme-ml/b', 'acme-ml/c', 'acme-ml/d', 'acme-ml/e']);
    expect(repositories[4]).toMatchObject({ url: 'https://github.com/acme-ml/e', host: 'GITHUB' });
  });

  it('clamps per_page to the documented maximum of 100', async () => {
    nock(API).get('/orgs/acme-ml/repos').query({ per_page: '100', sort: 'full_name' }).reply(200, []);
    const { github } = connector({}, { pageSizes: { orgRepositories: 500 } });
    await expect(github.listOrgRepositories('acme-ml')).resolves.toEqual([]);
  });

  it('refuses a next link to another origin, which would be sent the token', async () => {
    nock(API)
      .get('/orgs/acme-ml/repos')
      .query(true)
      .reply(200, [repo('acme-ml/a')], { Link: '<https://evil.example.com/steal?page=2>; rel="next"' });
    const { github } = connector();
    const err = await failure(github.listOrgRepositories('acme-ml'));
    expect(err.code).toBe(SourceErrorCode.SOURCE_BAD_RESPONSE);
    expect(err.message).toMatch(/another origin/);
  });

  it('lists a user’s repositories when no organization has that name', async () => {
    nock(API).get('/orgs/octocat/repos').query(true).reply(404, { message: 'Not Found', status: '404' });
    nock(API, { reqheaders: HEADERS })
      .get('/users/octocat/repos')
      .query({ per_page: '100', sort: 'full_name' })
      .reply(200, [repo('octocat/Hello-World')]);
    const { github } = connector();
    await expect(github.listOwnerRepositories('octocat')).resolves.toMatchObject([{ fullName: 'octocat/Hello-World' }]);
  });

  it('parses Link headers with several relations', () => {
    expect(
      parseLinkHeader('<https://a/x?page=2>; rel="next", <https://a/x?page=5>; rel="last", <https://a/x?page=1>; rel="first prev"'),
    ).toEqual({ next: 'https://a/x?page=2', last: 'https://a/x?page=5', first: 'https://a/x?page=1', prev: 'https://a/x?page=1' });
    expect(parseLinkHeader(undefined)).toEqual({});
  });
});

describe('GitHub connector contract: not found', () => {
  it('answers null for a repository, commit or branch that does not exist', async () => {
    const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };
    nock(API).get('/repos/acme-ml/nope').reply(404, notFound);
    nock(API)
      .get('/repos/acme-ml/fraud-detector/commits/0000000000000000000000000000000000000000')
      .reply(422, { message: 'No commit found for SHA: 0000000000000000000000000000000000000000', status: '422' });
    nock(API).get('/repos/acme-ml/nope/commits/abc').reply(404, notFound);
    nock(API).get('/repos/acme-ml/fraud-detector/commits').query({ per_page: '1', sha: 'gone' }).reply(404, notFound);
    nock(API)
      .get('/repos/acme-ml/empty/commits')
      .query({ per_page: '1' })
      .reply(409, { message: 'Git Repository is empty.', status: '409' });
    const { github } = connector();

    await expect(github.getRepository('acme-ml/nope')).resolves.toBeNull();
    await expect(github.getCommit('acme-ml/fraud-detector', '0000000000000000000000000000000000000000')).resolves.toBeNull();
    await expect(github.getCommit('acme-ml/nope', 'abc')).resolves.toBeNull();
    await expect(github.getLatestCommit('acme-ml/fraud-detector', 'gone')).resolves.toBeNull();
    await expect(github.getLatestCommit('acme-ml/empty')).resolves.toBeNull();
  });

  it('answers null without a request for a name that cannot be a GitHub repository', async () => {
    const { github } = connector();
    await expect(github.getRepository('acme-data/supply-chain/demand-forecaster')).resolves.toBeNull();
    await expect(github.getCodeOwnersFile('no-slash')).resolves.toBeNull();
  });

  it('reports other 422s as SOURCE_BAD_REQUEST with the validation details', async () => {
    nock(API)
      .get('/repos/acme-ml/x/commits/main')
      .reply(422, { message: 'Validation Failed', errors: [{ resource: 'Commit', field: 'sha', code: 'invalid' }] });
    const { github } = connector();
    const err = await failure(github.getCommit('acme-ml/x', 'main'));
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_BAD_REQUEST, upstreamCode: 'invalid' });
    expect(err.message).toBe('github:cloud: HTTP 422 invalid: Validation Failed (Commit sha invalid)');
  });
});

describe('GitHub connector contract: CODEOWNERS', () => {
  const contents = (path: string) => `/repos/acme-ml/fraud-detector/contents/${path}`;
  const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content', status: '404' };

  it('takes .github/CODEOWNERS first and asks no further', async () => {
    nock(API, { reqheaders: HEADERS }).get(contents('.github/CODEOWNERS')).reply(200, codeownersFile);
    const { github } = connector();

    const file = await github.getCodeOwnersFile('acme-ml/fraud-detector');

    expect(file).toMatchObject({ path: '.github/CODEOWNERS', ref: 'main' });
    expect(file?.content).toContain('/src/             @acme-ml/risk @alicenguyen');
  });

  it('moves on to the root CODEOWNERS on a 404, and never asks docs/', async () => {
    nock(API).get(contents('.github/CODEOWNERS')).query({ ref: 'release/1.2' }).reply(404, notFound);
    nock(API)
      .get(contents('CODEOWNERS'))
      .query({ ref: 'release/1.2' })
      .reply(200, { ...codeownersFile, path: 'CODEOWNERS', url: `${API}${contents('CODEOWNERS')}?ref=release/1.2` });
    const { github } = connector();

    await expect(github.getCodeOwnersFile('acme-ml/fraud-detector', 'release/1.2')).resolves.toMatchObject({
      path: 'CODEOWNERS',
      ref: 'release/1.2',
    });
  });

  it('ends with docs/CODEOWNERS, skipping a directory that happens to be named CODEOWNERS', async () => {
    nock(API).get(contents('.github/CODEOWNERS')).reply(404, notFound);
    nock(API).get(contents('CODEOWNERS')).reply(200, contentDirectory);
    nock(API)
      .get(contents('docs/CODEOWNERS'))
      .reply(200, { ...codeownersFile, path: 'docs/CODEOWNERS', url: `${API}${contents('docs/CODEOWNERS')}?ref=master` });
    const { github } = connector();

    await expect(github.getCodeOwnersFile('acme-ml/fraud-detector')).resolves.toMatchObject({
      path: 'docs/CODEOWNERS',
      ref: 'master',
    });
  });

  it('answers null when none of the three locations has one', async () => {
    for (const path of ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS']) {
      nock(API).get(contents(path)).reply(404, notFound);
    }
    const { github } = connector();
    await expect(github.getCodeOwnersFile('acme-ml/fraud-detector')).resolves.toBeNull();
  });

  it('falls back to the default branch as the ref when GitHub reports none', async () => {
    nock(API)
      .get(contents('.github/CODEOWNERS'))
      .reply(200, { ...codeownersFile, url: `${API}${contents('.github/CODEOWNERS')}` });
    nock(API).get('/repos/acme-ml/fraud-detector').reply(200, { ...repo('acme-ml/fraud-detector'), default_branch: 'trunk' });
    const { github } = connector();
    await expect(github.getCodeOwnersFile('acme-ml/fraud-detector')).resolves.toMatchObject({ ref: 'trunk' });
  });
});

describe('GitHub connector contract: conditional requests', () => {
  const cached = { cacheDefaults: { ttlSeconds: 60, staleSeconds: 300 } };

  it('revalidates a stale entry with If-None-Match; the 304 refreshes it and the cached body is served', async () => {
    nock(API, { reqheaders: HEADERS, badheaders: ['if-none-match'] })
      .get('/repos/octocat/Hello-World')
      .reply(200, fullRepository, { ETag: '"644b5b0155e6404a9cc4bd9d8b1ae730"' });
    const { github, clock } = connector({}, cached);
    const first = await github.getRepository('octocat/Hello-World');

    // Fresh: no request at all.
    clock.now += 59_000;
    await expect(github.getRepository('octocat/Hello-World')).resolves.toEqual(first);

    // Stale: served at once, revalidated in the background.
    const revalidation = nock(API, { reqheaders: { ...HEADERS, 'if-none-match': '"644b5b0155e6404a9cc4bd9d8b1ae730"' } })
      .get('/repos/octocat/Hello-World')
      .reply(304, '', { ETag: '"644b5b0155e6404a9cc4bd9d8b1ae730"' });
    clock.now += 2_000;
    await expect(github.getRepository('octocat/Hello-World')).resolves.toEqual(first);
    await untilDone(revalidation);

    // The 304 made the entry fresh again: no request within the next ttl.
    clock.now += 59_000;
    await expect(github.getRepository('octocat/Hello-World')).resolves.toEqual(first);
  });

  it('revalidates an entry too old to serve before answering, and serves the cached body on 304', async () => {
    nock(API).get('/repos/octokit/octokit.rb/commits/6dcb09b5b57875f334f61aebed695e2e4193db5e').reply(200, commitFixture, { ETag: 'W/"c1"' });
    const { github, clock } = connector({}, cached);
    const first = await github.getCommit('octokit/octokit.rb', '6dcb09b5b57875f334f61aebed695e2e4193db5e');

    clock.now += 3_600_000;
    nock(API, { reqheaders: { 'if-none-match': 'W/"c1"' } })
      .get('/repos/octokit/octokit.rb/commits/6dcb09b5b57875f334f61aebed695e2e4193db5e')
      .reply(304);
    await expect(github.getCommit('octokit/octokit.rb', '6dcb09b5b57875f334f61aebed695e2e4193db5e')).resolves.toEqual(first);
  });

  it('takes the new body and ETag when the resource changed (200 to If-None-Match)', async () => {
    nock(API).get('/repos/octocat/Hello-World').reply(200, fullRepository, { ETag: '"v1"' });
    const { github, clock } = connector({}, cached);
    await github.getRepository('octocat/Hello-World');

    clock.now += 1_000_000;
    nock(API, { reqheaders: { 'if-none-match': '"v1"' } })
      .get('/repos/octocat/Hello-World')
      .reply(200, { ...fullRepository, description: 'Renamed things' }, { ETag: '"v2"' });
    await expect(github.getRepository('octocat/Hello-World')).resolves.toMatchObject({ description: 'Renamed things' });

    clock.now += 1_000_000;
    nock(API, { reqheaders: { 'if-none-match': '"v2"' } }).get('/repos/octocat/Hello-World').reply(304);
    await expect(github.getRepository('octocat/Hello-World')).resolves.toMatchObject({ description: 'Renamed things' });
  });

  it('revalidates each page of a listing with its own ETag and keeps the items of 304 pages', async () => {
    const next = `${API}/organizations/9919/repos?per_page=100&sort=full_name&page=2`;
    nock(API).get('/orgs/acme-ml/repos').query(true).reply(200, [repo('acme-ml/a')], { ETag: '"p1"', Link: `<${next}>; rel="next"` });
    nock(API).get('/organizations/9919/repos').query(true).reply(200, [repo('acme-ml/b')], { ETag: '"p2"' });
    const { github, clock } = connector({}, cached);
    await github.listOrgRepositories('acme-ml');

    clock.now += 1_000_000;
    nock(API, { reqheaders: { 'if-none-match': '"p1"' } }).get('/orgs/acme-ml/repos').query(true).reply(304, '', { ETag: '"p1"' });
    nock(API, { reqheaders: { 'if-none-match': '"p2"' } }).get('/organizations/9919/repos').query(true).reply(304, '', { ETag: '"p2"' });
    await expect(github.listOrgRepositories('acme-ml').then((list) => list.map((r) => r.fullName))).resolves.toEqual([
      'acme-ml/a',
      'acme-ml/b',
    ]);
  });

  it('revalidates a found CODEOWNERS file with its ETag, after asking the earlier locations again', async () => {
    nock(API).get('/repos/acme-ml/x/contents/.github/CODEOWNERS').reply(404, { message: 'Not Found' });
    nock(API)
      .get('/repos/acme-ml/x/contents/CODEOWNERS')
      .reply(200, { ...codeownersFile, path: 'CODEOWNERS' }, { ETag: '"co1"' });
    const { github, clock } = connector({}, cached);
    const first = await github.getCodeOwnersFile('acme-ml/x');

    clock.now += 1_000_000;
    nock(API).get('/repos/acme-ml/x/contents/.github/CODEOWNERS').reply(404, { message: 'Not Found' });
    nock(API, { reqheaders: { 'if-none-match': '"co1"' } }).get('/repos/acme-ml/x/contents/CODEOWNERS').reply(304);
    await expect(github.getCodeOwnersFile('acme-ml/x')).resolves.toEqual(first);
  });
});

describe('GitHub connector contract: rate limits', () => {
  const resetIn = (seconds: number) => String(Math.floor(NOW / 1000) + seconds);
  const primary = { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: '403' };

  it('waits out a primary limit (403, x-ratelimit-remaining 0) until x-ratelimit-reset when it fits the budget', async () => {
    nock(API)
      .get('/repos/octocat/Hello-World')
      .reply(403, primary, { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': resetIn(5), 'x-ratelimit-resource': 'core' });
    nock(API).get('/repos/octocat/Hello-World').reply(200, fullRepository);
    const { github, waits } = connector();

    await expect(github.getRepository('octocat/Hello-World')).resolves.toMatchObject({ fullName: 'octocat/Hello-World' });
    // Until the reset, plus one second for clock differences.
    expect(waits).toEqual([6_000]);
  });

  it('does the same for a primary limit answered with 429', async () => {
    nock(API).get('/rate_limit').reply(429, primary, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': resetIn(2) });
    nock(API).get('/rate_limit').reply(200, { resources: { core: {} } });
    const { github, waits } = connector();
    await github.health();
    expect(waits).toEqual([3_000]);
  });

  it('fails with SOURCE_RATE_LIMITED and the wait in retryAfterMs when the reset is beyond the budget', async () => {
    nock(API).get('/repos/octocat/Hello-World').reply(403, primary, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': resetIn(1800) });
    const { github, waits } = connector();

    const err = await failure(github.getRepository('octocat/Hello-World'));

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_RATE_LIMITED, status: 403, retryAfterMs: 1_801_000, attempts: 1 });
    expect(err.message).toMatch(/^github:cloud: HTTP 403: API rate limit exceeded for user ID 1\. \(a retry in 1801000 ms would exceed/);
    expect(waits).toEqual([]);
  });

  it('waits Retry-After seconds on a secondary limit (403 or 429 with retry-after)', async () => {
    const secondary = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' };
    nock(API).get('/repos/octocat/Hello-World').reply(403, secondary, { 'retry-after': '3' });
    nock(API).get('/repos/octocat/Hello-World').reply(429, secondary, { 'retry-after': '2' });
    nock(API).get('/repos/octocat/Hello-World').reply(200, fullRepository);
    const { github, waits } = connector();

    await expect(github.getRepository('octocat/Hello-World')).resolves.not.toBeNull();
    expect(waits).toEqual([3_000, 2_000]);
  });

  it('treats a secondary-limit message without headers as "wait at least a minute": over budget, rate limited', async () => {
    nock(API)
      .get('/repos/octocat/Hello-World')
      .reply(403, { message: 'You have exceeded a secondary rate limit and have been temporarily blocked from content creation.' });
    const { github } = connector();
    expect(await failure(github.getRepository('octocat/Hello-World'))).toMatchObject({
      code: SourceErrorCode.SOURCE_RATE_LIMITED,
      retryAfterMs: 60_000,
    });
  });

  it('reports a 403 without rate-limit headers as SOURCE_FORBIDDEN, once, without retrying', async () => {
    nock(API)
      .get('/repos/acme-ml/secret')
      .reply(403, { message: 'Resource not accessible by personal access token', status: '403' }, { 'x-ratelimit-remaining': '4990' });
    const { github, waits } = connector();

    const err = await failure(github.getRepository('acme-ml/secret'));

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_FORBIDDEN, status: 403, attempts: 1, retryAfterMs: undefined });
    expect(err.message).toBe('github:cloud: HTTP 403: Resource not accessible by personal access token');
    expect(waits).toEqual([]);
  });
});
