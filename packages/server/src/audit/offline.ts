import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Checkpoint, CheckpointError, type NoteVerifier, openCheckpoint, parseVerifierKey, signerFromSeed } from './checkpoint.ts';
import { auditPaths, openReadOnly, readMeta, storedPerfect } from './db.ts';
import { loadOrCreateSigningSeed } from './key.ts';
import { ProofError, consistencyPath, rangeHash, verifyConsistency, EMPTY_ROOT } from './merkle.ts';
import { type VerifyResult, verifyLog } from './verify.ts';

/**
 * Reading a data directory's audit log without a server: read-only, so it works while a server
 * runs on the directory (SQLite WAL readers see one committed snapshot) and never takes the
 * directory's lock.
 */

export interface OfflineVerifyOptions {
  /** A signed checkpoint kept elsewhere. */
  checkpoint?: string;
  /** The verifier key to trust; default: derived from keys/audit-signing.key. */
  key?: string;
}

function open(dataDir: string) {
  const paths = auditPaths(resolve(dataDir));
  if (!existsSync(paths.db)) throw new Error(`${paths.db} does not exist: no audit log in ${resolve(dataDir)}`);
  const db = openReadOnly(paths.db);
  const origin = readMeta(db, 'origin');
  if (!origin) {
    db.close();
    throw new Error(`${paths.db} has no origin: not an initialised audit log`);
  }
  return { db, paths, origin };
}

/** The verifier key from the signing key file, or the one given (checked against the log's name). */
function verifierOf(paths: { key: string }, origin: string, key: string | undefined): NoteVerifier {
  if (key !== undefined) {
    const verifier = parseVerifierKey(key);
    if (verifier.name !== origin) throw new CheckpointError(`the verifier key is for "${verifier.name}", but this log is "${origin}"`);
    return verifier;
  }
  const seed = loadOrCreateSigningSeed(paths.key, { create: false });
  try {
    return signerFromSeed(origin, seed);
  } finally {
    seed.fill(0);
  }
}

export function verifyAuditDir(dataDir: string, options: OfflineVerifyOptions = {}): VerifyResult {
  const { db, paths, origin } = open(dataDir);
  try {
    return verifyLog(db, verifierOf(paths, origin, options.key), origin, options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint });
  } finally {
    db.close();
  }
}

/** The C2SP verifier key of a data directory's audit log. */
export function readVerifierKey(dataDir: string): string {
  const { db, paths, origin } = open(dataDir);
  try {
    return verifierOf(paths, origin, undefined).text;
  } finally {
    db.close();
  }
}

/** The latest signed checkpoint stored in a data directory's audit log. */
export function readLatestCheckpoint(dataDir: string): string {
  const { db } = open(dataDir);
  try {
    const row = db.prepare<[], { note: string }>('SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1').get();
    if (!row) throw new Error('the audit log has no checkpoint yet');
    return row.note;
  } finally {
    db.close();
  }
}

export interface ConsistencyResult {
  from: Checkpoint;
  to: Checkpoint;
  /** Base64 proof nodes (RFC 6962 PROOF(from.size, D[to.size])). */
  proof: string[];
}

/**
 * Proves with the data directory's tree that checkpoint `toNote` extends checkpoint `fromNote`,
 * and checks the proof with the standard verifier. Throws ProofError or CheckpointError if not.
 */
export function proveConsistency(dataDir: string, fromNote: string, toNote: string, options: { key?: string } = {}): ConsistencyResult {
  const { db, paths, origin } = open(dataDir);
  try {
    const verifier = verifierOf(paths, origin, options.key);
    let from = openCheckpoint(fromNote, verifier, origin);
    let to = openCheckpoint(toNote, verifier, origin);
    if (from.size > to.size) [from, to] = [to, from];
    const size = db.prepare<[], { n: number | null }>('SELECT max(seq) + 1 AS n FROM entries').get()?.n ?? 0;
    if (to.size > size) throw new ProofError(`the log has ${size} entries, fewer than the checkpoint of size ${to.size}: it was truncated`);
    const perfect = storedPerfect(db);
    const proof = consistencyPath(perfect, from.size, to.size);
    // The tree in the data directory must itself have the newer checkpoint's root, or the proof
    // would only show that the two checkpoints are consistent with some tree.
    const root = to.size === 0 ? EMPTY_ROOT : rangeHash(perfect, 0, to.size);
    if (!root.equals(to.root)) throw new ProofError(`root differs from checkpoint of size ${to.size}: the log was rewritten`);
    verifyConsistency(from.size, to.size, proof, from.root, to.root);
    return { from, to, proof: proof.map((h) => h.toString('base64')) };
  } finally {
    db.close();
  }
}
