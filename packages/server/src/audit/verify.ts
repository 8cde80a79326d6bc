import { hash } from 'node:crypto';
import type { Db } from '../store/embedded/sqlite.ts';
import { type Checkpoint, CheckpointError, type NoteVerifier, openCheckpoint } from './checkpoint.ts';
import { type CheckpointRow, NODE_STRIDE, readMeta, storedPerfect } from './db.ts';
import { CANONICAL_HEAD, GENESIS_PREV, PREV_END, PREV_START, entryHashHex, indexedText } from './entry.ts';
import { EMPTY_ROOT, ProofError, consistencyPath, nodeHashHex, verifyConsistency } from './merkle.ts';

export interface VerifyOptions {
  /** A signed checkpoint kept elsewhere; the log must extend it. */
  checkpoint?: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Entries read (all of them when ok). */
  entries: number;
  /** Base64 root of the entries read, when ok. */
  root?: string;
  /** Stored checkpoints whose signature and root were checked. */
  checkpoints: number;
  /**
   * The first problem: `seq` names the entry when one can be named, null when only a root
   * differs (a consistent rewrite exposed by a checkpoint).
   */
  firstBad?: { seq: number | null; reason: string };
}

class Bad extends Error {
  constructor(
    readonly seq: number | null,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Recomputes the whole log from its entries: every entry's hash from its stored bytes, the hash
 * chain, that the query columns and the subject and actor indexes agree with the hashed bytes
 * (so that no entry can be hidden from a subject's access view by editing them), the stored tree
 * nodes, every stored checkpoint (signature and root) and, if given, a checkpoint kept elsewhere
 * (root at its size, and a consistency proof from it to the current tree). Reads one snapshot;
 * stops at the first problem.
 */
export function verifyLog(db: Db, verifier: NoteVerifier, origin: string, options: VerifyOptions = {}): VerifyResult {
  let external: Checkpoint | undefined;
  if (options.checkpoint !== undefined) {
    try {
      external = openCheckpoint(options.checkpoint, verifier, origin);
    } catch (error) {
      if (error instanceof CheckpointError) return { ok: false, entries: 0, checkpoints: 0, firstBad: { seq: null, reason: `the checkpoint given does not verify: ${error.message}` } };
      throw error;
    }
  }
  const begin = db.prepare('BEGIN');
  const end = db.prepare('COMMIT');
  begin.run();
  try {
    return walk(db, verifier, origin, external);
  } finally {
    end.run();
  }
}

/** seq, kind, actor, action, subject, hex leaf hash, canonical bytes. */
type EntryValues = [number, string, string, string, string | null, string, Buffer];

const EMPTY_ROOT_HEX = EMPTY_ROOT.toString('hex');

function walk(db: Db, verifier: NoteVerifier, origin: string, external: Checkpoint | undefined): VerifyResult {
  // The compact range [0, expected) of the tree: perfect subtree roots (hex), left to right.
  const stack: string[] = [];
  let expected = 0;
  const rootHex = () => {
    if (stack.length === 0) return EMPTY_ROOT_HEX;
    let hash = stack[stack.length - 1]!;
    for (let i = stack.length - 2; i >= 0; i--) hash = nodeHashHex(stack[i]!, hash);
    return hash;
  };
  let checked = 0;
  try {
    const stored = db.prepare<[], CheckpointRow>('SELECT size, root, note, created_at FROM checkpoints ORDER BY size').all();
    const nodes = new Map<string, string>();
    for (const n of db.prepare<[], { level: number; idx: number; hash: string }>('SELECT level, idx, lower(hex(hash)) AS hash FROM nodes').iterate()) nodes.set(`${n.level}:${n.idx}`, n.hash);
    const bySize = new Map<number, CheckpointRow[]>();
    for (const c of stored) bySize.set(c.size, [...(bySize.get(c.size) ?? []), c]);
    const indexedMeta = readMeta(db, 'indexed');
    const indexed = Number(indexedMeta);
    if (indexedMeta === undefined || !/^(0|[1-9][0-9]*)$/.test(indexedMeta) || !Number.isSafeInteger(indexed)) throw new Bad(null, `audit.db's index mark is not a number (${String(indexedMeta)})`);
    let externalRoot: Buffer | undefined;

    const atSize = (size: number) => {
      const signedHere = bySize.get(size);
      if (!signedHere && external?.size !== size) return;
      const root = Buffer.from(rootHex(), 'hex');
      for (const c of signedHere ?? []) {
        let signed: Checkpoint;
        try {
          signed = openCheckpoint(c.note, verifier, origin);
        } catch (error) {
          throw new Bad(null, `stored checkpoint of size ${c.size}: ${(error as Error).message}`);
        }
        if (signed.size !== c.size || !signed.root.equals(c.root)) throw new Bad(null, `stored checkpoint of size ${c.size}: its columns differ from its signed note`);
        if (!signed.root.equals(root)) throw new Bad(null, `root differs from the stored checkpoint of size ${size}: the log was rewritten`);
        checked++;
      }
      if (external?.size === size) externalRoot = root;
    };

    // Pushes a verified leaf onto the tree; the trailing ones of the old size are the subtrees it completes.
    const pushLeaf = (leaf: string) => {
      let hash = leaf;
      let level = 0;
      let index = expected;
      for (let s = expected; s % 2 === 1; s = (s - 1) / 2) {
        hash = nodeHashHex(stack.pop()!, hash);
        level++;
        index = (index - 1) / 2;
        if (level % NODE_STRIDE === 0) {
          const key = `${level}:${index}`;
          const saved = nodes.get(key);
          if (saved !== hash) throw new Bad(index * 2 ** level, `stored tree node (level ${level}, index ${index}) ${saved ? 'does not match' : 'is missing for'} entries ${index * 2 ** level}..${(index + 1) * 2 ** level - 1}`);
          nodes.delete(key);
        }
      }
      stack.push(hash);
      expected++;
      atSize(expected);
    };

    const bounds = db.prepare<[], { lo: number | null; hi: number | null }>('SELECT min(seq) AS lo, max(seq) AS hi FROM entries').get();
    const hi = bounds?.hi ?? -1;
    if (bounds?.lo != null && bounds.lo < 0) throw new Bad(0, `entry ${bounds.lo}: bad sequence number`);
    const batch = db.prepare<[number, number], BatchValues>(BATCH_SQL).raw(true);
    const rowsOf = db.prepare<[number, number], EntryValues>('SELECT seq, kind, actor, action, subject, lower(hex(hash)), body FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq').raw(true);
    const byHash = db.prepare<[Buffer], { seq: number }>('SELECT seq FROM entries WHERE hash = ? ORDER BY seq LIMIT 1');
    let prev = GENESIS_PREV;
    const leaves: string[] = new Array(BATCH);
    const keys = { subjects: [] as string[], actors: [] as string[] };
    // What by_subject and by_actor must hold: the seqs below `indexed`, by subject and by actor.
    const subjects = new Map<string, number[]>();
    const actors = new Map<string, number[]>();

    atSize(0);
    for (let from = 0; from <= hi; from += BATCH) {
      const count = Math.min(BATCH, hi + 1 - from);
      if (fastBatch(batch, from, count, prev, leaves, keys)) {
        for (let i = 0; i < count && from + i < indexed; i++) {
          const subject = keys.subjects[i]!;
          if (subject !== '') append(subjects, subject, from + i);
          append(actors, keys.actors[i]!, from + i);
        }
        for (let i = 0; i < count; i++) pushLeaf(leaves[i]!);
        prev = leaves[count - 1]!;
        continue;
      }
      // Entry by entry.
      for (const row of rowsOf.all(from, from + count)) {
        const seq = row[0];
        if (seq !== expected) {
          throw new Bad(expected, seq > expected ? `entry ${expected} missing` : `entry ${seq}: bad sequence number`);
        }
        const text = row[6].toString('utf8');
        const linked = text.slice(PREV_START, PREV_END);
        if (linked !== prev || !text.startsWith(CANONICAL_HEAD)) throw chainBroken(seq, linked, byHash);
        const leaf = entryHashHex(row[6]);
        if (leaf !== row[5]) throw new Bad(seq, `entry ${seq}: contents changed (its hash does not match)`);
        // The copies that queries select on say what the hashed bytes say.
        if (!text.startsWith(indexedText(seq, row[1], row[2], row[3], row[4]), PREV_END)) throw columnsDiffer(seq, row, text);
        if (seq < indexed) {
          if (row[4] !== null) append(subjects, row[4], seq);
          append(actors, row[2], seq);
        }
        pushLeaf(leaf);
        prev = leaf;
      }
      if (expected !== from + count) throw new Bad(expected, `entry ${expected} missing`);
    }
    const size = expected;
    if (indexed > size) throw new Bad(size, `entry ${size} missing: the log has ${size} entries but its indexes cover ${indexed}`);
    const indexProblem = firstIndexProblem(db, 'subject', subjects) ?? firstIndexProblem(db, 'actor', actors);
    if (indexProblem) throw indexProblem;
    const beyond = stored.find((c) => c.size > size);
    if (beyond) throw new Bad(size, `entry ${size} missing: the log has ${size} entries but a checkpoint of size ${beyond.size} was signed`);
    if (nodes.size > 0) throw new Bad(null, `audit.db holds ${nodes.size} tree nodes beyond the end of the log`);
    const root = Buffer.from(rootHex(), 'hex');
    if (external) {
      if (external.size > size) throw new Bad(size, `entry ${size} missing: the log has ${size} entries but the checkpoint has ${external.size}: the log was truncated`);
      if (!externalRoot?.equals(external.root)) throw new Bad(null, `root differs from checkpoint of size ${external.size}: the log was rewritten`);
      try {
        verifyConsistency(external.size, size, consistencyPath(storedPerfect(db), external.size, size), external.root, root);
      } catch (error) {
        if (error instanceof ProofError) throw new Bad(null, `no consistency from the checkpoint of size ${external.size}: ${error.message}`);
        throw error;
      }
    }
    return { ok: true, entries: size, root: root.toString('base64'), checkpoints: checked };
  } catch (error) {
    if (error instanceof Bad) return { ok: false, entries: expected, checkpoints: checked, firstBad: { seq: error.seq, reason: error.message } };
    throw error;
  }
}

/** Names the query column of an entry that differs from its hashed bytes (the slow path: parses them). */
function columnsDiffer(seq: number, row: EntryValues, text: string): Bad {
  let hashed: Record<string, unknown> = {};
  try {
    hashed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON at all: named below as a changed entry
  }
  const columns: Array<[string, unknown]> = [
    ['seq', row[0]],
    ['kind', row[1]],
    ['actor', row[2]],
    ['action', row[3]],
    ['subject', row[4]],
  ];
  const differing = columns.find(([name, value]) => hashed[name] !== value);
  if (!differing) return new Bad(seq, `entry ${seq}: contents changed (its bytes are not a canonical entry)`);
  const hidden = differing[0] === 'subject' ? ": it is not in its subject's access view" : '';
  return new Bad(seq, `entry ${seq}: contents changed (its ${differing[0]} column differs from its hashed bytes${hidden})`);
}

function append(map: Map<string, number[]>, key: string, seq: number): void {
  const seqs = map.get(key);
  if (seqs) seqs.push(seq);
  else map.set(key, [seq]);
}

/**
 * The first entry that by_subject (or by_actor) leaves out or files under another key, or that
 * it holds without it being in the log below `indexed`. `want` is what the verified entries say;
 * the table is read whole, one row per key, and compared with it.
 */
function firstIndexProblem(db: Db, key: 'subject' | 'actor', want: Map<string, number[]>): Bad | undefined {
  const table = key === 'subject' ? 'by_subject' : 'by_actor';
  const view = key === 'subject' ? ": it is not in its subject's access view" : '';
  let first: Bad | undefined;
  let firstMissing = false;
  // The smallest seq; at the same seq, an entry left out before a row that is not that entry's.
  const note = (seq: number, reason: string, missing = false) => {
    if (!first || (first.seq ?? Infinity) > seq || (first.seq === seq && missing && !firstMissing)) {
      first = new Bad(seq, reason);
      firstMissing = missing;
    }
  };
  const seen = new Set<string>();
  // The table's key is (key, seq): one scan in that order, seqs ascending within a key.
  for (const [value, list] of db.prepare<[], [string, string]>(`SELECT ${key}, group_concat(seq) FROM ${table} GROUP BY ${key}`).raw(true).iterate()) {
    seen.add(value);
    const expected = want.get(value) ?? [];
    if (expected.join(',') === list) continue;
    const held = new Set(list.split(',').map(Number));
    const missing = expected.find((seq) => !held.has(seq));
    if (missing !== undefined) note(missing, `entry ${missing} is missing from the ${key} index${view}`, true);
    const wanted = new Set(expected);
    for (const seq of held) if (!wanted.has(seq)) note(seq, `the ${key} index files entry ${seq} under ${JSON.stringify(value)}, which is not its ${key}`);
  }
  for (const [value, expected] of want) if (!seen.has(value)) note(expected[0]!, `entry ${expected[0]!} is missing from the ${key} index${view}`, true);
  return first;
}

/** Entries per batch of the fast path. */
const BATCH = 512;

/**
 * count, first seq, bytes joined by 0x00, hex hashes, subjects ('' for none) and actors joined by
 * newlines (which they cannot hold), rows whose columns or hash disagree with the bytes.
 */
type BatchValues = [number, number | null, Buffer | null, string | null, string | null, string | null, number | null];

// SQLite renders each row's query columns as the canonical encoding has them (json_quote writes
// strings as JSON.stringify does, for the strings entries may hold; kind and actor need no
// escaping: the bytes they are compared with cannot hold a quote or a backslash there) and
// compares that with the bytes after `prev`: a cheap filter; a batch it flags is checked again in
// JavaScript. The bytes are joined by 0x00, which canonical JSON never holds (JSON.stringify
// escapes U+0000), so that each entry's leaf input, 0x00 || bytes, is a slice of the batch.
const BATCH_SQL = `
  SELECT count(*), min(seq), CAST(group_concat(body, x'00') AS BLOB), lower(hex(CAST(group_concat(hash, '') AS BLOB))),
    group_concat(ifnull(subject, ''), char(10)), group_concat(actor, char(10)),
    sum(length(hash) != 32 OR substr(body, 1, ${PREV_START}) != CAST('${CANONICAL_HEAD}' AS BLOB) OR substr(body, ${PREV_END + 1}, octet_length(h)) != CAST(h AS BLOB))
  FROM (
    SELECT seq, hash, body, subject, actor,
      '","seq":' || seq || ',"kind":"' || kind || '","actor":"' || actor || '","action":' || json_quote(action) || ',"subject":' || json_quote(subject) || ',"time":' AS h
    FROM entries WHERE seq >= ? AND seq < ?
  )`;

/**
 * Checks a batch of `count` entries from `from` on: contiguous, chained from `prev`, each hash
 * the stored one, every query column as in the bytes. Fills `leaves` and returns true if so;
 * false if anything is off (then the caller checks entry by entry).
 */
function fastBatch(
  batch: { get(from: number, to: number): BatchValues | undefined },
  from: number,
  count: number,
  prev: string,
  leaves: string[],
  keys: { subjects: string[]; actors: string[] },
): boolean {
  const values = batch.get(from, from + count);
  if (!values) return false;
  const [n, lo, bytes, hashes, subjects, actors, differ] = values;
  if (n !== count || lo !== from || differ !== 0 || bytes === null || hashes === null || hashes.length !== 64 * n || subjects === null || actors === null) return false;
  keys.subjects = subjects.split('\n');
  keys.actors = actors.split('\n');
  if (keys.subjects.length !== n || keys.actors.length !== n) return false;
  let start = 0;
  let link = prev;
  for (let i = 0; i < n; i++) {
    const end = i === n - 1 ? bytes.length : bytes.indexOf(0x00, start);
    if (end < start + PREV_END || bytes.toString('latin1', start + PREV_START, start + PREV_END) !== link) return false;
    // 0x00 || bytes: the separator before them (entryHashHex copies the first one behind a 0x00).
    const leaf = i === 0 ? entryHashHex(bytes.subarray(0, end)) : hash('sha256', bytes.subarray(start - 1, end), 'hex');
    if (!hashes.startsWith(leaf, 64 * i)) return false;
    leaves[i] = leaf;
    link = leaf;
    start = end + 1;
  }
  return start === bytes.length + 1;
}

/** Names the entry behind a broken link: an insertion, a reordering, or a changed entry. */
function chainBroken(n: number, prev: string, byHash: { get(hash: Buffer): { seq: number } | undefined }): Bad {
  const other = /^[0-9a-f]{64}$/.test(prev) ? byHash.get(Buffer.from(prev, 'hex'))?.seq : undefined;
  if (other !== undefined && other === n - 2) return new Bad(n - 1, `entry ${n - 1} was inserted (entry ${n} follows entry ${n - 2})`);
  if (other !== undefined && other > n) return new Bad(n, `entry ${n} is out of order (its prev hash is that of entry ${other})`);
  return new Bad(n, n === 0 ? 'entry 0: hash chain broken (it does not start the log)' : `entry ${n}: hash chain broken (prev hash does not match entry ${n - 1})`);
}
