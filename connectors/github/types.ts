/**
 * GitHub REST API DTOs, named as GitHub names its schemas (`components/schemas/*` of
 * github/rest-api-description, API version 2022-11-28): only the fields modelgraph reads.
 * GitHub sends far more; what is not listed here is ignored.
 *
 * Optional where GitHub may leave a field out or where older GitHub Enterprise Server
 * releases do not send it (`visibility`, `topics`), so the mapping decides the defaults.
 */

/** `simple-user` / `nullable-simple-user`: an account as GitHub embeds it in other objects. */
export interface SimpleUser {
  login: string;
  id?: number;
  type?: string;
  html_url?: string;
}

/** `git-user`: a name, email and date as git records them in a commit. */
export interface GitUser {
  name?: string;
  email?: string;
  /** ISO-8601, e.g. `2011-04-14T16:00:49Z`. */
  date?: string;
}

export type RepositoryVisibility = 'public' | 'private' | 'internal';

/**
 * `minimal-repository`: one item of `GET /orgs/{org}/repos` (repos/list-for-org).
 * `full-repository` (`GET /repos/{owner}/{repo}`, repos/get) is a superset of it.
 */
export interface MinimalRepository {
  id: number;
  node_id?: string;
  name: string;
  /** `owner/name`, in the case GitHub keeps it. */
  full_name: string;
  owner?: SimpleUser;
  private: boolean;
  html_url: string;
  description: string | null;
  fork?: boolean;
  url?: string;
  default_branch?: string;
  topics?: string[];
  archived?: boolean;
  disabled?: boolean;
  /** "The repository visibility: public, private, or internal." */
  visibility?: RepositoryVisibility | string;
  pushed_at?: string | null;
  created_at?: string | null;
  updated_at?: string | null;
}

/** `full-repository`: `GET /repos/{owner}/{repo}`. */
export interface FullRepository extends MinimalRepository {
  default_branch: string;
  organization?: SimpleUser | null;
}

/** `commit`: `GET /repos/{owner}/{repo}/commits/{ref}` and the items of list-commits. */
export interface Commit {
  sha: string;
  node_id?: string;
  url?: string;
  html_url?: string;
  commit: {
    url?: string;
    author: GitUser | null;
    committer: GitUser | null;
    message: string;
    comment_count?: number;
    tree?: { sha: string; url?: string };
  };
  /**
   * The GitHub account whose verified email matches the git author's; null when none does.
   * GitHub has been seen to send `{}` instead of null, so `login` may be missing too.
   */
  author: Partial<SimpleUser> | null;
  committer: Partial<SimpleUser> | null;
  parents?: Array<{ sha: string; url?: string; html_url?: string }>;
  stats?: { additions?: number; deletions?: number; total?: number };
  files?: Array<{ filename: string; status?: string; sha?: string | null }>;
}

/** `content-file`: `GET /repos/{owner}/{repo}/contents/{path}` when the path is a file. */
export interface ContentFile {
  type: 'file';
  /** `base64` normally; `none` (with `content` empty) for files of 1-100 MB. */
  encoding: string;
  size: number;
  name: string;
  path: string;
  /** Base64, wrapped with newlines every 60 characters. */
  content: string;
  sha: string;
  /** API URL of the file, with `?ref=<branch or sha>` it was read at. */
  url: string;
  git_url?: string | null;
  html_url?: string | null;
  download_url?: string | null;
}

/** One entry of a directory listing (`content-directory` is an array of these). */
export interface ContentDirectoryItem {
  type: 'dir' | 'file' | 'submodule' | 'symlink';
  size: number;
  name: string;
  path: string;
  sha: string;
  content?: string;
  url: string;
}

/**
 * Whatever repos/get-content answers with the default media type: a file, a directory
 * (an array), a symlink whose target is not a regular file, or a submodule.
 */
export type ContentResponse =
  | ContentFile
  | ContentDirectoryItem[]
  | { type: 'symlink' | 'submodule'; path: string; sha: string; target?: string; submodule_git_url?: string };

/** `rate-limit` */
export interface RateLimit {
  limit: number;
  remaining: number;
  /** Epoch seconds. */
  reset: number;
  used: number;
  resource?: string;
}

