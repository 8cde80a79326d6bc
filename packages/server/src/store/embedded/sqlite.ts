import Database from 'better-sqlite3';
import { closeSync, constants, openSync } from 'node:fs';

export type Db = Database.Database;

/** The database was written by a newer Lockstep, or is not one of ours. */
export class StoreVersionError extends Error {
  override name = 'StoreVersionError';
}

/**
 * Opens (creating if needed, mode 0600) a SQLite file set up the way Lockstep needs it:
 * WAL with synchronous=FULL (a committed transaction survives power loss), secure_delete
 * (deleted rows are overwritten, not just unlinked from the b-tree) and foreign keys on.
 * `migrations[i]` moves the schema from version i to i+1 (PRAGMA user_version).
 */
export function openDatabase(path: string, migrations: readonly string[]): Db {
  // SQLite gives the -wal and -shm files the main file's mode, so create that one 0600 first.
  closeSync(openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600));
  const db = new Database(path);
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`${path}: could not switch to WAL journaling (got ${String(mode)})`);
    db.pragma('synchronous = FULL');
    db.pragma('secure_delete = ON');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, path, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Db, path: string, migrations: readonly string[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new StoreVersionError(`${path} has schema version ${current}, newer than this Lockstep knows (${migrations.length}); upgrade Lockstep`);
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}

/** Moves everything from the WAL into the main file and empties the WAL. */
export function checkpoint(db: Db): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
}
