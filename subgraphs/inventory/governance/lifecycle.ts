/**
 * A model's way to production, from the facts the rules use. Each milestone says where its
 * time comes from and how exact it is. Exact: a run's start, a version's registration, a
 * deployment's creation, an approval ticket's move to its approving status (its changelog)
 * or else its resolution date. Only an upper bound (AT_MOST): a cloud approval and a
 * production stage or alias, since no registry records when those were set, only the
 * version's last update; a version that records no update gives no time at all.
 */
import { DAY_MS, describeEndpoint, describeVersion, isApprovalTicket, isProductionDesignated, servingDeployments, timeOf } from './production';
import { median, percentile } from './percentile';
import type { GovernanceSettings, Lifecycle, LifecycleTime, ModelFacts, TicketFact, TimePrecision } from './types';

/** The earliest readable time, as the source wrote it. */
function earliest(times: ReadonlyArray<string | null>): string | null {
  let best: { iso: string; ms: number } | null = null;
  for (const iso of times) {
    const ms = timeOf(iso);
    if (iso !== null && ms !== null && (best === null || ms < best.ms)) best = { iso, ms };
  }
  return best?.iso ?? null;
}

/** A candidate time for a milestone; an AT_MOST one may have happened as early as `notBefore`. */
interface Candidate {
  time: LifecycleTime;
  notBefore: string | null;
}

/**
 * The earliest candidate. It is EXACT only if it is, and no upper bound among the others
 * could hide an earlier time: an AT_MOST candidate whose lower bound (its version's
 * creation) is unknown or earlier makes the milestone AT_MOST as well.
 */
function earliestTime(candidates: readonly Candidate[]): LifecycleTime | null {
  const readable = candidates.filter((c) => timeOf(c.time.at) !== null);
  if (readable.length === 0) return null;
  const first = readable.reduce((a, b) => (timeOf(b.time.at)! < timeOf(a.time.at)! ? b : a));
  const at = timeOf(first.time.at)!;
  const hidden = readable.find((c) => c.time.precision === 'AT_MOST' && c !== first && !(timeOf(c.notBefore) !== null && timeOf(c.notBefore)! >= at));
  if (first.time.precision === 'AT_MOST') return first.time;
  // Say why an exact time is only a bound here, so nobody reads the ticket's time as wrong.
  return hidden ? { ...first.time, precision: 'AT_MOST', detail: `${first.time.detail} (or earlier: ${hidden.time.detail} is only an upper bound)` } : first.time;
}

/**
 * When an approval ticket reached approval: its move into the approving status it is in now
 * (with `approval.statuses`, into the first of a run of approving statuses lasting until
 * now), from its changelog; else its resolution date.
 */
export function ticketApprovalTime(t: TicketFact, settings: GovernanceSettings): LifecycleTime | null {
  const statuses = settings.approval.statuses.length > 0 ? settings.approval.statuses : t.status ? [t.status] : [];
  const wanted = new Set(statuses.map((s) => s.toLowerCase()));
  const approving = (status: string | null) => status !== null && wanted.has(status.toLowerCase());
  let start: { at: string; to: string | null } | null = null;
  for (const change of [...(t.statusChanges ?? [])].reverse()) {
    if (!approving(change.to)) break;
    start = change;
    if (!approving(change.from)) break;
  }
  if (start) return { at: start.at, precision: 'EXACT', source: 'TICKET_TRANSITION', detail: `${t.id} moved to ${start.to}` };
  if (t.resolved) return { at: t.resolved, precision: 'EXACT', source: 'TICKET_RESOLUTION', detail: `${t.id} resolved` };
  return null;
}

function daysBetween(from: string | null, to: string | null): number | null {
  const a = timeOf(from);
  const b = timeOf(to);
  return a === null || b === null ? null : (b - a) / DAY_MS;
}

/** Days from a milestone: an upper bound as the start bounds nothing, so none. */
function daysFrom(from: LifecycleTime | null, to: string | null): number | null {
  return from === null || from.precision === 'AT_MOST' ? null : daysBetween(from.at, to);
}

