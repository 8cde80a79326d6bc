import { CheckpointError, type NoteVerifier, openCheckpoint, parseVerifierKey } from '../audit/checkpoint.ts';
import { HASH_BYTES, ProofError, leafHash, verifyConsistency, verifyInclusion } from '../audit/merkle.ts';

/**
 * The revocation feed as a researcher's tool sees it, and its verification. This module needs
 * nothing of the server (only node:crypto, through the audit log's Merkle and signed-note code),
 * so the CLI can check a feed it fetched with the verifier key it pinned when it made the export.
 *
 * The feed is an RFC 6962 Merkle log. Leaf i is one revocation, as the UTF-8 bytes of
 *
 *   {"v":1,"export":"exp_…","local":"ep_…","reason":"deleted"|"withdrawn","day":"YYYY-MM-DD"}
 *
 * exactly (these keys in this order, no whitespace; every value is checked against its pattern
 * first, so the JSON is the only one possible). Checkpoints are C2SP signed notes, like the audit
 * log's, under the feed's own origin and key.
 */

export type RevocationReason = 'deleted' | 'withdrawn';

/** One entry of the feed, without its proof. */
export interface RevocationEntry {
  /** Leaf index in the feed's Merkle tree. */
  index: number;
  export: string;
  /** The episode's id in that export (the `id` of its trajectory record). */
  local: string;
  reason: RevocationReason;
  /** UTC day of the deletion. */
  day: string;
}

/** The answer of GET /v1/exports/revocations. */
export interface RevocationFeedResponse {
  origin: string;
  /** The feed's verifier key as the server states it (verification uses the one you pinned). */
  verifierKey: string;
  /** C2SP signed note: origin, size and base64 root lines, a blank line, the signature. */
  checkpoint: string;
  size: number;
  /** Base64 root hash of the tree of `size` leaves. */
  root: string;
  /** The size of the checkpoint the caller verified before (0: none). */
  since: number;
  /** The first index that was listed. */
  from: number;
  /** Entries the caller may see with from ≤ index < size, each with its inclusion proof (base64 hashes). */
  entries: Array<RevocationEntry & { proof: string[] }>;
  /** Proof that this tree extends the tree of `since` leaves (null when since is 0). */
  consistency: { from: number; root: string; proof: string[] } | null;
  /** More entries remain: ask again with from = next (and the same since). */
  next: number | null;
}

export interface VerifiedRevocations {
  origin: string;
  size: number;
  root: string;
  entries: RevocationEntry[];
  /** The size of `options.previous` when it was given: this checkpoint provably extends it. */
  extends: number | null;
}

/** The feed, its signature or one of its proofs does not check out; the message says which. */
export class RevocationVerifyError extends Error {
  override name = 'RevocationVerifyError';
}

const EXPORT_ID = /^exp_[0-9A-Za-z_-]{16,64}$/;
const LOCAL_ID = /^ep_[a-z2-7]{16}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function isDay(text: string): boolean {
  const m = DAY.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === text;
}

/** Throws unless the entry's fields have their exact shapes (so that its leaf bytes are canonical). */
export function checkRevocationEntry(e: Omit<RevocationEntry, 'index'>, where = 'entry'): void {
  if (typeof e.export !== 'string' || !EXPORT_ID.test(e.export)) throw new RevocationVerifyError(`${where}: export is not an export id`);
  if (typeof e.local !== 'string' || !LOCAL_ID.test(e.local)) throw new RevocationVerifyError(`${where}: local is not a local id (ep_ and 16 base32 characters)`);
  if (e.reason !== 'deleted' && e.reason !== 'withdrawn') throw new RevocationVerifyError(`${where}: reason is neither deleted nor withdrawn`);
  if (typeof e.day !== 'string' || !isDay(e.day)) throw new RevocationVerifyError(`${where}: day is not a date (YYYY-MM-DD)`);
}

/** The leaf bytes of one revocation (see the module comment). */
export function revocationLeaf(e: Omit<RevocationEntry, 'index'>): Buffer {
  checkRevocationEntry(e);
  return Buffer.from(JSON.stringify({ v: 1, export: e.export, local: e.local, reason: e.reason, day: e.day }), 'utf8');
}

export const revocationLeafHash = (e: Omit<RevocationEntry, 'index'>): Buffer => leafHash(revocationLeaf(e));

function hashOf(text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(text)) throw new RevocationVerifyError(`${what} is not a base64 SHA-256 hash`);
  const hash = Buffer.from(text, 'base64');
  if (hash.length !== HASH_BYTES) throw new RevocationVerifyError(`${what} is not a base64 SHA-256 hash`);
  return hash;
}

