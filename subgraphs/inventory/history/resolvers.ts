/**
 * The graph's view of the governance history: `Query.findingHistory`, `Query.findingTrends`,
 * `Query.productionTrends`, and `Finding.firstSeenAt` / `resolvedAt`.
 */
import { GraphQLError } from 'graphql';
import type { GovernanceIndex } from '../governance/inventory-index';
import type { FindingRule, Severity } from '../governance/types';
import type { LinkedModel } from '../linking';
import { modelByKey } from '../listing-index';
import type { Listing } from '../model-listing';
import { badInput } from '../model-query';
import { earliestProduction, findingTrends, productionTrends, type TrendGroupBy, type TrendPeriod } from './trends';
import type { EpisodeCursor, FindingEpisode, HistoryStore } from './types';

export interface HistoryContext {
  governance: GovernanceIndex;
  listing(): Promise<Listing>;
  /** Undefined when `history` is off. */
  history?: HistoryStore;
}

const MAX_PAGE = 500;

function historyOf(ctx: HistoryContext): HistoryStore {
  if (!ctx.history) {
    throw new GraphQLError('governance history is off: set history.enabled in the configuration', {
      extensions: { code: 'HISTORY_DISABLED' },
    });
  }
  return ctx.history;
}

/** Episode cursors carry the episode's sort position (opened, id), like the other connections'. */
function encodeCursor(e: FindingEpisode): string {
  return Buffer.from(`episode:${e.openedAt}:${e.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): EpisodeCursor {
  const match = /^episode:(\d+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput(`invalid cursor "${cursor}"`);
  return { openedAt: Number(match[1]), id: Number(match[2]) };
}

function msOf(iso: string | null | undefined): number | null {
  return iso == null ? null : Date.parse(iso);
}

function range(args: { since?: string | null; until?: string | null }, earliest: () => number | null): { since: number; until: number } {
  const until = msOf(args.until) ?? Date.now();
  const since = msOf(args.since) ?? earliest() ?? until;
  if (since > until) throw badInput('since must not be after until');
  return { since, until };
}

function withinPeriods<T>(compute: () => T): T {
  try {
    return compute();
  } catch (err) {
    if (err instanceof RangeError) throw badInput(err.message);
    throw err;
  }
}

/** Per request: when each open finding's episode opened, read once however many findings ask. */
const openSinceByRequest = new WeakMap<object, Promise<Map<string, number>>>();

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const historyQueryResolvers = {
  async findingHistory(
    _root: unknown,
    args: {
      filter?: {
        rule?: FindingRule | null;
        severity?: Severity | null;
        team?: string | null;
        model?: string | null;
        state?: 'OPEN' | 'RESOLVED' | null;
        since?: string | null;
        until?: string | null;
      } | null;
      first: number;
      after?: string | null;
    },
    ctx: HistoryContext,
  ) {
    if (args.first < 0 || args.first > MAX_PAGE) throw badInput(`first must be between 0 and ${MAX_PAGE}`);
    const store = historyOf(ctx);
    const { since, until, ...rest } = args.filter ?? {};
    const page = await store.episodes(
      { ...rest, since: msOf(since), until: msOf(until) },
      { first: args.first, after: args.after ? decodeCursor(args.after) : null },
    );
    const edges = page.episodes.map((node) => ({ cursor: encodeCursor(node), node }));
    return {
      edges,
      nodes: page.episodes,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.length ? edges[edges.length - 1]!.cursor : (args.after ?? null) },
      totalCount: page.totalCount,
    };
  },

  async findingTrends(
    _root: unknown,
    args: { period: TrendPeriod; groupBy: TrendGroupBy; since?: string | null; until?: string | null },
    ctx: HistoryContext,
  ) {
    const store = historyOf(ctx);
    // The index as of now, recorded if due: the trends end with the current state.
    await ctx.governance.get();
    const until = msOf(args.until) ?? Date.now();
    const episodes = await store.episodesBetween(msOf(args.since), until);
    const { since } = range(args, () => episodes.reduce<number | null>((min, e) => (min === null || e.openedAt < min ? e.openedAt : min), null));
    return withinPeriods(() =>
      findingTrends(episodes, { period: args.period, groupBy: args.groupBy, since, until }).map((r) => ({ ...r, periodStart: iso(r.periodStart) })),
    );
  },

  async productionTrends(_root: unknown, args: { period: TrendPeriod; since?: string | null; until?: string | null }, ctx: HistoryContext) {
    // With history, every model ever recorded (one since removed still reached production
    // when it did); without, the models the index holds now.
    const lifecycles = ctx.history
      ? await ctx.history.lifecycles()
      : [...(await ctx.governance.get()).models.values()].flatMap((m) => (m.lifecycle ? [m.lifecycle] : []));
    const { since, until } = range(args, () => earliestProduction(lifecycles));
    return withinPeriods(() => productionTrends(lifecycles, { period: args.period, since, until }).map((r) => ({ ...r, periodStart: iso(r.periodStart) })));
  },
};

export const historyTypeResolvers = {
  Finding: {
    /** When its current episode opened; null with history off, or before the build that found it is recorded. */
    async firstSeenAt(finding: { fingerprint: string }, _args: unknown, ctx: HistoryContext) {
      if (!ctx.history) return null;
      let openSince = openSinceByRequest.get(ctx);
      if (!openSince) {
        openSince = ctx.history.openSince();
        openSinceByRequest.set(ctx, openSince);
      }
      return iso((await openSince).get(finding.fingerprint) ?? null);
    },
    // A finding the index holds is open: only findingHistory's resolved episodes have a time.
    resolvedAt: () => null,
  },
  FindingEpisode: {
    firstSeenAt: (e: FindingEpisode) => iso(e.openedAt),
    lastSeenAt: (e: FindingEpisode) => iso(e.lastSeenAt),
    resolvedAt: (e: FindingEpisode) => iso(e.resolvedAt),
    open: (e: FindingEpisode) => e.resolvedAt === null,
    daysOpen: (e: FindingEpisode) => Math.round((((e.resolvedAt ?? Date.now()) - e.openedAt) / 86_400_000) * 100) / 100,
    /** The model as the inventory lists it now; null when it is gone, or for a deployment-only finding. */
    async model(e: FindingEpisode, _args: unknown, ctx: HistoryContext): Promise<LinkedModel | null> {
      return e.modelKey === null ? null : (modelByKey((await ctx.listing()).models, e.modelKey) ?? null);
    },
  },
};
