import { randomBytes } from 'node:crypto';
import { prepareDataDir } from '../store/embedded/data-dir.ts';
import { type Db, openDatabase } from '../store/embedded/sqlite.ts';
import { type NoteSigner, signCheckpoint, signerFromSeed } from './checkpoint.ts';
import { AUDIT_MIGRATIONS, type AuditPaths, INDEX_EVERY, NODE_STRIDE, auditPaths, readIndexed, storedPerfect } from './db.ts';
import { type AuditInput, type AuditRecord, GENESIS_PREV, type PreparedEntry, leafHashHex, leafInput, parseEntry, prepareEntry } from './entry.ts';
import { loadOrCreateSigningSeed } from './key.ts';
import { EMPTY_ROOT, Frontier, type Hash, consistencyPath, inclusionPath, rangeHash } from './merkle.ts';
import { type VerifyOptions, type VerifyResult, verifyLog } from './verify.ts';

/** The entry could not be made durable (or the log is closed): the access it records must be refused. */
export class AuditWriteError extends Error {
  override name = 'AuditWriteError';
}

export interface AuditLogOptions {
  /** Trusted time, ms since the epoch. */
  clock?: () => number;
  /**
   * The log's name in its checkpoints and the name of its signing key (no spaces, no "+"). Fixed
   * when the log is created; defaults to `lockstep/audit/<random>`, unique per data directory.
   */
  origin?: string;
  /** A checkpoint is signed this often while entries were appended (default 60 s; 0 = never). */
  checkpointEveryMs?: number;
  /** Where the keys live (default `<dataDir>/keys`). */
  keysDir?: string;
  /** by_subject and by_actor are brought up to date once this many entries are not in them (default INDEX_EVERY; tests use less). */
  indexEvery?: number;
}

export interface AuditLog {
  readonly origin: string;
  /** The C2SP verifier key of the checkpoint signatures: `<origin>+<key id>+<base64 key>`. */
  readonly verifierKey: string;
  readonly paths: AuditPaths;
  /**
   * Appends an entry; resolves once it is durable (fsynced), rejects with AuditWriteError if it
   * could not be written (the caller refuses the access) or AuditEntryError if it is malformed.
   * Concurrent appends share one transaction (group commit).
   */
  append(input: AuditInput): Promise<AuditRecord>;
  /** Entries about a subject's data, newest first; `before` is an exclusive seq cursor. */
  forSubject(subjectId: string, options: { limit: number; before?: number }): AuditRecord[];
  /** Entries in log order, metadata only; `after` is an exclusive seq cursor. */
  list(options: { limit: number; after?: number; actor?: string; action?: string }): AuditRecord[];
  /** Durable entries. */
  size(): number;
  /** RFC 6962 root of the first `size` entries (default: all). */
  root(size?: number): Buffer;
  /** Signs the current tree head as a C2SP checkpoint, stores and returns it. */
  checkpoint(): string;
  /** The most recent signed checkpoint (one exists from the first open on). */
  latestCheckpoint(): string;
  /** Audit path of entry `index` in the tree of `size` entries (default: all). */
  inclusionProof(index: number, size?: number): Buffer[];
  /** Proof that the tree of `to` entries (default: all) extends the tree of `from`. */
  consistencyProof(from: number, to?: number): Buffer[];
  /** Recomputes and checks everything; see verifyLog. */
  verify(options?: VerifyOptions): VerifyResult;
  /** Writes what is pending, signs a last checkpoint if entries were added, closes. */
  close(): Promise<void>;
}

