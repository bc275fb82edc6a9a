/**
 * GitLab REST API v4 DTOs, named as GitLab names them (`doc/api/projects.md`,
 * `doc/api/commits.md`, `doc/api/repository_files.md`, `doc/api/groups.md`,
 * `lib/api/entities/*`).
 *
 * Which fields GitLab sends depends on who asks: an unauthenticated request, or one with
 * `simple=true`, gets only the "simple" project fields (no `visibility`, no `archived`);
 * fields behind a feature or a tier may be absent on older or smaller instances. So every
 * field is optional here and the mapping decides the defaults.
 */

export type GitlabVisibility = 'public' | 'internal' | 'private';

/** `namespace` of a project (`API::Entities::NamespaceBasic`). */
export interface GitlabNamespace {
  id?: number;
  name?: string;
  path?: string;
  /** `group` or `user`. */
  kind?: string;
  /** `acme-data/supply-chain` for a subgroup. */
  full_path?: string;
  parent_id?: number | null;
  avatar_url?: string | null;
  web_url?: string;
}

/** `GET /projects/:id`, and each item of `GET /groups/:id/projects` (`API::Entities::Project`). */
export interface GitlabProject {
  id?: number;
  description?: string | null;
  name?: string;
  name_with_namespace?: string;
  path?: string;
  /** `acme-data/supply-chain/demand-forecaster`: the path the API accepts URL-encoded as `:id`. */
  path_with_namespace?: string;
  created_at?: string;
  /** Null for an empty repository. */
  default_branch?: string | null;
  /** Deprecated in GitLab 14.0 in favour of `topics`; still sent. */
  tag_list?: string[];
  topics?: string[];
  ssh_url_to_repo?: string;
  http_url_to_repo?: string;
  web_url?: string;
  readme_url?: string | null;
  avatar_url?: string | null;
  forks_count?: number;
  star_count?: number;
  last_activity_at?: string;
  namespace?: GitlabNamespace;
  /** Only for authenticated, non-simple requests. */
  visibility?: GitlabVisibility;
  /** Only for authenticated, non-simple requests. */
  archived?: boolean;
  empty_repo?: boolean;
}

/** A commit as `GET /projects/:id/repository/commits` lists it (`API::Entities::Commit`). */
export interface GitlabCommit {
  id?: string;
  short_id?: string;
  created_at?: string;
  parent_ids?: string[];
  title?: string;
  message?: string;
  author_name?: string;
  author_email?: string;
  authored_date?: string;
  committer_name?: string;
  committer_email?: string;
  committed_date?: string;
  trailers?: Record<string, string>;
  extended_trailers?: Record<string, string[]>;
  /** Added in GitLab 13.x: `https://gitlab.example.com/group/project/-/commit/<sha>`. */
  web_url?: string;
}

/** `GET /projects/:id/repository/commits/:sha` (`API::Entities::CommitDetail`). */
export interface GitlabCommitDetail extends GitlabCommit {
  stats?: { additions?: number; deletions?: number; total?: number };
  status?: string | null;
  project_id?: number;
  last_pipeline?: unknown;
}

/** `GET /projects/:id/repository/files/:file_path?ref=` (`lib/api/files.rb` `blob_data`). */
export interface GitlabRepositoryFile {
  file_name?: string;
  file_path?: string;
  size?: number;
  /** Always `base64` for this endpoint. */
  encoding?: string;
  content?: string;
  content_sha256?: string;
  /** The `ref` parameter as sent (a branch, a tag, a sha, or `HEAD`). */
  ref?: string;
  blob_id?: string;
  /** The sha the ref resolved to. */
  commit_id?: string;
  last_commit_id?: string;
  execute_filemode?: boolean;
}

/** `GET /version`: authenticated users only; since GitLab 15.5 a mirror of `GET /metadata`. */
/**
 * A user as `GET /users` lists them (`doc/api/users.md`, "List users"): the basic fields any
 * caller sees; `public_email` is empty when the user set none, and `email` comes only to
 * administrators.
 */
export interface GitlabUser {
  id: number;
  username: string;
  name: string;
  state: string;
  web_url?: string;
  public_email?: string | null;
  email?: string | null;
}

export interface GitlabVersion {
  version?: string;
  revision?: string;
  enterprise?: boolean;
}

/**
 * GitLab's error bodies (`lib/api/helpers.rb`): `{"message": "404 Project Not Found"}` from
 * `not_found!`, `{"message": {"field": ["is invalid"]}}` from validation failures, `{"error":
 * "ref is missing"}` from Grape parameter validation and unknown routes, and OAuth's
 * `{"error": "invalid_token", "error_description": "..."}`. A throttled request gets Rack::Attack's
 * plain-text body (`Retry later` by default) instead.
 */
export interface GitlabErrorBody {
  message?: string | Record<string, unknown>;
  error?: string;
  error_description?: string;
}

/** Documented paging limits (`doc/api/rest/_index.md`, "Offset-based pagination"). */
export const GITLAB_PAGINATION = {
  /** `per_page`: default 20, max 100. */
  maxPerPage: 100,
  defaultPerPage: 20,
} as const;

/**
 * Where GitLab looks for CODEOWNERS, in its order; the first found is used and the others are
 * ignored (`doc/user/project/codeowners/_index.md`, "CODEOWNERS file"). GitLab does not read
 * `.github/CODEOWNERS`.
 */
export const GITLAB_CODEOWNERS_PATHS = ['CODEOWNERS', 'docs/CODEOWNERS', '.gitlab/CODEOWNERS'] as const;

// ---- GraphQL API (`POST /api/graphql`) ------------------------------------------------------
//
// Objects as GitLab's GraphQL reference (`doc/api/graphql/reference/_index.md`) names them
// (`Project`, `Repository`, `RepositoryBlob`), prefixed to keep them apart from the REST
// entities above; only the fields the batch query selects (connectors/gitlab/graphql.ts).

/** `RepositoryBlob`, as the batch query selects it. */
export interface GitlabGraphqlBlob {
  path: string;
  /** The blob's text; null when GitLab does not send it (binary, or too large to show). */
  rawBlob: string | null;
}

/** `Project`, as the `ProjectFields` fragment selects it, with the `b<k>` blob reads of its repository. */
export interface GitlabGraphqlProject {
  /** `group/subgroup/project`: REST's `path_with_namespace`. */
  fullPath: string;
  description: string | null;
  webUrl: string | null;
  /** `public`, `internal` or `private`, as REST writes it. */
  visibility: string | null;
  archived: boolean | null;
  topics: string[] | null;
  lastActivityAt: string | null;
  repository: ({ rootRef: string | null } & Record<string, { nodes: Array<GitlabGraphqlBlob | null> | null } | string | null>) | null;
}

/** One entry of a GraphQL response's `errors`: a field that failed has its `path`. */
export interface GitlabGraphqlError {
  message: string;
  path?: Array<string | number>;
}

export interface GitlabGraphqlResponse<T> {
  data?: T | null;
  errors?: GitlabGraphqlError[];
}
