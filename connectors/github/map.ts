import type { PersonIdentity } from '../core/graph';
import type { SourceRef } from '../core/source';
import { canonicalRepoUrl, parseRepoUrl } from '../git/repo-url';
import type { CodeOwnersFile, Commit, Repository } from '../git/types';
import type { Commit as GithubCommit, ContentFile, GraphqlBlob, GraphqlCommit, GraphqlRepository, MinimalRepository } from './types';

/** Pure mapping from GitHub DTOs to graph objects: no I/O, no clock, no config lookups. */

/** What the mapping needs to know about the instance an object came from. */
export interface GithubMapContext {
  instance: string;
  /** Web origin, without a trailing slash: `https://github.com`, `https://ghe.example.com`. */
  webOrigin: string;
}

/**
 * The repository's entity key, as the git subgraph computes it from any URL form
 * (`connectors/git/repo-url.ts`): `https://<web host>/<owner>/<name>`, lower-cased (GitHub
 * names are case-insensitive), without `.git`, port or trailing slash.
 */
export function canonicalRepositoryUrl(webOrigin: string, fullName: string): string {
  const name = fullName.replace(/^\/+|\/+$/g, '');
  const url = `${webOrigin.replace(/\/+$/, '')}/${name}`;
  return canonicalRepoUrl(url) ?? url.toLowerCase();
}

/**
 * `owner/name` (lower-cased) of a repository on this instance from a clone or web URL as
 * tools record it (MLflow's `mlflow.source.git.repoURL`: https, scp-style ssh, ssh://,
 * with CI credentials); null when the URL points at another host or names no repository.
 */
export function fullNameFromRepositoryUrl(url: string, webOrigin: string): string | null {
  const location = parseRepoUrl(url);
  const instance = parseRepoUrl(`${webOrigin.replace(/\/+$/, '')}/x/y`);
  if (!location || !instance || location.hostname !== instance.hostname) return null;
  const [owner, name] = location.fullName.split('/');
  return owner && name ? `${owner}/${name}` : null;
}

/** GitHub's ISO-8601 (`2011-01-26T19:14:43Z`) as the graph's ISO string; null when absent or unreadable. */
export function isoFromGithubDate(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const VISIBILITY: Record<string, Repository['visibility']> = {
  public: 'PUBLIC',
  private: 'PRIVATE',
  internal: 'INTERNAL',
};

/** `full-repository` (repos/get) or `minimal-repository` (repos/list-for-org). */
export function mapRepository(dto: MinimalRepository, ctx: GithubMapContext): Repository {
  const url = canonicalRepositoryUrl(ctx.webOrigin, dto.full_name);
  // `visibility` is missing from old GHES releases; `private` is always there.
  const visibility =
    (dto.visibility && VISIBILITY[dto.visibility.toLowerCase()]) ||
    (typeof dto.private === 'boolean' ? (dto.private ? 'PRIVATE' : 'PUBLIC') : 'UNKNOWN');
  const source: SourceRef = { kind: 'GITHUB', instance: ctx.instance, nativeId: dto.full_name, url: dto.html_url || url };
  return {
    url,
    host: 'GITHUB',
    instance: ctx.instance,
    source,
    fullName: dto.full_name,
    defaultBranch: dto.default_branch || null,
    description: dto.description || null,
    topics: dto.topics ?? [],
    visibility,
    archived: dto.archived ?? false,
    updatedAt: isoFromGithubDate(dto.updated_at),
  };
}

/**
 * A commit as repos/get-commit or repos/list-commits return it. `fullName` is the
 * repository it was asked of; the commit's own `html_url` wins when it names one (a
 * renamed repository answers under its new name).
 */
export function mapCommit(dto: GithubCommit, ctx: GithubMapContext, fullName: string): Commit {
  const repoFullName = fullNameFromCommitUrl(dto.html_url) ?? fullName;
  const repositoryUrl = canonicalRepositoryUrl(ctx.webOrigin, repoFullName);
  const url = dto.html_url || `${repositoryUrl}/commit/${dto.sha}`;
  return {
    sha: dto.sha,
    repositoryUrl,
    message: dto.commit.message ?? '',
    author: gitIdentity(dto.commit.author, ctx),
    authorAccount: accountIdentity(dto.author, ctx),
    authoredAt: isoFromGithubDate(dto.commit.author?.date),
    committedAt: isoFromGithubDate(dto.commit.committer?.date),
    url,
    source: { kind: 'GITHUB', instance: ctx.instance, nativeId: `${repoFullName}@${dto.sha}`, url },
  };
}

/** `https://github.com/o/r/commit/<sha>` -> `o/r`. */
function fullNameFromCommitUrl(htmlUrl: string | undefined): string | null {
  if (!htmlUrl) return null;
  const match = /^https?:\/\/[^/]+\/([^/]+)\/([^/]+)\/commit\/[0-9a-f]+$/i.exec(htmlUrl);
  return match ? `${match[1]}/${match[2]}` : null;
}

/**
 * The git author: tool GIT, the email as nativeId; a commit that records no email is known
 * by its author's name (the last thing to resolve a person by). Neither: no identity.
 */
function gitIdentity(user: GithubCommit['commit']['author'], ctx: GithubMapContext): PersonIdentity | null {
  const email = user?.email?.trim();
  const name = user?.name?.trim() || null;
  if (email) return { tool: 'GIT', instance: ctx.instance, nativeId: email, email, displayName: name };
  return name ? { tool: 'GIT', instance: ctx.instance, nativeId: name, email: null, displayName: name } : null;
}

/**
 * The GitHub account GitHub matched the author's email to. GitHub shows neither the
 * account's email nor its name here, so both are null rather than guessed from the commit.
 */
function accountIdentity(user: GithubCommit['author'], ctx: GithubMapContext): PersonIdentity | null {
  const login = user?.login;
  if (!login) return null;
  return { tool: 'GITHUB', instance: ctx.instance, nativeId: login, email: null, displayName: null };
}

/**
 * The text of a `content-file`: base64 that GitHub wraps every 60 characters, decoded as
 * UTF-8, without a byte-order mark. Null when GitHub sent no content (`encoding: "none"`,
 * files of 1-100 MB) or an encoding other than base64.
 */
export function decodeContent(dto: Pick<ContentFile, 'content' | 'encoding' | 'size'>): string | null {
  if (dto.encoding !== 'base64') return dto.size === 0 && !dto.content ? '' : null;
  const text = Buffer.from((dto.content ?? '').replace(/\s+/g, ''), 'base64').toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The branch or sha in a content-file's API `url` (`.../contents/CODEOWNERS?ref=main`), if any. */
export function refFromContentUrl(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).searchParams.get('ref') || null;
  } catch {
    return null;
  }
}

