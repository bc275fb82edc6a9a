import { Kind, print, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  createGraphqlClient,
  fetchAllPages,
  type GraphqlClient,
  type GraphQLErrorLike,
  type GraphqlVariables,
} from '../cli/graphql-client';

/**
 * A typed client for scripts against the gateway: the operations come from
 * `npm run codegen` (client/generated/) as `TypedDocumentNode`s, so a script's variables and
 * results are checked by the compiler against schema/public.graphql.
 *
 * The HTTP is the CLI's own (cli/graphql-client.ts: Node's fetch, a timeout, transport
 * failures naming the endpoint); what this adds is the types, and that GraphQL errors are
 * thrown rather than returned: a script that reads only `data` would otherwise take a
 * partial answer (a source down, a field refused) for a complete one.
 */

/**
 * No GraphQL answer at all (unreachable, timed out, an HTTP error or a body that is not
 * GraphQL), or, from `requestAll`, a connection that cannot be followed; the message names
 * the endpoint. The CLI's error class, under the name a script would look for.
 */
export { ReportError as TransportError } from '../cli/graphql-client';
export type { GraphQLErrorLike } from '../cli/graphql-client';

export interface ClientOptions {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  endpoint: string;
  /** An API key (`modelgraph api-key`), sent as `X-API-Key`. Not with `token`. */
  apiKey?: string;
  /** A JWT from the issuer the gateway trusts, sent as `Authorization: Bearer`. Not with `apiKey`. */
  token?: string;
  /** Per request. Default 60 s, as the CLI's. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/** Variables as an operation declares them; `{}` may be left out when it declares none. */
type VariablesArg<TVars> = Record<string, never> extends TVars ? [variables?: TVars] : [variables: TVars];

export interface Client {
  /** The endpoint, without any credentials in the URL, as messages name it. */
  readonly endpoint: string;
  /** Runs one operation; throws a {@link GraphqlRequestError} when the answer has errors. */
  request<TResult, TVars>(document: TypedDocumentNode<TResult, TVars>, ...variables: VariablesArg<TVars>): Promise<TResult>;
  /**
   * Runs a query and follows each cursor connection bound to a variable
   * (`after: $after`, with `pageInfo { hasNextPage endCursor }`) to its last page, as
   * `modelgraph report` does; the result holds every page's nodes.
   */
  requestAll<TResult, TVars>(document: TypedDocumentNode<TResult, TVars>, ...variables: VariablesArg<TVars>): Promise<TResult>;
}

/** The graph answered, with errors: `data` is whatever it could answer (maybe nothing). */
export class GraphqlRequestError extends Error {
  override readonly name = 'GraphqlRequestError';
  constructor(
    readonly endpoint: string,
    readonly operationName: string | undefined,
    readonly errors: readonly GraphQLErrorLike[],
    readonly data: unknown,
  ) {
    super(`${endpoint} answered ${operationName ?? 'the operation'} with errors: ${errors.map(describeError).join('; ')}`);
  }
}

export function createClient(options: ClientOptions): Client {
  const http: GraphqlClient = createGraphqlClient({
    endpoint: options.endpoint,
    timeoutMs: options.timeoutMs,
    headers: { ...authHeaders(options), ...options.headers },
  });
  return {
    endpoint: http.endpoint,
    async request<TResult, TVars>(document: TypedDocumentNode<TResult, TVars>, ...[variables]: VariablesArg<TVars>) {
      const { text, operationName } = source(document);
      const answer = await http.request<TResult>(text, (variables ?? {}) as GraphqlVariables, operationName);
      if (answer.errors?.length) throw new GraphqlRequestError(http.endpoint, operationName, answer.errors, answer.data);
      return answer.data as TResult;
    },
    async requestAll<TResult, TVars>(document: TypedDocumentNode<TResult, TVars>, ...[variables]: VariablesArg<TVars>) {
      const { text, operationName } = source(document);
      const answer = await fetchAllPages<TResult>(http, text, (variables ?? {}) as GraphqlVariables, { operationName });
      if (answer.errors?.length) throw new GraphqlRequestError(http.endpoint, operationName, answer.errors, answer.data);
      return answer.data as TResult;
    },
  };
}

function authHeaders(auth: Pick<ClientOptions, 'apiKey' | 'token'>): Record<string, string> {
  // The gateway refuses a request carrying both (invalid_request); better to say so here.
  if (auth.apiKey !== undefined && auth.token !== undefined) throw new Error('createClient: give apiKey or token, not both');
  if (auth.apiKey !== undefined) return { 'x-api-key': auth.apiKey };
  if (auth.token !== undefined) return { authorization: `Bearer ${auth.token}` };
  return {};
}

/** Documents are module constants: each is printed once. */
const printed = new WeakMap<DocumentNode, { text: string; operationName?: string }>();

function source(document: DocumentNode): { text: string; operationName?: string } {
  let entry = printed.get(document);
  if (!entry) {
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    entry = { text: print(document), operationName: operation?.name?.value };
    printed.set(document, entry);
  }
  return entry;
}

function describeError(error: GraphQLErrorLike): string {
  const code = typeof error.extensions?.code === 'string' ? ` [${error.extensions.code}]` : '';
  const path = error.path?.length ? ` at ${error.path.join('.')}` : '';
  return `${error.message}${code}${path}`;
}
