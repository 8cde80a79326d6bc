import { hash } from 'node:crypto';

/**
 * One audit entry and its canonical bytes.
 *
 * Canonical bytes: the UTF-8 of a JSON object with exactly these keys, in this order, no
 * whitespace, strings as JSON.stringify writes them, absent optional fields as null:
 *
 *   {"v":1,"prev":"<hex>","seq":<n>,"kind":"decision"|"content-access","actor":"…","action":"…",
 *    "subject":"…"|null,"time":<ms>,"actorRoles":[…]|null,"resource":"…","purpose":"…"|null,
 *    "grant":"…"|null,"decision":"allow"|"deny","policies":[…],"detail":{…}|null}
 *
 * `detail` has its keys sorted (by UTF-16 code units, as Array.prototype.sort does) and only
 * string, finite number, boolean or null values. `prev` is the hex leaf hash of the entry
 * before (64 zeros for entry 0), which makes the entries a hash chain. The leaf hash, which is
 * also the entry's chain hash, is SHA-256(0x00 || canonical bytes) (RFC 6962).
 *
 * The order is chosen for the verifier: `prev` always sits at bytes 15..79 (PREV_START,
 * PREV_END), so the chain check is a slice compare, and the fields that audit.db keeps as
 * query columns (seq, kind, actor, action, subject) follow it, so checking that those columns
 * agree with the hashed bytes is one string compare (indexedText) with no JSON parsing.
 */

export type AuditKind = 'decision' | 'content-access';
export type AuditDecision = 'allow' | 'deny';
export type DetailValue = string | number | boolean | null;

export interface AuditInput {
  /** 'usr_…', 'dev_…' or 'anonymous'. */
  actor: string;
  actorRoles?: readonly string[];
  /** The Cedar action id. */
  action: string;
  /** Type and id, e.g. 'Session::ses_…', 'User::usr_…', 'Server::lockstep'. */
  resource: string;
  /** The person whose data the resource is; drives the subject's access view. */
  subject?: string;
  purpose?: string;
  grant?: string;
  decision: AuditDecision;
  /** Ids of the policies that decided. */
  policies: readonly string[];
  kind: AuditKind;
  /** Small, bounded metadata; never content, tokens or keys. */
  detail?: Readonly<Record<string, DetailValue>>;
}

export interface AuditRecord {
  seq: number;
  /** Trusted server time, ms since the epoch. */
  time: number;
  actor: string;
  actorRoles?: string[];
  action: string;
  resource: string;
  subject?: string;
  purpose?: string;
  grant?: string;
  decision: AuditDecision;
  policies: string[];
  kind: AuditKind;
  detail?: Record<string, DetailValue>;
  /** Hex leaf hash (RFC 6962) of this entry, the `prev` of the next one. */
  hash: string;
}

/** An entry that may not be written as given (a bug in the caller). */
export class AuditEntryError extends Error {
  override name = 'AuditEntryError';
}

export const GENESIS_PREV = '0'.repeat(64);

const LIMITS = { id: 128, action: 64, resource: 256, roles: 16, policies: 32, detailKeys: 16, detailString: 256, detailBytes: 2048 };
const ACTOR = /^(?:(?:usr|dev)_[A-Za-z0-9_-]{1,120}|anonymous)$/;
// Credentials never belong in the log: user and device tokens, enrollment codes and key material.
const SECRET = /\bls[ud]_[A-Za-z0-9_-]{8,}|-----BEGIN/;
// Fields are names and ids: no control characters (the verifier joins subjects and actors with
// newlines) and no lone surrogates (UTF-8 cannot hold them, so a column could not say what the
// canonical bytes say).
const UNPRINTABLE = /\p{Cc}|\p{Cs}/u;

/** Text the log would refuse as a credential (a token or key material). */
export const looksLikeCredential = (text: string): boolean => SECRET.test(text);

