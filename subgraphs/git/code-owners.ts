import { ownersOf } from '../../connectors/git/codeowners';
import { canonicalRepoUrl } from '../../connectors/git/repo-url';
import type { GitHostConnector } from '../../connectors/git/types';
import type { PeopleDirectory, PersonRecord } from '../common/identity';
import type { GitLoaders } from './loaders';

/**
 * Who owns a model's code, as functions of the git loaders: `Model.codeOwners` and the
 * inventory's governance index read it the same way.
 */

export interface CodeOwnersContext {
  git: GitLoaders;
  people: PeopleDirectory;
  /** Model key -> repository URL (config `linking.repositories`), winning over the runs' git tags. */
  modelRepositories: Readonly<Record<string, string>>;
}

/** Where a model's code is, as the mlflow subgraph's `Model.sourceCode` says. */
export interface GitSourceRep {
  repoUrl?: string | null;
  commit?: string | null;
  path?: string | null;
}

export interface CodeOwner {
  handle: string;
  kind: 'USER' | 'TEAM' | 'EMAIL';
  /** Described as the git subgraph answers a `Person` (its fields are shareable). */
  person: PersonRecord | null;
}

/** `@login` is a user, `@org/team` (GitHub) or `@group/subgroup` (GitLab) a team, else an email. */
function codeOwner(people: PeopleDirectory, handle: string, host: GitHostConnector): CodeOwner {
  if (handle.startsWith('@')) {
    const name = handle.slice(1);
    if (name.includes('/')) return { handle, kind: 'TEAM', person: null };
    const identity = { tool: host.host, instance: host.instance, nativeId: name, email: null, displayName: null } as const;
    return { handle, kind: 'USER', person: people.person(identity) };
  }
  const identity = { tool: 'GIT', instance: host.instance, nativeId: handle, email: handle, displayName: null } as const;
  return { handle, kind: 'EMAIL', person: people.person(identity) };
}

/**
 * No known repository, or one without CODEOWNERS, means nobody owns the code: `[]`. Null
 * is left to a failed host, so a governance rule never reads an outage as "no owner".
 */
export async function ownersAt(ctx: CodeOwnersContext, url: string | null, path: string): Promise<CodeOwner[]> {
  if (!url) return [];
  const where = ctx.git.locate(url);
  const found = where ? await ctx.git.codeOwners.load(url) : null;
  if (!where || !found) return [];
  return ownersOf(found.parsed, path).map((handle) => codeOwner(ctx.people, handle, where.host));
}

export function modelRepositoryUrl(ctx: CodeOwnersContext, model: { key: string; sourceCode?: GitSourceRep | null }): string | null {
  return canonicalRepoUrl(ctx.modelRepositories[model.key] ?? model.sourceCode?.repoUrl);
}

export function modelCodeOwners(ctx: CodeOwnersContext, model: { key: string; sourceCode?: GitSourceRep | null }): Promise<CodeOwner[]> {
  // A configured repository says nothing about where in it the model lives.
  const path = ctx.modelRepositories[model.key] ? '' : (model.sourceCode?.path ?? '');
  return ownersAt(ctx, modelRepositoryUrl(ctx, model), path);
}