/** `rate-limit-overview`: `GET /rate_limit`, which does not count against the limit. */
export interface RateLimitOverview {
  resources: { core: RateLimit; [resource: string]: RateLimit | undefined };
  /** Closing down in favour of `resources.core`; still sent. */
  rate?: RateLimit;
}

/** `basic-error`: GitHub's error body. Recent responses add `status` ("404") beside the message. */
export interface BasicError {
  message?: string;
  documentation_url?: string;
  url?: string;
  status?: string;
}

/** `validation-error`: the body of a 422. `errors` items are objects or, rarely, strings. */
export interface ValidationError extends BasicError {
  errors?: Array<
    | string
    | { resource?: string; field?: string; code?: string; message?: string; index?: number; value?: unknown }
  >;
}

/** Headers GitHub's REST API asks for (`Accept`, `X-GitHub-Api-Version`). */
export const GITHUB_MEDIA_TYPE = 'application/vnd.github+json';
export const GITHUB_API_VERSION = '2022-11-28';

/**
 * Documented page-size maxima: `per_page` "The number of results per page (max 100)" for
 * repos/list-for-org and repos/list-commits.
 */
export const GITHUB_PAGE_LIMITS = {
  orgRepositories: 100,
  commits: 100,
} as const;

/**
 * Where GitHub looks for a CODEOWNERS file, in its own order: "GitHub will search for them
 * in that order and use the first one it finds" (About code owners, CODEOWNERS file location).
 */
export const GITHUB_CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

// ---- GraphQL API (`POST /graphql`; `/api/graphql` on GitHub Enterprise Server) ------------
//
// Objects as GitHub's public GraphQL schema names them (`Repository`, `Commit`, `GitActor`,
// `Blob`), prefixed here to keep them apart from the REST schemas above; only the fields the
// batch queries select (connectors/github/graphql.ts).

/** `RepositoryVisibility` */
export type GraphqlRepositoryVisibility = 'PUBLIC' | 'PRIVATE' | 'INTERNAL';

/** `Repository`, as the `RepositoryFields` fragment selects it. */
export interface GraphqlRepository {
  /** `owner/name` */
  nameWithOwner: string;
  /** The web URL, `https://github.com/owner/name`. */
  url: string;
  description: string | null;
  isPrivate: boolean;
  isArchived: boolean;
  /** Missing from the oldest GitHub Enterprise Server releases. */
  visibility?: GraphqlRepositoryVisibility | null;
  /** ISO-8601. */
  updatedAt: string | null;
  /** Null for an empty repository. */
  defaultBranchRef: { name: string } | null;
  /** GitHub allows at most 20 topics a repository. */
  repositoryTopics: { nodes: Array<{ topic: { name: string } } | null> | null } | null;
}

/** `GitActor`: a name, email and date as git records them, and the account GitHub matched them to. */
export interface GraphqlGitActor {
  name: string | null;
  email: string | null;
  /** `GitTimestamp`, ISO-8601. */
  date: string | null;
  user: { login: string } | null;
}

/** `Commit`, as the `CommitFields` fragment selects it. */
export interface GraphqlCommit {
  /** `GitObjectID`: the full sha. */
  oid: string;
  message: string;
  authoredDate: string | null;
  committedDate: string | null;
  /** The web URL, `https://github.com/owner/name/commit/<sha>`. */
  url: string;
  author: GraphqlGitActor | null;
  committer: GraphqlGitActor | null;
}

/** `Blob`, as the `BlobFields` fragment selects it. */
export interface GraphqlBlob {
  /** "UTF8 text data or null if the Blob is binary". */
  text: string | null;
  byteSize: number;
  isBinary: boolean | null;
  /** GitHub cuts the text of large blobs short. */
  isTruncated: boolean;
}

/**
 * One entry of a GraphQL response's `errors`. GitHub adds `type` (`NOT_FOUND`, `FORBIDDEN`,
 * `RATE_LIMITED`, ...) and, for a field that failed, the `path` to it: the other fields of
 * the query are still answered.
 */
export interface GraphqlError {
  type?: string;
  message: string;
  path?: Array<string | number>;
  locations?: Array<{ line: number; column: number }>;
}

/** A GraphQL response: HTTP 200 whether or not `errors` came (a rate limit included). */
export interface GraphqlResponse<T> {
  data?: T | null;
  errors?: GraphqlError[];
}
