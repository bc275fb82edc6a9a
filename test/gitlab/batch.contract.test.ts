import { gitlabInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError } from '../../connectors/core/errors';
import { GitlabConnector } from '../../connectors/gitlab';
import { buildBatchQuery, planBatches } from '../../connectors/gitlab/graphql';
import { generateDemoOrg } from '../../sandbox/demo-org';
import { runGitlabGraphql } from '../../sandbox/gitlab/graphql';
import { startGitlabSandbox, type GitlabSandboxOptions } from '../../sandbox/gitlab/server';
import { createGitlabStore } from '../../sandbox/gitlab/store';
import type { SandboxServer } from '../../sandbox/mlflow/server';

/**
 * GitlabConnector.readBatch against the GitLab sandbox's GraphQL endpoint: the same answers
 * as the REST single-key methods, nulls per key, shared cache entries, anonymous access.
 */

const TOKEN = 'glpat-sandbox-0123456789';
const org = generateDemoOrg();
const store = createGitlabStore(org);
const projects = store.projects;

let servers: SandboxServer[] = [];
let connectors: GitlabConnector[] = [];

async function sandbox(options: Partial<GitlabSandboxOptions> = {}): Promise<SandboxServer> {
  const server = await startGitlabSandbox({ org, instance: 'com', auth: { type: 'privateToken', token: TOKEN }, ...options });
  servers.push(server);
  return server;
}

function connect(server: SandboxServer, instance: Record<string, unknown> = {}): GitlabConnector {
  const gitlab = GitlabConnector.fromConfig(
    { ...gitlabInstanceSchema.parse({ name: 'com', url: server.url, auth: { type: 'privateToken', token: TOKEN }, ...instance }), webUrl: 'https://gitlab.com' },
    { cache: new MemoryCache(), cacheDefaults: { ttlSeconds: 60, staleSeconds: 0 }, clock: { sleep: async () => undefined } },
  );
  connectors.push(gitlab);
  return gitlab;
}

afterEach(async () => {
  for (const c of connectors) c.close();
  connectors = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('GitLab batch reads (GraphQL)', () => {
  it('answers projects and CODEOWNERS as the REST methods do, in one GraphQL request (commits on REST)', async () => {
    const server = await sandbox();
    const batch = connect(server);
    const single = connect(server);
    const picked = projects.slice(0, 8);
    const commits = picked.flatMap((p) => [...p.commits.keys()].slice(0, 1).map((sha) => ({ fullName: p.fullName, sha })));
    server.stats.reset();
    const answer = await batch.readBatch({
      repositories: picked.map((p) => p.fullName),
      commits,
      codeOwners: picked.map((p) => ({ fullName: p.fullName })),
    });
    expect(server.stats.byRoute['POST /api/graphql']).toBe(1);
    expect(server.stats.total).toBe(1 + commits.length);

    for (const [i, p] of picked.entries()) {
      expect(answer.repositories[i]).toEqual(await single.getRepository(p.fullName));
      expect(answer.codeOwners[i]).toEqual(await single.getCodeOwnersFile(p.fullName));
    }
    for (const [i, k] of commits.entries()) expect(answer.commits[i]).toEqual(await single.getCommit(k.fullName, k.sha));
    // GitLab's locations and order: the project without any has none; the one with two, the first.
    const withFile = picked.filter((p) => p.codeownersPath);
    expect(withFile.length).toBeGreaterThan(0);
    for (const p of picked) {
      const file = answer.codeOwners[picked.indexOf(p)];
      expect(file && !(file instanceof Error) ? file.path : null).toBe(p.codeownersPath);
    }
  });

  it('answers null for a missing project without failing its neighbours, and reads an explicit ref', async () => {
    const server = await sandbox();
    const gitlab = connect(server);
    const [a, b] = projects;
    const sha = [...a!.commits.keys()][0]!;
    const answer = await gitlab.readBatch({
      repositories: [a!.fullName, 'acme-data/no-such/project', b!.fullName],
      codeOwners: [{ fullName: 'acme-data/no-such/project' }, { fullName: a!.fullName, ref: sha }],
    });
    expect(answer.repositories.map((r) => (r && !(r instanceof Error) ? r.fullName : r))).toEqual([a!.fullName, null, b!.fullName]);
    expect(answer.codeOwners[0]).toBeNull();
    expect(answer.codeOwners[1]).toEqual(await connect(server).getCodeOwnersFile(a!.fullName, sha));
  });

  it('serves a warm batch with no call, from the entries the single-key methods use', async () => {
    const server = await sandbox();
    const gitlab = connect(server);
    const [a, b, c] = projects;
    const request = { repositories: [a!.fullName, b!.fullName], codeOwners: [{ fullName: a!.fullName }, { fullName: b!.fullName }] };
    const cold = await gitlab.readBatch(request);
    server.stats.reset();
    expect(await gitlab.readBatch(request)).toEqual(cold);
    expect(await gitlab.getRepository(a!.fullName)).toEqual(cold.repositories[0]);
    expect(await gitlab.getCodeOwnersFile(b!.fullName)).toEqual(cold.codeOwners[1]);
    expect(server.stats.total).toBe(0);
    await gitlab.getRepository(c!.fullName);
    await gitlab.getCodeOwnersFile(c!.fullName);
    server.stats.reset();
    await gitlab.readBatch({ repositories: [c!.fullName], codeOwners: [{ fullName: c!.fullName }] });
    expect(server.stats.total).toBe(0);
  });

  it('reads public projects anonymously; the others are null', async () => {
    const server = await sandbox();
    const gitlab = connect(server, { auth: { type: 'none' } });
    const pub = projects.find((p) => p.visibility === 'public')!;
    const priv = projects.find((p) => p.visibility !== 'public')!;
    const answer = await gitlab.readBatch({ repositories: [pub.fullName, priv.fullName] });
    expect(answer.repositories[0]).toMatchObject({ fullName: pub.fullName, visibility: 'PUBLIC' });
    expect(answer.repositories[1]).toBeNull();
  });

  it('fails the keys of a query that fails as a whole, with the source named', async () => {
    const server = await sandbox();
    const gitlab = connect(server, { retry: { maxAttempts: 1 } });
    server.faults.failNext = 1;
    const answer = await gitlab.readBatch({ repositories: [projects[0]!.fullName] });
    expect(answer.repositories[0]).toBeInstanceOf(SourceError);
    expect((answer.repositories[0] as SourceError).source).toBe('gitlab:com');
  });

  it('keeps each query under GitLab\'s complexity limit, anonymous included', () => {
    const reads = projects.map((p) => ({ fullPath: p.fullName, codeOwnersRefs: [null] }));
    for (const batch of planBatches([...reads, ...reads, ...reads])) {
      const { query, variables } = buildBatchQuery(batch);
      const body = runGitlabGraphql(store, { query, variables }, { anonymous: true });
      expect(body.errors).toBeUndefined();
    }
  });
});
