/**
 * The history stores' schema, as numbered migrations per dialect. Each store applies the
 * ones its `schema_migrations` table does not list, in order, at start-up, and records each
 * with the time it ran; a migration, once released, is never edited (add the next number).
 * Times are epoch milliseconds (INTEGER / BIGINT): the same comparisons in both dialects.
 */
import { ModelgraphError } from '../../../connectors/core/errors';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'snapshots, finding episodes, model lifecycles',
    sql: `
      CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        taken_at INTEGER NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('index', 'reconcile', 'demo')),
        findings INTEGER NOT NULL,
        opened INTEGER NOT NULL,
        resolved INTEGER NOT NULL
      );
      CREATE INDEX snapshots_origin_taken_at ON snapshots (origin, taken_at);
      CREATE TABLE finding_episodes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        fingerprint TEXT NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH')),
        message TEXT NOT NULL,
        model_key TEXT,
        teams TEXT NOT NULL DEFAULT '[]',
        waived INTEGER NOT NULL DEFAULT 0,
        opened_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        resolved_at INTEGER,
        opened_snapshot INTEGER REFERENCES snapshots (id),
        resolved_snapshot INTEGER REFERENCES snapshots (id)
      );
      -- One open episode per fingerprint: two recorders of one build cannot both open it.
      CREATE UNIQUE INDEX finding_episodes_open ON finding_episodes (fingerprint) WHERE resolved_at IS NULL;
      CREATE INDEX finding_episodes_opened_at ON finding_episodes (opened_at, id);
      CREATE INDEX finding_episodes_resolved_at ON finding_episodes (resolved_at);
      CREATE INDEX finding_episodes_model ON finding_episodes (model_key);
      CREATE TABLE model_lifecycles (
        model_key TEXT PRIMARY KEY,
        teams TEXT NOT NULL DEFAULT '[]',
        first_run_at TEXT,
        registered_at TEXT,
        approved_at TEXT,
        first_production_at TEXT,
        first_run_to_production_days REAL,
        last_seen_at INTEGER NOT NULL
      );
    `,
  },
];

/** `{schema}` stands for the quoted schema name. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'snapshots, finding episodes, model lifecycles',
    sql: `
      CREATE TABLE {schema}.snapshots (
        id BIGSERIAL PRIMARY KEY,
        taken_at BIGINT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('index', 'reconcile', 'demo')),
        findings INTEGER NOT NULL,
        opened INTEGER NOT NULL,
        resolved INTEGER NOT NULL
      );
      CREATE INDEX snapshots_origin_taken_at ON {schema}.snapshots (origin, taken_at);
      CREATE TABLE {schema}.finding_episodes (
        id BIGSERIAL PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH')),
        message TEXT NOT NULL,
        model_key TEXT,
        teams TEXT NOT NULL DEFAULT '[]',
        waived BOOLEAN NOT NULL DEFAULT FALSE,
        opened_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        resolved_at BIGINT,
        opened_snapshot BIGINT REFERENCES {schema}.snapshots (id),
        resolved_snapshot BIGINT REFERENCES {schema}.snapshots (id)
      );
      CREATE UNIQUE INDEX finding_episodes_open ON {schema}.finding_episodes (fingerprint) WHERE resolved_at IS NULL;
      CREATE INDEX finding_episodes_opened_at ON {schema}.finding_episodes (opened_at, id);
      CREATE INDEX finding_episodes_resolved_at ON {schema}.finding_episodes (resolved_at);
      CREATE INDEX finding_episodes_model ON {schema}.finding_episodes (model_key);
      CREATE TABLE {schema}.model_lifecycles (
        model_key TEXT PRIMARY KEY,
        teams TEXT NOT NULL DEFAULT '[]',
        first_run_at TEXT,
        registered_at TEXT,
        approved_at TEXT,
        first_production_at TEXT,
        first_run_to_production_days DOUBLE PRECISION,
        last_seen_at BIGINT NOT NULL
      );
    `,
  },
];

/** The migrations not yet applied, in order; throws when the store is newer than this code. */
export function pendingMigrations(all: readonly Migration[], applied: readonly number[], store: string): Migration[] {
  const known = new Set(all.map((m) => m.version));
  const unknown = applied.filter((v) => !known.has(v));
  if (unknown.length > 0) {
    // A newer release migrated this store: this one would misread it.
    throw new ModelgraphError('HISTORY_UNAVAILABLE', `history: ${store} has schema version ${Math.max(...unknown)}, newer than this release knows (${Math.max(...known)})`);
  }
  const done = new Set(applied);
  return all.filter((m) => !done.has(m.version)).sort((a, b) => a.version - b.version);
}
