// The agent's crash-safe local spool: every upload batch is written here, encrypted, before the
// agent counts it as captured, and leaves only once the server has acknowledged it.
//
// Durability: SQLite in WAL mode with synchronous=FULL. A batch is "stored" only when its commit
// has been fsynced to the WAL, so it survives kill -9 of the agent and also a power cut or a
// kernel crash (NORMAL would survive only the first: a laptop whose battery dies is the usual way
// a desktop agent stops). The price is one fsync per append and per ack; batches are appended
// about once a second, so that is cheap (see spool.test.ts for the measured latency).
//
// Encryption: each row's `events` is AES-256-GCM(device key, 12-byte random nonce) of the JSON of
// the events array, with the 16-byte tag appended; the AAD names the spool format, session and
// seq, so a row moved to another (session, seq) does not decrypt. Only session ids, sequence
// numbers, sizes, times and quarantine reasons are stored in the clear.
//
// Size: `bytes` is the ciphertext length (tag included) and maxBytes caps the sum over all rows,
// quarantined ones too. The file itself is larger by SQLite's page overhead; the space of acked
// rows is given back (incremental vacuum, WAL checkpoints with a journal size limit).
//
// One process owns a spool at a time (exclusive locking; no -shm file is created).
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CaptureEvent } from '@lockstep/schema';

/** How far past maxBytes a `reserve` append (a small gap marker) may go. */
export const SPOOL_RESERVE_BYTES = 64 * 1024;

const FORMAT = 'lockstep-spool-v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Free pages (4 KiB each) left by acks before they are given back to the file system. */
const VACUUM_FREE_PAGES = 256;
const SMALL_RECLAIM_BYTES = 64 * 1024;

export interface SpoolBatch {
  session: string;
  seq: number;
  events: CaptureEvent[];
}

export interface SpooledBatch extends SpoolBatch {
  id: number;
}

export interface QuarantinedBatch {
  id: number;
  session: string;
  seq: number;
  bytes: number;
  createdAt: number;
  reason: string;
}

export interface SpoolStats {
  /** Batches waiting for upload (quarantined ones not included). */
  batches: number;
  /** Ciphertext bytes of every row held, quarantined ones included: what counts against maxBytes. */
  bytes: number;
  maxBytes: number;
  /** created_at (ms) of the oldest batch waiting for upload. */
  oldestAt: number | null;
  /** Rows kept but skipped: they failed to decrypt, or the server refused them for good. */
  quarantined: number;
}

export interface SpoolOptions {
  key: Buffer;
  maxBytes: number;
  /** A row was quarantined (kept, skipped by pending()). */
  onQuarantine?: (row: QuarantinedBatch) => void;
  /** Time source for created_at (default Date.now). */
  clock?: () => number;
}

export class SpoolKeyError extends Error {
  constructor(path: string) {
    super(
      `the spool ${path} was written with another device key, so none of its batches can be read. Nothing was changed. ` +
        'Put back the device key file that belongs to it; or move the spool aside (its batches are then lost) and start again.',
    );
    this.name = 'SpoolKeyError';
  }
}

export class SpoolInUseError extends Error {
  constructor(path: string) {
    super(`the spool ${path} is open in another process (is another agent running?)`);
    this.name = 'SpoolInUseError';
  }
}

export class SpoolDuplicateError extends Error {
  constructor(
    readonly session: string,
    readonly seq: number,
  ) {
    super(`the spool already holds batch ${seq} of session ${session}`);
    this.name = 'SpoolDuplicateError';
  }
}

interface Row {
  id: number;
  session: string;
  seq: number;
  events: Buffer;
  nonce: Buffer;
  bytes: number;
  created_at: number;
}

const aad = (session: string, seq: number) => Buffer.from(`${FORMAT}\0${session}\0${seq}`, 'utf8');
const keyCheck = (key: Buffer) => createHmac('sha256', key).update(`${FORMAT} key check`).digest().subarray(0, 16);
const sqliteCode = (error: unknown) => (error as { code?: unknown }).code;

export class Spool {
  private bytes = 0;
  private freedSinceVacuum = 0;
  private closed = false;
  private readonly clock: () => number;
  private readonly insert: Database.Statement;
  private readonly selectPending: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly mark: Database.Statement;

