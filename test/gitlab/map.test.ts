import { isoFromText as isoDate } from '../../connectors/core/graph';
import {
  canonicalRepositoryUrl,
  mapCodeOwnersFile,
  mapCommit,
  mapProject,
  mapUserByEmail,
  type GitlabMapContext,
} from '../../connectors/gitlab/map';
import type { GitlabCommit, GitlabProject, GitlabRepositoryFile } from '../../connectors/gitlab/types';
import commitFixture from '../fixtures/gitlab/commit.json';
import commitsFixture from '../fixtures/gitlab/commits.json';
import projectFixture from '../fixtures/gitlab/project.json';
import simpleProjectsFixture from '../fixtures/gitlab/projects-simple.json';
import fileFixture from '../fixtures/gitlab/repository-file.json';

/** Mapping against GitLab-shaped JSON (the examples of `doc/api/*.md`), with no HTTP. */

const ctx: GitlabMapContext = { instance: 'com', webUrl: 'https://gitlab.example.com', anonymous: false };

describe('mapProject', () => {
  it('maps a project as an authenticated user gets it', () => {
    expect(mapProject(projectFixture as GitlabProject, ctx)).toEqual({
      url: 'https://example.com/diaspora/diaspora-project-site',
      host: 'GITLAB',
      instance: 'com',
      source: {
        kind: 'GITLAB',
        instance: 'com',
        nativeId: 'diaspora/diaspora-project-site',
        url: 'https://example.com/diaspora/diaspora-project-site',
      },
      fullName: 'diaspora/diaspora-project-site',
      defaultBranch: 'main',
      description: null,
      topics: ['example', 'disapora project'],
      visibility: 'PRIVATE',
      archived: false,
      updatedAt: '2013-09-30T13:46:02.000Z',
    });
  });

  it('reads the legacy tag_list when topics are absent, and the simple fields of an anonymous listing', () => {
    const dto = simpleProjectsFixture[0] as GitlabProject;
    const anonymous = mapProject(dto, { ...ctx, anonymous: true });
    expect(anonymous.topics).toEqual(['example', 'disapora client']);
    expect(anonymous.defaultBranch).toBe('master');
    // Without credentials GitLab shows only public projects, and leaves `visibility` out.
    expect(anonymous.visibility).toBe('PUBLIC');
    expect(anonymous.archived).toBe(false);
    // With credentials a missing visibility says nothing.
    expect(mapProject(dto, ctx).visibility).toBe('UNKNOWN');
  });

  it('prefers topics over tag_list when both are sent', () => {
    const repo = mapProject({ ...(projectFixture as GitlabProject), tag_list: ['old'], topics: ['new'] }, ctx);
    expect(repo.topics).toEqual(['new']);
  });

  it('upper-cases every documented visibility and flags archived projects', () => {
    for (const [visibility, expected] of [
      ['public', 'PUBLIC'],
      ['internal', 'INTERNAL'],
      ['private', 'PRIVATE'],
    ] as const) {
      expect(mapProject({ ...(projectFixture as GitlabProject), visibility }, ctx).visibility).toBe(expected);
    }
    expect(mapProject({ ...(projectFixture as GitlabProject), archived: true }, ctx).archived).toBe(true);
  });

  it('keys the repository by its canonical URL: lower-cased, no .git, no trailing slash', () => {
    const repo = mapProject(
      {
        path_with_namespace: 'Acme-Data/Supply-Chain/Demand-Forecaster',
        web_url: 'https://GitLab.Example.com/Acme-Data/Supply-Chain/Demand-Forecaster.git/',
      },
      ctx,
    );
    expect(repo.url).toBe('https://gitlab.example.com/acme-data/supply-chain/demand-forecaster');
    expect(repo.fullName).toBe('Acme-Data/Supply-Chain/Demand-Forecaster');
  });

  it('treats an empty repository (no default branch) and an empty description as absent', () => {
    const repo = mapProject({ ...(projectFixture as GitlabProject), default_branch: null, description: '  ' }, ctx);
    expect(repo.defaultBranch).toBeNull();
    expect(repo.description).toBeNull();
  });

  it('falls back to the instance web root when web_url is missing', () => {
    expect(mapProject({ path_with_namespace: 'a/b/c' }, ctx).url).toBe('https://gitlab.example.com/a/b/c');
  });
});

