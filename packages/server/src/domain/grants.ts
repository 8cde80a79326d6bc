import type { CaptureEvent } from '@lockstep/schema';
import { ApiFailure, notFound } from '../http/errors.ts';
import type { Lockstep } from '../lockstep.ts';
import type { GrantRef } from '../policy/authorize.ts';
import type { EpisodeRecord, GrantRecord, GrantStatus } from '../store/types.ts';
import { loadDataset } from './datasets.ts';
import { newRecordId } from './ids.ts';
import { PURPOSES } from './purposes.ts';
import { loadProgram } from './programs.ts';

/** Grants: a researcher's purpose-bound, expiring access to one dataset, approved by another person. */

export const MAX_GRANT_MS = 90 * 24 * 60 * 60 * 1000;

export async function requestGrant(lockstep: Lockstep, input: { datasetId: string; purpose: string; expiresAt: number }, requesterId: string): Promise<GrantRecord> {
  const dataset = await loadDataset(lockstep, input.datasetId);
  const program = await loadProgram(lockstep, dataset.programId);
  if (!(PURPOSES as readonly string[]).includes(input.purpose)) {
    throw new ApiFailure(400, 'invalid_request', `purpose: must be one of ${PURPOSES.join(', ')}`, 'purpose');
  }
  if (!program.purposes.includes(input.purpose)) {
    throw new ApiFailure(400, 'purpose-not-declared', `purpose: program ${program.id} declares only ${program.purposes.join(', ')}`, 'purpose');
  }
  const now = lockstep.clock();
  if (!(input.expiresAt > now) || input.expiresAt > now + MAX_GRANT_MS) {
    throw new ApiFailure(400, 'invalid_request', 'expiresAt: must be in the future and at most 90 days from now', 'expiresAt');
  }
  const grant: GrantRecord = {
    id: newRecordId('grt'),
    datasetId: dataset.id,
    requesterId,
    purpose: input.purpose,
    status: 'requested',
    expiresAt: input.expiresAt,
    createdAt: now,
    decidedBy: null,
    decidedAt: null,
    revokedBy: null,
    revokedAt: null,
  };
  await lockstep.store.grants.create(grant);
  return grant;
}

export async function loadGrant(lockstep: Lockstep, id: string): Promise<GrantRecord> {
  const grant = await lockstep.store.grants.get(id);
  if (!grant) throw notFound('grant');
  return grant;
}

export function grantRef(g: GrantRecord): GrantRef {
  return {
    type: 'Grant',
    id: g.id,
    requester: g.requesterId,
    approver: g.status === 'approved' || g.status === 'revoked' ? g.decidedBy : null,
    dataset: g.datasetId,
    purpose: g.purpose,
    status: g.status,
    expiresAt: g.expiresAt,
  };
}

/** The grant's effective state: an approved grant past its expiry is "expired". */
export function grantState(g: GrantRecord, now: number): GrantStatus | 'expired' {
  return g.status === 'approved' && now >= g.expiresAt ? 'expired' : g.status;
}

async function move(lockstep: Lockstep, grant: GrantRecord, from: GrantStatus[], to: Partial<GrantRecord> & { status: GrantStatus }): Promise<GrantRecord> {
  if (!(await lockstep.store.grants.transition(grant.id, from, to))) {
    throw new ApiFailure(409, 'grant-state', `this grant is ${(await loadGrant(lockstep, grant.id)).status}; it cannot become ${to.status}`);
  }
  return loadGrant(lockstep, grant.id);
}

export const decideGrant = (lockstep: Lockstep, grant: GrantRecord, by: string, approve: boolean) =>
  move(lockstep, grant, ['requested'], { status: approve ? 'approved' : 'denied', decidedBy: by, decidedAt: lockstep.clock() });

export const revokeGrant = (lockstep: Lockstep, grant: GrantRecord, by: string) =>
  move(lockstep, grant, ['requested', 'approved'], { status: 'revoked', revokedBy: by, revokedAt: lockstep.clock() });

/**
 * An episode as a grant holder sees it: the subject as a pseudonym that is stable within this
 * grant only (HMAC under a grant-specific key), times relative to the episode's start, events
 * renumbered from 0, and no ids of subject, device, session or host.
 */
export function deidentify(lockstep: Lockstep, grant: GrantRecord, episode: EpisodeRecord, events: CaptureEvent[]) {
  const start = events.reduce((m, e) => Math.min(m, e.t), Infinity);
  const origin = Number.isFinite(start) ? start : 0;
  return {
    episode: episode.id,
    subject: lockstep.keyring.pseudonym(`grant/${grant.id}`, episode.subjectId),
    task: episode.label,
    durationMs: Math.max(0, episode.endT - episode.startT),
    events: events.map((e, i) => ({ ...e, seq: i, t: e.t - origin })) as CaptureEvent[],
  };
}