interface Pending {
  input: AuditInput;
  entry: PreparedEntry;
  time: number;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

/** seq, kind, actor, action, subject, hash, body: one row of `entries`. */
type Row = [number, string, string, string, string | null, Buffer, Buffer];
const ROW_COLUMNS = 7;
/** Rows per multi-row INSERT (one statement step instead of CHUNK). */
const CHUNK = 32;

/** The stored bytes and hash of a query result. */
interface Found {
  hash: Buffer;
  body: Buffer;
}
const toRecord = (r: Found) => parseEntry(r.body, r.hash.toString('hex'));

/**
 * Opens (creating on first use) the audit log of a data directory: `<dataDir>/audit.db` and the
 * signing key `<dataDir>/keys/audit-signing.key` (mode 0600).
 */
export function openAuditLog(dataDir: string, options: AuditLogOptions = {}): AuditLog {
  const clock = options.clock ?? Date.now;
  const indexEvery = options.indexEvery ?? INDEX_EVERY;
  const root0 = prepareDataDir(dataDir).root;
  const paths = auditPaths(root0, options.keysDir);
  const db = openDatabase(paths.db, AUDIT_MIGRATIONS);
  let signer: NoteSigner;
  let origin: string;
  try {
    ({ signer, origin } = setUp(db, paths, options));
  } catch (error) {
    db.close();
    throw error;
  }

  const values = (n: number) => Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
  const insertSql = 'INSERT INTO entries (seq, kind, actor, action, subject, hash, body) VALUES ';
  const found = 'e.hash AS hash, e.body AS body';
  const q = {
    insert: db.prepare<Row>(insertSql + values(1)),
    insertChunk: db.prepare<unknown[]>(insertSql + values(CHUNK)),
    insertNode: db.prepare<[number, number, Buffer]>('INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)'),
    indexSubjects: db.prepare<[number, number]>('INSERT INTO by_subject (subject, seq) SELECT subject, seq FROM entries WHERE seq >= ? AND seq < ? AND subject IS NOT NULL'),
    indexActors: db.prepare<[number, number]>('INSERT INTO by_actor (actor, seq) SELECT actor, seq FROM entries WHERE seq >= ? AND seq < ?'),
    setIndexed: db.prepare<[string]>("UPDATE meta SET value = ? WHERE key = 'indexed'"),
    last: db.prepare<[], { seq: number; hash: Buffer }>('SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1'),
    // The entries not yet in by_subject / by_actor are read by scanning them (at most INDEX_EVERY
    // and a group); the older ones through the index.
    recentForSubject: db.prepare<[{ subject: string; indexed: number; before: number; limit: number }], Found>(
      `SELECT ${found} FROM entries e WHERE e.seq >= @indexed AND e.seq < @before AND e.subject = @subject ORDER BY e.seq DESC LIMIT @limit`,
    ),
    forSubject: db.prepare<[{ subject: string; before: number; limit: number }], Found>(
      `SELECT ${found} FROM by_subject b JOIN entries e ON e.seq = b.seq WHERE b.subject = @subject AND b.seq < @before ORDER BY b.seq DESC LIMIT @limit`,
    ),
    // Separate statements so that each uses its index (an `? IS NULL OR` filter would not).
    list: db.prepare<[{ after: number; action: string | null; limit: number }], Found>(
      `SELECT ${found} FROM entries e WHERE e.seq > @after AND (@action IS NULL OR e.action = @action) ORDER BY e.seq LIMIT @limit`,
    ),
    listByActor: db.prepare<[{ after: number; indexed: number; actor: string; action: string | null; limit: number }], Found>(
      `SELECT ${found} FROM by_actor b JOIN entries e ON e.seq = b.seq WHERE b.actor = @actor AND b.seq > @after AND b.seq < @indexed AND (@action IS NULL OR e.action = @action) ORDER BY b.seq LIMIT @limit`,
    ),
    recentByActor: db.prepare<[{ after: number; indexed: number; actor: string; action: string | null; limit: number }], Found>(
      `SELECT ${found} FROM entries e WHERE e.seq > @after AND e.seq >= @indexed AND e.actor = @actor AND (@action IS NULL OR e.action = @action) ORDER BY e.seq LIMIT @limit`,
    ),
    insertCheckpoint: db.prepare<[number, Buffer, string, number]>('INSERT OR REPLACE INTO checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)'),
    latestCheckpoint: db.prepare<[], { size: number; note: string }>('SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1'),
  };
  const perfect = storedPerfect(db);

  // The committed state: size, the last leaf hash, the compact frontier of the tree and how far
  // by_subject and by_actor go.
  let frontier = new Frontier();
  let lastHash = GENESIS_PREV;
  let indexed = 0;
  const load = () => {
    const last = q.last.get();
    const size = last ? last.seq + 1 : 0;
    frontier = new Frontier([], 0);
    // The perfect subtrees that `size` decomposes into, largest first.
    let offset = 0;
    for (let level = 52; level >= 0; level--) {
      const width = 2 ** level;
      if (size - offset >= width) {
        frontier.nodes.push(perfect(level, offset / width));
        offset += width;
      }
    }
    frontier.size = size;
    lastHash = last ? last.hash.toString('hex') : GENESIS_PREV;
    indexed = Math.min(readIndexed(db), size);
  };
  load();

  const chunkArgs: unknown[] = new Array(CHUNK * ROW_COLUMNS);
  const writeGroup = db.transaction((rows: Row[], nodes: Array<[number, number, Buffer]>, indexTo: number | null) => {
    let i = 0;
    for (; i + CHUNK <= rows.length; i += CHUNK) {
      for (let j = 0; j < CHUNK; j++) {
        const row = rows[i + j]!;
        for (let k = 0; k < ROW_COLUMNS; k++) chunkArgs[j * ROW_COLUMNS + k] = row[k];
      }
      q.insertChunk.run(chunkArgs);
    }
    for (; i < rows.length; i++) q.insert.run(...rows[i]!);
    for (const n of nodes) q.insertNode.run(...n);
    if (indexTo !== null) {
      q.indexSubjects.run(indexed, indexTo);
      q.indexActors.run(indexed, indexTo);
      q.setIndexed.run(String(indexTo));
    }
  });

  let pending: Pending[] = [];
  let closed = false;
  let broken: unknown;

  // Group commit: appends that arrive while a flush is scheduled are written in one IMMEDIATE
  // transaction (one fsync); seq, prev and the tree are assigned only here, in arrival order, so a
  // failed group leaves no gap. Every caller is answered after the COMMIT returned. Everything
  // but seq and prev was encoded by append(); the hashes are taken before the transaction.
  let nodes: Array<[number, number, Buffer]> = [];
  const onNode = (level: number, index: number, node: Buffer) => {
    if (level > 0 && level % NODE_STRIDE === 0) nodes.push([level, index, node]);
  };
  const flush = () => {
    const group = pending;
    pending = [];
    if (group.length === 0) return;
    const next = frontier.clone();
    let prev = lastHash;
    const rows: Row[] = new Array(group.length);
    const hashes: string[] = new Array(group.length);
    nodes = [];
    for (let i = 0; i < group.length; i++) {
      const { entry } = group[i]!;
      const seq = next.size;
      const input = leafInput(prev, seq, entry.tail);
      const hex = leafHashHex(input);
      const leaf = Buffer.from(hex, 'hex');
      rows[i] = [seq, entry.kind, entry.actor, entry.action, entry.subject, leaf, input.subarray(1)];
      hashes[i] = hex;
      next.push(leaf, onNode);
      prev = hex;
    }
    const indexTo = next.size - indexed >= indexEvery ? next.size : null;
    try {
      if (broken) throw broken;
      writeGroup.immediate(rows, nodes, indexTo);
    } catch (error) {
      const failure = new AuditWriteError(`the audit log could not be written: ${(error as Error).message}`, { cause: error });
      for (const p of group) p.reject(failure);
      try {
        load(); // whatever the database holds is the truth
        broken = undefined;
      } catch (reloadError) {
        broken = reloadError;
      }
      return;
    } finally {
      nodes = [];
    }
    frontier = next;
    lastHash = prev;
    if (indexTo !== null) indexed = indexTo;
    for (let i = 0; i < group.length; i++) {
      const p = group[i]!;
      p.resolve(recordOf(p.input, p.entry, rows[i]![0], p.time, hashes[i]!));
    }
  };

  let checkpointed = (q.latestCheckpoint.get()?.size ?? -1) as number;
  const checkpoint = (): string => {
    if (closed) throw new AuditWriteError('the audit log is closed');
    const size = frontier.size;
    const root = frontier.root();
    const note = signCheckpoint({ origin, size, root }, signer);
    q.insertCheckpoint.run(size, root, note, clock());
    checkpointed = size;
    return note;
  };
  if (checkpointed < 0 || checkpointed < frontier.size) checkpoint();

  const every = options.checkpointEveryMs ?? 60_000;
  const timer =
    every > 0
      ? setInterval(() => {
          if (frontier.size > checkpointed) {
            try {
              checkpoint();
            } catch {
              // tried again at the next tick; appends report their own failures
            }
          }
        }, every)
      : undefined;
  timer?.unref();

  const sizeArg = (size: number | undefined) => {
    const n = size ?? frontier.size;
    if (!Number.isSafeInteger(n) || n < 0 || n > frontier.size) throw new RangeError(`the log has ${frontier.size} entries, not ${String(size)}`);
    return n;
  };

  return {
    origin,
    verifierKey: signer.text,
    paths,
    append(input) {
      if (closed) return Promise.reject(new AuditWriteError('the audit log is closed'));
      const time = clock();
      let entry: PreparedEntry;
      try {
        entry = prepareEntry(input, time);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      return new Promise<AuditRecord>((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ input, entry, time, resolve, reject });
      });
    },
    forSubject(subjectId, { limit, before }) {
      const b = before ?? Number.MAX_SAFE_INTEGER;
      const rows = q.recentForSubject.all({ subject: subjectId, indexed, before: b, limit });
      if (rows.length < limit) rows.push(...q.forSubject.all({ subject: subjectId, before: Math.min(b, indexed), limit: limit - rows.length }));
      // What was hashed decides, should a copied column disagree with it (verify() reports that).
      return rows.map(toRecord).filter((r) => r.subject === subjectId);
    },
    list({ limit, after, actor, action }) {
      const a = { after: after ?? -1, action: action ?? null, limit };
      if (!actor) return q.list.all(a).map(toRecord).filter((r) => action === undefined || r.action === action);
      const rows = q.listByActor.all({ ...a, actor, indexed });
      if (rows.length < limit) rows.push(...q.recentByActor.all({ ...a, actor, indexed, limit: limit - rows.length }));
      return rows.map(toRecord).filter((r) => r.actor === actor && (action === undefined || r.action === action));
    },
    size: () => frontier.size,
    root(size) {
      const n = sizeArg(size);
      if (n === frontier.size) return frontier.root();
      return n === 0 ? EMPTY_ROOT : rangeHash(perfect, 0, n);
    },
    checkpoint,
    latestCheckpoint() {
      const latest = q.latestCheckpoint.get();
      return latest ? latest.note : checkpoint();
    },
    inclusionProof(index, size) {
      return inclusionPath(perfect, index, sizeArg(size));
    },
    consistencyProof(from, to) {
      const n = sizeArg(to);
      if (!Number.isSafeInteger(from) || from < 0 || from > n) throw new RangeError(`no consistency proof from ${from} to ${n}`);
      return consistencyPath(perfect, from, n);
    },
    verify(verifyOptions) {
      return verifyLog(db, signer, origin, verifyOptions);
    },
    async close() {
      if (closed) return;
      flush();
      if (timer) clearInterval(timer);
      try {
        if (frontier.size > checkpointed) checkpoint();
      } finally {
        closed = true;
        db.close();
      }
    },
  };
}