describe('mapCommit', () => {
  it('maps a single commit: the git author as a GIT identity, dates in UTC, no host account', () => {
    expect(mapCommit(commitFixture as GitlabCommit, ctx, 'janedoe/gitlab-foss')).toEqual({
      sha: '6104942438c14ec7bd21c6cd5bd995272b3faff6',
      repositoryUrl: 'https://gitlab.example.com/janedoe/gitlab-foss',
      message: 'Sanitize for network graph\nCo-authored-by: Jane Doe <janedoe@gitlab.com>',
      author: { tool: 'GIT', instance: 'com', nativeId: 'user@example.com', email: 'user@example.com', displayName: 'randx' },
      authorAccount: null,
      authoredAt: '2021-09-20T06:06:12.420Z',
      committedAt: '2021-09-20T06:06:12.300Z',
      url: 'https://gitlab.example.com/janedoe/gitlab-foss/-/commit/6104942438c14ec7bd21c6cd5bd995272b3faff6',
      source: {
        kind: 'GITLAB',
        instance: 'com',
        nativeId: '6104942438c14ec7bd21c6cd5bd995272b3faff6',
        url: 'https://gitlab.example.com/janedoe/gitlab-foss/-/commit/6104942438c14ec7bd21c6cd5bd995272b3faff6',
      },
    });
  });

  it('maps listed commits, falling back to created_at (always committed_date) when committed_date is absent', () => {
    const [first, second] = commitsFixture.map((c) => mapCommit(c as GitlabCommit, ctx, 'janedoe/gitlab-foss'));
    expect(first!.message).toBe('Replace sanitize with escape once');
    expect(first!.author?.displayName).toBe('Example User');
    expect(second!.authoredAt).toBeNull();
    expect(second!.committedAt).toBe('2021-09-20T06:06:12.201Z');
  });

  it('builds the URLs from the instance when GitLab sends no web_url (before 13.x)', () => {
    const commit = mapCommit({ id: 'abc123', message: 'x\n\n', author_email: 'a@b.c' }, ctx, 'group/sub/project');
    expect(commit.repositoryUrl).toBe('https://gitlab.example.com/group/sub/project');
    expect(commit.url).toBe('https://gitlab.example.com/group/sub/project/-/commit/abc123');
    expect(commit.message).toBe('x');
  });

  it("knows an author the commit records no email of by their name, and has no identity without either", () => {
    expect(mapCommit({ id: 'abc', author_name: 'ghost', author_email: '' }, ctx, 'a/b').author).toEqual({
      tool: 'GIT', instance: 'com', nativeId: 'ghost', email: null, displayName: 'ghost',
    });
    expect(mapCommit({ id: 'abc', author_name: '', author_email: '' }, ctx, 'a/b').author).toBeNull();
  });
});

describe('mapCodeOwnersFile', () => {
  it('decodes the base64 content the files API returns, and records where and at which ref it was read', () => {
    const file = mapCodeOwnersFile(fileFixture as GitlabRepositoryFile, 'docs/CODEOWNERS', 'main');
    expect(file.path).toBe('docs/CODEOWNERS');
    expect(file.ref).toBe('main');
    expect(file.content).toBe('# GitLab CODEOWNERS\n* @diaspora\n\n[Documentation][2] @docs-team\ndocs/\n\n^[Go]\n*.go @root\n');
    expect(Buffer.byteLength(file.content)).toBe(fileFixture.size);
  });
});

describe('helpers', () => {
  it('isoDate reads GitLab offsets and rejects garbage', () => {
    expect(isoDate('2012-09-20T11:50:22+03:00')).toBe('2012-09-20T08:50:22.000Z');
    expect(isoDate('not a date')).toBeNull();
    expect(isoDate(null)).toBeNull();
  });

  it('canonicalRepositoryUrl agrees with the git subgraph on every remote form', () => {
    const want = 'https://gitlab.com/acme-data/supply-chain/demand-forecaster';
    expect(canonicalRepositoryUrl('https://gitlab.com/acme-data/supply-chain/demand-forecaster.git')).toBe(want);
    expect(canonicalRepositoryUrl('git@gitlab.com:acme-data/supply-chain/demand-forecaster.git')).toBe(want);
    expect(canonicalRepositoryUrl('https://gitlab-ci-token:glcbt-0123456789@gitlab.com/acme-data/supply-chain/demand-forecaster.git')).toBe(want);
    expect(canonicalRepositoryUrl('https://gitlab.com/acme-data/supply-chain/demand-forecaster/-/tree/main')).toBe(want);
  });
});

describe('mapUserByEmail', () => {
  const user = (username: string, extra: Record<string, unknown> = {}) => ({ id: 1, username, name: `${username} name`, state: 'active', ...extra });

  it('is the one user showing that email (public, or primary as an administrator sees it)', () => {
    expect(mapUserByEmail([user('keriksen', { public_email: 'Kenji.Eriksen@acme.io' })], ctx, 'kenji.eriksen@acme.io')).toEqual({
      tool: 'GITLAB', instance: 'com', nativeId: 'keriksen', email: 'kenji.eriksen@acme.io', displayName: 'keriksen name',
    });
    expect(mapUserByEmail([user('a', { public_email: '' }), user('b', { email: 'k@acme.io' })], ctx, 'k@acme.io')?.nativeId).toBe('b');
  });

  it('names nobody for a name or username merely containing the text, or for two users', () => {
    expect(mapUserByEmail([user('k@acme.io-fan', { public_email: '' })], ctx, 'k@acme.io')).toBeNull();
    expect(mapUserByEmail([user('a', { public_email: 'k@acme.io' }), user('b', { email: 'k@acme.io' })], ctx, 'k@acme.io')).toBeNull();
    expect(mapUserByEmail([], ctx, 'k@acme.io')).toBeNull();
  });
});
