import { ApolloServer, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { DocumentNode } from 'graphql';
import { formatError } from './errors';
import { upstreamCallsPlugin } from './gateway-trust';
import { partialErrorsPlugin, type PartialErrorsContext } from './partial-errors';
import { withResolverSpans } from './resolver-spans';

/**
 * An Apollo Server for one subgraph. Subgraphs sit behind the gateway and answer only its
 * query plans (and `_service`, which the gateway's readiness check and `rover` use), so
 * there is no landing page.
 */
export function createSubgraphServer<TContext extends BaseContext & PartialErrorsContext>(
  typeDefs: DocumentNode,
  resolvers: GraphQLResolverMap<TContext>,
): ApolloServer<TContext> {
  return new ApolloServer<TContext>({
    schema: buildSubgraphSchema({ typeDefs, resolvers: withResolverSpans(resolvers) as GraphQLResolverMap<unknown> }),
    formatError,
    // Inline traces are for Apollo GraphOS usage reporting, which this gateway does not do.
    plugins: [
      partialErrorsPlugin<TContext>(),
      upstreamCallsPlugin<TContext>(),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
    ],
    // The gateway decides what a client sees (`server.debug`); a stack trace sent to it
    // would be passed on in the error's extensions.
    includeStacktraceInErrorResponses: false,
    // The gateway sends JSON POSTs; nothing else should reach a subgraph.
    csrfPrevention: true,
    // Only the gateway reads these: Apollo's default indents every answer, which costs CPU
    // and bytes on pages of hundreds of entities for no reader.
    stringifyResult: (result) => JSON.stringify(result),
    // Apollo's own SIGTERM handler stops the server and re-raises the signal, killing the
    // process mid-drain; the CLI drains and stops every server itself.
    stopOnTerminationSignals: false,
  });
}
