import { type KeyObject, createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { HASH_BYTES } from './merkle.ts';

/**
 * Checkpoints as C2SP signed notes (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), so that
 * standard transparency-log tooling and witnesses can read and cosign them:
 *
 *   <origin>\n<tree size, decimal>\n<root hash, base64>\n   ← the note text that is signed
 *   \n
 *   — <key name> <base64(key id (4 bytes) || Ed25519 signature (64 bytes))>\n
 *
 * The key id is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || public key); the
 * verifier key, which is what others need to check a checkpoint, is
 * `<name>+<key id, 8 hex digits>+<base64(0x01 || public key)>`. The log signs with its origin
 * as key name.
 */

const ED25519 = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';
/** PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** SubjectPublicKeyInfo wrapping of a raw 32-byte Ed25519 public key. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A note or checkpoint that does not parse, or whose signature does not verify. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export function checkKeyName(name: string): void {
  if (name.length === 0 || /[\s+]/u.test(name)) throw new CheckpointError(`"${name}" is not a valid key name (non-empty, no spaces, no "+")`);
}

export function keyId(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(name).update(Buffer.from([0x0a, ED25519])).update(publicKey).digest().subarray(0, 4);
}

export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
  /** `<name>+<hex key id>+<base64(0x01 || public key)>` */
  text: string;
}

export interface NoteSigner extends NoteVerifier {
  privateKey: KeyObject;
}

export function signerFromSeed(name: string, seed: Uint8Array): NoteSigner {
  checkKeyName(name);
  if (seed.length !== 32) throw new CheckpointError(`an Ed25519 seed has 32 bytes, not ${seed.length}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKey);
  return { ...verifierFor(name, raw), privateKey };
}

function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

function verifierFor(name: string, raw: Buffer): NoteVerifier {
  const id = keyId(name, raw);
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
  return { name, keyId: id, publicKey, text: `${name}+${id.toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), raw]).toString('base64')}` };
}

/** Parses a verifier key `<name>+<hex key id>+<base64(0x01 || public key)>`. */
export function parseVerifierKey(text: string): NoteVerifier {
  // The name has no '+'; the base64 key may.
  const parts = text.trim().split('+');
  if (parts.length < 3) throw new CheckpointError('a verifier key reads <name>+<key id>+<key>');
  const [name, hexId] = parts as [string, string];
  const b64 = parts.slice(2).join('+');
  checkKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(hexId)) throw new CheckpointError('the key id of a verifier key is 8 lowercase hex digits');
  const key = strictBase64(b64);
  if (!key || key.length !== 33 || key[0] !== ED25519) throw new CheckpointError('only Ed25519 verifier keys (type 0x01, 32 bytes) are supported');
  const verifier = verifierFor(name, key.subarray(1));
  if (verifier.keyId.toString('hex') !== hexId) throw new CheckpointError('the key id of the verifier key does not match its name and key');
  return verifier;
}

function strictBase64(text: string): Buffer | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  /** Lines after the root (extension lines), without their newlines. */
  extensions: string[];
}

/** The note text of a checkpoint: origin, size and root, each on its own line. */
export function checkpointText(c: Pick<Checkpoint, 'origin' | 'size' | 'root'>): string {
  if (c.origin.length === 0 || /[\n]/.test(c.origin)) throw new CheckpointError('the origin must be one non-empty line');
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new CheckpointError(`bad tree size ${c.size}`);
  if (c.root.length !== HASH_BYTES) throw new CheckpointError(`the root has ${c.root.length} bytes, not ${HASH_BYTES}`);
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

/** Signs a note text (which must end with a newline) and returns the signed note. */
export function signNote(text: string, signer: NoteSigner): string {
  if (!text.endsWith('\n') || text.includes('\n\n')) throw new CheckpointError('a note text ends with one newline and has no blank lines');
  const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  return `${text}\n${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([signer.keyId, signature]).toString('base64')}\n`;
}

export function signCheckpoint(c: Pick<Checkpoint, 'origin' | 'size' | 'root'>, signer: NoteSigner): string {
  return signNote(checkpointText(c), signer);
}

export interface NoteSignature {
  name: string;
  keyId: Buffer;
  signature: Buffer;
}

/** Splits a signed note into its text and signature lines (without checking any signature). */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (note.length > 1_000_000) throw new CheckpointError('the note is too large');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new CheckpointError('not a signed note: no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const sigs = note.slice(split + 2);
  if (!sigs.endsWith('\n')) throw new CheckpointError('a signed note ends with a newline');
  const signatures: NoteSignature[] = [];
  for (const line of sigs.slice(0, -1).split('\n')) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new CheckpointError(`malformed signature line: ${line.slice(0, 80)}`);
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = rest.slice(0, space);
    const blob = space > 0 ? strictBase64(rest.slice(space + 1)) : undefined;
    if (space <= 0 || !blob || blob.length < 5) throw new CheckpointError(`malformed signature line: ${line.slice(0, 80)}`);
    signatures.push({ name, keyId: blob.subarray(0, 4), signature: blob.subarray(4) });
  }
  if (signatures.length === 0) throw new CheckpointError('the note carries no signature');
  if (signatures.length > 100) throw new CheckpointError('the note carries too many signatures');
  return { text, signatures };
}

/**
 * Checks that `note` carries a valid signature by `verifier` (other signatures, such as witness
 * cosignatures, are ignored) and returns its text. Throws CheckpointError otherwise.
 */
export function openNote(note: string, verifier: NoteVerifier): string {
  const { text, signatures } = parseNote(note);
  const mine = signatures.find((s) => s.name === verifier.name && s.keyId.equals(verifier.keyId));
  if (!mine) throw new CheckpointError(`the note is not signed by ${verifier.name} (key id ${verifier.keyId.toString('hex')})`);
  if (mine.signature.length !== 64 || !verify(null, Buffer.from(text, 'utf8'), verifier.publicKey, mine.signature)) {
    throw new CheckpointError(`the signature of ${verifier.name} on the note is invalid`);
  }
  return text;
}

/** Parses a checkpoint's note text (origin, size, base64 root, optional extension lines). */
export function parseCheckpointText(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new CheckpointError('a checkpoint has an origin, a size and a root line');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!origin) throw new CheckpointError('the checkpoint has an empty origin');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new CheckpointError(`bad tree size "${sizeText.slice(0, 30)}"`);
  const root = strictBase64(rootText);
  if (!root || root.length !== HASH_BYTES) throw new CheckpointError('the root line is not a base64 SHA-256 hash');
  return { origin, size: Number(sizeText), root, extensions: lines.slice(3, -1) };
}

/** Verifies a signed checkpoint against the log's verifier key and, if given, its origin. */
export function openCheckpoint(note: string, verifier: NoteVerifier, origin?: string): Checkpoint {
  const checkpoint = parseCheckpointText(openNote(note, verifier));
  if (origin !== undefined && checkpoint.origin !== origin) throw new CheckpointError(`the checkpoint is for the log "${checkpoint.origin}", not "${origin}"`);
  return checkpoint;
}
