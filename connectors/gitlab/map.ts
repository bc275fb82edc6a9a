import { isoFromText, nonBlank, type PersonIdentity } from '../core/graph';
import type { SourceRef } from '../core/source';
import { canonicalRepoUrl } from '../git/repo-url';
import type { CodeOwnersFile, Commit, Repository } from '../git/types';
import { GITLAB_CODEOWNERS_PATHS, type GitlabCommit, type GitlabGraphqlBlob, type GitlabGraphqlProject, type GitlabProject, type GitlabRepositoryFile, type GitlabUser } from './types';

/** Pure mapping from GitLab DTOs to graph objects: no I/O, no clock, no config lookups. */

/** What the mapping needs to know about the instance an object came from. */
export interface GitlabMapContext {
  instance: string;
  /**
   * The instance's web root without a trailing slash (`https://gitlab.com`, or
   * `https://example.com/gitlab` under a relative URL root). Used only when a DTO carries no
   * `web_url` of its own (commits from GitLab before 13.x).
   */
  webUrl: string;
  /**
   * True when the connector sends no credentials. GitLab then answers with public projects
   * only, and with "simple" fields that leave `visibility` out, so a project it shows is public.
   */
  anonymous: boolean;
}

export type ProjectTransformer = (dto: GitlabProject, ctx: GitlabMapContext) => Repository;
export type CommitTransformer = (dto: GitlabCommit, ctx: GitlabMapContext, fullName: string) => Commit;

/**
 * A repository web URL as the graph keys repositories: `canonicalRepoUrl` of the git
 * subgraph (https, lower-cased host and path, no `.git`), so that a project read here and a
 * remote URL recorded by MLflow name the same `Repository`. GitLab resolves project paths
 * case-insensitively, so lower-casing loses nothing.
 */
export function canonicalRepositoryUrl(url: string): string {
  return canonicalRepoUrl(url) ?? url.trim().replace(/\/+$/, '').replace(/\.git$/i, '');
}

const VISIBILITY: Record<string, Repository['visibility']> = {
  public: 'PUBLIC',
  internal: 'INTERNAL',
  private: 'PRIVATE',
};

function ref(ctx: GitlabMapContext, nativeId: string, url: string | null): SourceRef {
  return { kind: 'GITLAB', instance: ctx.instance, nativeId, url };
}

/** A project as the git subgraph's `Repository`. */
export const mapProject: ProjectTransformer = (dto, ctx) => {
  const fullName = dto.path_with_namespace ?? '';
  const url = canonicalRepositoryUrl(dto.web_url ?? `${ctx.webUrl}/${fullName}`);
  const visibility = dto.visibility ? VISIBILITY[dto.visibility.toLowerCase()] : undefined;
  return {
    url,
    host: 'GITLAB',
    instance: ctx.instance,
    source: ref(ctx, fullName, url),
    fullName,
    defaultBranch: nonBlank(dto.default_branch),
    description: nonBlank(dto.description),
    // `tag_list` is what GitLab before 14.0 sent, and later ones still send beside `topics`.
    topics: [...(dto.topics ?? dto.tag_list ?? [])],
    visibility: visibility ?? (dto.visibility === undefined && ctx.anonymous ? 'PUBLIC' : 'UNKNOWN'),
    archived: dto.archived === true,
    updatedAt: isoFromText(dto.last_activity_at),
  };
};

/**
 * A commit of project `fullName`. GitLab's commit API reports the git author (name, email) but
 * not the GitLab user it belongs to, so `authorAccount` is always null here (the git subgraph
 * asks `GET /users` by email when nothing else ties the email to a person).
 */
export const mapCommit: CommitTransformer = (dto, ctx, fullName) => {
  const sha = dto.id ?? '';
  const webUrl = nonBlank(dto.web_url);
  // `…/group/project/-/commit/<sha>`: the project URL is what comes before `/-/`.
  const projectUrl = webUrl?.includes('/-/commit/') ? webUrl.slice(0, webUrl.indexOf('/-/commit/')) : `${ctx.webUrl}/${fullName}`;
  const repositoryUrl = canonicalRepositoryUrl(projectUrl);
  const url = webUrl ?? `${repositoryUrl}/-/commit/${sha}`;
  const email = nonBlank(dto.author_email);
  const name = nonBlank(dto.author_name);
  // No email recorded: the author's name is all there is to know them by.
  const author: PersonIdentity | null = email
    ? { tool: 'GIT', instance: ctx.instance, nativeId: email, email, displayName: name }
    : name
      ? { tool: 'GIT', instance: ctx.instance, nativeId: name, email: null, displayName: name }
      : null;
  return {
    sha,
    repositoryUrl,
    message: (dto.message ?? dto.title ?? '').trimEnd(),
    author,
    authorAccount: null,
    authoredAt: isoFromText(dto.authored_date),
    committedAt: isoFromText(dto.committed_date ?? dto.created_at),
    url,
    source: ref(ctx, sha, url),
  };
};

/**
 * The user a `GET /users?search=<email>` answer names for that email, as a GitLab identity:
 * the one user showing it (public email, or the primary email an administrator sees).
 * Several candidates, or a name or username that merely contains the text, name nobody: an
 * identity is never guessed.
 */
export function mapUserByEmail(users: readonly GitlabUser[], ctx: GitlabMapContext, email: string): PersonIdentity | null {
  const wanted = email.trim().toLowerCase();
  const shown = (u: GitlabUser) => [u.public_email, u.email].map((e) => e?.trim().toLowerCase()).filter((e): e is string => !!e);
  const matching = users.filter((u) => shown(u).includes(wanted));
  const user = matching.length === 1 ? matching[0] : undefined;
  if (!user?.username) return null;
  return { tool: 'GITLAB', instance: ctx.instance, nativeId: user.username, email: wanted, displayName: nonBlank(user.name) };
}

/** A file read from the files API (content base64-encoded), as a `CodeOwnersFile`. */
export function mapCodeOwnersFile(dto: GitlabRepositoryFile, path: string, readAt: string): CodeOwnersFile {
  const raw = dto.content ?? '';
  const content = (dto.encoding ?? 'base64') === 'base64' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return { path: dto.file_path ?? path, ref: readAt, content };
}

/**
 * A GraphQL `Project` in REST's shape, so that {@link mapProject} maps both alike: its
 * default branch is the repository's `rootRef` (null for an empty repository, as REST's).
 */
export function projectFromGraphql(dto: GitlabGraphqlProject): GitlabProject {
  return {
    path_with_namespace: dto.fullPath,
    web_url: dto.webUrl ?? undefined,
    description: dto.description,
    default_branch: dto.repository?.rootRef ?? null,
    topics: dto.topics ?? [],
    visibility: (dto.visibility ?? undefined) as GitlabProject['visibility'],
    archived: dto.archived ?? undefined,
    last_activity_at: dto.lastActivityAt ?? undefined,
  };
}

/**
 * The CODEOWNERS file GitLab uses among the blobs a `blobs(paths:)` read found: the first in
 * GitLab's order. Null when there is none; undefined when the one that counts came without
 * its text, for the caller to read it another way.
 */
export function codeOwnersFromBlobs(blobs: ReadonlyArray<GitlabGraphqlBlob | null>, readAt: string): CodeOwnersFile | null | undefined {
  for (const path of GITLAB_CODEOWNERS_PATHS) {
    const blob = blobs.find((b) => b?.path === path);
    if (!blob) continue;
    return typeof blob.rawBlob === 'string' ? { path, ref: readAt, content: blob.rawBlob } : undefined;
  }
  return null;
}
