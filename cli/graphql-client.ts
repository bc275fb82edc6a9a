import {
  Kind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ModelgraphError } from '../connectors/core/errors';

/**
 * A small GraphQL-over-HTTP client for the CLI, on Node's own `fetch`, and `fetchAllPages`,
 * which follows cursor connections (`pageInfo { hasNextPage endCursor }`) to their end.
 *
 * Transport failures (no answer, HTTP error without a GraphQL body, a body that is not JSON)
 * throw a ReportError naming the endpoint. GraphQL `errors` are returned, never thrown: the
 * graph answers partial failures with data *and* errors, and each command decides what an
 * error means for it (a report exits 1, reconcile exits 2).
 */

export interface GraphQLErrorLike {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: Record<string, unknown>;
}

export type GraphqlVariables = Record<string, unknown>;

export interface GraphqlResponse<T> {
  data?: T | null;
  errors?: GraphQLErrorLike[];
}

export interface GraphqlClient {
  /** The endpoint with any credentials in the URL removed, for messages. */
  readonly endpoint: string;
  request<T = unknown>(query: string, variables?: GraphqlVariables, operationName?: string): Promise<GraphqlResponse<T>>;
}

export interface GraphqlClientOptions {
  endpoint: string;
  headers?: Record<string, string>;
  /** Per request. Default 60 s: report queries fan out to every source behind the gateway. */
  timeoutMs?: number;
}

