/**
 * Opens the history store the configuration names. The database drivers are loaded here,
 * only when history is on: on Node 20 the embedded SQLite is better-sqlite3, a native
 * module, and a machine where it cannot load still serves the graph, without history.
 */
import { resolve } from 'node:path';
import { ModelgraphError } from '../../../connectors/core/errors';
import { PostgresHistoryStore } from './postgres-store';
import { loadSqliteDriver, type SqliteDriver } from './sqlite-driver';
import { SqliteHistoryStore } from './sqlite-store';
import type { HistoryStore } from './types';

export interface HistorySettings {
  /** The SQLite file, when no `postgresUrl` is set. */
  path: string;
  postgresUrl?: string;
  postgresSchema: string;
}

/** History could not be opened: the message names `history` and what to change. */
export class HistoryUnavailableError extends ModelgraphError {
  override readonly name = 'HistoryUnavailableError';
  constructor(message: string, options?: ErrorOptions) {
    super('HISTORY_UNAVAILABLE', message, options);
  }
}

function load<T>(module: string, hint: string): T {
  try {
    return require(module) as T;
  } catch (err) {
    throw new HistoryUnavailableError(`history: cannot load ${module} (${(err as Error).message.split('\n')[0]}); ${hint}`);
  }
}

const SQLITE_HINT = 'set history.postgresUrl to record in PostgreSQL, or history.enabled: false to serve without history';

/** The embedded SQLite this Node can run (sqlite-driver.ts), or an error naming `history`. */
function loadSqlite(): SqliteDriver {
  try {
    return loadSqliteDriver();
  } catch (err) {
    throw new HistoryUnavailableError(`history: no embedded SQLite can run here (${(err as Error).message.split('\n')[0]}); ${SQLITE_HINT}`);
  }
}

/** Whether an embedded SQLite works here: the demo turns history off when none does. */
export function sqliteAvailable(): boolean {
  try {
    loadSqlite();
    return true;
  } catch {
    return false;
  }
}

export async function openHistoryStore(settings: HistorySettings): Promise<HistoryStore> {
  if (settings.postgresUrl) {
    const pg = load<typeof import('pg')>('pg', 'set history.enabled: false, or install pg');
    try {
      return await PostgresHistoryStore.open(pg, settings.postgresUrl, settings.postgresSchema);
    } catch (err) {
      // The URL may carry a password: the message names the schema, not the URL.
      throw new HistoryUnavailableError(`history: cannot open PostgreSQL history (history.postgresUrl, schema ${settings.postgresSchema}): ${(err as Error).message}`);
    }
  }
  const driver = loadSqlite();
  const path = resolve(settings.path);
  try {
    return await SqliteHistoryStore.open(driver, path);
  } catch (err) {
    throw new HistoryUnavailableError(`history: cannot open ${path} (history.path): ${(err as Error).message}`);
  }
}