function hashesOf(list: unknown, what: string): Buffer[] {
  if (!Array.isArray(list) || list.length > 64) throw new RevocationVerifyError(`${what} is not a list of at most 64 hashes`);
  return list.map((h, i) => hashOf(h, `${what}[${i}]`));
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function open(note: unknown, verifier: NoteVerifier, what: string) {
  if (typeof note !== 'string') throw new RevocationVerifyError(`${what} is not a signed note`);
  try {
    // The feed signs with its origin as the key name.
    return openCheckpoint(note, verifier, verifier.name);
  } catch (error) {
    if (error instanceof CheckpointError) throw new RevocationVerifyError(`${what}: ${error.message}`);
    throw error;
  }
}

function proved(f: () => void, what: string): void {
  try {
    f();
  } catch (error) {
    if (error instanceof ProofError) throw new RevocationVerifyError(`${what}: ${error.message}`);
    throw error;
  }
}

/**
 * Checks a revocation feed answer against the verifier key pinned for it
 * (`<origin>+<key id>+<base64 key>`, as the export's answer or `lockstep audit key` gave it):
 * the checkpoint's signature and origin, that its size and root are the ones stated, every
 * entry's inclusion proof against that root, and the consistency proof from `since`. With
 * `options.previous` (the signed checkpoint kept from the last time, of size `since`), the new
 * checkpoint is proven to extend it: the feed was only appended to, never rewritten.
 *
 * Returns the verified entries; throws RevocationVerifyError on the first problem.
 */
export function verifyRevocations(response: RevocationFeedResponse, verifierKey: string, options: { previous?: string } = {}): VerifiedRevocations {
  let verifier: NoteVerifier;
  try {
    verifier = parseVerifierKey(verifierKey);
  } catch (error) {
    if (error instanceof CheckpointError) throw new RevocationVerifyError(`the verifier key: ${error.message}`);
    throw error;
  }
  if (typeof response !== 'object' || response === null) throw new RevocationVerifyError('the answer is not an object');
  const checkpoint = open(response.checkpoint, verifier, 'the checkpoint');
  if (response.origin !== checkpoint.origin) throw new RevocationVerifyError(`the answer names the feed "${String(response.origin)}" but its checkpoint is of "${checkpoint.origin}"`);
  if (response.size !== checkpoint.size) throw new RevocationVerifyError(`the answer states size ${String(response.size)} but its checkpoint has ${checkpoint.size}`);
  const root = checkpoint.root;
  if (!hashOf(response.root, 'root').equals(root)) throw new RevocationVerifyError('the answer states another root than its checkpoint');
  const size = checkpoint.size;
  const { since, from } = response;
  if (!isCount(since) || since > size) throw new RevocationVerifyError(`since (${String(since)}) is not a size between 0 and ${size}`);
  if (!isCount(from) || from < since || from > size) throw new RevocationVerifyError(`from (${String(from)}) is not between since and size`);
  if (response.next !== null && (!isCount(response.next) || response.next <= from || response.next > size)) throw new RevocationVerifyError('next is not an index after from');

  if (!Array.isArray(response.entries)) throw new RevocationVerifyError('entries is not a list');
  const entries: RevocationEntry[] = [];
  let last = from - 1;
  response.entries.forEach((e, i) => {
    const where = `entries[${i}]`;
    if (typeof e !== 'object' || e === null) throw new RevocationVerifyError(`${where} is not an object`);
    if (!isCount(e.index) || e.index <= last || e.index >= size) throw new RevocationVerifyError(`${where}: index ${String(e.index)} is out of order or outside [${from}, ${size})`);
    if (response.next !== null && e.index >= response.next) throw new RevocationVerifyError(`${where}: index ${e.index} is not before next`);
    last = e.index;
    const entry: RevocationEntry = { index: e.index, export: e.export, local: e.local, reason: e.reason, day: e.day };
    checkRevocationEntry(entry, where);
    proved(() => verifyInclusion(e.index, size, revocationLeafHash(entry), hashesOf(e.proof, `${where}.proof`), root), `${where} is not in the signed tree`);
    entries.push(entry);
  });

  let earlierRoot: Buffer | undefined;
  if (since === 0) {
    const c = response.consistency;
    if (c !== null && c !== undefined && (c.from !== 0 || hashesOf(c.proof, 'consistency.proof').length > 0)) {
      throw new RevocationVerifyError('a consistency proof from size 0 must be empty');
    }
  } else {
    const c = response.consistency;
    if (!c || c.from !== since) throw new RevocationVerifyError(`the answer carries no consistency proof from size ${since}`);
    earlierRoot = hashOf(c.root, 'consistency.root');
    const proof = hashesOf(c.proof, 'consistency.proof');
    const earlier = earlierRoot;
    proved(() => verifyConsistency(since, size, proof, earlier, root), `the checkpoint does not extend the tree of size ${since}`);
  }

  let extendsSize: number | null = null;
  if (options.previous !== undefined) {
    const previous = open(options.previous, verifier, 'the previous checkpoint');
    if (previous.size !== since) throw new RevocationVerifyError(`the previous checkpoint has size ${previous.size}, but the feed was read since ${since}; ask with since=${previous.size}`);
    if (since > 0 && !previous.root.equals(earlierRoot!)) throw new RevocationVerifyError(`the consistency proof starts from another root than the previous checkpoint's: the feed was rewritten`);
    extendsSize = previous.size;
  }
  return { origin: checkpoint.origin, size, root: root.toString('base64'), entries, extends: extendsSize };
}
