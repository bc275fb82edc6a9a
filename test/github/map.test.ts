import {
  canonicalRepositoryUrl,
  decodeContent,
  fullNameFromRepositoryUrl,
  mapCodeOwnersFile,
  mapCommit,
  mapRepository,
  refFromContentUrl,
  type Commit as GithubCommit,
  type ContentFile,
  type FullRepository,
  type MinimalRepository,
} from '../../connectors/github';
import { canonicalRepoUrl } from '../../connectors/git/repo-url';
import fullRepository from '../fixtures/github/full-repository.json';
import minimalRepositories from '../fixtures/github/minimal-repository-items.json';
import commitFixture from '../fixtures/github/commit.json';
import commitItems from '../fixtures/github/commit-items.json';
import codeownersFile from '../fixtures/github/content-file-codeowners.json';

/**
 * Pure mapping, against GitHub's own response examples (`components/examples` of
 * github/rest-api-description: full-repository, minimal-repository-items, commit,
 * commit-items) and a CODEOWNERS content-file in GitHub's wire form.
 */

const ctx = { instance: 'cloud', webOrigin: 'https://github.com' };

describe('mapRepository', () => {
  it('maps full-repository: canonical lower-cased url, upper-cased visibility, topics', () => {
    expect(mapRepository(fullRepository as unknown as FullRepository, ctx)).toEqual({
      url: 'https://github.com/octocat/hello-world',
      host: 'GITHUB',
      instance: 'cloud',
      source: { kind: 'GITHUB', instance: 'cloud', nativeId: 'octocat/Hello-World', url: 'https://github.com/octocat/Hello-World' },
      fullName: 'octocat/Hello-World',
      defaultBranch: 'master',
      description: 'This your first repo!',
      topics: ['octocat', 'atom', 'electron', 'api'],
      visibility: 'PUBLIC',
      archived: false,
      updatedAt: '2011-01-26T19:14:43.000Z',
    });
  });

  it('maps minimal-repository (the org listing) the same way', () => {
    const [repo] = minimalRepositories as unknown as MinimalRepository[];
    expect(mapRepository(repo!, ctx)).toMatchObject({ url: 'https://github.com/octocat/hello-world', visibility: 'PUBLIC' });
  });

  it('keys the repository exactly as the git subgraph normalises any URL of it', () => {
    const repo = mapRepository(fullRepository as unknown as FullRepository, ctx);
    expect(canonicalRepoUrl('git@github.com:Octocat/Hello-World.git')).toBe(repo.url);
    expect(canonicalRepoUrl((fullRepository as { clone_url: string }).clone_url)).toBe(repo.url);
  });

  it('uses the instance web origin, so GitHub Enterprise repositories get their own host', () => {
    const ghes = { instance: 'corp', webOrigin: 'https://GHE.example.com/' };
    const repo = mapRepository({ ...(fullRepository as unknown as FullRepository), html_url: 'https://ghe.example.com/octocat/Hello-World' }, ghes);
    expect(repo.url).toBe('https://ghe.example.com/octocat/hello-world');
    expect(repo.source).toEqual({ kind: 'GITHUB', instance: 'corp', nativeId: 'octocat/Hello-World', url: 'https://ghe.example.com/octocat/Hello-World' });
  });

  it('reads visibility "internal", and falls back to `private` where an old GHES sends no visibility', () => {
    const base = fullRepository as unknown as FullRepository;
    expect(mapRepository({ ...base, visibility: 'internal' }, ctx).visibility).toBe('INTERNAL');
    expect(mapRepository({ ...base, visibility: undefined, private: true }, ctx).visibility).toBe('PRIVATE');
    expect(mapRepository({ ...base, visibility: undefined, private: false }, ctx).visibility).toBe('PUBLIC');
    expect(mapRepository({ ...base, visibility: 'secret', private: undefined as unknown as boolean }, ctx).visibility).toBe('UNKNOWN');
  });

  it('turns absent optional fields into null and empty lists', () => {
    const bare: MinimalRepository = {
      id: 1,
      name: 'x',
      full_name: 'acme-ml/x',
      private: true,
      html_url: 'https://github.com/acme-ml/x',
      description: null,
    };
    expect(mapRepository(bare, ctx)).toMatchObject({
      defaultBranch: null,
      description: null,
      topics: [],
      archived: false,
      updatedAt: null,
      visibility: 'PRIVATE',
    });
  });
});

