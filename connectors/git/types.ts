import type { PersonIdentity } from '../core/graph';
import type { SourceKind, SourceRef } from '../core/source';
import type { CodeOwnersFlavor } from './codeowners';

/**
 * Graph shapes every git host connector (GitHub, GitLab) produces, so that the git
 * subgraph serves one `Repository` and one `Commit` whatever the host.
 */

/** The git hosts' kinds: each git host's folder adds its own (declaration merging, as core's SourceKinds). */
export interface GitHosts {}

export type GitHost = keyof GitHosts & SourceKind;

export interface Repository {
  /** Canonical web URL without `.git`, lower-cased host: `https://github.com/acme-ml/fraud-detector`. The entity key. */
  url: string;
  host: GitHost;
  /** The configured host instance the repository was read from. */
  instance: string;
  source: SourceRef;
  /** `owner/name` (GitHub) or `group/subgroup/name` (GitLab path_with_namespace). */
  fullName: string;
  defaultBranch: string | null;
  description: string | null;
  topics: string[];
  visibility: 'PUBLIC' | 'INTERNAL' | 'PRIVATE' | 'UNKNOWN';
  archived: boolean;
  updatedAt: string | null;
}

export interface Commit {
  sha: string;
  /** Canonical URL of the repository the commit belongs to. */
  repositoryUrl: string;
  message: string;
  /** The git author as the commit records it: tool GIT, nativeId the email, displayName the name. */
  author: PersonIdentity | null;
  /** The host account the host matched the author to (GitHub `author.login`, GitLab user), if any. */
  authorAccount: PersonIdentity | null;
  authoredAt: string | null;
  committedAt: string | null;
  url: string;
  source: SourceRef;
}

/** A CODEOWNERS file as found in a repository, before parsing. */
export interface CodeOwnersFile {
  /** Where it was found: `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`, `.gitlab/CODEOWNERS`. */
  path: string;
  /** The branch or sha it was read at. */
  ref: string;
  content: string;
}

/** A commit to read in a batch. */
export interface CommitKey {
  fullName: string;
  sha: string;
}

/** A CODEOWNERS lookup in a batch: at `ref`, or on the default branch when omitted. */
export interface CodeOwnersKey {
  fullName: string;
  ref?: string;
}

/** What one {@link GitHostConnector.readBatch} call asks for. */
export interface GitReadBatch {
  repositories?: readonly string[];
  commits?: readonly CommitKey[];
  codeOwners?: readonly CodeOwnersKey[];
}

/**
 * Per-key answers in the order asked: the value, null where the single-key method answers
 * null (not there, not visible), or the error that failed that key alone.
 */
export interface GitReadResults {
  repositories: Array<Repository | null | Error>;
  commits: Array<Commit | null | Error>;
  codeOwners: Array<CodeOwnersFile | null | Error>;
}

/** What the git subgraph needs of a host connector. */
export interface GitHostConnector {
  readonly host: GitHost;
  /** Which CODEOWNERS syntax the host reads (GitLab's has sections and optional sections). */
  readonly codeOwnersFlavor: CodeOwnersFlavor;
  readonly instance: string;
  readonly source: string;
  /** Web origin this instance serves (`https://github.com`, `https://gitlab.example.com`). */
  readonly webOrigin: string;
  /** null when the repository does not exist or is not visible with the configured credentials. */
  getRepository(fullName: string): Promise<Repository | null>;
  getCommit(fullName: string, sha: string): Promise<Commit | null>;
  /** The newest commit on a branch (default branch when omitted); null for an empty repository. */
  getLatestCommit(fullName: string, branch?: string): Promise<Commit | null>;
  /** The first CODEOWNERS file found in the host's documented locations at `ref` (default branch when omitted). */
  getCodeOwnersFile(fullName: string, ref?: string): Promise<CodeOwnersFile | null>;
  /**
   * Every repository under a top-level owner (a GitHub organisation, a GitLab group with
   * its subgroups), paged to the end: one listing instead of one call per repository.
   */
  listOwnerRepositories(owner: string): Promise<Repository[]>;
  /**
   * Many repositories, commits and CODEOWNERS lookups at once, as the single-key methods
   * answer them and cached under the same keys (a key warm either way is not asked again):
   * as few upstream requests as the host's batch API allows. A failure of the whole
   * upstream call fails every key it carried; the promise itself rejects only on a bug.
   */
  readBatch(batch: GitReadBatch): Promise<GitReadResults>;
  /**
   * The host account an email belongs to, for hosts whose commits do not name one (GitLab's
   * commit API reports only the git author's name and email); absent where commits already
   * carry the account (GitHub links `author.login` itself). Null when the host knows no
   * account by that email, or more than one.
   */
  findAccountByEmail?(email: string): Promise<PersonIdentity | null>;
  health(): Promise<void>;
  close(): void;
}
