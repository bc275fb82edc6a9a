import { GraphQLError } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { PersonIdentity } from '../../connectors/core/graph';
import { ownersOf } from '../../connectors/git/codeowners';
import { canonicalRepoUrl } from '../../connectors/git/repo-url';
import type { Commit, GitHostConnector, Repository } from '../../connectors/git/types';
import type { PeopleDirectory } from '../common/identity';
import type { PartialErrorsContext } from '../common/partial-errors';
import { DateTimeScalar } from '../common/scalars';
import type { GitLoaders } from './loaders';

export interface GitContext extends PartialErrorsContext {
  git: GitLoaders;
  people: PeopleDirectory;
  /** Model key -> repository URL (config `linking.repositories`), winning over the runs' git tags. */
  modelRepositories: Readonly<Record<string, string>>;
}

interface GitSourceRep {
  repoUrl?: string | null;
  commit?: string | null;
  path?: string | null;
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function person(ctx: GitContext, identity: PersonIdentity | null): { id: string } | null {
  return identity ? ctx.people.resolve(identity) : null;
}

/** `@login` is a user, `@org/team` (GitHub) or `@group/subgroup` (GitLab) a team, else an email. */
function codeOwner(ctx: GitContext, handle: string, host: GitHostConnector) {
  if (handle.startsWith('@')) {
    const name = handle.slice(1);
    if (name.includes('/')) return { handle, kind: 'TEAM', person: null };
    const identity = { tool: host.host, instance: host.instance, nativeId: name, email: null, displayName: null } as const;
    return { handle, kind: 'USER', person: ctx.people.resolve(identity) };
  }
  const identity = { tool: 'GIT', instance: host.instance, nativeId: handle, email: handle, displayName: null } as const;
  return { handle, kind: 'EMAIL', person: ctx.people.resolve(identity) };
}

/**
 * No known repository, or one without CODEOWNERS, means nobody owns the code: `[]`. Null
 * is left to a failed host, so a governance rule never reads an outage as "no owner".
 */
async function ownersAt(ctx: GitContext, url: string | null, path: string) {
  if (!url) return [];
  const where = ctx.git.locate(url);
  const found = where ? await ctx.git.codeOwners.load(url) : null;
  if (!where || !found) return [];
  return ownersOf(found.parsed, path).map((handle) => codeOwner(ctx, handle, where.host));
}

function modelRepositoryUrl(ctx: GitContext, model: { key: string; sourceCode?: GitSourceRep | null }): string | null {
  return canonicalRepoUrl(ctx.modelRepositories[model.key] ?? model.sourceCode?.repoUrl);
}

export const resolvers: GraphQLResolverMap<GitContext> = {
  DateTime: DateTimeScalar,

  Query: {
    repository(_root: unknown, args: { url: string }, ctx: GitContext) {
      const url = canonicalRepoUrl(args.url);
      if (!url) throw badInput(`"${args.url}" is not a repository URL`);
      return ctx.git.repository.load(url);
    },
  },

  Repository: {
    __resolveReference: (ref: { url: string }, ctx: GitContext) => {
      const url = canonicalRepoUrl(ref.url);
      return url ? ctx.git.repository.load(url) : null;
    },
    async lastCommit(repo: Repository, _args: unknown, ctx: GitContext) {
      const where = ctx.git.locate(repo.url);
      return where ? where.host.getLatestCommit(where.fullName, repo.defaultBranch ?? undefined) : null;
    },
    async codeOwnersFile(repo: Repository, _args: unknown, ctx: GitContext) {
      const found = await ctx.git.codeOwners.load(repo.url);
      if (!found) return null;
      return {
        path: found.file.path,
        ref: found.file.ref,
        rules: found.parsed.rules,
        sections: found.parsed.sections,
        errors: found.parsed.errors.map((e) => `line ${e.line}: ${e.message}`),
      };
    },
    codeOwners: (repo: Repository, args: { path?: string | null }, ctx: GitContext) =>
      ownersAt(ctx, repo.url, args.path ?? ''),
  },

  Commit: {
    __resolveReference: (ref: { id: string }, ctx: GitContext) => ctx.git.commit.load(ref.id),
    id: (commit: Commit) => `${commit.repositoryUrl}@${commit.sha}`,
    repository: (commit: Commit, _args: unknown, ctx: GitContext) => ctx.git.repository.load(commit.repositoryUrl),
    // The email the commit records decides; the host account only when there is no email.
    author: (commit: Commit, _args: unknown, ctx: GitContext) => person(ctx, commit.author ?? commit.authorAccount),
    authorIdentity: (commit: Commit) => commit.author,
  },

  Run: {
    commit(run: { git?: GitSourceRep | null }, _args: unknown, ctx: GitContext) {
      const url = canonicalRepoUrl(run.git?.repoUrl);
      if (!url || !run.git?.commit) return null;
      return ctx.git.commit.load(`${url}@${run.git.commit.toLowerCase()}`);
    },
    repository(run: { git?: GitSourceRep | null }, _args: unknown, ctx: GitContext) {
      const url = canonicalRepoUrl(run.git?.repoUrl);
      return url ? ctx.git.repository.load(url) : null;
    },
  },

  Model: {
    repository(model: { key: string; sourceCode?: GitSourceRep | null }, _args: unknown, ctx: GitContext) {
      const url = modelRepositoryUrl(ctx, model);
      return url ? ctx.git.repository.load(url) : null;
    },
    codeOwners(model: { key: string; sourceCode?: GitSourceRep | null }, _args: unknown, ctx: GitContext) {
      // A configured repository says nothing about where in it the model lives.
      const path = ctx.modelRepositories[model.key] ? '' : (model.sourceCode?.path ?? '');
      return ownersAt(ctx, modelRepositoryUrl(ctx, model), path);
    },
  },
};
