/**
 * Trends from the recorded history: findings opened and resolved per period (by rule, team
 * or severity) with the median days to resolve, and models reaching production per period
 * with their median days to production. Pure functions of the episodes and lifecycles, the
 * same whichever store they came from. Periods are UTC: a day, an ISO week (from Monday) or
 * a calendar month.
 */
import { roundDays } from '../governance/lifecycle';
import { median, percentile } from '../governance/percentile';
import type { FindingEpisode, RecordedLifecycle } from './types';

export type TrendPeriod = 'DAY' | 'WEEK' | 'MONTH';
export type TrendGroupBy = 'RULE' | 'TEAM' | 'SEVERITY';

const DAY_MS = 86_400_000;
/** More periods than this in one answer is a mistake (days over years): refused, not computed. */
export const MAX_PERIODS = 1000;

export function periodStart(ms: number, period: TrendPeriod): number {
  const d = new Date(ms);
  if (period === 'MONTH') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'DAY') return day;
  // getUTCDay: Sunday 0; ISO weeks start on Monday.
  return day - ((d.getUTCDay() + 6) % 7) * DAY_MS;
}

export function nextPeriod(start: number, period: TrendPeriod): number {
  if (period === 'DAY') return start + DAY_MS;
  if (period === 'WEEK') return start + 7 * DAY_MS;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The starts of the periods that meet [since, until). */
export function periodsBetween(since: number, until: number, period: TrendPeriod): number[] {
  const starts: number[] = [];
  for (let p = periodStart(since, period); p < until; p = nextPeriod(p, period)) {
    starts.push(p);
    if (starts.length > MAX_PERIODS) {
      throw new RangeError(`more than ${MAX_PERIODS} periods between since and until: choose a longer period or a shorter range`);
    }
  }
  return starts;
}

/** Index of the period holding `ms` in `starts` (sorted), or -1 when before the first. */
function periodIndex(starts: readonly number[], ms: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= ms) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export interface FindingTrendRow {
  periodStart: number;
  group: string;
  /** Episodes that opened in the period. */
  opened: number;
  /** Episodes that were resolved in the period. */
  resolved: number;
  /** Episodes open at the period's end (or at `until`, for the period it cuts). */
  openAtEnd: number;
  /** Of the episodes resolved in the period, the median days they had been open. */
  medianDaysToResolve: number | null;
}

function groupsOf(episode: FindingEpisode, groupBy: TrendGroupBy): string[] {
  if (groupBy === 'RULE') return [episode.rule];
  if (groupBy === 'SEVERITY') return [episode.severity];
  // A finding of a model two teams own counts for both, as lifecycleStats counts models.
  return episode.teams.length > 0 ? [...new Set(episode.teams)] : ['(none)'];
}

/** One row per period and group with anything opened, resolved or open in it, in period then group order. */
export function findingTrends(
  episodes: readonly FindingEpisode[],
  options: { period: TrendPeriod; groupBy: TrendGroupBy; since: number; until: number },
): FindingTrendRow[] {
  const { period, since, until } = options;
  const starts = periodsBetween(since, until, period);
  const ends = starts.map((s) => Math.min(nextPeriod(s, period), until));
  const rows = new Map<string, FindingTrendRow & { days: number[] }>();
  const row = (i: number, group: string) => {
    const key = `${i}\u0000${group}`;
    let r = rows.get(key);
    if (!r) {
      r = { periodStart: starts[i]!, group, opened: 0, resolved: 0, openAtEnd: 0, medianDaysToResolve: null, days: [] };
      rows.set(key, r);
    }
    return r;
  };
  for (const e of episodes) {
    const groups = groupsOf(e, options.groupBy);
    const openedIn = e.openedAt >= since && e.openedAt < until ? periodIndex(starts, e.openedAt) : -1;
    const resolvedIn = e.resolvedAt !== null && e.resolvedAt >= since && e.resolvedAt < until ? periodIndex(starts, e.resolvedAt) : -1;
    // Open at the end of every period from the one it opened in (or the first) until the one it was resolved in.
    const first = Math.max(0, periodIndex(starts, e.openedAt));
    for (const g of groups) {
      if (openedIn >= 0) row(openedIn, g).opened++;
      if (resolvedIn >= 0) {
        const r = row(resolvedIn, g);
        r.resolved++;
        r.days.push((e.resolvedAt! - e.openedAt) / DAY_MS);
      }
      for (let i = first; i < starts.length; i++) {
        if (e.openedAt >= ends[i]!) continue;
        if (e.resolvedAt !== null && e.resolvedAt < ends[i]!) break;
        row(i, g).openAtEnd++;
      }
    }
  }
  return [...rows.values()]
    .sort((a, b) => a.periodStart - b.periodStart || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))
    .map(({ days, ...r }) => ({ ...r, medianDaysToResolve: roundDays(median(days)) }));
}

export interface ProductionTrendRow {
  periodStart: number;
  /** Models whose first production use fell in the period. */
  models: number;
  /** Of those, the ones with a known first run. */
  measured: number;
  medianDaysToProduction: number | null;
  p90DaysToProduction: number | null;
}

/** Every period in [since, until), with the models that reached production in it. */
export function productionTrends(
  lifecycles: ReadonlyArray<Pick<RecordedLifecycle, 'firstProductionAt' | 'firstRunToProductionDays'>>,
  options: { period: TrendPeriod; since: number; until: number },
): ProductionTrendRow[] {
  const starts = periodsBetween(options.since, options.until, options.period);
  const buckets = starts.map(() => ({ models: 0, days: [] as number[] }));
  for (const l of lifecycles) {
    const at = l.firstProductionAt === null ? NaN : Date.parse(l.firstProductionAt);
    if (!(at >= options.since && at < options.until)) continue;
    const b = buckets[periodIndex(starts, at)]!;
    b.models++;
    if (l.firstRunToProductionDays !== null && Number.isFinite(l.firstRunToProductionDays)) b.days.push(l.firstRunToProductionDays);
  }
  return starts.map((s, i) => ({
    periodStart: s,
    models: buckets[i]!.models,
    measured: buckets[i]!.days.length,
    medianDaysToProduction: roundDays(median(buckets[i]!.days)),
    p90DaysToProduction: roundDays(percentile(buckets[i]!.days, 90)),
  }));
}

/** The earliest first production use, epoch ms; null when no model reached production. */
export function earliestProduction(lifecycles: ReadonlyArray<Pick<RecordedLifecycle, 'firstProductionAt'>>): number | null {
  let best: number | null = null;
  for (const l of lifecycles) {
    const at = l.firstProductionAt === null ? NaN : Date.parse(l.firstProductionAt);
    if (Number.isFinite(at) && (best === null || at < best)) best = at;
  }
  return best;
}