  private constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly key: Buffer,
    private readonly opts: SpoolOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
    this.insert = db.prepare('INSERT INTO batches (session, seq, events, nonce, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.selectPending = db.prepare('SELECT id, session, seq, events, nonce, bytes, created_at FROM batches WHERE quarantined IS NULL AND id > ? ORDER BY id LIMIT ?');
    this.remove = db.prepare('DELETE FROM batches WHERE id = ? RETURNING bytes');
    this.mark = db.prepare('UPDATE batches SET quarantined = ?, quarantined_at = ? WHERE id = ? AND quarantined IS NULL RETURNING id, session, seq, bytes, created_at');
    this.bytes = (db.prepare('SELECT total(bytes) AS n FROM batches').get() as { n: number }).n;
  }

  /** Opens (or creates) the spool at `path`. Throws SpoolKeyError if it was written under another key, SpoolInUseError if another process has it open. */
  static open(path: string, opts: SpoolOptions): Spool {
    if (opts.key.length !== 32) throw new TypeError('the spool key must be 32 bytes');
    if (!(opts.maxBytes > 0)) throw new TypeError('maxBytes must be a positive number');
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // SQLite gives its WAL the database file's mode: create the file as 0600 first.
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
    const db = new Database(path, { timeout: 1000 });
    try {
      // Before the first access: no shared-memory file, and no second process.
      db.pragma('locking_mode = EXCLUSIVE');
      // Only takes effect on a new, empty database, which is the one that creates the tables.
      db.pragma('auto_vacuum = INCREMENTAL');
      if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') throw new Error(`the spool ${path} cannot use WAL mode`);
      db.pragma('synchronous = FULL');
      db.pragma(`journal_size_limit = ${4 * 1024 * 1024}`);
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS batches (
          id INTEGER PRIMARY KEY,
          session TEXT NOT NULL,
          seq INTEGER NOT NULL,
          events BLOB NOT NULL,
          nonce BLOB NOT NULL,
          bytes INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          quarantined TEXT,
          quarantined_at INTEGER,
          UNIQUE (session, seq)
        ) STRICT;
      `);
      const stored = db.prepare("SELECT value FROM meta WHERE name = 'key-check'").pluck().get() as Buffer | undefined;
      const mine = keyCheck(opts.key);
      if (!stored) db.prepare("INSERT INTO meta (name, value) VALUES ('key-check', ?)").run(mine);
      else if (!mine.equals(stored)) throw new SpoolKeyError(path);
      return new Spool(db, path, Buffer.from(opts.key), opts);
    } catch (error) {
      db.close();
      const code = sqliteCode(error);
      if (code === 'SQLITE_BUSY') throw new SpoolInUseError(path);
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
        throw new Error(`the spool ${path} is damaged (${(error as Error).message}); nothing was changed. Move it aside (keep it with the device key for recovery) and start again with an empty spool`, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Stores one batch durably (fsynced) before returning 'stored'. Returns 'full', storing
   * nothing, when it would take the spool past maxBytes (or the disk is full); with `reserve`,
   * the batch may go up to SPOOL_RESERVE_BYTES past maxBytes (meant for a small gap marker).
   * Throws SpoolDuplicateError if (session, seq) is already held.
   */
  append(batch: SpoolBatch, opts: { reserve?: boolean } = {}): 'stored' | 'full' {
    this.assertOpen();
    const { session, seq, events } = batch;
    if (typeof session !== 'string' || session.length === 0) throw new TypeError('batch.session must be a non-empty string');
    if (!Number.isSafeInteger(seq) || seq < 0) throw new TypeError(`batch.seq must be a non-negative integer (got ${String(seq)})`);
    if (!Array.isArray(events) || events.length === 0) throw new TypeError('batch.events must be a non-empty array');

    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(aad(session, seq));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(events), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    const limit = this.opts.maxBytes + (opts.reserve ? SPOOL_RESERVE_BYTES : 0);
    if (this.bytes + sealed.length > limit) return 'full';
    try {
      this.insert.run(session, seq, sealed, nonce, sealed.length, this.clock());
    } catch (error) {
      const code = sqliteCode(error);
      if (code === 'SQLITE_CONSTRAINT_UNIQUE') throw new SpoolDuplicateError(session, seq);
      if (code === 'SQLITE_FULL') return 'full';
      throw error;
    }
    this.bytes += sealed.length;
    return 'stored';
  }

  /**
   * Up to `limit` batches waiting for upload, oldest first, decrypted. A row that does not
   * decrypt is quarantined (kept, reported through onQuarantine) and skipped.
   */
  pending(limit: number): SpooledBatch[] {
    this.assertOpen();
    const out: SpooledBatch[] = [];
    let after = 0;
    while (out.length < limit) {
      const rows = this.selectPending.all(after, limit - out.length) as Row[];
      if (rows.length === 0) break;
      for (const row of rows) {
        after = row.id;
        const events = this.decrypt(row);
        if (events) out.push({ id: row.id, session: row.session, seq: row.seq, events });
      }
    }
    return out;
  }

  /** Deletes a batch (the server acknowledged it, or it is dropped on purpose). Unknown ids are ignored. */
  ack(id: number): void {
    this.assertOpen();
    const row = this.remove.get(id) as { bytes: number } | undefined;
    if (!row) return;
    this.bytes -= row.bytes;
    this.freedSinceVacuum += row.bytes;
    this.reclaim();
  }

  /** Keeps a batch but takes it out of the upload queue, with the reason. Returns false if there is no such waiting batch. */
  quarantine(id: number, reason: string): boolean {
    this.assertOpen();
    reason = reason.slice(0, 500);
    const row = this.mark.get(reason, this.clock(), id) as { id: number; session: string; seq: number; bytes: number; created_at: number } | undefined;
    if (!row) return false;
    const info: QuarantinedBatch = { id: row.id, session: row.session, seq: row.seq, bytes: row.bytes, createdAt: row.created_at, reason };
    try {
      this.opts.onQuarantine?.(info);
    } catch {
      // A reporting callback must not undo the quarantine.
    }
    return true;
  }

  /** The quarantined rows, oldest first. */
  quarantined(): QuarantinedBatch[] {
    this.assertOpen();
    return this.db
      .prepare('SELECT id, session, seq, bytes, created_at AS createdAt, quarantined AS reason FROM batches WHERE quarantined IS NOT NULL ORDER BY id')
      .all() as QuarantinedBatch[];
  }

  stats(): SpoolStats {
    this.assertOpen();
    const waiting = this.db.prepare('SELECT count(*) AS n, min(created_at) AS oldest FROM batches WHERE quarantined IS NULL').get() as { n: number; oldest: number | null };
    const held = this.db.prepare('SELECT count(*) AS n FROM batches WHERE quarantined IS NOT NULL').pluck().get() as number;
    return { batches: waiting.n, bytes: this.bytes, maxBytes: this.opts.maxBytes, oldestAt: waiting.oldest, quarantined: held };
  }

  /** Checkpoints the WAL into the database file and truncates it, then closes. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
      this.key.fill(0);
    }
  }

  private decrypt(row: Row): CaptureEvent[] | undefined {
    try {
      if (row.nonce.length !== NONCE_BYTES || row.events.length < TAG_BYTES) throw new Error('the row is truncated');
      const decipher = createDecipheriv('aes-256-gcm', this.key, row.nonce);
      decipher.setAAD(aad(row.session, row.seq));
      decipher.setAuthTag(row.events.subarray(row.events.length - TAG_BYTES));
      const json = Buffer.concat([decipher.update(row.events.subarray(0, row.events.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      const events = JSON.parse(json) as unknown;
      if (!Array.isArray(events)) throw new Error('the row does not hold an events array');
      return events as CaptureEvent[];
    } catch (error) {
      const why = error instanceof Error && error.message.includes('authenticate') ? 'it does not decrypt (damaged, or moved from another batch)' : error instanceof Error ? error.message : String(error);
      this.quarantine(row.id, `unreadable: ${why}`);
      return undefined;
    }
  }

  /**
   * Gives the pages of acked rows back to the file system once 1 MiB is free, or 64 KiB when the
   * spool is empty, and then also checkpoints the WAL and truncates it. (Between those, SQLite's
   * automatic checkpoints and journal_size_limit keep the WAL near 4 MiB.)
   */
  private reclaim(): void {
    const empty = this.bytes === 0;
    if (this.freedSinceVacuum < (empty ? SMALL_RECLAIM_BYTES : VACUUM_FREE_PAGES * 4096)) return;
    this.freedSinceVacuum = 0;
    this.db.pragma('incremental_vacuum');
    if (empty) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the spool ${this.path} is closed`);
  }
}
