/**
 * Who is asking, as the gateway verified it and as it travels to the subgraphs inside the
 * signed request (`extensions.modelgraph`), so that subgraph resolvers can apply per-caller
 * rules (`Query.me`) without seeing a token.
 */
export interface Caller {
  /** How the caller proved who they are. `internal`: a modelgraph process (the inventory's graph walk); `anonymous`: auth is off. */
  kind: 'jwt' | 'apiKey' | 'anonymous';
  /** The token's subject, the API key's name, or `anonymous`/`internal`. */
  id: string;
  /** From the token's email claim, when it has one. */
  email?: string;
  scopes: readonly string[];
}

/** What the gateway tells a subgraph about the request it serves, in `extensions.modelgraph`. */
export interface ForwardedRequest {
  caller: Caller;
  /** The gateway's request id, for logs on both sides. */
  requestId: string;
  /** Upstream calls this subgraph request may still make; absent: no limit. */
  callBudget?: number;
  /** Epoch ms after which upstream calls fail as timed out; absent: none. */
  deadlineAt?: number;
  /**
   * Sources that already failed in this request (in another subgraph, maybe another
   * process): not to be asked again by this one. Absent: none.
   */
  failedSources?: Record<string, SourceFailure>;
}

/** What a subgraph tells another, through the gateway, of a source that failed in the request. */
export interface SourceFailure {
  /** A SourceErrorCode. */
  code: string;
  message: string;
  status?: number;
}

/** What a subgraph reports back in its response's `extensions.modelgraph`. */
export interface ForwardedResponse {
  upstreamCalls: number;
  /** Cache lookups served from the cache, and those that loaded from the upstream. */
  cacheHits?: number;
  cacheMisses?: number;
  /** Sources some of whose answers came from a cache entry past its TTL, with that entry's age in ms. */
  stale?: Record<string, number>;
  /** Sources that failed in this subgraph request, for the gateway to tell the next ones. */
  failed?: Record<string, SourceFailure>;
  /**
   * Epoch ms: the earliest time a cache entry this answer was built from stops being fresh;
   * absent when it used none. The gateway reuses the client's answer no longer than that.
   */
  freshUntil?: number;
}

export const FORWARD_EXTENSION = 'modelgraph';

export const ANONYMOUS: Caller = { kind: 'anonymous', id: 'anonymous', scopes: [] };

/** Whether `caller` holds `scope`; `*` holds every scope. */
export function hasScope(caller: Caller, scope: string): boolean {
  return caller.scopes.includes(scope) || caller.scopes.includes('*');
}

/** Reads `extensions.modelgraph` of a request body a verified gateway sent; undefined when absent or malformed. */
export function readForwardedRequest(extensions: unknown): ForwardedRequest | undefined {
  const raw = (extensions as Record<string, unknown> | undefined)?.[FORWARD_EXTENSION] as Partial<ForwardedRequest> | undefined;
  const caller = raw?.caller as Partial<Caller> | undefined;
  if (!raw || !caller || typeof caller.id !== 'string' || !Array.isArray(caller.scopes)) return undefined;
  if (!['jwt', 'apiKey', 'anonymous'].includes(String(caller.kind))) return undefined;
  return {
    caller: {
      kind: caller.kind as Caller['kind'],
      id: caller.id,
      ...(typeof caller.email === 'string' ? { email: caller.email } : {}),
      scopes: caller.scopes.filter((s): s is string => typeof s === 'string'),
    },
    requestId: typeof raw.requestId === 'string' ? raw.requestId : '',
    ...(typeof raw.callBudget === 'number' && raw.callBudget >= 0 ? { callBudget: raw.callBudget } : {}),
    ...(typeof raw.deadlineAt === 'number' ? { deadlineAt: raw.deadlineAt } : {}),
    ...(raw.failedSources !== undefined ? { failedSources: readSourceFailures(raw.failedSources) } : {}),
  };
}

/** Keeps the well-formed entries of a reported `{source: {code, message, status?}}` map. */
export function readSourceFailures(raw: unknown): Record<string, SourceFailure> {
  const out: Record<string, SourceFailure> = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [source, value] of Object.entries(raw as Record<string, unknown>)) {
    const f = value as Partial<SourceFailure> | null;
    if (!f || typeof f.code !== 'string' || typeof f.message !== 'string') continue;
    out[source] = { code: f.code, message: f.message, ...(typeof f.status === 'number' ? { status: f.status } : {}) };
  }
  return out;
}
