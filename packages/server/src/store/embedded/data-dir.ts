import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where the embedded store keeps its files. */
export interface DataDirPaths {
  root: string;
  /** lockstep.db: metadata and sealed content. */
  db: string;
  keysDir: string;
  /** keys/kek: the key-encryption key (32 bytes, mode 0600). */
  kek: string;
  /** keys/keyring.db: wrapped subject and session keys only. */
  keyring: string;
}

export function dataDirPaths(dataDir: string): DataDirPaths {
  const root = resolve(dataDir);
  const keysDir = join(root, 'keys');
  return { root, db: join(root, 'lockstep.db'), keysDir, kek: join(keysDir, 'kek'), keyring: join(keysDir, 'keyring.db') };
}

/** Creates the data directory and its keys directory (mode 0700) if missing. */
export function prepareDataDir(dataDir: string): DataDirPaths {
  const paths = dataDirPaths(dataDir);
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  mkdirSync(paths.keysDir, { recursive: true, mode: 0o700 });
  const keysMode = statSync(paths.keysDir).mode & 0o777;
  if ((keysMode & 0o077) !== 0) {
    throw new Error(`${paths.keysDir} may be entered by group or others (mode ${keysMode.toString(8).padStart(4, '0')}); run: chmod 700 ${paths.keysDir}`);
  }
  return paths;
}
