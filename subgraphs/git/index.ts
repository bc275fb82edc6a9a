import type { GitHostConnector } from '../../connectors/git/types';
import type { PeopleDirectory } from '../common/identity';
import { PartialErrors } from '../common/partial-errors';
import { parseSchemaFile } from '../common/schema-file';
import { createSubgraphServer } from '../common/subgraph-server';
import { GitLoaders } from './loaders';
import { resolvers, type GitContext } from './resolvers';

export type { GitContext } from './resolvers';

/** The git subgraph: repositories, commits and code owners on every GitHub and GitLab instance. */
export function createGitSubgraph(
  hosts: readonly GitHostConnector[],
  people: PeopleDirectory,
  modelRepositories: Readonly<Record<string, string>>,
) {
  return {
    name: 'git' as const,
    server: createSubgraphServer<GitContext>(parseSchemaFile('git.graphql'), resolvers),
    context: async (): Promise<GitContext> => ({
      git: new GitLoaders(hosts),
      people,
      modelRepositories,
      partialErrors: new PartialErrors(),
    }),
  };
}
