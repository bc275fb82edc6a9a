/**
 * A model's way to production, from the facts the rules use. Registries keep no history of
 * stage or alias changes and clouds no approval time, so two milestones are approximations:
 * a production-designated or approved version counts from its last update (else its
 * creation), which is when the designation or approval was most likely set.
 */
import { DAY_MS, isApprovalTicket, isProductionDesignated, servingDeployments, timeOf } from './production';
import { median, percentile } from './percentile';
import type { GovernanceSettings, Lifecycle, ModelFacts } from './types';

/** The earliest readable time, as the source wrote it. */
function earliest(times: ReadonlyArray<string | null>): string | null {
  let best: { iso: string; ms: number } | null = null;
  for (const iso of times) {
    const ms = timeOf(iso);
    if (iso !== null && ms !== null && (best === null || ms < best.ms)) best = { iso, ms };
  }
  return best?.iso ?? null;
}

function daysBetween(from: string | null, to: string | null): number | null {
  const a = timeOf(from);
  const b = timeOf(to);
  return a === null || b === null ? null : (b - a) / DAY_MS;
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
  const approvedAt = earliest([
    ...model.tickets.filter((t) => isApprovalTicket(t, settings)).map((t) => t.resolved),
    ...model.versions
      .filter((v) => v.typename === 'CloudModelVersion' && v.approval === 'APPROVED')
      .map((v) => v.updatedAt ?? v.createdAt),
  ]);
  const firstProductionAt = earliest([
    ...servingDeployments(model, settings).map((d) => d.createdAt),
    ...model.versions.filter((v) => isProductionDesignated(v, settings)).map((v) => v.updatedAt ?? v.createdAt),
  ]);
  return {
    firstRunAt,
    registeredAt,
    approvedAt,
    firstProductionAt,
    firstRunToRegisteredDays: daysBetween(firstRunAt, registeredAt),
    registeredToApprovedDays: daysBetween(registeredAt, approvedAt),
    approvedToProductionDays: daysBetween(approvedAt, firstProductionAt),
    firstRunToProductionDays: daysBetween(firstRunAt, firstProductionAt),
  };
}

export interface LifecycleStat {
  group: string;
  /** Models in the group. */
  count: number;
  /** Of those, the ones with a time to production. */
  measured: number;
  medianDays: number | null;
  p90Days: number | null;
}

/** Per group (a team, an owner, a registry: the caller decides), how long models take to reach production. */
export function lifecycleStats(entries: ReadonlyArray<{ groups: string[]; daysToProduction: number | null }>): LifecycleStat[] {
  const byGroup = new Map<string, { count: number; days: number[] }>();
  for (const entry of entries) {
    // A model listed twice under one group is still one model of it.
    for (const group of new Set(entry.groups)) {
      const g = byGroup.get(group) ?? { count: 0, days: [] };
      g.count += 1;
      if (entry.daysToProduction !== null && Number.isFinite(entry.daysToProduction)) g.days.push(entry.daysToProduction);
      byGroup.set(group, g);
    }
  }
  return [...byGroup.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, g]) => ({
      group,
      count: g.count,
      measured: g.days.length,
      medianDays: median(g.days),
      p90Days: percentile(g.days, 90),
    }));
}
