import { ApiFailure, notFound } from '../http/errors.ts';
import type { Lockstep } from '../lockstep.ts';
import type { BreakGlassRef } from '../policy/authorize.ts';
import type { BreakGlassRecord } from '../store/types.ts';
import { newRecordId } from './ids.ts';

/**
 * Break-glass: raw access to one subject's sessions for an investigation. It needs one steward
 * and one security member to approve, two people other than the requester (and the subject);
 * the access runs from the second approval for at most 24 hours. Reads under it are on the
 * subject's access view with its id.
 */

export const MAX_BREAK_GLASS_MS = 24 * 60 * 60 * 1000;

export async function requestBreakGlass(
  lockstep: Lockstep,
  input: { subjectId: string; reason: string; sessions?: string[] | undefined; durationMs?: number | undefined },
  requesterId: string,
): Promise<BreakGlassRecord> {
  const durationMs = input.durationMs ?? MAX_BREAK_GLASS_MS;
  if (durationMs <= 0 || durationMs > MAX_BREAK_GLASS_MS) throw new ApiFailure(400, 'invalid_request', 'durationMs: at most 24 hours', 'durationMs');
  const sessions = [...new Set(input.sessions ?? [])];
  for (const [i, id] of sessions.entries()) {
    const s = await lockstep.store.sessions.get(id);
    if (!s || s.subjectId !== input.subjectId) throw new ApiFailure(400, 'invalid_request', `sessions[${i}] is not a session of this subject`, `sessions[${i}]`);
  }
  const record: BreakGlassRecord = {
    id: newRecordId('brk'),
    subjectId: input.subjectId,
    requesterId,
    reason: input.reason,
    sessions,
    status: 'requested',
    stewardApprover: null,
    securityApprover: null,
    createdAt: lockstep.clock(),
    approvedAt: null,
    expiresAt: null,
    durationMs,
  };
  await lockstep.store.breakGlass.create(record);
  return record;
}

export async function loadBreakGlass(lockstep: Lockstep, id: string): Promise<BreakGlassRecord> {
  const record = await lockstep.store.breakGlass.get(id);
  if (!record) throw notFound('break-glass request');
  return record;
}

export function breakGlassRef(b: BreakGlassRecord): BreakGlassRef {
  return {
    type: 'BreakGlass',
    id: b.id,
    subject: b.subjectId,
    requester: b.requesterId,
    stewardApprover: b.stewardApprover,
    securityApprover: b.securityApprover,
    status: b.status,
    expiresAt: b.expiresAt ?? 0,
    sessions: b.sessions,
  };
}

/**
 * Records the caller's approval in the slot their role fills (steward first, if they hold both
 * and it is open). The policy has already checked that they may approve; the second approval
 * starts the clock.
 */
export async function approveBreakGlass(lockstep: Lockstep, record: BreakGlassRecord, approver: { id: string; roles: readonly string[] }): Promise<BreakGlassRecord> {
  const next: BreakGlassRecord = { ...record };
  if (approver.roles.includes('steward') && record.stewardApprover === null) next.stewardApprover = approver.id;
  else if (approver.roles.includes('security') && record.securityApprover === null) next.securityApprover = approver.id;
  else throw new ApiFailure(409, 'already-approved', 'this request already has the approval your role can give');
  if (next.stewardApprover !== null && next.securityApprover !== null) {
    const now = lockstep.clock();
    next.status = 'approved';
    next.approvedAt = now;
    next.expiresAt = now + Math.min(record.durationMs, MAX_BREAK_GLASS_MS);
  }
  if (!(await lockstep.store.breakGlass.update(record, next))) throw new ApiFailure(409, 'break-glass-changed', 'this request changed meanwhile; look at it again');
  return next;
}
