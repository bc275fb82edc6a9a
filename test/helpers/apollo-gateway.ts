import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { supergraphForApolloGateway } from '../../gateway/auth/authorization';
import type { Stack } from '../../gateway/stack';
import { ANONYMOUS, FORWARD_EXTENSION, type ForwardedRequest } from '../../lib/caller';
import { SIGNATURE_HEADER, signBody } from '../../lib/request-signature';

export interface ApolloGatewayServer {
  /** `http://127.0.0.1:<port>/` (Apollo Server's standalone server answers GraphQL on any path). */
  graphqlUrl: string;
  close(): Promise<void>;
}

/**
 * The bare `@apollo/gateway` (in `@apollo/server`'s standalone server) serving
 * `supergraphSdl` over a running stack's subgraphs, on a free loopback port: the engine
 * modelgraph's gateway is built on, without its response cache, limits or plugins, as the
 * baseline the benchmark compares against.
 *
 * What it must add to be let in, and no more: the supergraph without `for: SECURITY`
 * (Apollo Gateway 2.14 refuses it, see gateway/auth/authorization.ts), and each subgraph
 * request signed with the anonymous caller forwarded, as test/helpers/hive-gateway.ts does
 * for Hive Gateway.
 */
export async function startApolloGateway(stack: Stack, supergraphSdl: string): Promise<ApolloGatewayServer> {
  const secret = stack.runtime.subgraphSecret;
  if (!secret) throw new Error('the stack has no subgraph secret to sign with');
  // No usage reports to Apollo's servers from a benchmark.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphForApolloGateway(supergraphSdl),
    // The supergraph names the docker-compose hosts; here the subgraphs listen on loopback.
    buildService({ name }) {
      const subgraph = stack.subgraphs[name as keyof Stack['subgraphs']];
      if (!subgraph) throw new Error(`the stack runs no subgraph "${name}"`);
      return new SignedDataSource(`${subgraph.url}/graphql`, secret);
    },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { graphqlUrl: url, close: () => server.stop() };
}

/** Forwards the anonymous caller in `extensions` and signs the exact body sent. */
class SignedDataSource extends RemoteGraphQLDataSource {
  constructor(url: string, secret: string) {
    super({ url });
    this.fetcher = ((input: string, init: RequestInit & { headers: Record<string, string> }) => {
      const body = typeof init.body === 'string' ? init.body : '';
      return fetch(input, { ...init, headers: { ...init.headers, [SIGNATURE_HEADER]: signBody(secret, body) } });
    }) as unknown as RemoteGraphQLDataSource['fetcher'];
  }

  override willSendRequest({ request }: GraphQLDataSourceProcessOptions): void {
    const forwarded: ForwardedRequest = { caller: ANONYMOUS, requestId: '' };
    request.extensions = { ...request.extensions, [FORWARD_EXTENSION]: forwarded };
  }
}