function text(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new AuditEntryError(`${field} must be a non-empty string of at most ${max} characters`);
  }
  if (SECRET.test(value)) throw new AuditEntryError(`${field} looks like a credential; credentials are never logged`);
  if (UNPRINTABLE.test(value)) throw new AuditEntryError(`${field} holds a control character or a lone surrogate`);
  return value;
}

function optionalText(field: string, value: unknown, max: number): string | null {
  return value === undefined || value === null ? null : text(field, value, max);
}

function list(field: string, value: unknown, maxItems: number): string {
  if (!Array.isArray(value) || value.length > maxItems) throw new AuditEntryError(`${field} must be an array of at most ${maxItems} strings`);
  return JSON.stringify(value.map((v, i) => text(`${field}[${i}]`, v, LIMITS.id)));
}

function canonicalDetail(detail: unknown): string | null {
  if (detail === undefined || detail === null) return null;
  if (typeof detail !== 'object' || Array.isArray(detail)) throw new AuditEntryError('detail must be an object');
  const keys = Object.keys(detail).sort();
  if (keys.length > LIMITS.detailKeys) throw new AuditEntryError(`detail may have at most ${LIMITS.detailKeys} keys`);
  const parts: string[] = [];
  for (const key of keys) {
    text('detail key', key, 64);
    const value = (detail as Record<string, unknown>)[key];
    if (typeof value === 'string') {
      if (value.length > LIMITS.detailString) throw new AuditEntryError(`detail.${key} is longer than ${LIMITS.detailString} characters`);
      if (SECRET.test(value)) throw new AuditEntryError(`detail.${key} looks like a credential; credentials are never logged`);
    }
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new AuditEntryError(`detail.${key} must be finite`);
    } else if (typeof value !== 'boolean' && value !== null) throw new AuditEntryError(`detail.${key} must be a string, number, boolean or null`);
    parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  const out = `{${parts.join(',')}}`;
  if (out.length > LIMITS.detailBytes) throw new AuditEntryError(`detail is larger than ${LIMITS.detailBytes} characters`);
  return out;
}

/** The canonical bytes start with this; `prev` follows. */
export const CANONICAL_HEAD = '{"v":1,"prev":"';
/** Byte (and, the head being ASCII, character) offsets of the hex `prev` in the canonical bytes. */
export const PREV_START = CANONICAL_HEAD.length;
export const PREV_END = PREV_START + 64;

const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));
const raw = (v: string | null) => (v === null ? 'null' : v);

/** The query columns of an entry, as audit.db stores them beside its canonical bytes. */
export interface IndexedColumns {
  kind: AuditKind;
  actor: string;
  action: string;
  subject: string | null;
}

/** The text from `"kind"` to `"time":`: what the query columns read as in the canonical bytes. */
function indexedFields(kind: string, actor: string, action: string, subject: string | null): string {
  return `,"kind":${str(kind)},"actor":${str(actor)},"action":${str(action)},"subject":${str(subject)},"time":`;
}

/**
 * The text that follows `prev` in the canonical bytes of entry `seq` whose query columns hold
 * these values: the columns agree with the hashed bytes exactly when the bytes continue with it
 * at PREV_END.
 */
export function indexedText(seq: number, kind: string, actor: string, action: string, subject: string | null): string {
  return `","seq":${seq}${indexedFields(kind, actor, action, subject)}`;
}

/** A validated entry waiting for its place in the log: its query columns and its canonical text after `seq`. */
export interface PreparedEntry extends IndexedColumns {
  /** The canonical text from `,"kind"` to the end. */
  tail: string;
}

