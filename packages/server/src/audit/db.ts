import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from '../store/embedded/sqlite.ts';
import { type Hash, type PerfectSource, nodeHash } from './merkle.ts';

/**
 * audit.db: the audit log's own SQLite file in the data directory (never migrated together
 * with lockstep.db).
 *
 * `entries` holds one row per leaf: its canonical bytes exactly as they were hashed (`body`,
 * see entry.ts), its leaf hash, and copies of the fields that queries select on (kind, actor,
 * action, subject) — copies that the verifier checks against the bytes.
 *
 * `by_subject` and `by_actor` index the entries below meta `indexed` by subject and actor. They
 * are written in batches (INDEX_EVERY entries at a time, in the transaction of the group that
 * reaches it) rather than with every group: a secondary index on a key like the subject is
 * written at a random place for every entry, so indexing every group of a few hundred entries
 * rewrites a page per subject and actor in it; queries read the entries at or beyond
 * `indexed` by scanning them (at most INDEX_EVERY plus one group).
 *
 * `nodes` holds the roots of the perfect subtrees whose level is a multiple of NODE_STRIDE
 * (256, 65536, … leaves), so that any subtree hash costs at most 255 hashes; `checkpoints` holds
 * every signed checkpoint; `meta` the origin, the verifier key and `indexed`.
 */
export const AUDIT_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  INSERT INTO meta (key, value) VALUES ('indexed', '0');
  CREATE TABLE entries (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT,
    hash BLOB NOT NULL,
    body BLOB NOT NULL
  ) STRICT;
  CREATE TABLE by_subject (subject TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (subject, seq)) STRICT, WITHOUT ROWID;
  CREATE TABLE by_actor (actor TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (actor, seq)) STRICT, WITHOUT ROWID;
  CREATE TABLE nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) STRICT, WITHOUT ROWID;
  CREATE TABLE checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
  `,
];

/** by_subject and by_actor are brought up to date once this many entries are not in them. */
export const INDEX_EVERY = 4096;

/** Levels of the stored subtree roots are multiples of this. */
export const NODE_STRIDE = 8;

export interface AuditPaths {
  db: string;
  key: string;
}

export function auditPaths(dataRoot: string, keysDir = join(dataRoot, 'keys')): AuditPaths {
  return { db: join(dataRoot, 'audit.db'), key: join(keysDir, 'audit-signing.key') };
}

/** A row of `entries`. */
export interface StoredEntry {
  seq: number;
  kind: string;
  actor: string;
  action: string;
  subject: string | null;
  hash: Buffer;
  body: Buffer;
}

export interface CheckpointRow {
  size: number;
  root: Buffer;
  note: string;
  created_at: number;
}

/** Opens audit.db read-only (for offline verification, also while a server writes to it). */
export function openReadOnly(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Entries below this are in by_subject and by_actor. */
export function readIndexed(db: Db): number {
  return Number(readMeta(db, 'indexed') ?? 0);
}

export function readMeta(db: Db, key: string): string | undefined {
  return db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value;
}

/**
 * Subtree hashes read from the stored leaf hashes and nodes (for roots and proofs of a size the
 * log has reached). Throws if a needed row is missing.
 */
export function storedPerfect(db: Db): PerfectSource {
  const leaves = db.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq');
  const nodes = db.prepare<[number, number, number], { hash: Buffer }>('SELECT hash FROM nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx');
  const read = (level: number, from: number, count: number): Hash[] => {
    const rows = level === 0 ? leaves.all(from, from + count) : nodes.all(level, from, from + count);
    if (rows.length !== count) throw new Error(`audit.db lacks tree nodes at level ${level} from ${from} (${rows.length} of ${count})`);
    return rows.map((r) => r.hash);
  };
  return (level, index) => {
    const base = level - (level % NODE_STRIDE);
    const width = 2 ** (level - base);
    let hashes = read(base, index * width, width);
    while (hashes.length > 1) {
      const next: Hash[] = [];
      for (let i = 0; i < hashes.length; i += 2) next.push(nodeHash(hashes[i]!, hashes[i + 1]!));
      hashes = next;
    }
    return hashes[0]!;
  };
}
