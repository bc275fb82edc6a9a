import { generateDemoOrg } from '../../sandbox/demo-org';
import { startGitlabSandbox } from '../../sandbox/gitlab/server';
import { createGitlabStore } from '../../sandbox/gitlab/store';
import type { SandboxServer } from '../../sandbox/mlflow/server';

/** The GitLab sandbox's GraphQL endpoint on the wire: GitLab's visibility rules, validation and complexity limit. */

const TOKEN = 'glpat-sandbox-0123456789';
const org = generateDemoOrg();
const store = createGitlabStore(org);
const pub = store.projects.find((p) => p.visibility === 'public')!;
const priv = store.projects.find((p) => p.visibility !== 'public')!;

let server: SandboxServer;
beforeAll(async () => {
  server = await startGitlabSandbox({ org, instance: 'com', auth: { type: 'privateToken', token: TOKEN } });
});
afterAll(() => server.close());

async function post(body: unknown, token?: string) {
  const res = await fetch(`${server.url}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { 'PRIVATE-TOKEN': token } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const PROJECT = `query($p: ID!) { project(fullPath: $p) { fullPath visibility repository { rootRef blobs(paths: ["CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS", "README.md"]) { nodes { path rawBlob } } } } }`;

describe('GitLab sandbox: POST /api/graphql', () => {
  it('answers a project with its blobs at the default branch, paths not there left out', async () => {
    const { status, body } = await post({ query: PROJECT, variables: { p: priv.fullName } }, TOKEN);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const paths = body.data.project.repository.blobs.nodes.map((n: any) => n.path);
    expect(paths).toEqual(['CODEOWNERS', 'docs/CODEOWNERS', '.gitlab/CODEOWNERS', 'README.md'].filter((p) => priv.files.has(p)));
    expect(body.data.project).toMatchObject({ fullPath: priv.fullName, visibility: priv.visibility, repository: { rootRef: priv.dto.default_branch } });
  });

  it('shows anonymous callers public projects only: the others are null, without an error', async () => {
    expect((await post({ query: PROJECT, variables: { p: pub.fullName } })).body.data.project.fullPath).toBe(pub.fullName);
    const hidden = await post({ query: PROJECT, variables: { p: priv.fullName } });
    expect(hidden.body).toEqual({ data: { project: null } });
    expect((await post({ query: PROJECT, variables: { p: pub.fullName } }, 'glpat-wrong')).status).toBe(401);
  });

  it('refuses fields GitLab does not have, and queries past its complexity limit', async () => {
    const unknown = await post({ query: '{ project(fullPath: "x") { defaultBranch } }' }, TOKEN);
    expect(unknown.body.errors[0].message).toMatch(/Cannot query field "defaultBranch" on type "Project"/);
    const many = Array.from({ length: 15 }, (_, i) => `p${i}: project(fullPath: "${pub.fullName}") { fullPath description webUrl visibility archived topics lastActivityAt repository { rootRef blobs(paths: ["CODEOWNERS"]) { nodes { path rawBlob } } } }`);
    const heavy = await post({ query: `{ ${many.join(' ')} }` });
    expect(heavy.body.data).toBeUndefined();
    expect(heavy.body.errors[0].message).toMatch(/^Query has complexity of \d+, which exceeds max complexity of 200$/);
    expect(server.stats.byRoute['POST /api/graphql']).toBeGreaterThan(0);
  });
});
