import { DEMO_GITHUB_ORG, generateDemoOrg, type DemoOrg } from '../../sandbox/demo-org';
import { startGithubSandbox } from '../../sandbox/github/server';
import type { SandboxServer } from '../../sandbox/mlflow/server';
import { checkExchange, loadPackagedSpec, type OpenApiDocument } from '../helpers/openapi';

/**
 * The GitHub sandbox's answers to the routes the GitHub connector calls, checked against
 * GitHub's own OpenAPI description (@octokit/openapi, api.github.com): every field GitHub
 * marks required is there, with the type GitHub gives it. The sandbox drifting from GitHub
 * (a field dropped, a type changed) fails here, not in a deployment.
 */

const TOKEN = 'ghp_sandboxOpenapiCheck0001';
const org: DemoOrg = generateDemoOrg();
let spec: OpenApiDocument;
let server: SandboxServer;
const repo = org.models.find((m) => m.repository.host === 'github')!.repository.fullName;

beforeAll(async () => {
  spec = loadPackagedSpec('@octokit/openapi/generated/api.github.com.json');
  server = await startGithubSandbox({ org, instance: 'cloud', auth: { type: 'token', token: TOKEN } });
});
afterAll(() => server?.close());

async function exchange(path: string, template?: string) {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json' } });
  const response = await res.json();
  return checkExchange(spec, { method: 'GET', path: path.replace(/\?.*$/, ''), template, body: undefined, status: res.status, response });
}

describe('the GitHub sandbox against GitHub’s OpenAPI description', () => {
  it('GET /rate_limit (rate-limit/get)', async () => {
    expect(await exchange('/rate_limit')).toEqual({ operationId: 'rate-limit/get', problems: [] });
  });

  it('GET /orgs/{org}/repos (repos/list-for-org)', async () => {
    expect(await exchange(`/orgs/${DEMO_GITHUB_ORG}/repos?per_page=100&sort=full_name`)).toEqual({ operationId: 'repos/list-for-org', problems: [] });
  });

  it('GET /repos/{owner}/{repo} (repos/get)', async () => {
    expect(await exchange(`/repos/${repo}`)).toEqual({ operationId: 'repos/get', problems: [] });
  });

  it('GET /repos/{owner}/{repo}/commits (repos/list-commits) and /commits/{ref} (repos/get-commit)', async () => {
    const listed = await exchange(`/repos/${repo}/commits?per_page=1`);
    expect(listed).toEqual({ operationId: 'repos/list-commits', problems: [] });
    const head = (await (await fetch(`${server.url}/repos/${repo}/commits?per_page=1`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Array<{ sha: string }>;
    expect(await exchange(`/repos/${repo}/commits/${head[0]!.sha}`)).toEqual({ operationId: 'repos/get-commit', problems: [] });
  });

  it('GET /repos/{owner}/{repo}/contents/{path} (repos/get-content)', async () => {
    const paths = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];
    const found = [];
    for (const path of paths) {
      const res = await fetch(`${server.url}/repos/${repo}/contents/${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (res.status === 200) found.push(await exchange(`/repos/${repo}/contents/${path}`, '/repos/{owner}/{repo}/contents/{path}'));
    }
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f).toEqual({ operationId: 'repos/get-content', problems: [] });
  });

  it('GET /users/{username}/repos (repos/list-for-user)', async () => {
    const login = org.people.find((p) => p.githubLogin)!.githubLogin!;
    expect(await exchange(`/users/${login}/repos`)).toEqual({ operationId: 'repos/list-for-user', problems: [] });
  });
});