/** A failure to get a GraphQL answer at all, or a report that cannot be run as written. */
export class ReportError extends ModelgraphError {
  override readonly name = 'ReportError';
  constructor(message: string, options?: ErrorOptions) {
    super('REPORT_FAILED', message, options);
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** Enough of an unexpected body to recognise it (an HTML error page, a proxy's message). */
const SNIPPET_CHARS = 200;

export function createGraphqlClient(options: GraphqlClientOptions): GraphqlClient {
  const endpoint = displayUrl(options.endpoint);
  const { url: target, basic } = splitCredentials(options.endpoint);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    // graphql-response+json first: a server speaking the GraphQL-over-HTTP spec then keeps
    // HTTP statuses for transport problems, which is the distinction this client draws.
    accept: 'application/graphql-response+json, application/json;q=0.9',
    // `https://user:pass@host/graphql` as curl reads it: Basic credentials (fetch refuses a
    // URL that carries them, and would name the URL, password and all, in its error).
    ...(basic ? { authorization: `Basic ${basic}` } : {}),
    ...options.headers,
  };

  return {
    endpoint,
    async request<T>(query: string, variables: GraphqlVariables = {}, operationName?: string) {
      let response: Response;
      try {
        response = await fetch(target, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new ReportError(transportMessage(endpoint, err, timeoutMs));
      }
      let text: string;
      try {
        text = await response.text();
      } catch (err) {
        throw new ReportError(transportMessage(endpoint, err, timeoutMs));
      }
      const body = parseJson(text);
      // A 4xx carrying GraphQL errors (Apollo answers 400 to a query that does not validate)
      // is the graph's answer, and its message is what the user needs to fix the report.
      if (body.ok && isGraphqlResponse(body.value) && (response.ok || body.value.errors !== undefined)) {
        return body.value as GraphqlResponse<T>;
      }
      if (!response.ok) {
        throw new ReportError(
          `${endpoint} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${snippet(text)}`,
        );
      }
      if (!body.ok) {
        const type = response.headers.get('content-type') ?? 'no content type';
        throw new ReportError(`${endpoint} did not answer with JSON (${type})${snippet(text)}`);
      }
      throw new ReportError(`${endpoint} answered JSON that is not a GraphQL response (no data or errors)${snippet(text)}`);
    },
  };
}

function transportMessage(endpoint: string, err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: unknown };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `${endpoint} did not answer within ${timeoutMs} ms`;
  // undici reports every network failure as "fetch failed"; the useful part
  // (ECONNREFUSED 127.0.0.1:4000, ENOTFOUND) is in the cause.
  const cause = e?.cause instanceof Error ? `: ${e.cause.message}` : '';
  return redactCredentials(`cannot reach ${endpoint}: ${e?.message ?? String(err)}${cause}`);
}

/** The URL without its user information, and that information as Basic credentials. */
function splitCredentials(endpoint: string): { url: string; basic?: string } {
  try {
    const url = new URL(endpoint);
    if (!url.username && !url.password) return { url: endpoint };
    const basic = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
    url.username = '';
    url.password = '';
    return { url: url.toString(), basic };
  } catch {
    return { url: endpoint };
  }
}

/** `scheme://user:password@` anywhere in a message (an error may quote a URL) loses its user information. */
function redactCredentials(message: string): string {
  return message.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1');
}

function displayUrl(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return endpoint;
  }
}

function snippet(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (!oneLine) return '';
  return `: ${oneLine.length > SNIPPET_CHARS ? `${oneLine.slice(0, SNIPPET_CHARS)}…` : oneLine}`;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function isGraphqlResponse(value: unknown): value is GraphqlResponse<unknown> {
  if (!isObject(value)) return false;
  if (!('data' in value) && !('errors' in value)) return false;
  if ('data' in value && value.data !== null && !isObject(value.data)) return false;
  if ('errors' in value) {
    if (!Array.isArray(value.errors)) return false;
    if (!value.errors.every((e) => isObject(e) && typeof e.message === 'string')) return false;
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------
// Pagination
// ---------------------------------------------------------------------------------------

/** A connection field whose `after` argument is bound to a variable of the operation. */
export interface PaginatedConnection {
  /** Response keys (aliases when given) from `data` to the connection object. */
  path: string[];
  /** The variable bound to `after`, without `$`. */
  afterVariable: string;
}

export interface PageProgress {
  /** Requests made so far, the first page included. */
  page: number;
  /** Connection items (nodes, or edges) held so far across the paginated connections. */
  items: number;
  /** Sum of the connections' `totalCount`, when every one of them selected it. */
  total?: number;
}

export interface FetchAllPagesOptions {
  /** After each page; `data` is everything gathered so far (the first page's result, items appended). */
  onPage?: (progress: PageProgress, data: Record<string, unknown>) => void;
  /** Receives warnings, e.g. a connection with more pages that the query cannot follow. */
  warn?: (message: string) => void;
  /** A server that keeps inventing cursors would otherwise never stop. Default 10,000. */
  maxPages?: number;
  operationName?: string;
}

export interface FetchAllPagesResult<T> {
  data?: T | null;
  /** Set when any page answered with errors; `data` then holds only what was gathered before. */
  errors?: GraphQLErrorLike[];
  pages: number;
}

const DEFAULT_MAX_PAGES = 10_000;

/**
 * Runs `query` and follows every paginated connection in it to the end, concatenating the
 * `nodes` and `edges` of each page into the first page's result.
 *
 * A connection is followed when its field takes `after: $someVariable` and it selects
 * `pageInfo { hasNextPage endCursor }`; reports must declare such a variable (conventionally
 * `$after: String`). Connections are followed one at a time: the query is re-run with only
 * that connection's variable moved on, and only that connection's items are taken from the
 * later pages, so everything else keeps its first-page value. A connection reached through
 * a list (one per node of another connection) cannot be driven by one variable and is not
 * followed; a connection with more pages that is not followed is reported through `warn`.
 *
 * Any page answering with errors stops the run and returns them: a report must never be a
 * silently shorter list.
 */
export async function fetchAllPages<T = Record<string, unknown>>(
  client: GraphqlClient,
  query: string,
  variables: GraphqlVariables = {},
  options: FetchAllPagesOptions = {},
): Promise<FetchAllPagesResult<T>> {
  const connections = findPaginatedConnections(parseQuery(query), options.operationName);
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const warn = options.warn ?? (() => undefined);

  let pages = 1;
  const first = await client.request<Record<string, unknown>>(query, variables, options.operationName);
  if (first.errors?.length) return { data: first.data as T | null | undefined, errors: first.errors, pages };
  const data = first.data;
  if (!isObject(data)) return { data: data as T | null | undefined, pages };

  const located = connections
    .map((c) => ({ ...c, conn: locate(data, c.path) }))
    .filter((c): c is PaginatedConnection & { conn: Record<string, unknown> } => isObject(c.conn));
  const report = () => options.onPage?.({ page: pages, ...countItems(located.map((c) => c.conn)) }, data);
  report();

  for (const { path, afterVariable, conn } of located) {
    const name = path.join('.');
    let pageInfo = conn.pageInfo;
    if (!isObject(pageInfo) || typeof pageInfo.hasNextPage !== 'boolean') {
      warn(
        `\`${name}\` takes $${afterVariable} but the report selects no pageInfo { hasNextPage endCursor }, ` +
          'so only its first page was fetched',
      );
      continue;
    }
    const seen = new Set<string>();
    if (typeof variables[afterVariable] === 'string') seen.add(variables[afterVariable]);
    while (isObject(pageInfo) && pageInfo.hasNextPage === true) {
      if (!('endCursor' in pageInfo)) {
        throw new ReportError(`\`${name}\` has more pages; select pageInfo { endCursor } so that the report can follow them`);
      }
      const cursor = pageInfo.endCursor;
      if (typeof cursor !== 'string' || cursor === '') {
        throw new ReportError(`${client.endpoint} said \`${name}\` has a next page but gave no endCursor`);
      }
      // A cursor already followed would fetch the same page again, forever.
      if (seen.has(cursor)) {
        throw new ReportError(
          `${client.endpoint} returned endCursor "${cursor}" for \`${name}\` twice; stopping instead of looping over the same page`,
        );
      }
      seen.add(cursor);
      if (pages >= maxPages) throw new ReportError(`\`${name}\` has more than ${maxPages} pages; refusing to follow further`);

      pages++;
      const page = await client.request<Record<string, unknown>>(
        query,
        { ...variables, [afterVariable]: cursor },
        options.operationName,
      );
      if (page.errors?.length) return { data: data as unknown as T, errors: page.errors, pages };
      const next = isObject(page.data) ? locate(page.data, path) : undefined;
      if (!isObject(next)) {
        throw new ReportError(`${client.endpoint} answered page ${pages} of the report without \`${name}\``);
      }
      for (const key of ['nodes', 'edges'] as const) {
        const held = conn[key];
        const more = next[key];
        if (Array.isArray(held) && Array.isArray(more)) held.push(...(more as unknown[]));
      }
      pageInfo = next.pageInfo;
      conn.pageInfo = pageInfo;
      report();
    }
  }

  for (const message of unfollowedConnections(data, connections)) warn(message);
  return { data: data as unknown as T, pages };
}

/** Parses a query, turning a syntax error into a ReportError with its location. */
export function parseQuery(query: string): DocumentNode {
  try {
    return parse(query);
  } catch (err) {
    throw new ReportError(`the query does not parse: ${(err as Error).message}`);
  }
}

/** The operation a request runs: the named one, or the only one. */
export function selectOperation(document: DocumentNode, operationName?: string): OperationDefinitionNode {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName !== undefined) {
    const named = operations.find((o) => o.name?.value === operationName);
    if (!named) throw new ReportError(`the query has no operation named ${operationName}`);
    return named;
  }
  if (operations.length !== 1) {
    throw new ReportError(`the query must hold exactly one operation, it holds ${operations.length}`);
  }
  return operations[0];
}

/**
 * Every connection field of the operation with `after: $variable`, found through inline
 * fragments and fragment spreads (a plain `visit` would lose the response path at a spread).
 */
export function findPaginatedConnections(document: DocumentNode, operationName?: string): PaginatedConnection[] {
  const operation = selectOperation(document, operationName);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const found = new Map<string, PaginatedConnection>();
  const walk = (selectionSet: SelectionSetNode, path: string[], inFragments: Set<string>): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const fieldPath = [...path, selection.alias?.value ?? selection.name.value];
        const after = selection.arguments?.find((a) => a.name.value === 'after');
        if (after?.value.kind === Kind.VARIABLE) {
          // The same field reached through two fragments is one field in the response.
          found.set(fieldPath.join('\u0000'), { path: fieldPath, afterVariable: after.value.name.value });
        }
        if (selection.selectionSet) walk(selection.selectionSet, fieldPath, inFragments);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, path, inFragments);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A fragment cycle does not validate anyway; not recursing keeps this from hanging.
        if (fragment && !inFragments.has(name)) walk(fragment.selectionSet, path, new Set([...inFragments, name]));
      }
    }
  };
  walk(operation.selectionSet, [], new Set());

  const connections = [...found.values()];
  const byVariable = new Map<string, string[]>();
  for (const c of connections) byVariable.set(c.afterVariable, [...(byVariable.get(c.afterVariable) ?? []), c.path.join('.')]);
  for (const [variable, paths] of byVariable) {
    // Moving one cursor variable would move several connections at once, each to a cursor
    // that belongs to another: there is no correct way to follow them.
    if (paths.length > 1) {
      throw new ReportError(
        `$${variable} is the after argument of several connections (${paths.join(', ')}); give each its own variable`,
      );
    }
  }
  return connections;
}

