import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { dataDirPaths } from '../store/embedded/data-dir.ts';
import { revocationVerifierKey } from './feed.ts';

/**
 * The revocation feed's verifier key, read from a data directory without a server (read-only, no
 * lock: it works while a server runs on the directory). An operator publishes it out of band so
 * that researchers can check the key their export answer gave them.
 */
export function readRevocationVerifierKey(dataDir: string): string {
  const paths = dataDirPaths(dataDir);
  if (!existsSync(paths.db)) throw new Error(`${paths.db} does not exist: no Lockstep data in ${paths.root}`);
  const db = new Database(paths.db, { readonly: true, fileMustExist: true });
  let origin: string | undefined;
  try {
    db.pragma('busy_timeout = 5000');
    const table = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'revocation_meta'").get();
    origin = table ? db.prepare<[], { value: string }>("SELECT value FROM revocation_meta WHERE key = 'origin'").get()?.value : undefined;
  } finally {
    db.close();
  }
  if (!origin) throw new Error(`${paths.db} has no revocation feed yet: start the server on it once`);
  return revocationVerifierKey(paths.keysDir, origin);
}
