/**
 * The history in an embedded SQLite file (node:sqlite, or better-sqlite3 on Node 20: see
 * sqlite-driver.ts): the default, nothing to run. Both drivers are synchronous, so each
 * method is one uninterrupted step of the event loop;
 * writes are IMMEDIATE transactions, which SQLite serialises across processes (a second
 * process waits up to `busyTimeoutMs` for the first's lock).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pendingMigrations, SQLITE_MIGRATIONS } from './migrations';
import type { SqliteDatabase, SqliteDriver } from './sqlite-driver';
import {
  diffSnapshot,
  severitiesFrom,
  type EpisodeCursor,
  type EpisodeFilter,
  type EpisodePage,
  type FindingEpisode,
  type HistoryStore,
  type SnapshotInput,
  type SnapshotResult,
  type SnapshotRow,
  type StoredLifecycle,
} from './types';

type Database = SqliteDatabase;

interface EpisodeRow {
  id: number;
  fingerprint: string;
  rule: string;
  severity: string;
  message: string;
  model_key: string | null;
  teams: string;
  waived: number;
  opened_at: number;
  last_seen_at: number;
  resolved_at: number | null;
}

function episodeOf(row: EpisodeRow): FindingEpisode {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    rule: row.rule as FindingEpisode['rule'],
    severity: row.severity as FindingEpisode['severity'],
    message: row.message,
    modelKey: row.model_key,
    teams: JSON.parse(row.teams) as string[],
    waived: row.waived === 1,
    openedAt: row.opened_at,
    lastSeenAt: row.last_seen_at,
    resolvedAt: row.resolved_at,
  };
}

/** The WHERE clause of an episode filter, with `?` parameters. */
function whereOf(filter: EpisodeFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.rule) {
    clauses.push('rule = ?');
    params.push(filter.rule);
  }
  if (filter.severity) {
    const severities = severitiesFrom(filter.severity);
    clauses.push(`severity IN (${severities.map(() => '?').join(', ')})`);
    params.push(...severities);
  }
  if (filter.team) {
    // Teams are a JSON array of `@org/team`: an element matches with its quotes.
    clauses.push('instr(lower(teams), ?) > 0');
    params.push(JSON.stringify(`@${filter.team.replace(/^@/, '')}`.toLowerCase()));
  }
  if (filter.model) {
    clauses.push('model_key = ?');
    params.push(filter.model);
  }
  if (filter.state === 'OPEN') clauses.push('resolved_at IS NULL');
  if (filter.state === 'RESOLVED') clauses.push('resolved_at IS NOT NULL');
  if (filter.since != null) {
    clauses.push('(resolved_at IS NULL OR resolved_at > ?)');
    params.push(filter.since);
  }
  if (filter.until != null) {
    clauses.push('opened_at < ?');
    params.push(filter.until);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export class SqliteHistoryStore implements HistoryStore {
  readonly description: string;

  private constructor(private readonly db: Database, path: string) {
    this.description = `sqlite:${path}`;
  }

  /**
   * Opens (creating the file and its directory) and migrates. `driver` is loaded by the
   * caller only when history is on (see open-store.ts).
   */
  static async open(driver: SqliteDriver, path: string, options: { busyTimeoutMs?: number } = {}): Promise<SqliteHistoryStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = driver.open(path);
    try {
      db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      // Readers (the graph's queries) do not wait for a recording, nor it for them.
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA foreign_keys = ON');
      const store = new SqliteHistoryStore(db, path);
      await store.migrate();
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async migrate(): Promise<number[]> {
    // One IMMEDIATE transaction: a second process starting at the same time waits for the
    // first's, then finds every migration applied.
    return this.db.immediate(() => {
      this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
      const applied = (this.db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version);
      const pending = pendingMigrations(SQLITE_MIGRATIONS, applied, this.description);
      const insert = this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
      for (const m of pending) {
        this.db.exec(m.sql);
        insert.run(m.version, m.name, Date.now());
      }
      return pending.map((m) => m.version);
    });
  }

  async record(snapshot: SnapshotInput): Promise<SnapshotResult> {
    const at = snapshot.takenAt.getTime();
    return this.db.immediate((): SnapshotResult => {
      const latest = this.db.prepare('SELECT max(taken_at) AS at FROM snapshots').get() as { at: number | null };
      const sameOrigin = this.db.prepare('SELECT max(taken_at) AS at FROM snapshots WHERE origin = ?').get(snapshot.origin) as { at: number | null };
      const open = this.db.prepare('SELECT id, fingerprint, model_key FROM finding_episodes WHERE resolved_at IS NULL').all() as Array<{
        id: number;
        fingerprint: string;
        model_key: string | null;
      }>;
      // An older snapshot than one recorded (another replica's clock, a replay) would resolve
      // episodes before they opened: it is not recorded.
      if ((latest.at !== null && at < latest.at) || (sameOrigin.at !== null && at - sameOrigin.at < (snapshot.minIntervalMs ?? 0))) {
        return { recorded: false, snapshotId: null, opened: 0, resolved: 0, open: open.length };
      }
      const diff = diffSnapshot(open.map((e) => ({ id: e.id, fingerprint: e.fingerprint, modelKey: e.model_key })), snapshot);
      const snapshotId = Number(
        this.db
          .prepare('INSERT INTO snapshots (taken_at, origin, findings, opened, resolved) VALUES (?, ?, ?, 0, 0)')
          .run(at, snapshot.origin, snapshot.findings.length).lastInsertRowid,
      );
      const insert = this.db.prepare(
        `INSERT INTO finding_episodes (fingerprint, rule, severity, message, model_key, teams, waived, opened_at, last_seen_at, opened_snapshot)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (fingerprint) WHERE resolved_at IS NULL DO NOTHING`,
      );
      let opened = 0;
      for (const f of diff.toOpen) {
        opened += Number(insert.run(f.fingerprint, f.rule, f.severity, f.message, f.modelKey, JSON.stringify(f.teams), f.waived ? 1 : 0, at, at, snapshotId).changes);
      }
      const touch = this.db.prepare('UPDATE finding_episodes SET last_seen_at = ?, severity = ?, message = ?, teams = ?, waived = ? WHERE id = ?');
      for (const { id, finding: f } of diff.toTouch) touch.run(at, f.severity, f.message, JSON.stringify(f.teams), f.waived ? 1 : 0, id);
      const resolve = this.db.prepare('UPDATE finding_episodes SET resolved_at = ?, resolved_snapshot = ? WHERE id = ? AND resolved_at IS NULL');
      let resolved = 0;
      for (const id of diff.toResolve) resolved += Number(resolve.run(at, snapshotId, id).changes);
      this.db.prepare('UPDATE snapshots SET opened = ?, resolved = ? WHERE id = ?').run(opened, resolved, snapshotId);
      if (snapshot.lifecycles) {
        const upsert = this.db.prepare(
          `INSERT INTO model_lifecycles (model_key, teams, first_run_at, registered_at, approved_at, first_production_at, first_run_to_production_days, last_seen_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (model_key) DO UPDATE SET teams = excluded.teams, first_run_at = excluded.first_run_at,
             registered_at = excluded.registered_at, approved_at = excluded.approved_at, first_production_at = excluded.first_production_at,
             first_run_to_production_days = excluded.first_run_to_production_days, last_seen_at = excluded.last_seen_at`,
        );
        for (const l of snapshot.lifecycles) {
          upsert.run(l.modelKey, JSON.stringify(l.teams), l.firstRunAt, l.registeredAt, l.approvedAt, l.firstProductionAt, l.firstRunToProductionDays, at);
        }
      }
      return { recorded: true, snapshotId, opened, resolved, open: open.length + opened - resolved };
    });
  }

  async openSince(): Promise<Map<string, number>> {
    const rows = this.db.prepare('SELECT fingerprint, opened_at FROM finding_episodes WHERE resolved_at IS NULL').all() as Array<{
      fingerprint: string;
      opened_at: number;
    }>;
    return new Map(rows.map((r) => [r.fingerprint, r.opened_at]));
  }

  async episodes(filter: EpisodeFilter, page: { first: number; after?: EpisodeCursor | null }): Promise<EpisodePage> {
    const where = whereOf(filter);
    const total = this.db.prepare(`SELECT count(*) AS n FROM finding_episodes ${where.sql}`).get(...where.params) as { n: number };
    const after = page.after ? `${where.sql ? `${where.sql} AND` : 'WHERE'} (opened_at < ? OR (opened_at = ? AND id < ?))` : where.sql;
    const params = page.after ? [...where.params, page.after.openedAt, page.after.openedAt, page.after.id] : where.params;
    const rows = this.db
      .prepare(`SELECT * FROM finding_episodes ${after} ORDER BY opened_at DESC, id DESC LIMIT ?`)
      .all(...params, page.first + 1) as EpisodeRow[];
    return { episodes: rows.slice(0, page.first).map(episodeOf), totalCount: total.n, hasNextPage: rows.length > page.first };
  }

  async episodesBetween(since: number | null, until: number | null): Promise<FindingEpisode[]> {
    const where = whereOf({ since, until });
    return (this.db.prepare(`SELECT * FROM finding_episodes ${where.sql} ORDER BY opened_at, id`).all(...where.params) as EpisodeRow[]).map(episodeOf);
  }

  async lifecycles(): Promise<StoredLifecycle[]> {
    const rows = this.db.prepare('SELECT * FROM model_lifecycles ORDER BY model_key').all() as Array<{
      model_key: string;
      teams: string;
      first_run_at: string | null;
      registered_at: string | null;
      approved_at: string | null;
      first_production_at: string | null;
      first_run_to_production_days: number | null;
      last_seen_at: number;
    }>;
    return rows.map((r) => ({
      modelKey: r.model_key,
      teams: JSON.parse(r.teams) as string[],
      firstRunAt: r.first_run_at,
      registeredAt: r.registered_at,
      approvedAt: r.approved_at,
      firstProductionAt: r.first_production_at,
      firstRunToProductionDays: r.first_run_to_production_days,
      lastSeenAt: r.last_seen_at,
    }));
  }

  async snapshots(): Promise<SnapshotRow[]> {
    const rows = this.db.prepare('SELECT id, taken_at, origin, findings, opened, resolved FROM snapshots ORDER BY taken_at, id').all() as Array<{
      id: number;
      taken_at: number;
      origin: SnapshotRow['origin'];
      findings: number;
      opened: number;
      resolved: number;
    }>;
    return rows.map((r) => ({ id: r.id, takenAt: r.taken_at, origin: r.origin, findings: r.findings, opened: r.opened, resolved: r.resolved }));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
