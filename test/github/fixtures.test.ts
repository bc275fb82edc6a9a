import { readFileSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { useNock } from '../helpers/nock';
import { githubInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import type { HttpClient } from '../../connectors/core/http-client';
import { createGithubHttpClient, GithubConnector, walkLinkPages } from '../../connectors/github';

/**
 * The connector against real GitHub responses: the request/response pairs octokit recorded
 * from api.github.com (`@octokit/fixtures`, `scenarios/api.github.com/<name>/normalized-fixture.json`),
 * replayed with `nock.define`. Every assertion compares the connector's result with what the
 * recording says GitHub answered.
 *
 * The recordings were made with octokit's headers (`Accept: application/vnd.github.v3+json`,
 * `Authorization: token …`); the connector sends the current ones (`application/vnd.github+json`,
 * `X-GitHub-Api-Version`, `Bearer`, both of which GitHub accepts for the same token), so each
 * replayed request is matched against the connector's headers instead. Only the requests a
 * scenario needs are defined, and each must be made.
 */

interface RecordedRequest {
  scope: string;
  method: string;
  path: string;
  body?: unknown;
  status: number;
  response: unknown;
  reqheaders?: Record<string, unknown>;
  headers: Record<string, unknown>;
}

const SCENARIOS = path.join(path.dirname(require.resolve('@octokit/fixtures/package.json')), 'scenarios', 'api.github.com');
/** The token every recording was made with (normalised by @octokit/fixtures). */
const TOKEN = '0000000000000000000000000000000000000001';

function scenario(name: string): RecordedRequest[] {
  return JSON.parse(readFileSync(path.join(SCENARIOS, name, 'normalized-fixture.json'), 'utf8')) as RecordedRequest[];
}

/** The recorded exchanges, expecting the connector's headers, ready for `nock.define`. */
function replay(recorded: RecordedRequest[]): void {
  nock.define(
    recorded.map((r): nock.Definition => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(r.headers)) {
        // The recorded length is of the original bytes; nock re-serialises the body.
        if (name.toLowerCase() !== 'content-length') headers[name] = String(value);
      }
      return {
        scope: r.scope,
        method: r.method,
        path: r.path,
        ...(r.body !== undefined ? { body: r.body as nock.DataMatcherMap } : {}),
        status: r.status,
        response: r.response as nock.ReplyBody,
        rawHeaders: headers,
        reqheaders: {
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          authorization: `Bearer ${TOKEN}`,
        },
      };
    }),
  );
}

const config = githubInstanceSchema.parse({ name: 'cloud', auth: { type: 'token', token: TOKEN } });
const clock = { sleep: async () => undefined };
let github: GithubConnector;
let http: HttpClient;

useNock();
beforeEach(() => {
  github = GithubConnector.fromConfig(config, {
    cache: new MemoryCache(),
    cacheDefaults: { ttlSeconds: 60, staleSeconds: 300 },
    clock,
  });
  http = createGithubHttpClient(config, { clock });
});
afterEach(() => {
  github.close();
  http.close();
});

