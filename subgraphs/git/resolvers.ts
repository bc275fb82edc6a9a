import { GraphQLError } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { canonicalRepoUrl } from '../../connectors/git/repo-url';
import type { Commit, Repository } from '../../connectors/git/types';
import type { PersonRecord } from '../common/identity';
import type { PartialErrorsContext } from '../common/partial-errors';
import { DateTimeScalar } from '../common/scalars';
import { modelCodeOwners, modelRepositoryUrl, ownersAt, type CodeOwnersContext, type GitSourceRep } from './code-owners';

export type GitContext = PartialErrorsContext & CodeOwnersContext;

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/**
 * Who wrote a commit: the host account the host linked it to (GitHub's `author.login`; for
 * GitLab, the user whose email it is), then the commit's email, then its name, the first the
 * people directory ties to a person (see PeopleDirectory.resolveFirstKnown). The host is
 * asked for an email's account only when nothing the commit carries is tied already: a
 * listed person's commits cost no lookup. A person nobody listed is described by the commit:
 * its author's name and identities, answered here (Person's fields are shareable).
 */
async function commitAuthor(ctx: GitContext, commit: Commit): Promise<PersonRecord | null> {
  const candidates = [commit.authorAccount, commit.author];
  const email = commit.author?.email;
  if (!commit.authorAccount && email && !candidates.some((c) => c && ctx.people.knows(c))) {
    const host = ctx.git.locate(commit.repositoryUrl)?.host;
    const account = host?.findAccountByEmail ? await host.findAccountByEmail(email) : null;
    if (account) candidates.unshift(account);
  }
  return ctx.people.resolveFirstKnown(candidates);
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
    author: (commit: Commit, _args: unknown, ctx: GitContext) => commitAuthor(ctx, commit),
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
