import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestBatch } from '../content/ingest.ts';
import { acceptConsent } from '../domain/consent.ts';
import { createDataset } from '../domain/datasets.ts';
import { listEpisodes, releaseEpisode } from '../domain/episodes.ts';
import { createExport, newExportId } from '../domain/exports.ts';
import { decideGrant, requestGrant } from '../domain/grants.ts';
import { createProgram } from '../domain/programs.ts';
import { type EmbeddedLockstep, openLockstep } from '../lockstep.ts';
import type { DeviceRecord, UserRecord } from '../store/types.ts';
import { batch, events, sessionId } from './harness.ts';

/** A Lockstep on a temporary data directory, for tests that work below HTTP. */
export async function tempLockstep(clock?: () => number): Promise<{ lockstep: EmbeddedLockstep; dir: string; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-core-'));
  const lockstep = await openLockstep(dir, clock ? { clock } : {});
  return {
    lockstep,
    dir,
    async cleanup() {
      await lockstep.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
const next = () => String(++counter).padStart(20, '0');

/** A subject and a device of theirs, written straight to the store. */
export async function subjectWithDevice(lockstep: EmbeddedLockstep): Promise<{ user: UserRecord; device: DeviceRecord; ref: { id: string; subjectId: string } }> {
  const user: UserRecord = { id: `usr_${next()}`, roles: ['subject'], label: null, createdAt: 1, deletedAt: null };
  const device: DeviceRecord = { id: `dev_${next()}`, subjectId: user.id, platform: 'desktop', label: null, createdAt: 1, revokedAt: null };
  await lockstep.store.users.create(user);
  await lockstep.store.devices.create(device);
  return { user, device, ref: { id: device.id, subjectId: user.id } };
}

export const newSessionId = () => `ses_${next()}`;

/**
 * A subject with two sessions, each cut into two episodes (three released, one left open), a
 * dataset of the released ones, a grant on it approved for a researcher until a day after `now`,
 * and two exports through it. Written below HTTP.
 */
export async function exportedEpisodes(lockstep: EmbeddedLockstep, now: number) {
  const program = await createProgram(lockstep, { name: 'p', purposes: ['evaluation'], modalities: ['input'], retentionDays: 30, idleGapMs: 60_000, notice: 'n' }, 'usr_admin000000000000000');
  const n = next();
  const subjectId = `usr_${n}`;
  const deviceId = `dev_${n}`;
  await lockstep.store.users.create({ id: subjectId, roles: ['subject'], label: null, createdAt: 1, deletedAt: null });
  await lockstep.store.devices.create({ id: deviceId, subjectId, programId: program.id, platform: 'browser', label: null, createdAt: 1, revokedAt: null });
  await acceptConsent(lockstep, subjectId, program.id, 1);
  const sessions = [sessionId(), sessionId()];
  for (const ses of sessions) {
    await ingestBatch(lockstep, { device: { id: deviceId, subjectId }, batch: batch(deviceId, ses, 0, events(0, 10)) });
    await ingestBatch(lockstep, { device: { id: deviceId, subjectId }, batch: batch(deviceId, ses, 1, events(10, 10).map((e) => ({ ...e, t: e.t + 300_000 }))) });
  }
  const all = await listEpisodes(lockstep, subjectId);
  for (const e of all.slice(0, 3)) await releaseEpisode(lockstep, e);
  const researcher = `usr_${next()}`;
  await lockstep.store.users.create({ id: researcher, roles: ['researcher'], label: null, createdAt: 1, deletedAt: null });
  const { dataset } = await createDataset(lockstep, { programId: program.id, name: 'd' }, researcher);
  const requested = await requestGrant(lockstep, { datasetId: dataset.id, purpose: 'evaluation', expiresAt: now + 24 * 3600 * 1000 }, researcher);
  const grant = await decideGrant(lockstep, requested, 'usr_steward0000000000000', true);
  const exports = [];
  for (let i = 0; i < 2; i++) exports.push(await createExport(lockstep, { id: newExportId(), grant, program, episodeIds: all.slice(0, 3).map((e) => e.id) }));
  const episodes = await Promise.all(all.map(async (e) => (await lockstep.store.episodes.get(e.id))!));
  return { program, subjectId, researcher, sessions, episodes, grant, exports };
}