describe('@octokit/fixtures scenarios replayed against the GitHub connector', () => {
  it('get-repository: maps the recorded full-repository', async () => {
    const recorded = scenario('get-repository');
    replay(recorded);
    const dto = recorded[0]!.response as Record<string, unknown>;

    const repository = await github.getRepository('octokit-fixture-org/hello-world');

    expect(repository).toEqual({
      url: `https://github.com/${String(dto.full_name)}`.toLowerCase(),
      host: 'GITHUB',
      instance: 'cloud',
      source: { kind: 'GITHUB', instance: 'cloud', nativeId: dto.full_name, url: dto.html_url },
      fullName: dto.full_name,
      defaultBranch: dto.default_branch,
      description: dto.description,
      topics: dto.topics,
      visibility: String(dto.visibility).toUpperCase(),
      archived: dto.archived,
      updatedAt: new Date(String(dto.updated_at)).toISOString(),
    });
    expect(repository).toMatchObject({ defaultBranch: 'master', topics: ['fixtures', 'hello', 'hello-world'], visibility: 'PUBLIC' });
  });

  it('get-repository: the recorded ETag is kept, so a later read is a conditional request', async () => {
    const recorded = scenario('get-repository');
    replay(recorded);
    let now = Date.parse('2017-10-10T16:00:00Z');
    const timed = GithubConnector.fromConfig(config, {
      cache: new MemoryCache({ now: () => now }),
      cacheDefaults: { ttlSeconds: 60, staleSeconds: 300 },
      clock: { ...clock, now: () => now },
    });
    try {
      const first = await timed.getRepository('octokit-fixture-org/hello-world');
      // Past ttl + stale: the connector revalidates with the recorded ETag before answering.
      now += 3_600_000;
      nock('https://api.github.com', { reqheaders: { 'if-none-match': String(recorded[0]!.headers.etag) } })
        .get('/repos/octokit-fixture-org/hello-world')
        .reply(304);
      await expect(timed.getRepository('octokit-fixture-org/hello-world')).resolves.toEqual(first);
    } finally {
      timed.close();
    }
  });

  it('rename-repository: follows the recorded 301 to the repository under its new name', async () => {
    const recorded = scenario('rename-repository').filter((r) => r.method === 'get');
    expect(recorded.map((r) => r.status)).toEqual([301, 200]);
    replay(recorded);
    const renamed = recorded[1]!.response as Record<string, unknown>;

    const repository = await github.getRepository('octokit-fixture-org/rename-repository');

    expect(repository).toMatchObject({
      fullName: renamed.full_name,
      url: `https://github.com/${String(renamed.full_name)}`,
      source: { nativeId: 'octokit-fixture-org/rename-repository-newname' },
    });
  });

  it('get-content: a path that is a directory is not a file (null)', async () => {
    const [listing] = scenario('get-content');
    expect(Array.isArray(listing!.response)).toBe(true);
    replay([listing!]);

    await expect(github.getFile('octokit-fixture-org/hello-world', '/')).resolves.toBeNull();
  });

  it('get-content: the recorded raw-media-type answer (not the JSON object) is refused, not mis-decoded', async () => {
    // The recording asked for application/vnd.github.v3.raw, which the connector never does:
    // it asks for the JSON object and decodes its base64. Served the raw text anyway (a proxy
    // rewriting Accept would do that), the connector must fail clearly rather than guess.
    const [, raw] = scenario('get-content');
    expect(raw!.response).toBe('# hello-world');
    replay([raw!]);

    const err = await github.getFile('octokit-fixture-org/hello-world', 'README.md').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_BAD_RESPONSE, status: 200 });
    expect((err as Error).message).toMatch(/not JSON \(content-type application\/vnd\.github\.v3\.raw; charset=utf-8\)/);
  });

  it('errors: the recorded 422 validation-error becomes SOURCE_BAD_REQUEST with its message and details', async () => {
    const recorded = scenario('errors');
    replay(recorded);
    const body = recorded[0]!.response as { message: string; errors: Array<{ resource: string; field: string; code: string }> };
    const detail = body.errors[0]!;

    const err = await http
      .request({ method: 'POST', path: '/repos/octokit-fixture-org/errors/labels', body: recorded[0]!.body })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_BAD_REQUEST, status: 422, upstreamCode: detail.code, attempts: 1 });
    expect((err as Error).message).toBe(
      `github:cloud: HTTP 422 ${detail.code}: ${body.message} (${detail.resource} ${detail.field} ${detail.code})`,
    );
  });

  it('branch-protection: the recorded GET 404 becomes SOURCE_NOT_FOUND with GitHub’s message', async () => {
    const [notFound] = scenario('branch-protection');
    expect(notFound!.status).toBe(404);
    replay([notFound!]);

    const err = await http.get('/repos/octokit-fixture-org/branch-protection/branches/main/protection').catch((e: unknown) => e);

    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_NOT_FOUND, status: 404, attempts: 1 });
    expect((err as Error).message).toBe(`github:cloud: HTTP 404: ${(notFound!.response as { message: string }).message}`);
  });

  it('paginate-issues: follows the recorded Link headers through all five pages, in order', async () => {
    const recorded = scenario('paginate-issues');
    replay(recorded);

    const pages = await walkLinkPages<{ number: number }, number>(http, recorded[0]!.path, (issue) => issue.number, {
      origin: 'https://api.github.com',
    });

    expect(pages.map((p) => p.url)).toEqual([recorded[0]!.path, ...recorded.slice(1).map((r) => `https://api.github.com${r.path}`)]);
    expect(pages.flatMap((p) => p.items)).toEqual(recorded.flatMap((r) => (r.response as Array<{ number: number }>).map((i) => i.number)));
    expect(pages.map((p) => p.etag)).toEqual(recorded.map((r) => r.headers.etag));
    expect(pages[4]!.next).toBeNull();
  });
});
