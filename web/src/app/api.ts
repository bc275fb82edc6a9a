import { credentialHeaders } from '../credentials';

/** A GraphQL error as the gateway formats it; `extensions.source` names the failing source. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; source?: unknown; [key: string]: unknown };
}

export interface GraphQLAnswer<T> {
  /** Partial when some source failed: what the others answered. */
  data?: T;
  errors: GraphQLErrorEntry[];
}

/** The gateway refused the caller (401/403): the app asks for credentials. */
export class AuthRequiredError extends Error {}

/**
 * Posts one operation to the gateway this page came from, with the credentials the user
 * gave (sessionStorage). GraphQL errors are returned beside the data, not thrown: a source
 * that is down fails its part of the page, and the rest renders.
 */
export async function graphql<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<GraphQLAnswer<T>> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...credentialHeaders() },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  if (res.status === 401) throw new AuthRequiredError('the gateway requires credentials: an API key or a bearer token');
  let body: { data?: T | null; errors?: GraphQLErrorEntry[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new Error(`the gateway answered HTTP ${res.status} without JSON`);
  }
  if (!body.data && !body.errors?.length) throw new Error(`the gateway answered HTTP ${res.status}`);
  return { data: body.data ?? undefined, errors: body.errors ?? [] };
}

/** What an error names as its source (`mlflow:research`), when it names one. */
export function errorSource(error: GraphQLErrorEntry): string | undefined {
  const source = error.extensions?.source;
  if (typeof source === 'string') return source;
  if (source && typeof source === 'object') {
    const { kind, instance } = source as { kind?: string; instance?: string };
    if (kind || instance) return [kind, instance].filter(Boolean).join(':');
  }
  return undefined;
}