/** One file's text as repos/get-content gives it. */
export interface RepositoryFile {
  path: string;
  /** The branch or sha it was read at. */
  ref: string;
  /** Git blob sha. */
  sha: string;
  size: number;
  content: string;
}

/** A `content-file` with its decoded text; null when it carries none (see {@link decodeContent}). */
export function mapContentFile(dto: ContentFile, ref: string): RepositoryFile | null {
  const content = decodeContent(dto);
  if (content === null) return null;
  return { path: dto.path, ref, sha: dto.sha, size: dto.size, content };
}

/**
 * A CODEOWNERS `content-file` as the graph's `CodeOwnersFile`, read at `ref` (the branch or
 * sha asked for, else the one GitHub reports in the file's URL, else the default branch).
 * Null when the file carries no decodable content.
 */
export function mapCodeOwnersFile(dto: ContentFile, ref: string): CodeOwnersFile | null {
  const content = decodeContent(dto);
  if (content === null) return null;
  return { path: dto.path, ref, content };
}

// ---- GraphQL objects: the same graph values as their REST counterparts above ------------

/** A GraphQL `Repository` as {@link mapRepository} maps the REST one. */
export function mapGraphqlRepository(dto: GraphqlRepository, ctx: GithubMapContext): Repository {
  const url = canonicalRepositoryUrl(ctx.webOrigin, dto.nameWithOwner);
  const visibility = (dto.visibility && VISIBILITY[dto.visibility.toLowerCase()]) || (dto.isPrivate ? 'PRIVATE' : 'PUBLIC');
  return {
    url,
    host: 'GITHUB',
    instance: ctx.instance,
    source: { kind: 'GITHUB', instance: ctx.instance, nativeId: dto.nameWithOwner, url: dto.url || url },
    fullName: dto.nameWithOwner,
    defaultBranch: dto.defaultBranchRef?.name || null,
    description: dto.description || null,
    topics: (dto.repositoryTopics?.nodes ?? []).flatMap((n) => (n?.topic.name ? [n.topic.name] : [])),
    visibility,
    archived: dto.isArchived ?? false,
    updatedAt: isoFromGithubDate(dto.updatedAt),
  };
}

/** A GraphQL `Commit` as {@link mapCommit} maps the REST one: `fullName` is the repository it was asked of. */
export function mapGraphqlCommit(dto: GraphqlCommit, ctx: GithubMapContext, fullName: string): Commit {
  const repoFullName = fullNameFromCommitUrl(dto.url) ?? fullName;
  const repositoryUrl = canonicalRepositoryUrl(ctx.webOrigin, repoFullName);
  const url = dto.url || `${repositoryUrl}/commit/${dto.oid}`;
  return {
    sha: dto.oid,
    repositoryUrl,
    message: dto.message ?? '',
    author: gitIdentity({ name: dto.author?.name ?? undefined, email: dto.author?.email ?? undefined }, ctx),
    authorAccount: accountIdentity(dto.author?.user ?? null, ctx),
    // The git author's and committer's own dates, as REST's `commit.author.date` and `commit.committer.date`.
    authoredAt: isoFromGithubDate(dto.author?.date ?? dto.authoredDate),
    committedAt: isoFromGithubDate(dto.committer?.date ?? dto.committedDate),
    url,
    source: { kind: 'GITHUB', instance: ctx.instance, nativeId: `${repoFullName}@${dto.oid}`, url },
  };
}

/**
 * A CODEOWNERS `Blob` read at `ref` as the graph's `CodeOwnersFile`; null when GitHub sent no
 * whole text (a binary or truncated blob), for the caller to read it another way.
 */
export function mapGraphqlCodeOwnersBlob(dto: GraphqlBlob, path: string, ref: string): CodeOwnersFile | null {
  if (dto.isTruncated || dto.isBinary || typeof dto.text !== 'string') return null;
  const text = dto.text.charCodeAt(0) === 0xfeff ? dto.text.slice(1) : dto.text;
  return { path, ref, content: text };
}
