/**
 * The governance history: what each recorded index build found, kept as finding episodes
 * (a fingerprint's spell from the snapshot that first saw it to the one that no longer did),
 * one row per snapshot, and each model's latest lifecycle facts. Two stores implement it,
 * embedded SQLite and PostgreSQL (sqlite-store.ts, postgres-store.ts), with the same
 * migrations (migrations.ts) and the same semantics: the store tests run both.
 */
import type { FindingRule, Severity } from '../governance/types';

/** Who recorded a snapshot: an index build, `modelgraph reconcile --record`, or the demo's simulated week. */
export type SnapshotOrigin = 'index' | 'reconcile' | 'demo';

export const SNAPSHOT_ORIGINS: readonly SnapshotOrigin[] = ['index', 'reconcile', 'demo'];

/** A finding as a snapshot records it: no evidence (its objects may be gone by the time anyone asks). */
export interface RecordedFinding {
  fingerprint: string;
  rule: FindingRule;
  severity: Severity;
  message: string;
  /** Null for a deployment serving something no registry holds. */
  modelKey: string | null;
  /** The model's team code owners (`@org/team`), for trends by team. */
  teams: string[];
  waived: boolean;
}

/** A model's milestones as the index computed them (see governance/lifecycle.ts). */
export interface RecordedLifecycle {
  modelKey: string;
  teams: string[];
  firstRunAt: string | null;
  registeredAt: string | null;
  approvedAt: string | null;
  firstProductionAt: string | null;
  firstRunToProductionDays: number | null;
}

export interface SnapshotInput {
  takenAt: Date;
  origin: SnapshotOrigin;
  /** Every finding of a complete build, waived ones included. */
  findings: RecordedFinding[];
  /**
   * Models the build could not evaluate in full (a source's facts were unavailable): their
   * open episodes stay open, neither resolved nor seen, since an outage is not a fix.
   */
  unevaluatedModels: string[];
  /** Null when the recorder knows no lifecycles (`reconcile` reads findings only). */
  lifecycles: RecordedLifecycle[] | null;
  /**
   * Skip the snapshot when one of the same origin was taken less than this long before
   * `takenAt` (checked in the recording transaction, so concurrent recorders agree). Default 0.
   */
  minIntervalMs?: number;
}

export interface SnapshotResult {
  /** False when a recent snapshot made this one unnecessary (`minIntervalMs`). */
  recorded: boolean;
  snapshotId: number | null;
  opened: number;
  resolved: number;
  open: number;
}

/** One spell of a finding: open from `openedAt` until `resolvedAt` (null while open). */
export interface FindingEpisode {
  id: number;
  fingerprint: string;
  rule: FindingRule;
  severity: Severity;
  message: string;
  modelKey: string | null;
  teams: string[];
  waived: boolean;
  /** Epoch ms of the snapshot that first saw it. */
  openedAt: number;
  /** Epoch ms of the latest snapshot that saw it. */
  lastSeenAt: number;
  /** Epoch ms of the first snapshot that no longer saw it; null while open. */
  resolvedAt: number | null;
}

export interface EpisodeFilter {
  rule?: FindingRule | null;
  /** This severity or higher, as `Query.findings`. */
  severity?: Severity | null;
  /** `@org/team`, case-insensitive. */
  team?: string | null;
  model?: string | null;
  /** OPEN: not resolved; RESOLVED: resolved; absent: both. */
  state?: 'OPEN' | 'RESOLVED' | null;
  /** Epoch ms: only episodes open at some time in [since, until). */
  since?: number | null;
  until?: number | null;
}

/** Episodes newest first (opened, then id): the cursor is the last one's position. */
export interface EpisodePage {
  episodes: FindingEpisode[];
  totalCount: number;
  hasNextPage: boolean;
}

export interface EpisodeCursor {
  openedAt: number;
  id: number;
}

export interface StoredLifecycle extends RecordedLifecycle {
  /** Epoch ms of the latest snapshot that saw the model. */
  lastSeenAt: number;
}

export interface SnapshotRow {
  id: number;
  takenAt: number;
  origin: SnapshotOrigin;
  findings: number;
  opened: number;
  resolved: number;
}

export interface HistoryStore {
  /** `sqlite:<path>` or `postgres:<schema>`, for logs and errors. */
  readonly description: string;
  /** Applies the pending migrations; safe to run from two processes at once, and again. */
  migrate(): Promise<number[]>;
  /** Diffs the findings against the open episodes and records the snapshot, in one transaction. */
  record(snapshot: SnapshotInput): Promise<SnapshotResult>;
  /** When each open finding's current episode opened, by fingerprint. */
  openSince(): Promise<Map<string, number>>;
  episodes(filter: EpisodeFilter, page: { first: number; after?: EpisodeCursor | null }): Promise<EpisodePage>;
  /** Every episode open at some time in [since, until) (epoch ms; null: unbounded), for trends. */
  episodesBetween(since: number | null, until: number | null): Promise<FindingEpisode[]>;
  lifecycles(): Promise<StoredLifecycle[]>;
  snapshots(): Promise<SnapshotRow[]>;
  close(): Promise<void>;
}

const SEVERITY_RANK: Record<Severity, number> = { LOW: 1, MEDIUM: 2, HIGH: 3 };

/** The severities at or above `least`, for an `IN (...)` filter. */
export function severitiesFrom(least: Severity): Severity[] {
  return (Object.keys(SEVERITY_RANK) as Severity[]).filter((s) => SEVERITY_RANK[s] >= SEVERITY_RANK[least]);
}

/**
 * What a snapshot changes, decided once for both stores: which findings open an episode,
 * which open episodes are seen again, which are resolved. An episode of a model the build
 * could not evaluate is left as it is.
 */
export function diffSnapshot(
  open: ReadonlyArray<{ id: number; fingerprint: string; modelKey: string | null }>,
  snapshot: Pick<SnapshotInput, 'findings' | 'unevaluatedModels'>,
): { toOpen: RecordedFinding[]; toTouch: Array<{ id: number; finding: RecordedFinding }>; toResolve: number[] } {
  const current = new Map<string, RecordedFinding>();
  for (const f of snapshot.findings) current.set(f.fingerprint, f);
  const unevaluated = new Set(snapshot.unevaluatedModels);
  const openByFingerprint = new Map(open.map((e) => [e.fingerprint, e]));
  const toOpen = [...current.values()].filter((f) => !openByFingerprint.has(f.fingerprint));
  const toTouch: Array<{ id: number; finding: RecordedFinding }> = [];
  const toResolve: number[] = [];
  for (const episode of open) {
    const finding = current.get(episode.fingerprint);
    if (finding) toTouch.push({ id: episode.id, finding });
    else if (episode.modelKey === null || !unevaluated.has(episode.modelKey)) toResolve.push(episode.id);
  }
  return { toOpen, toTouch, toResolve };
}
