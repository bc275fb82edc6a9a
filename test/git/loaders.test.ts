import { githubInstanceSchema, gitlabInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { canonicalRepoUrl } from '../../connectors/git/repo-url';
import type { GitHostConnector } from '../../connectors/git/types';
import { GithubConnector } from '../../connectors/github';
import { GitlabConnector } from '../../connectors/gitlab';
import { generateDemoOrg } from '../../sandbox/demo-org';
import { startGithubSandbox } from '../../sandbox/github/server';
import { startGitlabSandbox } from '../../sandbox/gitlab/server';
import type { SandboxServer } from '../../sandbox/mlflow/server';
import { GitLoaders } from '../../subgraphs/git/loaders';

/**
 * What a portal page of 50 models costs the git hosts through the git subgraph's loaders:
 * the page's repositories, CODEOWNERS and commits, asked in one tick as the resolvers ask
 * them, go to each host as a batch, never as a listing of the organisation.
 */

const org = generateDemoOrg({ models: 1000 });
const page = org.models.filter((m) => m.experiments.some((e) => e.runs.some((r) => r.git))).slice(0, 50);

let github: SandboxServer;
let gitlab: SandboxServer;
let hosts: Array<GitHostConnector & { close(): void }>;

beforeAll(async () => {
  github = await startGithubSandbox({ org, instance: 'cloud', auth: { type: 'token', token: 'ghp_t' } });
  gitlab = await startGitlabSandbox({ org, instance: 'com', auth: { type: 'privateToken', token: 'glpat-t' } });
  const deps = { cache: new MemoryCache(), cacheDefaults: { ttlSeconds: 60, staleSeconds: 300 }, clock: { sleep: async () => undefined } };
  hosts = [
    GithubConnector.fromConfig(
      githubInstanceSchema.parse({ name: 'cloud', url: github.url, webUrl: 'https://github.com', auth: { type: 'token', token: 'ghp_t' } }),
      deps,
    ),
    GitlabConnector.fromConfig(
      { ...gitlabInstanceSchema.parse({ name: 'com', url: gitlab.url, auth: { type: 'privateToken', token: 'glpat-t' } }), webUrl: 'https://gitlab.com' },
      deps,
    ),
  ];
});

afterAll(async () => {
  for (const h of hosts) h.close();
  await Promise.all([github.close(), gitlab.close()]);
});

/** Everything the page asks, in one tick, as the resolvers do. */
function loadPage(loaders: GitLoaders) {
  return Promise.all(
    page.flatMap((model) => {
      const url = canonicalRepoUrl(model.repository.url)!;
      const commits = model.experiments.flatMap((e) => e.runs.flatMap((r) => (r.git ? [`${canonicalRepoUrl(r.git.repoUrl)}@${r.git.commit}`] : [])));
      return [loaders.repository.load(url), loaders.codeOwners.load(url), ...commits.map((id) => loaders.commit.load(id))];
    }),
  );
}

const sum = (server: SandboxServer, pattern: RegExp) =>
  Object.entries(server.stats.byRoute).reduce((n, [route, count]) => (pattern.test(route) ? n + count : n), 0);

describe('git loaders: a 50-model page at 1,000 models', () => {
  it('sends each host a few GraphQL requests and no organisation or group listing', async () => {
    github.stats.reset();
    gitlab.stats.reset();
    const answers = await loadPage(new GitLoaders(hosts));
    expect(answers.every((a) => !(a instanceof Error))).toBe(true);
    expect(answers.filter((a) => a !== null).length).toBeGreaterThan(page.length);

    const githubRepos = new Set(page.filter((m) => m.repository.host === 'github').map((m) => m.repository.fullName));
    expect(githubRepos.size).toBeGreaterThan(10);
    // Everything GitHub is asked, in one query of at most 50 repositories.
    expect(github.stats.byRoute).toEqual({ 'POST /graphql': Math.ceil(githubRepos.size / 50) });
    expect(sum(github, /orgs|organizations/)).toBe(0);

    const gitlabRepos = new Set(page.filter((m) => m.repository.host === 'gitlab').map((m) => m.repository.fullName));
    expect(sum(gitlab, /^POST \/api\/graphql$/)).toBe(Math.ceil(gitlabRepos.size / 10));
    expect(sum(gitlab, /groups|\/repository\/files\//)).toBe(0);
    // GitLab's commits stay one cached REST call each.
    expect(sum(gitlab, /\/repository\/commits\//)).toBeGreaterThan(0);
  });

  it('answers the same page again from the cache, with no call at all', async () => {
    github.stats.reset();
    gitlab.stats.reset();
    await loadPage(new GitLoaders(hosts));
    expect(github.stats.total + gitlab.stats.total).toBe(0);
  });

  it('gives the loaders the same values the single-key methods give', async () => {
    const loaders = new GitLoaders(hosts);
    const model = page.find((m) => m.repository.host === 'github')!;
    const url = canonicalRepoUrl(model.repository.url)!;
    const where = loaders.locate(url)!;
    expect(await loaders.repository.load(url)).toEqual(await where.host.getRepository(where.fullName));
    expect((await loaders.codeOwners.load(url))?.file ?? null).toEqual(await where.host.getCodeOwnersFile(where.fullName));
  });
});
