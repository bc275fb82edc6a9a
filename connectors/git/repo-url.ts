import { stripUrlCredentials } from '../core/urls';

/**
 * One repository, however it was written down: `git@github.com:acme/repo.git`,
 * `ssh://git@gitlab.com:22/acme/ml/repo.git`, `https://user:token@github.com/acme/repo`,
 * `https://GitHub.com/Acme/Repo/` are all `https://github.com/acme/repo`. MLflow records
 * whatever remote the training job cloned from, so runs name repositories all these ways.
 */
export interface RepoLocation {
  /** Lower-cased host name, without port or credentials: `github.com`. */
  hostname: string;
  /** Path without leading or trailing slash and without `.git`, lower-cased: `acme/ml/repo`. */
  fullName: string;
  /** `https://<hostname>/<fullName>`: the key repositories are known by in the graph. */
  canonicalUrl: string;
}

/**
 * Parses a git remote or web URL; null when it is not one (a local path, an empty tag).
 * Paths are lower-cased because GitHub and GitLab resolve owner and repository names
 * case-insensitively.
 */
export function parseRepoUrl(raw: string | null | undefined): RepoLocation | null {
  if (!raw) return null;
  let text = stripUrlCredentials(raw.trim());
  // scp-like syntax: [user@]host:path (no scheme, a colon before the first slash)
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(text);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `ssh://${scp[1]}/${scp[2]}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (!['http:', 'https:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:'].includes(url.protocol)) return null;
  const hostname = url.hostname.toLowerCase();
  let path = decodeURIComponent(url.pathname)
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '');
  // GitLab web URLs of a file or tree: everything after `/-/` is not the project path.
  path = path.split('/-/')[0];
  if (!hostname || !path || !path.includes('/')) return null;
  const fullName = path.toLowerCase();
  return { hostname, fullName, canonicalUrl: `https://${hostname}/${fullName}` };
}

/** The canonical URL, or null for something that is not a repository URL. */
export function canonicalRepoUrl(raw: string | null | undefined): string | null {
  return parseRepoUrl(raw)?.canonicalUrl ?? null;
}
