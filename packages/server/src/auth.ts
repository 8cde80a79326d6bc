import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrincipalKind, Role, Store } from './store/types.ts';

/**
 * Bearer tokens and enrollment codes. Both are random secrets that the server stores only as
 * SHA-256 hashes: a copy of the database does not let anyone act as a user or a device.
 */

export type Principal = { kind: 'user'; id: string; roles: Role[] } | { kind: 'device'; id: string; subject: string };

const TOKEN_PREFIX: Record<PrincipalKind, string> = { user: 'lsu_', device: 'lsd_' };
const TOKEN_PATTERN = /^ls([ud])_[A-Za-z0-9_-]{43}$/;

/** A new token: 32 random bytes, base64url, with a prefix naming its kind (lsu_ user, lsd_ device). */
export function newToken(kind: PrincipalKind): string {
  return TOKEN_PREFIX[kind] + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The token of an `Authorization: Bearer <token>` header, if it is one. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}

/** Resolves a bearer header to the live user or device it names; undefined for anything else. */
export async function authenticate(store: Store, header: string | undefined): Promise<Principal | undefined> {
  const token = bearerToken(header);
  const shape = token === undefined ? null : TOKEN_PATTERN.exec(token);
  if (!token || !shape) return undefined;
  const kind: PrincipalKind = shape[1] === 'u' ? 'user' : 'device';
  const hash = hashSecret(token);
  const record = await store.tokens.find(hash);
  // The lookup is by hash; compare again in constant time so no early-exit comparison is involved.
  if (!record || !timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(hash, 'hex')) || record.kind !== kind) return undefined;
  if (kind === 'user') {
    const user = await store.users.get(record.principalId);
    if (!user || user.deletedAt !== null) return undefined;
    return { kind: 'user', id: user.id, roles: user.roles };
  }
  const device = await store.devices.get(record.principalId);
  if (!device || device.revokedAt !== null) return undefined;
  const subject = await store.users.get(device.subjectId);
  if (!subject || subject.deletedAt !== null) return undefined;
  return { kind: 'device', id: device.id, subject: device.subjectId };
}

/** Base32 without the look-alikes 0/O and 1/I: 32 symbols, 5 bits each. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 16; // 80 bits

/** A one-time enrollment code to type by hand, such as `ABCD-EFGH-JKLM-NPQR`. */
export function newEnrollmentCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  let out = '';
  for (let i = 0; i < CODE_LENGTH; i++) {
    if (i > 0 && i % 4 === 0) out += '-';
    out += CODE_ALPHABET[(bytes[i] ?? 0) & 31]; // 256 is a multiple of 32: no bias
  }
  bytes.fill(0);
  return out;
}

/** Upper-cases a typed code and drops spaces and dashes; undefined if it cannot be a code. */
export function normalizeEnrollmentCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== CODE_LENGTH) return undefined;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return undefined;
  return code;
}
