import type { Store } from '../types.ts';
import { accountStores } from './accounts.ts';
import { governanceStores } from './governance.ts';
import { type DataDirPaths, prepareDataDir } from './data-dir.ts';
import { exportStores } from './exports.ts';
import { SqliteKeyStore } from './key-store.ts';
import { CONTENT_MIGRATIONS, KEYRING_MIGRATIONS } from './migrations.ts';
import { lockDataDir } from './lock.ts';
import { sessionStores } from './sessions.ts';
import { checkpoint, openDatabase } from './sqlite.ts';

export { dataDirPaths, type DataDirPaths } from './data-dir.ts';

export interface EmbeddedStore extends Store {
  readonly paths: DataDirPaths;
}

/**
 * Opens the embedded store in `dataDir` (created on first run, mode 0700): lockstep.db for
 * metadata and sealed content, keys/keyring.db for wrapped keys. The directory is claimed for
 * this process (lockstep.pid) until close. The KEK file is not read here; see openLockstep.
 */
export async function openEmbeddedStore(dataDir: string): Promise<EmbeddedStore> {
  const paths = prepareDataDir(dataDir);
  const unlock = lockDataDir(paths.root);
  let db;
  let keysDb;
  try {
    db = openDatabase(paths.db, CONTENT_MIGRATIONS);
    keysDb = openDatabase(paths.keyring, KEYRING_MIGRATIONS);
  } catch (error) {
    db?.close();
    unlock();
    throw error;
  }
  const keys = new SqliteKeyStore(keysDb);
  let closed = false;
  return {
    paths,
    ...accountStores(db),
    ...sessionStores(db),
    ...governanceStores(db),
    ...exportStores(db),
    keys,
    async compact() {
      checkpoint(db);
      checkpoint(keysDb);
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
      keysDb.close();
      unlock();
    },
  };
}
