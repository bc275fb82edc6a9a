import type { TicketConnector } from '../../connectors/jira';
import type { PeopleDirectory } from '../common/identity';
import { PartialErrors } from '../common/partial-errors';
import { parseSchemaFile } from '../common/schema-file';
import { createSubgraphServer } from '../common/subgraph-server';
import { JiraLoaders } from './loaders';
import { resolvers, type JiraContext } from './resolvers';

export type { JiraContext } from './resolvers';

/** The jira subgraph: tickets of every Jira site, and the tickets linked to each model. */
export function createJiraSubgraph(connectors: readonly TicketConnector[], people: PeopleDirectory) {
  return {
    name: 'jira' as const,
    server: createSubgraphServer<JiraContext>(parseSchemaFile('jira.graphql'), resolvers),
    context: async (): Promise<JiraContext> => ({
      jira: new Map(connectors.map((c) => [c.instance, new JiraLoaders(c)])),
      people,
      partialErrors: new PartialErrors(),
    }),
  };
}
