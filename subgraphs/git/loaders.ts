import DataLoader from 'dataloader';
import { SourceError } from '../../connectors/core/errors';
import { parseCodeOwners, type ParsedCodeOwners } from '../../connectors/git/codeowners';
import { parseRepoUrl } from '../../connectors/git/repo-url';
import type { CodeOwnersFile, Commit, GitHostConnector, GitReadBatch, Repository } from '../../connectors/git/types';

export interface CodeOwnersOf {
  file: CodeOwnersFile;
  parsed: ParsedCodeOwners;
}

/** What one key of the shared batch asks: a repository, a commit (`<url>@<sha>`) or a CODEOWNERS lookup. */
type ReadKind = 'repository' | 'commit' | 'codeOwners';

/**
 * Per-request loaders over every configured git host. The repositories, commits and
 * CODEOWNERS files resolvers ask for within one tick go to each host as one batch
 * ({@link GitHostConnector.readBatch}: GraphQL on GitHub and GitLab), so a page costs a few
 * requests per host whatever the size of the organisation, and never a listing of it.
 */
export class GitLoaders {
  readonly repository: DataLoader<string, Repository | null>;
  readonly commit: DataLoader<string, Commit | null>;
  readonly codeOwners: DataLoader<string, CodeOwnersOf | null>;
  /** The one batch the three loaders above feed, keyed `<kind> <key>`. */
  private readonly reads: DataLoader<string, unknown>;

  constructor(private readonly hosts: readonly GitHostConnector[]) {
    this.reads = new DataLoader((keys) => this.loadReads(keys), {
      batchScheduleFn: (dispatch: () => void) => setImmediate(dispatch),
    });
    // Unbatched: each only caches per key and hands the key on at once, so that all three
    // kinds meet in the same batch of `reads`.
    const perKey = { batch: false } as const;
    this.repository = new DataLoader((urls) => this.reads.loadMany(urls.map((u) => `repository ${u}`)) as Promise<Array<Repository | null | Error>>, perKey);
    this.commit = new DataLoader((ids) => this.reads.loadMany(ids.map((id) => `commit ${id}`)) as Promise<Array<Commit | null | Error>>, perKey);
    this.codeOwners = new DataLoader(async (urls) => {
      const files = (await this.reads.loadMany(urls.map((u) => `codeOwners ${u}`))) as Array<CodeOwnersFile | null | Error>;
      return files.map((file, i) => {
        if (file === null || file instanceof Error) return file;
        const flavor = this.locate(urls[i]!)?.host.codeOwnersFlavor ?? 'github';
        return { file, parsed: parseCodeOwners(file.content, flavor) };
      });
    }, perKey);
  }

  /** The host instance serving a canonical repository URL, by its web origin's host name. */
  locate(url: string): { host: GitHostConnector; fullName: string } | null {
    const parsed = parseRepoUrl(url);
    if (!parsed) return null;
    const host = this.hosts.find((h) => new URL(h.webOrigin).hostname.toLowerCase() === parsed.hostname);
    return host ? { host, fullName: parsed.fullName } : null;
  }

  /** One {@link GitHostConnector.readBatch} per host for every key of the tick. */
  private async loadReads(keys: readonly string[]): Promise<unknown[]> {
    interface HostBatch {
      host: GitHostConnector;
      batch: Required<{ [K in keyof GitReadBatch]-?: Array<NonNullable<GitReadBatch[K]>[number]> }>;
      /** Where each answer goes: [kind, position in the host's list, position in `keys`]. */
      slots: Array<[ReadKind, number, number]>;
    }
    const byHost = new Map<GitHostConnector, HostBatch>();
    const results: unknown[] = keys.map(() => null);
    keys.forEach((key, index) => {
      const space = key.indexOf(' ');
      const kind = key.slice(0, space) as ReadKind;
      let target = key.slice(space + 1);
      let sha = '';
      if (kind === 'commit') {
        const at = target.lastIndexOf('@');
        sha = target.slice(at + 1);
        target = target.slice(0, at);
      }
      const where = this.locate(target);
      if (!where) return;
      const entry = byHost.get(where.host) ?? { host: where.host, batch: { repositories: [], commits: [], codeOwners: [] }, slots: [] };
      byHost.set(where.host, entry);
      if (kind === 'repository') entry.slots.push([kind, entry.batch.repositories.push(where.fullName) - 1, index]);
      else if (kind === 'commit') entry.slots.push([kind, entry.batch.commits.push({ fullName: where.fullName, sha }) - 1, index]);
      // No ref: the default branch, which the host knows without a lookup of ours.
      else entry.slots.push([kind, entry.batch.codeOwners.push({ fullName: where.fullName }) - 1, index]);
    });
    await Promise.all(
      [...byHost.values()].map(async ({ host, batch, slots }) => {
        try {
          const answers = await host.readBatch(batch);
          const lists = { repository: answers.repositories, commit: answers.commits, codeOwners: answers.codeOwners };
          for (const [kind, at, index] of slots) results[index] = lists[kind][at] ?? null;
        } catch (err) {
          // One host failing fails only its own keys.
          if (!(err instanceof SourceError)) throw err;
          for (const [, , index] of slots) results[index] = err;
        }
      }),
    );
    return results;
  }
}
