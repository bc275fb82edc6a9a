import type { Caller, SourceFailure } from '../lib/caller';

/** What the gateway knows about one request while it runs. */
export interface GatewayContext {
  caller: Caller;
  /** Echoed as `x-request-id`, forwarded to the subgraphs, written in the audit line. */
  requestId: string;
  startedAt: number;
  /** Epoch ms; absent: no deadline (a request signed with the subgraph secret). */
  deadlineAt?: number;
  /** Upstream calls the subgraphs reported; `limit` absent: no budget. */
  budget: { limit?: number; used: number };
  /** Upstream calls by subgraph, for the audit line. */
  subgraphCalls: Record<string, number>;
  /** Cache lookups the subgraphs reported, for the audit line. */
  cache: { hits: number; misses: number };
  /** Sources answered from stale cache entries, with the oldest entry's age in ms (`extensions.freshness`). */
  staleSources: Record<string, number>;
  /** Sources a subgraph reported failed: forwarded to the next subgraph requests, which do not ask them again. */
  failedSources: Record<string, SourceFailure>;
  /**
   * Epoch ms: the earliest time a cache entry behind any subgraph answer stops being fresh
   * (see ForwardedResponse.freshUntil); undefined while none reported one. Bounds how long
   * the response cache keeps the answer.
   */
  freshUntil?: number;
  /** What the gateway's response cache did with the request, for the audit line; absent when it is off or never got to it. */
  responseCache?: 'hit' | 'miss' | 'bypass';
}
