import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Stack } from '../../gateway/stack';
import { ANONYMOUS, FORWARD_EXTENSION, type ForwardedRequest } from '../../lib/caller';
import { SIGNATURE_HEADER, signBody } from '../../lib/request-signature';

/**
 * The slice of `@graphql-hive/gateway` used here, typed locally: its declarations pull in
 * `@whatwg-node/fetch`, which adds TypeScript's DOM library to the whole program and narrows
 * the global `fetch`'s `BodyInit` (a Buffer body stops type-checking in unrelated tests).
 */
interface SubgraphFetch {
  options: { body?: unknown; headers?: unknown };
  setOptions(options: { body: string; headers: Record<string, string> } & Record<string, unknown>): void;
}
interface HiveRuntime extends RequestListener {
  dispose(): Promise<void> | void;
}
const { createGatewayRuntime } = require('@graphql-hive/gateway') as {
  createGatewayRuntime(config: {
    supergraph: string;
    logging: boolean;
    transportEntries: Record<string, { location: string }>;
    plugins: () => Array<{ onFetch(payload: SubgraphFetch): void }>;
  }): HiveRuntime;
};

export interface HiveGateway {
  /** `http://127.0.0.1:<port>/graphql` */
  graphqlUrl: string;
  close(): Promise<void>;
}

/**
 * Hive Gateway (the engine, unmodified) serving `supergraphSdl` over a running stack's
 * subgraphs, on a free loopback port.
 *
 * The subgraphs answer only requests signed by their gateway, so a plugin signs each
 * subgraph request as modelgraph's gateway does (lib/request-signature) and forwards the
 * caller modelgraph's gateway forwards when auth is off: anonymous, no scopes. Nothing
 * here plans, merges or rewrites: the answers are Hive's.
 */
export async function startHiveGateway(stack: Stack, supergraphSdl: string): Promise<HiveGateway> {
  const secret = stack.runtime.subgraphSecret;
  if (!secret) throw new Error('the stack has no subgraph secret to sign with');
  const runtime = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    // The supergraph names the docker-compose hosts; here the subgraphs listen on loopback.
    transportEntries: Object.fromEntries(
      Object.entries(stack.subgraphs).map(([name, subgraph]) => [name, { location: `${subgraph.url}/graphql` }]),
    ),
    plugins: () => [signSubgraphRequests(secret)],
  });
  const server = createServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    graphqlUrl: `http://127.0.0.1:${port}/graphql`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.dispose();
    },
  };
}

/**
 * Signs the final body of every subgraph request. The caller goes into `extensions` first,
 * because the signature covers the exact bytes sent and the subgraph reads the caller only
 * from a signed body.
 */
function signSubgraphRequests(secret: string): { onFetch(payload: SubgraphFetch): void } {
  return {
    onFetch({ options, setOptions }) {
      if (typeof options.body !== 'string') return;
      const request = JSON.parse(options.body) as { extensions?: Record<string, unknown> };
      const forwarded: ForwardedRequest = { caller: ANONYMOUS, requestId: '' };
      const body = JSON.stringify({ ...request, extensions: { ...request.extensions, [FORWARD_EXTENSION]: forwarded } });
      setOptions({
        ...options,
        body,
        headers: { ...(options.headers as Record<string, string> | undefined), [SIGNATURE_HEADER]: signBody(secret, body) },
      });
    },
  };
}
