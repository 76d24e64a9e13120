// Adapter: opens the SQLite state database (node:sqlite), in WAL mode so the CLI can write while the
// daemon runs, and brings its schema up to date. Each migration runs in its own transaction.
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS, type Migration } from './migrations.ts';

export type Database = DatabaseSync;

export const DATABASE_FILE = 'outpost.db';

/**
 * Makes the database file exist with mode 0600 before SQLite opens it. SQLite creates a new database
 * 0644 minus the umask, and its -wal and -shm files with the database's own mode, so a file that is
 * 0600 from the start keeps all three private whatever umask the process has. Files left wider by an
 * older version are narrowed.
 */
function createPrivate(file: string): void {
  const fd = openSync(file, 'a', 0o600);
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  for (const companion of [`${file}-wal`, `${file}-shm`]) if (existsSync(companion)) chmodSync(companion, 0o600);
}

export function openDatabase(home: string, migrations: readonly Migration[] = MIGRATIONS): Database {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = path.join(home, DATABASE_FILE);
  createPrivate(file);
  const db = new DatabaseSync(file, { timeout: 5000 });
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  migrate(db, migrations);
  return db;
}

export function schemaVersion(db: Database): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  return row.user_version;
}

export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= schemaVersion(db)) continue;
    if (migration.version !== schemaVersion(db) + 1) {
      throw new Error(`migration ${migration.version} does not follow schema version ${schemaVersion(db)}`);
    }
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec('COMMIT');
      applied.push(migration.version);
    } catch (error) {
      db.exec('ROLLBACK');
      throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, { cause: error });
    }
  }
  return applied;
}

/**
 * Runs `work` inside one immediate transaction. `durable`: the commit is on disk before this returns
 * (synchronous FULL for this transaction; WAL's NORMAL may lose the last commits in a power cut).
 * The audit log needs it: the head it then writes outside the database must never be ahead of it.
 */
export function transaction<T>(db: Database, work: () => T, options: { durable?: boolean } = {}): T {
  if (options.durable) db.exec('PRAGMA synchronous = FULL');
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      db.exec('COMMIT');
      return result;
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  } finally {
    if (options.durable) db.exec('PRAGMA synchronous = NORMAL');
  }
}
