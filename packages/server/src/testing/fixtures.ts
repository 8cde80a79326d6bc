import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedLockstep, openLockstep } from '../lockstep.ts';
import type { DeviceRecord, UserRecord } from '../store/types.ts';

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
