import type { GovernanceSettings, Waiver } from './types';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** When a waiver stops applying, epoch ms; a date-only `until` covers that whole UTC day. */
export function waiverEnd(until: string | null): number {
  if (until === null) return Infinity;
  const at = Date.parse(DATE_ONLY.test(until) ? `${until}T00:00:00Z` : until);
  return DATE_ONLY.test(until) ? at + DAY_MS : at;
}

/** The waiver in force for a finding at `now`, if any; an expired one is as if absent. */
export function waiverFor(fingerprint: string, settings: Pick<GovernanceSettings, 'waivers'>, now: Date): Waiver | null {
  return settings.waivers.find((w) => w.fingerprint === fingerprint && now.getTime() < waiverEnd(w.until)) ?? null;
}
