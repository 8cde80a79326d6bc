import { randomFillSync } from 'node:crypto';
import { newId } from '@lockstep/schema';
import { hashSecret, newEnrollmentCode, newToken, normalizeEnrollmentCode } from './auth.ts';
import type { Lockstep } from './lockstep.ts';
import type { EnrollmentWrites, Platform, PrincipalKind, Role, UserRecord } from './store/types.ts';

/** Users, enrollment codes and enrollment. */

export const ENROLLMENT_TTL_MS = 24 * 60 * 60 * 1000;

export const newUserId = () => newId('usr', (b) => randomFillSync(b));
export const newDeviceId = () => newId('dev', (b) => randomFillSync(b));

export interface IssuedCode {
  /** Shown once; only its hash is stored. */
  code: string;
  expiresAt: number;
}

async function issueCode(
  lockstep: Lockstep,
  fields: { kind: PrincipalKind; userId: string | null; bootstrap: boolean; roles: Role[] | null; createdBy: string | null; programId?: string | null },
  ttlMs: number,
): Promise<IssuedCode> {
  const now = lockstep.clock();
  const code = newEnrollmentCode();
  const expiresAt = now + ttlMs;
  await lockstep.store.codes.create({ ...fields, hash: hashSecret(normalizeEnrollmentCode(code) ?? code), createdAt: now, expiresAt, usedAt: null });
  return { code, expiresAt };
}

/**
 * A fresh one-time code that enrolls a new admin. Earlier bootstrap codes that were not used
 * stop working.
 */
export async function issueBootstrapCode(lockstep: Lockstep, ttlMs = ENROLLMENT_TTL_MS): Promise<IssuedCode> {
  await lockstep.store.codes.expireBootstrapCodes(lockstep.clock());
  return issueCode(lockstep, { kind: 'user', userId: null, bootstrap: true, roles: ['admin'], createdBy: null }, ttlMs);
}

/** Creates a user and the code with which they enroll. */
export async function createUser(
  lockstep: Lockstep,
  input: { roles: Role[]; label?: string | undefined; createdBy: string },
  ttlMs = ENROLLMENT_TTL_MS,
): Promise<{ user: UserRecord; code: IssuedCode }> {
  const user: UserRecord = { id: newUserId(), roles: [...new Set(input.roles)], label: input.label ?? null, createdAt: lockstep.clock(), deletedAt: null };
  await lockstep.store.users.create(user);
  const code = await issueCode(lockstep, { kind: 'user', userId: user.id, bootstrap: false, roles: null, createdBy: input.createdBy }, ttlMs);
  return { user, code };
}

/** A code that enrolls one device for the subject, recording for `programId` (without one, the device captures nothing). */
export async function issueDeviceCode(
  lockstep: Lockstep,
  input: { subjectId: string; createdBy: string; programId?: string | null | undefined },
  ttlMs = ENROLLMENT_TTL_MS,
): Promise<IssuedCode> {
  return issueCode(lockstep, { kind: 'device', userId: input.subjectId, bootstrap: false, roles: null, createdBy: input.createdBy, programId: input.programId ?? null }, ttlMs);
}

export type Enrolled =
  | { kind: 'user'; token: string; user: { id: string; roles: Role[] } }
  | { kind: 'device'; token: string; device: { id: string; subject: string; program?: string } };

/**
 * Redeems a code for a token (and, for a device code, a new device; for a bootstrap code, a new
 * admin). Undefined when the code is unknown, used or expired — callers must not say which.
 */
export async function enroll(lockstep: Lockstep, input: { code: string; platform?: Platform | undefined; label?: string | undefined }): Promise<Enrolled | undefined> {
  const normalized = normalizeEnrollmentCode(input.code);
  if (!normalized) return undefined;
  const now = lockstep.clock();
  let token = '';
  const writes = await lockstep.store.codes.redeem(hashSecret(normalized), now, (code, user): EnrollmentWrites | undefined => {
    token = newToken(code.kind);
    const tokenRecord = (principalId: string) => ({ hash: hashSecret(token), kind: code.kind, principalId, createdAt: now });
    if (code.kind === 'user') {
      if (code.bootstrap) {
        const created: UserRecord = { id: newUserId(), roles: code.roles ?? ['admin'], label: input.label ?? null, createdAt: now, deletedAt: null };
        return { user: created, token: tokenRecord(created.id) };
      }
      return user ? { token: tokenRecord(user.id) } : undefined;
    }
    if (!user || !user.roles.includes('subject')) return undefined;
    const device = { id: newDeviceId(), subjectId: user.id, programId: code.programId ?? null, platform: input.platform ?? null, label: input.label ?? null, createdAt: now, revokedAt: null };
    return { device, token: tokenRecord(device.id) };
  });
  if (!writes) return undefined;
  if (writes.device) {
    const program = writes.device.programId;
    return { kind: 'device', token, device: { id: writes.device.id, subject: writes.device.subjectId, ...(program ? { program } : {}) } };
  }
  const userId = writes.token.principalId;
  const user = writes.user ?? (await lockstep.store.users.get(userId));
  if (!user) return undefined;
  return { kind: 'user', token, user: { id: user.id, roles: user.roles } };
}