/** Validates an input and encodes everything about it that does not depend on its place in the log. */
export function prepareEntry(input: AuditInput, time: number): PreparedEntry {
  if (typeof input !== 'object' || input === null) throw new AuditEntryError('an audit entry is an object');
  if (typeof input.actor !== 'string' || !ACTOR.test(input.actor)) throw new AuditEntryError(`actor must be usr_…, dev_… or anonymous`);
  if (input.decision !== 'allow' && input.decision !== 'deny') throw new AuditEntryError('decision must be allow or deny');
  if (input.kind !== 'decision' && input.kind !== 'content-access') throw new AuditEntryError('kind must be decision or content-access');
  if (!Number.isSafeInteger(time)) throw new AuditEntryError('the clock must give integer milliseconds');
  const actorRoles = input.actorRoles === undefined ? null : list('actorRoles', input.actorRoles, LIMITS.roles);
  const action = text('action', input.action, LIMITS.action);
  const resource = text('resource', input.resource, LIMITS.resource);
  const subject = optionalText('subject', input.subject, LIMITS.id);
  const purpose = optionalText('purpose', input.purpose, LIMITS.resource);
  const grant = optionalText('grant', input.grant, LIMITS.id);
  const policies = list('policies', input.policies, LIMITS.policies);
  const detail = canonicalDetail(input.detail);
  const tail =
    `${indexedFields(input.kind, input.actor, action, subject)}${time},"actorRoles":${raw(actorRoles)},"resource":${str(resource)},` +
    `"purpose":${str(purpose)},"grant":${str(grant)},"decision":${str(input.decision)},"policies":${policies},"detail":${raw(detail)}}`;
  return { kind: input.kind, actor: input.actor, action, subject, tail };
}

/** The canonical text of the entry at `seq` after `prev` (hex). */
export function canonicalText(prev: string, seq: number, tail: string): string {
  return `${CANONICAL_HEAD}${prev}","seq":${seq}${tail}`;
}

/**
 * 0x00 || the canonical bytes: what the leaf hash is taken of. The stored bytes are
 * `subarray(1)` of it, so that an entry is encoded once.
 */
export function leafInput(prev: string, seq: number, tail: string): Buffer {
  // U+0000 is the single byte 0x00 in UTF-8: the leaf prefix and the text in one encoding.
  return Buffer.from(`\u0000${canonicalText(prev, seq, tail)}`, 'utf8');
}

/** The hex leaf hash of 0x00 || canonical bytes, as leafInput gives them. */
export function leafHashHex(input: Uint8Array): string {
  return hash('sha256', input, 'hex');
}

let scratch = Buffer.alloc(4096);

/** The hex leaf hash (RFC 6962: SHA-256(0x00 || bytes)) of stored canonical bytes. */
export function entryHashHex(bytes: Uint8Array): string {
  if (scratch.length < bytes.length + 1) scratch = Buffer.alloc(2 * (bytes.length + 1));
  scratch[0] = 0x00;
  scratch.set(bytes, 1);
  return hash('sha256', scratch.subarray(0, bytes.length + 1), 'hex');
}

/** The canonical JSON object, as JSON.parse reads it. */
interface CanonicalJson {
  v: 1;
  prev: string;
  seq: number;
  kind: AuditKind;
  actor: string;
  action: string;
  subject: string | null;
  time: number;
  actorRoles: string[] | null;
  resource: string;
  purpose: string | null;
  grant: string | null;
  decision: AuditDecision;
  policies: string[];
  detail: Record<string, DetailValue> | null;
}

/** The record of stored canonical bytes (queries read what was hashed, never a copy). */
export function parseEntry(bytes: Uint8Array, hashHex: string): AuditRecord {
  const e = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as CanonicalJson;
  const record: AuditRecord = {
    seq: e.seq,
    time: e.time,
    actor: e.actor,
    action: e.action,
    resource: e.resource,
    decision: e.decision,
    policies: e.policies,
    kind: e.kind,
    hash: hashHex,
  };
  if (e.actorRoles !== null) record.actorRoles = e.actorRoles;
  if (e.subject !== null) record.subject = e.subject;
  if (e.purpose !== null) record.purpose = e.purpose;
  if (e.grant !== null) record.grant = e.grant;
  if (e.detail !== null) record.detail = e.detail;
  return record;
}
