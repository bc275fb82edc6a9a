/**
 * The history in PostgreSQL (`history.postgresUrl`): for several replicas, or a database
 * the organisation already backs up. Tables live in one schema (`history.postgresSchema`).
 * Migrations run under a session advisory lock and each recording in a transaction under a
 * transaction advisory lock, so replicas starting or recording at once take turns.
 */
import type { Pool, PoolClient } from 'pg';
import { pendingMigrations, POSTGRES_MIGRATIONS } from './migrations';
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

type PgModule = typeof import('pg');

interface EpisodeRow {
  id: string;
  fingerprint: string;
  rule: string;
  severity: string;
  message: string;
  model_key: string | null;
  teams: string;
  waived: boolean;
  opened_at: string;
  last_seen_at: string;
  resolved_at: string | null;
}

/** BIGINT columns arrive as strings (pg keeps 64-bit integers exact); epoch ms fit a double. */
function episodeOf(row: EpisodeRow): FindingEpisode {
  return {
    id: Number(row.id),
    fingerprint: row.fingerprint,
    rule: row.rule as FindingEpisode['rule'],
    severity: row.severity as FindingEpisode['severity'],
    message: row.message,
    modelKey: row.model_key,
    teams: JSON.parse(row.teams) as string[],
    waived: row.waived,
    openedAt: Number(row.opened_at),
    lastSeenAt: Number(row.last_seen_at),
    resolvedAt: row.resolved_at === null ? null : Number(row.resolved_at),
  };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export class PostgresHistoryStore implements HistoryStore {
  readonly description: string;
  private readonly schema: string;
  /** The advisory lock keys: one for migrations, one for recording (per schema). */
  private readonly lockKey: { migrate: string; record: string };

  private constructor(
    private readonly pool: Pool,
    schemaName: string,
  ) {
    this.description = `postgres:${schemaName}`;
    this.schema = quoteIdent(schemaName);
    this.lockKey = { migrate: `modelgraph-history-migrate:${schemaName}`, record: `modelgraph-history-record:${schemaName}` };
  }

  /** Connects and migrates. `driver` is the pg module, loaded only when history is on (see open-store.ts). */
  static async open(driver: PgModule, url: string, schema: string, options: { maxConnections?: number } = {}): Promise<PostgresHistoryStore> {
    const pool = new driver.Pool({ connectionString: url, max: options.maxConnections ?? 4 });
    // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const store = new PostgresHistoryStore(pool, schema);
    try {
      await store.migrate();
      return store;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  private t(table: string): string {
    return `${this.schema}.${table}`;
  }

  async migrate(): Promise<number[]> {
    const client = await this.pool.connect();
    try {
      // Session-level: held across the migrations' own transactions, released in finally.
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [this.lockKey.migrate]);
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${this.t('schema_migrations')} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
        );
        const applied = (await client.query<{ version: number }>(`SELECT version FROM ${this.t('schema_migrations')}`)).rows.map((r) => r.version);
        const pending = pendingMigrations(POSTGRES_MIGRATIONS, applied, this.description);
        for (const m of pending) {
          await inTransaction(client, async () => {
            await client.query(m.sql.replace(/\{schema\}/g, this.schema));
            await client.query(`INSERT INTO ${this.t('schema_migrations')} (version, name, applied_at) VALUES ($1, $2, $3)`, [m.version, m.name, Date.now()]);
          });
        }
        return pending.map((m) => m.version);
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [this.lockKey.migrate]);
      }
    } finally {
      client.release();
    }
  }

  async record(snapshot: SnapshotInput): Promise<SnapshotResult> {
    const at = snapshot.takenAt.getTime();
    const client = await this.pool.connect();
    try {
      return await inTransaction(client, async (): Promise<SnapshotResult> => {
        // Recorders take turns: the second sees the first's episodes (and its snapshot time).
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.lockKey.record]);
        const times = await client.query<{ latest: string | null; same: string | null }>(
          `SELECT max(taken_at) AS latest, max(taken_at) FILTER (WHERE origin = $1) AS same FROM ${this.t('snapshots')}`,
          [snapshot.origin],
        );
        const open = (
          await client.query<{ id: string; fingerprint: string; model_key: string | null }>(
            `SELECT id, fingerprint, model_key FROM ${this.t('finding_episodes')} WHERE resolved_at IS NULL`,
          )
        ).rows.map((r) => ({ id: Number(r.id), fingerprint: r.fingerprint, modelKey: r.model_key }));
        const latest = times.rows[0]?.latest == null ? null : Number(times.rows[0].latest);
        const same = times.rows[0]?.same == null ? null : Number(times.rows[0].same);
        if ((latest !== null && at < latest) || (same !== null && at - same < (snapshot.minIntervalMs ?? 0))) {
          return { recorded: false, snapshotId: null, opened: 0, resolved: 0, open: open.length };
        }
        const diff = diffSnapshot(open, snapshot);
        const inserted = await client.query<{ id: string }>(
          `INSERT INTO ${this.t('snapshots')} (taken_at, origin, findings, opened, resolved) VALUES ($1, $2, $3, 0, 0) RETURNING id`,
          [at, snapshot.origin, snapshot.findings.length],
        );
        const snapshotId = Number(inserted.rows[0]!.id);
        const o = diff.toOpen;
        const opened = (
          await client.query(
            `INSERT INTO ${this.t('finding_episodes')} (fingerprint, rule, severity, message, model_key, teams, waived, opened_at, last_seen_at, opened_snapshot)
             SELECT f.fingerprint, f.rule, f.severity, f.message, f.model_key, f.teams, f.waived, $8, $8, $9
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[])
               AS f (fingerprint, rule, severity, message, model_key, teams, waived)
             ON CONFLICT (fingerprint) WHERE resolved_at IS NULL DO NOTHING`,
            [
              o.map((f) => f.fingerprint),
              o.map((f) => f.rule),
              o.map((f) => f.severity),
              o.map((f) => f.message),
              o.map((f) => f.modelKey),
              o.map((f) => JSON.stringify(f.teams)),
              o.map((f) => f.waived),
              at,
              snapshotId,
            ],
          )
        ).rowCount ?? 0;
        const t = diff.toTouch;
        if (t.length > 0) {
          await client.query(
            `UPDATE ${this.t('finding_episodes')} AS e SET last_seen_at = $1, severity = u.severity, message = u.message, teams = u.teams, waived = u.waived
             FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::boolean[]) AS u (id, severity, message, teams, waived)
             WHERE e.id = u.id`,
            [at, t.map((x) => x.id), t.map((x) => x.finding.severity), t.map((x) => x.finding.message), t.map((x) => JSON.stringify(x.finding.teams)), t.map((x) => x.finding.waived)],
          );
        }
        const resolved = (
          await client.query(
            `UPDATE ${this.t('finding_episodes')} SET resolved_at = $1, resolved_snapshot = $2 WHERE id = ANY($3::bigint[]) AND resolved_at IS NULL`,
            [at, snapshotId, diff.toResolve],
          )
        ).rowCount ?? 0;
        await client.query(`UPDATE ${this.t('snapshots')} SET opened = $1, resolved = $2 WHERE id = $3`, [opened, resolved, snapshotId]);
        const l = snapshot.lifecycles;
        if (l && l.length > 0) {
          await client.query(
            `INSERT INTO ${this.t('model_lifecycles')} AS m (model_key, teams, first_run_at, registered_at, approved_at, first_production_at, first_run_to_production_days, last_seen_at)
             SELECT u.*, $8::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[])
               AS u (model_key, teams, first_run_at, registered_at, approved_at, first_production_at, first_run_to_production_days)
             ON CONFLICT (model_key) DO UPDATE SET teams = excluded.teams, first_run_at = excluded.first_run_at,
               registered_at = excluded.registered_at, approved_at = excluded.approved_at, first_production_at = excluded.first_production_at,
               first_run_to_production_days = excluded.first_run_to_production_days, last_seen_at = excluded.last_seen_at`,
            [
              l.map((x) => x.modelKey),
              l.map((x) => JSON.stringify(x.teams)),
              l.map((x) => x.firstRunAt),
              l.map((x) => x.registeredAt),
              l.map((x) => x.approvedAt),
              l.map((x) => x.firstProductionAt),
              l.map((x) => x.firstRunToProductionDays),
              at,
            ],
          );
        }
        return { recorded: true, snapshotId, opened, resolved, open: open.length + opened - resolved };
      });
    } finally {
      client.release();
    }
  }

  async openSince(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ fingerprint: string; opened_at: string }>(
      `SELECT fingerprint, opened_at FROM ${this.t('finding_episodes')} WHERE resolved_at IS NULL`,
    );
    return new Map(rows.map((r) => [r.fingerprint, Number(r.opened_at)]));
  }

  private whereOf(filter: EpisodeFilter, params: unknown[]): string {
    const clauses: string[] = [];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.rule) clauses.push(`rule = ${p(filter.rule)}`);
    if (filter.severity) clauses.push(`severity = ANY(${p(severitiesFrom(filter.severity))}::text[])`);
    // Teams are a JSON array of `@org/team`: an element matches with its quotes.
    if (filter.team) clauses.push(`strpos(lower(teams), ${p(JSON.stringify(`@${filter.team.replace(/^@/, '')}`.toLowerCase()))}) > 0`);
    if (filter.model) clauses.push(`model_key = ${p(filter.model)}`);
    if (filter.state === 'OPEN') clauses.push('resolved_at IS NULL');
    if (filter.state === 'RESOLVED') clauses.push('resolved_at IS NOT NULL');
    if (filter.since != null) clauses.push(`(resolved_at IS NULL OR resolved_at > ${p(filter.since)})`);
    if (filter.until != null) clauses.push(`opened_at < ${p(filter.until)}`);
    return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  }

  async episodes(filter: EpisodeFilter, page: { first: number; after?: EpisodeCursor | null }): Promise<EpisodePage> {
    const countParams: unknown[] = [];
    const total = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.t('finding_episodes')} ${this.whereOf(filter, countParams)}`, countParams);
    const params: unknown[] = [];
    let where = this.whereOf(filter, params);
    if (page.after) {
      params.push(page.after.openedAt, page.after.id);
      where += `${where ? ' AND' : 'WHERE'} (opened_at, id) < ($${params.length - 1}, $${params.length})`;
    }
    params.push(page.first + 1);
    const { rows } = await this.pool.query<EpisodeRow>(
      `SELECT * FROM ${this.t('finding_episodes')} ${where} ORDER BY opened_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return { episodes: rows.slice(0, page.first).map(episodeOf), totalCount: Number(total.rows[0]!.n), hasNextPage: rows.length > page.first };
  }

  async episodesBetween(since: number | null, until: number | null): Promise<FindingEpisode[]> {
    const params: unknown[] = [];
    const where = this.whereOf({ since, until }, params);
    const { rows } = await this.pool.query<EpisodeRow>(`SELECT * FROM ${this.t('finding_episodes')} ${where} ORDER BY opened_at, id`, params);
    return rows.map(episodeOf);
  }

  async lifecycles(): Promise<StoredLifecycle[]> {
    const { rows } = await this.pool.query<{
      model_key: string;
      teams: string;
      first_run_at: string | null;
      registered_at: string | null;
      approved_at: string | null;
      first_production_at: string | null;
      first_run_to_production_days: number | null;
      last_seen_at: string;
    }>(`SELECT * FROM ${this.t('model_lifecycles')} ORDER BY model_key`);
    return rows.map((r) => ({
      modelKey: r.model_key,
      teams: JSON.parse(r.teams) as string[],
      firstRunAt: r.first_run_at,
      registeredAt: r.registered_at,
      approvedAt: r.approved_at,
      firstProductionAt: r.first_production_at,
      firstRunToProductionDays: r.first_run_to_production_days,
      lastSeenAt: Number(r.last_seen_at),
    }));
  }

  async snapshots(): Promise<SnapshotRow[]> {
    const { rows } = await this.pool.query<{ id: string; taken_at: string; origin: SnapshotRow['origin']; findings: number; opened: number; resolved: number }>(
      `SELECT id, taken_at, origin, findings, opened, resolved FROM ${this.t('snapshots')} ORDER BY taken_at, id`,
    );
    return rows.map((r) => ({ id: Number(r.id), takenAt: Number(r.taken_at), origin: r.origin, findings: r.findings, opened: r.opened, resolved: r.resolved }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
