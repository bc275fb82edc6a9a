import { generateDemoOrg } from '../../sandbox/demo-org';
import { startGithubSandbox, type GithubSandboxOptions } from '../../sandbox/github/server';
import { createGithubStore } from '../../sandbox/github/store';
import type { SandboxServer } from '../../sandbox/mlflow/server';

/** The GitHub sandbox's GraphQL endpoint on the wire: GitHub's paths, auth, limits and error shapes. */

const TOKEN = 'ghp_sandboxToken0123456789';
const org = generateDemoOrg();
const store = createGithubStore(org);
const [repo] = store.repositories;

let servers: SandboxServer[] = [];
async function sandbox(options: Partial<GithubSandboxOptions> = {}): Promise<SandboxServer> {
  const server = await startGithubSandbox({ org, instance: 'cloud', auth: { type: 'token', token: TOKEN }, ...options });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function post(url: string, body: unknown, token: string | null = TOKEN) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

const [owner, name] = repo!.fullName.split('/');

describe('GitHub sandbox: POST /graphql', () => {
  it('answers a repository with its commit and CODEOWNERS blob, and counts one request', async () => {
    const server = await sandbox();
    const sha = repo!.commits[0]!.sha;
    const { status, headers, body } = await post(`${server.url}/graphql`, {
      query: `query($o: String!, $n: String!, $c: GitObjectID!) {
        repository(owner: $o, name: $n) {
          nameWithOwner isPrivate visibility defaultBranchRef { name } repositoryTopics(first: 20) { nodes { topic { name } } }
          c: object(oid: $c) { ... on Commit { oid message author { email user { login } } } }
          f: object(expression: "HEAD:README.md") { ... on Blob { text byteSize isTruncated } }
        }
        rateLimit { cost remaining limit }
      }`,
      variables: { o: owner, n: name, c: sha },
    });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.repository).toMatchObject({
      nameWithOwner: repo!.fullName,
      visibility: repo!.visibility.toUpperCase(),
      defaultBranchRef: { name: repo!.defaultBranch },
      c: { oid: sha, author: { email: repo!.commits[0]!.author.email } },
      f: { text: repo!.files.get('README.md'), isTruncated: false },
    });
    expect(body.data.repository.repositoryTopics.nodes.map((n: any) => n.topic.name)).toEqual(repo!.topics);
    expect(body.data.rateLimit).toMatchObject({ cost: 1, limit: 5000 });
    expect(headers.get('x-ratelimit-resource')).toBe('graphql');
    expect(headers.get('x-ratelimit-used')).toBe('1');
    expect(server.stats.byRoute).toEqual({ 'POST /graphql': 1 });
  });

  it('answers a missing repository null with a NOT_FOUND error at its path, the rest of the query answered', async () => {
    const server = await sandbox();
    const { body } = await post(`${server.url}/graphql`, {
      query: `{ a: repository(owner: "${owner}", name: "${name}") { nameWithOwner } b: repository(owner: "${owner}", name: "nope") { nameWithOwner } }`,
    });
    expect(body.data).toEqual({ a: { nameWithOwner: repo!.fullName }, b: null });
    expect(body.errors).toEqual([expect.objectContaining({ type: 'NOT_FOUND', path: ['b'], message: `Could not resolve to a Repository with the name '${owner}/nope'.` })]);
  });

  it('refuses fields GitHub does not have, and connections without first or last', async () => {
    const server = await sandbox();
    const unknown = await post(`${server.url}/graphql`, { query: `{ repository(owner: "${owner}", name: "${name}") { defaultBranch } }` });
    expect(unknown.status).toBe(200);
    expect(unknown.body.data).toBeUndefined();
    expect(unknown.body.errors[0].message).toMatch(/Cannot query field "defaultBranch" on type "Repository"/);
    const unbounded = await post(`${server.url}/graphql`, { query: `{ repository(owner: "${owner}", name: "${name}") { repositoryTopics { totalCount } } }` });
    expect(unbounded.body.errors[0]).toMatchObject({ type: 'MISSING_PAGINATION_BOUNDARIES' });
  });

  it('requires a token, as GitHub does', async () => {
    const server = await sandbox();
    const { status, body } = await post(`${server.url}/graphql`, { query: '{ rateLimit { cost } }' }, null);
    expect(status).toBe(401);
    expect(body).toMatchObject({ message: 'This endpoint requires you to be authenticated.' });
    expect((await post(`${server.url}/graphql`, { query: '{ rateLimit { cost } }' }, 'ghp_wrong')).status).toBe(401);
  });

  it('answers RATE_LIMITED with a 200 once the GraphQL budget is spent, REST untouched', async () => {
    const server = await sandbox({ rateLimit: { limit: 1 } });
    const query = { query: `{ repository(owner: "${owner}", name: "${name}") { nameWithOwner } }` };
    expect((await post(`${server.url}/graphql`, query)).body.errors).toBeUndefined();
    const spent = await post(`${server.url}/graphql`, query);
    expect(spent.status).toBe(200);
    expect(spent.body.errors).toEqual([expect.objectContaining({ type: 'RATE_LIMITED' })]);
    expect(spent.headers.get('x-ratelimit-remaining')).toBe('0');
    const rest = await fetch(`${server.url}/repos/${repo!.fullName}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(rest.status).toBe(200);
  });

  it('serves GitHub Enterprise Server\'s GraphQL at /api/graphql beside /api/v3', async () => {
    const server = await sandbox({ enterprise: true });
    const { status, body } = await post(`${server.url}/api/graphql`, { query: `{ repository(owner: "${owner}", name: "${name}") { url } }` });
    expect(status).toBe(200);
    expect(body.data.repository.url).toBe(`${server.url}/${repo!.fullName}`);
    expect((await post(`${server.url}/graphql`, { query: '{ rateLimit { cost } }' })).status).toBe(404);
  });
});
