import DataLoader from 'dataloader';
import { SourceError } from '../../connectors/core/errors';
import { parseCodeOwners, type ParsedCodeOwners } from '../../connectors/git/codeowners';
import { parseRepoUrl } from '../../connectors/git/repo-url';
import type { CodeOwnersFile, Commit, GitHostConnector, Repository } from '../../connectors/git/types';

export interface CodeOwnersOf {
  file: CodeOwnersFile;
  parsed: ParsedCodeOwners;
}

/** Repositories asked for under one owner from this many on are listed, not fetched one by one. */
const LIST_OWNER_FROM = 3;

/**
 * Per-request loaders over every configured git host. Repositories are batched by owner
 * (one organisation or group listing instead of a call per repository); commits and
 * CODEOWNERS have no batch API on either host, so they cost one call per distinct commit or
 * repository, deduplicated here and cached by the connectors (commits never change).
 */
export class GitLoaders {
  readonly repository: DataLoader<string, Repository | null>;
  readonly commit: DataLoader<string, Commit | null>;
  readonly codeOwners: DataLoader<string, CodeOwnersOf | null>;

  constructor(private readonly hosts: readonly GitHostConnector[]) {
    const options = { batchScheduleFn: (dispatch: () => void) => setImmediate(dispatch) };
    this.repository = new DataLoader((urls) => this.loadRepositories(urls), options);
    this.commit = new DataLoader(
      (ids) =>
        settleEach(ids, async (id) => {
          const at = id.lastIndexOf('@');
          const where = this.locate(id.slice(0, at));
          return where ? where.host.getCommit(where.fullName, id.slice(at + 1)) : null;
        }),
      options,
    );
    this.codeOwners = new DataLoader(
      (urls) =>
        settleEach(urls, async (url) => {
          const where = this.locate(url);
          if (!where) return null;
          // The repository (from the batched owner listing) names the default branch, which
          // saves the host a lookup of its own (GitLab's files API requires a ref).
          const repo = await this.repository.load(url);
          if (!repo) return null;
          const file = await where.host.getCodeOwnersFile(where.fullName, repo.defaultBranch ?? undefined);
          const flavor = where.host.host === 'GITLAB' ? 'gitlab' : 'github';
          return file ? { file, parsed: parseCodeOwners(file.content, flavor) } : null;
        }),
      options,
    );
  }

  /** The host instance serving a canonical repository URL, by its web origin's host name. */
  locate(url: string): { host: GitHostConnector; fullName: string } | null {
    const parsed = parseRepoUrl(url);
    if (!parsed) return null;
    const host = this.hosts.find((h) => new URL(h.webOrigin).hostname.toLowerCase() === parsed.hostname);
    return host ? { host, fullName: parsed.fullName } : null;
  }

  private async loadRepositories(urls: readonly string[]): Promise<Array<Repository | null | Error>> {
    const byOwner = new Map<string, { host: GitHostConnector; owner: string; urls: string[] }>();
    for (const url of urls) {
      const where = this.locate(url);
      if (!where) continue;
      const owner = where.fullName.split('/')[0];
      const key = `${where.host.source} ${owner}`;
      const group = byOwner.get(key) ?? { host: where.host, owner, urls: [] };
      group.urls.push(url);
      byOwner.set(key, group);
    }
    const found = new Map<string, Repository | null | Error>();
    await Promise.all(
      [...byOwner.values()].map(async ({ host, owner, urls: wanted }) => {
        try {
          if (wanted.length >= LIST_OWNER_FROM) {
            const listed = new Map((await host.listOwnerRepositories(owner)).map((r) => [r.url, r]));
            for (const url of wanted) found.set(url, listed.get(url) ?? null);
          } else {
            await Promise.all(
              wanted.map(async (url) => found.set(url, await host.getRepository(this.locate(url)!.fullName))),
            );
          }
        } catch (err) {
          // One host failing fails only its own repositories.
          if (!(err instanceof SourceError)) throw err;
          for (const url of wanted) found.set(url, err);
        }
      }),
    );
    return urls.map((url) => found.get(url) ?? null);
  }
}

/** One load per key; a failure fails only its own key (DataLoader takes an Error per key). */
async function settleEach<K, V>(keys: readonly K[], load: (key: K) => Promise<V>): Promise<Array<V | Error>> {
  const settled = await Promise.allSettled(keys.map(load));
  return settled.map((r) => (r.status === 'fulfilled' ? r.value : r.reason instanceof Error ? r.reason : new Error(String(r.reason))));
}
