import { deleteSession } from '../content/remove.ts';
import { ApiFailure } from '../http/errors.ts';
import type { Lockstep } from '../lockstep.ts';
import type { ConsentRecord, DeviceRecord, ProgramRecord } from '../store/types.ts';
import { deleteEpisode } from './episodes.ts';
import { loadProgram } from './programs.ts';

/**
 * Consent per (subject, program): capture runs only while the subject has accepted the
 * program's current notice version. Withdrawal is immediate (the next batch is refused) and
 * shreds what was captured for the program; released episodes survive only if the subject asks
 * to keep them.
 */

export type ConsentState = 'none' | 'accepted' | 'outdated' | 'withdrawn';

export function consentState(consent: ConsentRecord | undefined, program: ProgramRecord): ConsentState {
  if (!consent) return 'none';
  if (consent.withdrawnAt !== null) return 'withdrawn';
  return consent.noticeVersion === program.notice.version ? 'accepted' : 'outdated';
}

export async function acceptConsent(lockstep: Lockstep, subjectId: string, programId: string, noticeVersion: number): Promise<ConsentRecord> {
  const program = await loadProgram(lockstep, programId);
  if (noticeVersion !== program.notice.version) {
    throw new ApiFailure(409, 'notice-changed', `the current notice of this program is version ${program.notice.version}; read it and accept that version`, 'noticeVersion');
  }
  const consent: ConsentRecord = { subjectId, programId, noticeVersion, acceptedAt: lockstep.clock(), withdrawnAt: null, keepReleased: false };
  await lockstep.store.consents.put(consent);
  return consent;
}

export interface WithdrawResult {
  consent: ConsentRecord;
  sessionsShredded: number;
  episodesShredded: number;
  episodesKept: number;
  subjectKeyDestroyed: boolean;
}

/**
 * Withdraws consent: capture stops at once (checkCapture refuses the next batch), every session
 * recorded for the program is deleted with its key, and released episodes of the program are
 * deleted with their keys too unless `keepReleased`. When no accepted consent remains, the
 * subject's data key is destroyed as well.
 */
export async function withdrawConsent(lockstep: Lockstep, subjectId: string, programId: string, options: { keepReleased: boolean }): Promise<WithdrawResult> {
  await loadProgram(lockstep, programId);
  const now = lockstep.clock();
  const previous = await lockstep.store.consents.get(subjectId, programId);
  const consent: ConsentRecord = {
    subjectId,
    programId,
    noticeVersion: previous?.noticeVersion ?? 0,
    acceptedAt: previous?.acceptedAt ?? now,
    withdrawnAt: now,
    keepReleased: options.keepReleased,
  };
  await lockstep.store.consents.put(consent);

  const devices = new Map((await lockstep.store.devices.listOf(subjectId)).map((d) => [d.id, d]));
  let sessionsShredded = 0;
  for (const session of await lockstep.store.sessions.list(subjectId)) {
    if (devices.get(session.deviceId)?.programId !== programId) continue;
    if (await deleteSession(lockstep, session.id)) sessionsShredded++;
  }
  let episodesShredded = 0;
  let episodesKept = 0;
  for (const episode of await lockstep.store.episodes.listOf(subjectId)) {
    if (episode.programId !== programId || episode.status !== 'released') continue;
    if (options.keepReleased) episodesKept++;
    else {
      await deleteEpisode(lockstep, episode, { rewriteSession: false, reason: 'withdrawn' });
      episodesShredded++;
    }
  }
  const stillActive = (await lockstep.store.consents.listOf(subjectId)).some((c) => c.withdrawnAt === null);
  let subjectKeyDestroyed = false;
  if (!stillActive) subjectKeyDestroyed = (await lockstep.keyring.destroySubject(subjectId)).subject;
  return { consent, sessionsShredded, episodesShredded, episodesKept, subjectKeyDestroyed };
}

/**
 * Refuses capture (403 consent-required) unless the device is bound to a program whose current
 * notice its subject has accepted and not withdrawn; returns that program. A paused program does
 * not refuse: what was captured before the pause still uploads (devices stop capturing when they
 * see the pause in their state).
 */
export async function checkCapture(lockstep: Lockstep, device: Pick<DeviceRecord, 'id' | 'subjectId' | 'programId'>): Promise<ProgramRecord> {
  const refuse = (why: string) => new ApiFailure(403, 'consent-required', `capture is refused: ${why}; nothing was stored`);
  if (!device.programId) throw refuse('this device is not bound to a program (enroll it with a device code issued for one)');
  const program = await lockstep.store.programs.get(device.programId);
  if (!program) throw refuse('the program of this device no longer exists');
  const state = consentState(await lockstep.store.consents.get(device.subjectId, program.id), program);
  if (state === 'none') throw refuse(`the subject has not accepted the consent notice of program ${program.id}`);
  if (state === 'withdrawn') throw refuse(`the subject withdrew consent for program ${program.id}`);
  if (state === 'outdated') throw refuse(`the consent notice of program ${program.id} changed (version ${program.notice.version}); the subject must accept it again`);
  return program;
}

/** What a device needs to decide whether it may capture now, and what. */
export interface CaptureState {
  program: ProgramRecord | null;
  consent: { state: ConsentState; currentVersion: number | null; acceptedVersion: number | null };
  /** Capture may run: a program, its current notice accepted, not paused. What it records is still limited by the program's settings. */
  mayCapture: boolean;
}

export async function captureState(lockstep: Lockstep, device: Pick<DeviceRecord, 'subjectId' | 'programId'>): Promise<CaptureState> {
  const program = device.programId ? ((await lockstep.store.programs.get(device.programId)) ?? null) : null;
  if (!program) return { program: null, consent: { state: 'none', currentVersion: null, acceptedVersion: null }, mayCapture: false };
  const consent = await lockstep.store.consents.get(device.subjectId, program.id);
  const state = consentState(consent, program);
  return {
    program,
    consent: { state, currentVersion: program.notice.version, acceptedVersion: consent && consent.noticeVersion > 0 ? consent.noticeVersion : null },
    mayCapture: state === 'accepted' && program.paused === null,
  };
}
