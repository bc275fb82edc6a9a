import { GraphQLError } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { PersonIdentity } from '../../connectors/core/graph';
import { canonicalRepoUrl } from '../../connectors/git/repo-url';
import type { Commit, Repository } from '../../connectors/git/types';
import type { PartialErrorsContext } from '../common/partial-errors';
import { DateTimeScalar } from '../common/scalars';
import { modelCodeOwners, modelRepositoryUrl, ownersAt, type CodeOwnersContext, type GitSourceRep } from './code-owners';

export type GitContext = PartialErrorsContext & CodeOwnersContext;

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function person(ctx: GitContext, identity: PersonIdentity | null): { id: string } | null {
  return identity ? ctx.people.resolve(identity) : null;
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
    codeOwners: (model: { key: string; sourceCode?: GitSourceRep | null }, _args: unknown, ctx: GitContext) => modelCodeOwners(ctx, model),
  },
};
