/**
 * The few calls the SQLite history store makes, over whichever embedded SQLite this Node
 * has: its own `node:sqlite` (Node 22.13 and later, built in: nothing to compile, and the
 * runtime of the Docker image), else better-sqlite3 12 (Node 20). Both are synchronous, so
 * the store behaves the same on either.
 *
 * Why not better-sqlite3 everywhere: on Node 24 its `Database` finalizer asserts when the
 * garbage collector runs it outside a Node environment (`RemoveEnvironmentCleanupHook ...
 * Assertion failed: (env) != nullptr`), which aborts a process that let one be collected
 * unclosed (seen under jest, whose test files run in vm contexts).
 */

export interface SqliteStatement {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  /** `fn` in one IMMEDIATE transaction: committed when it returns, rolled back when it throws. */
  immediate<T>(fn: () => T): T;
  /** Closes; again is nothing. */
  close(): void;
}

export interface SqliteDriver {
  /** `node:sqlite` or `better-sqlite3`, for messages. */
  readonly name: string;
  open(path: string): SqliteDatabase;
}

interface NodeSqliteModule {
  DatabaseSync: new (path: string) => {
    exec(sql: string): void;
    prepare(sql: string): SqliteStatement;
    close(): void;
  };
}

/** Node's own SQLite, when this Node has it without a flag; undefined otherwise. */
function nodeSqlite(): SqliteDriver | undefined {
  let mod: NodeSqliteModule;
  try {
    mod = require('node:sqlite') as NodeSqliteModule;
  } catch {
    return undefined;
  }
  return {
    name: 'node:sqlite',
    open(path) {
      const db = new mod.DatabaseSync(path);
      let open = true;
      return {
        exec: (sql) => db.exec(sql),
        prepare: (sql) => db.prepare(sql),
        immediate<T>(fn: () => T): T {
          db.exec('BEGIN IMMEDIATE');
          try {
            const result = fn();
            db.exec('COMMIT');
            return result;
          } catch (err) {
            db.exec('ROLLBACK');
            throw err;
          }
        },
        close: () => {
          if (open) db.close();
          open = false;
        },
      };
    },
  };
}

/** better-sqlite3, loaded only here and only when Node has no SQLite of its own. */
function betterSqlite(): SqliteDriver {
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  return {
    name: 'better-sqlite3',
    open(path) {
      const db = new Database(path);
      return {
        exec: (sql) => void db.exec(sql),
        prepare: (sql) => db.prepare(sql) as unknown as SqliteStatement,
        immediate: <T>(fn: () => T): T => db.transaction(fn).immediate(),
        close: () => void (db.open && db.close()),
      };
    },
  };
}

/**
 * The embedded SQLite this process uses, checked to work (a native binding loads only when a
 * database is first opened). Throws with the driver's own message when none can run.
 */
export function loadSqliteDriver(): SqliteDriver {
  const driver = nodeSqlite() ?? betterSqlite();
  driver.open(':memory:').close();
  return driver;
}