/** Hundredths of a day (about 15 minutes): what a report about weeks to production needs. */
export function roundDays(days: number | null): number | null {
  return days === null ? null : Math.round(days * 100) / 100;
}

export function lifecycleOf(model: ModelFacts, settings: GovernanceSettings): Lifecycle {
  const firstRunAt = earliest(
    model.versions.filter((v) => v.typename === 'MlflowModelVersion').map((v) => v.run?.startTime ?? null),
  );
  const registeredAt = earliest(model.versions.map((v) => v.createdAt));
  const approved = earliestTime([
    ...model.tickets
      .filter((t) => isApprovalTicket(t, settings))
      .flatMap((t) => {
        const time = ticketApprovalTime(t, settings);
        return time ? [{ time, notBefore: time.at }] : [];
      }),
    // No cloud records when it approved: the version's last update is the latest it can have been.
    ...model.versions
      .filter((v) => v.typename === 'CloudModelVersion' && v.approval === 'APPROVED' && v.updatedAt !== null)
      .map((v) => ({
        time: { at: v.updatedAt!, precision: 'AT_MOST' as const, source: 'CLOUD_APPROVAL' as const, detail: `${describeVersion(v)} last modified` },
        notBefore: v.createdAt,
      })),
  ]);
  const firstProduction = earliestTime([
    ...servingDeployments(model, settings).flatMap((d) =>
      d.createdAt
        ? [{ time: { at: d.createdAt, precision: 'EXACT' as const, source: 'DEPLOYMENT_CREATED' as const, detail: `deployment ${d.name} on ${describeEndpoint(d)} created` }, notBefore: d.createdAt }]
        : [],
    ),
    ...model.versions
      .filter((v) => isProductionDesignated(v, settings) && v.updatedAt !== null)
      .map((v) => ({
        time: { at: v.updatedAt!, precision: 'AT_MOST' as const, source: 'VERSION_DESIGNATED' as const, detail: `${describeVersion(v)} last updated` },
        notBefore: v.createdAt,
      })),
  ]);
  const approvedAt = approved?.at ?? null;
  const firstProductionAt = firstProduction?.at ?? null;
  return {
    firstRunAt,
    registeredAt,
    approvedAt,
    firstProductionAt,
    approved,
    firstProduction,
    firstRunToRegisteredDays: daysBetween(firstRunAt, registeredAt),
    registeredToApprovedDays: daysBetween(registeredAt, approvedAt),
    approvedToProductionDays: daysFrom(approved, firstProductionAt),
    firstRunToProductionDays: daysBetween(firstRunAt, firstProductionAt),
  };
}

export interface LifecycleStat {
  group: string;
  /** Models in the group. */
  count: number;
  /** Of those, the ones with a time to production. */
  measured: number;
  /**
   * Of the measured, the ones whose time to production is only an upper bound. They are
   * counted in the median and p90, which are then upper bounds too (each true time is at
   * most the one counted, so each order statistic is as well).
   */
  atMost: number;
  medianDays: number | null;
  p90Days: number | null;
}

/** Per group (a team, an owner, a registry: the caller decides), how long models take to reach production. */
export function lifecycleStats(
  entries: ReadonlyArray<{ groups: string[]; daysToProduction: number | null; precision?: TimePrecision | null }>,
): LifecycleStat[] {
  const byGroup = new Map<string, { count: number; days: number[]; atMost: number }>();
  for (const entry of entries) {
    // A model listed twice under one group is still one model of it.
    for (const group of new Set(entry.groups)) {
      const g = byGroup.get(group) ?? { count: 0, days: [], atMost: 0 };
      g.count += 1;
      if (entry.daysToProduction !== null && Number.isFinite(entry.daysToProduction)) {
        g.days.push(entry.daysToProduction);
        if (entry.precision === 'AT_MOST') g.atMost += 1;
      }
      byGroup.set(group, g);
    }
  }
  return [...byGroup.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, g]) => ({
      group,
      count: g.count,
      measured: g.days.length,
      atMost: g.atMost,
      medianDays: median(g.days),
      p90Days: percentile(g.days, 90),
    }));
}