describe('mapCommit', () => {
  it('maps the git author (tool GIT) and the GitHub account GitHub matched (tool GITHUB) apart', () => {
    expect(mapCommit(commitFixture as unknown as GithubCommit, ctx, 'octocat/Hello-World')).toEqual({
      sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      repositoryUrl: 'https://github.com/octocat/hello-world',
      message: 'Fix all the bugs',
      author: { tool: 'GIT', instance: 'cloud', nativeId: 'mona@github.com', email: 'mona@github.com', displayName: 'Monalisa Octocat' },
      authorAccount: { tool: 'GITHUB', instance: 'cloud', nativeId: 'octocat', email: null, displayName: null },
      authoredAt: '2011-04-14T16:00:49.000Z',
      committedAt: '2011-04-14T16:00:49.000Z',
      url: 'https://github.com/octocat/Hello-World/commit/6dcb09b5b57875f334f61aebed695e2e4193db5e',
      source: {
        kind: 'GITHUB',
        instance: 'cloud',
        nativeId: 'octocat/Hello-World@6dcb09b5b57875f334f61aebed695e2e4193db5e',
        url: 'https://github.com/octocat/Hello-World/commit/6dcb09b5b57875f334f61aebed695e2e4193db5e',
      },
    });
  });

  it('maps a list-commits item the same way', () => {
    const [item] = commitItems as unknown as GithubCommit[];
    expect(mapCommit(item!, ctx, 'octocat/Hello-World').author?.nativeId).toBe('support@github.com');
  });

  it('has no account when GitHub matched no user (null, or the empty object GitHub sometimes sends)', () => {
    const dto = commitFixture as unknown as GithubCommit;
    expect(mapCommit({ ...dto, author: null }, ctx, 'o/r').authorAccount).toBeNull();
    expect(mapCommit({ ...dto, author: {} }, ctx, 'o/r').authorAccount).toBeNull();
  });

  it('knows an author without an email by their name, has no identity without either, and keeps a name-less author with a null name', () => {
    const dto = commitFixture as unknown as GithubCommit;
    expect(mapCommit({ ...dto, commit: { ...dto.commit, author: { name: 'x', date: '2020-01-01T00:00:00Z' } } }, ctx, 'o/r').author).toEqual({
      tool: 'GIT', instance: 'cloud', nativeId: 'x', email: null, displayName: 'x',
    });
    expect(mapCommit({ ...dto, commit: { ...dto.commit, author: { name: ' ', date: '2020-01-01T00:00:00Z' } } }, ctx, 'o/r').author).toBeNull();
    expect(
      mapCommit({ ...dto, commit: { ...dto.commit, author: { email: 'a@b.c', date: '2020-01-01T00:00:00Z' } } }, ctx, 'o/r').author,
    ).toEqual({ tool: 'GIT', instance: 'cloud', nativeId: 'a@b.c', email: 'a@b.c', displayName: null });
  });

  it('takes the repository from the commit html_url (a renamed repository), else from the name asked', () => {
    const dto = commitFixture as unknown as GithubCommit;
    expect(mapCommit(dto, ctx, 'octocat/old-name').repositoryUrl).toBe('https://github.com/octocat/hello-world');
    const noUrl = mapCommit({ ...dto, html_url: undefined }, ctx, 'Acme-ML/Fraud');
    expect(noUrl.repositoryUrl).toBe('https://github.com/acme-ml/fraud');
    expect(noUrl.url).toBe(`https://github.com/acme-ml/fraud/commit/${dto.sha}`);
  });
});

describe('content files', () => {
  it('decodes base64 wrapped every 60 characters, as GitHub sends it', () => {
    const text = decodeContent(codeownersFile as ContentFile);
    expect(text).toContain('*                 @acme-ml/risk\n');
    expect(text?.split('\n')[0]).toBe('# Owners of acme-ml/fraud-detector');
    expect(Buffer.byteLength(text ?? '')).toBe(codeownersFile.size);
  });

  it('strips a byte-order mark and keeps UTF-8', () => {
    const content = Buffer.from('\ufeff* @équipe\n').toString('base64');
    expect(decodeContent({ content, encoding: 'base64', size: 12 })).toBe('* @équipe\n');
  });

  it('has no text for a file GitHub sent without content (1-100 MB, encoding "none")', () => {
    expect(decodeContent({ content: '', encoding: 'none', size: 2_000_000 })).toBeNull();
    expect(decodeContent({ content: '', encoding: 'none', size: 0 })).toBe('');
  });

  it('maps a CODEOWNERS file with the ref it was read at', () => {
    const file = mapCodeOwnersFile(codeownersFile as ContentFile, 'main');
    expect(file).toMatchObject({ path: '.github/CODEOWNERS', ref: 'main' });
    expect(file?.content.endsWith('@acme-ml/docs\n')).toBe(true);
    expect(refFromContentUrl(codeownersFile.url)).toBe('main');
    expect(refFromContentUrl('https://api.github.com/repos/o/r/contents/CODEOWNERS')).toBeNull();
  });
});

describe('repository URLs', () => {
  it('builds the canonical url from the web origin and the full name', () => {
    expect(canonicalRepositoryUrl('https://github.com', 'Acme-ML/Fraud-Detector')).toBe('https://github.com/acme-ml/fraud-detector');
    expect(canonicalRepositoryUrl('https://ghe.example.com/', 'a/b.git')).toBe('https://ghe.example.com/a/b');
  });

  it.each([
    ['https://github.com/acme-ml/fraud-detector.git', 'acme-ml/fraud-detector'],
    ['git@github.com:acme-ml/fraud-detector.git', 'acme-ml/fraud-detector'],
    ['ssh://git@github.com/Acme-ML/Fraud-Detector.git', 'acme-ml/fraud-detector'],
    ['https://x-access-token:ghs_secret@github.com/acme-ml/fraud-detector', 'acme-ml/fraud-detector'],
    ['https://github.com/acme-ml/growth-models/tree/main/models/ltv-predictor', 'acme-ml/growth-models'],
    ['https://gitlab.com/acme-data/supply-chain/demand-forecaster.git', null],
    ['https://github.com/acme-ml', null],
    ['not a url', null],
  ])('reads %s as %s on github.com', (url, expected) => {
    expect(fullNameFromRepositoryUrl(url, 'https://github.com')).toBe(expected);
  });
});
