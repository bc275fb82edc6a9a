import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { PersonIdentity } from '../../connectors/core/graph';
import { JqlRefusedError, type Ticket } from '../../connectors/jira';
import { TICKETS_PER_PERSON_SEARCH, type JiraLoaders } from './loaders';
import { acrossSources } from '../common/across-sources';
import type { PeopleDirectory } from '../common/identity';
import type { PartialErrorsContext } from '../common/partial-errors';
import { DateTimeScalar } from '../common/scalars';

export interface JiraContext extends PartialErrorsContext {
  jira: ReadonlyMap<string, JiraLoaders>;
  people: PeopleDirectory;
}

const MAX_SEARCH = 500;

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function site(ctx: JiraContext, instance: string): JiraLoaders {
  const loaders = ctx.jira.get(instance);
  if (!loaders) throw badInput(`unknown Jira instance "${instance}"`);
  return loaders;
}

function person(ctx: JiraContext, identity: PersonIdentity | null): { id: string } | null {
  return identity ? ctx.people.resolve(identity) : null;
}

export const resolvers: GraphQLResolverMap<JiraContext> = {
  DateTime: DateTimeScalar,

  Query: {
    jiraTicket: (_root: unknown, args: { instance: string; key: string }, ctx: JiraContext) =>
      site(ctx, args.instance).connector.getTicket(args.key),
    async jiraSearch(_root: unknown, args: { instance: string; jql: string; first: number }, ctx: JiraContext) {
      if (args.first < 1 || args.first > MAX_SEARCH) throw badInput(`first must be between 1 and ${MAX_SEARCH}`);
      try {
        return await site(ctx, args.instance).connector.searchTickets(args.jql, { maxResults: args.first });
      } catch (err) {
        // The gateway passes on only the code of a source's error; this one is the caller's to fix, so say why.
        if (err instanceof JqlRefusedError) {
          throw new GraphQLError(err.message, { extensions: { code: 'BAD_USER_INPUT', source: err.source } });
        }
        throw err;
      }
    },
  },

  Model: {
    __resolveReference: (model: { key: string }) => model,
    async tickets(
      model: { key: string },
      args: { statusCategory?: Ticket['statusCategory'] | null; status?: string | null },
      ctx: JiraContext,
      info: GraphQLResolveInfo,
    ) {
      const tickets = await acrossSources(
        ctx,
        info,
        [...ctx.jira.values()].map((loaders) => () => loaders.ticketsByModel.load(model.key)),
      );
      return tickets.filter(
        (t) =>
          (!args.statusCategory || t.statusCategory === args.statusCategory) &&
          (!args.status || (t.status ?? '').toLowerCase() === args.status.toLowerCase()),
      );
    },
  },

  Person: {
    __resolveReference: (person: { id: string }) => person,
    async tickets(
      person: { identities?: Array<Pick<PersonIdentity, 'tool' | 'instance' | 'nativeId'>> },
      args: { statusCategory?: Ticket['statusCategory'] | null; first: number },
      ctx: JiraContext,
      info: GraphQLResolveInfo,
    ) {
      if (args.first < 1 || args.first > TICKETS_PER_PERSON_SEARCH) {
        throw badInput(`first must be between 1 and ${TICKETS_PER_PERSON_SEARCH}`);
      }
      const jiraIds = (person.identities ?? []).filter((i) => i.tool === 'JIRA');
      const loads = [...ctx.jira.entries()].flatMap(([instance, loaders]) => {
        const ids = jiraIds.filter((i) => i.instance === instance || i.instance === '*').map((i) => i.nativeId);
        if (ids.length === 0) return [];
        return [
          async () => {
            const byId = new Map<string, Ticket>();
            for (const list of await loaders.ticketsByUser.loadMany(ids)) {
              if (list instanceof Error) throw list;
              for (const t of list) byId.set(t.key, t);
            }
            return [...byId.values()]
              .filter((t) => !args.statusCategory || t.statusCategory === args.statusCategory)
              .sort((a, b) => (b.updated ?? '').localeCompare(a.updated ?? ''))
              .slice(0, args.first);
          },
        ];
      });
      return acrossSources(ctx, info, loads);
    },
  },

  Ticket: {
    __resolveReference(ref: { id: string }, ctx: JiraContext) {
      const slash = ref.id.indexOf('/');
      const loaders = slash > 0 ? ctx.jira.get(ref.id.slice(0, slash)) : undefined;
      return loaders ? loaders.connector.getTicket(ref.id.slice(slash + 1)) : null;
    },
    id: (ticket: Ticket) => `${ticket.source.instance}/${ticket.key}`,
    assignee: (ticket: Ticket, _args: unknown, ctx: JiraContext) => person(ctx, ticket.assignee),
    reporter: (ticket: Ticket, _args: unknown, ctx: JiraContext) => person(ctx, ticket.reporter),
    assigneeIdentity: (ticket: Ticket) => ticket.assignee,
    reporterIdentity: (ticket: Ticket) => ticket.reporter,
  },
};