/** The value at `path`, or undefined when the path is missing or crosses a list. */
function locate(data: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = data;
  for (const key of path) {
    if (!isObject(value)) return undefined;
    value = value[key];
  }
  return value;
}

function countItems(connections: Array<Record<string, unknown>>): { items: number; total?: number } {
  let items = 0;
  let total: number | undefined = connections.length ? 0 : undefined;
  for (const conn of connections) {
    if (Array.isArray(conn.nodes)) items += conn.nodes.length;
    else if (Array.isArray(conn.edges)) items += conn.edges.length;
    total = total !== undefined && typeof conn.totalCount === 'number' ? total + conn.totalCount : undefined;
  }
  return total === undefined ? { items } : { items, total };
}

/** Warnings for connections left with `hasNextPage: true`, one per field of the query. */
function unfollowedConnections(data: Record<string, unknown>, connections: PaginatedConnection[]): string[] {
  const declared = new Set(connections.map((c) => c.path.join('.')));
  const messages = new Map<string, string>();
  const walk = (value: unknown, path: Array<string | number>): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...path, i]));
      return;
    }
    if (!isObject(value)) return;
    if (isObject(value.pageInfo) && value.pageInfo.hasNextPage === true) {
      const name = path.filter((k) => typeof k === 'string').join('.');
      const shown = path.map((k) => (typeof k === 'number' ? '[]' : `.${k}`)).join('').replace(/^\./, '');
      if (!messages.has(name)) {
        messages.set(
          name,
          declared.has(name)
            ? `\`${shown}\` has more pages, but a connection inside a list cannot be followed; only its first page is in the report`
            : `\`${shown}\` has more pages than the report fetched: declare a variable for its after argument ` +
                '(query($after: String) { … (after: $after) … }) to follow them all',
        );
      }
    }
    for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
  };
  walk(data, []);
  return [...messages.values()];
}