/** The record of a just-written entry, from its validated input (no re-parsing). */
function recordOf(input: AuditInput, entry: PreparedEntry, seq: number, time: number, hash: string): AuditRecord {
  const record: AuditRecord = {
    seq,
    time,
    actor: entry.actor,
    action: entry.action,
    resource: input.resource,
    decision: input.decision,
    policies: [...input.policies],
    kind: entry.kind,
    hash,
  };
  if (input.actorRoles !== undefined) record.actorRoles = [...input.actorRoles];
  if (entry.subject !== null) record.subject = entry.subject;
  if (input.purpose !== undefined && input.purpose !== null) record.purpose = input.purpose;
  if (input.grant !== undefined && input.grant !== null) record.grant = input.grant;
  if (input.detail !== undefined && input.detail !== null) record.detail = { ...input.detail };
  return record;
}

/** Reads or records the origin, and loads (creating on a fresh log) the signing key. */
function setUp(db: Db, paths: AuditPaths, options: AuditLogOptions): { signer: NoteSigner; origin: string } {
  const stored = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'origin'").get()?.value;
  if (stored && options.origin && options.origin !== stored) {
    throw new Error(`the audit log in ${paths.db} is named "${stored}", not "${options.origin}"; a log's origin never changes`);
  }
  const origin = stored ?? options.origin ?? `lockstep/audit/${randomBytes(6).toString('hex')}`;
  const fresh = !db.prepare('SELECT 1 FROM checkpoints LIMIT 1').get() && !db.prepare('SELECT 1 FROM entries LIMIT 1').get();
  const seed = loadOrCreateSigningSeed(paths.key, { create: fresh });
  let signer: NoteSigner;
  try {
    signer = signerFromSeed(origin, seed);
  } finally {
    seed.fill(0);
  }
  const known = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'verifier'").get()?.value;
  if (known && known !== signer.text) {
    throw new Error(`${paths.key} is not the key this audit log signs with (${known}); restore the right key`);
  }
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('origin', ?), ('verifier', ?)").run(origin, signer.text);
  return { signer, origin };
}

export type { Hash };
