import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUser, enroll, issueBootstrapCode, issueDeviceCode } from './accounts.ts';
import { authenticate } from './auth.ts';
import { tempLockstep } from './testing/fixtures.ts';

let env: Awaited<ReturnType<typeof tempLockstep>>;
let now = 1_000_000;
beforeEach(async () => {
  now = 1_000_000;
  env = await tempLockstep(() => now);
});
afterEach(() => env.cleanup());

describe('accounts', () => {
  it('creates an admin from a bootstrap code, once', async () => {
    const { lockstep } = env;
    const boot = await issueBootstrapCode(lockstep);
    expect(boot.expiresAt).toBe(now + 24 * 3600 * 1000);
    const admin = await enroll(lockstep, { code: boot.code, label: 'ops' });
    expect(admin).toMatchObject({ kind: 'user', user: { roles: ['admin'] } });
    expect(await enroll(lockstep, { code: boot.code })).toBeUndefined();
    expect(await authenticate(lockstep.store, `Bearer ${admin!.token}`)).toEqual({ kind: 'user', id: (admin as { user: { id: string } }).user.id, roles: ['admin'] });
  });

  it('retires unused bootstrap codes when a new one is issued', async () => {
    const { lockstep } = env;
    const old = await issueBootstrapCode(lockstep);
    const fresh = await issueBootstrapCode(lockstep);
    expect(await enroll(lockstep, { code: old.code })).toBeUndefined();
    expect(await enroll(lockstep, { code: fresh.code })).toMatchObject({ kind: 'user' });
  });

  it('enrolls a created user, then devices for subjects only', async () => {
    const { lockstep } = env;
    const { user, code } = await createUser(lockstep, { roles: ['subject', 'subject'], label: 'Dana', createdBy: 'usr_admin' });
    expect(user.roles).toEqual(['subject']);
    expect(await enroll(lockstep, { code: code.code })).toMatchObject({ kind: 'user', user: { id: user.id, roles: ['subject'] } });

    const deviceCode = await issueDeviceCode(lockstep, { subjectId: user.id, createdBy: 'usr_admin' });
    const device = await enroll(lockstep, { code: deviceCode.code, platform: 'browser', label: 'laptop' });
    expect(device).toMatchObject({ kind: 'device', device: { subject: user.id } });
    const stored = await lockstep.store.devices.get((device as { device: { id: string } }).device.id);
    expect(stored).toMatchObject({ platform: 'browser', label: 'laptop', subjectId: user.id });

    const admin = await createUser(lockstep, { roles: ['admin'], createdBy: 'usr_admin' });
    const notForAdmins = await issueDeviceCode(lockstep, { subjectId: admin.user.id, createdBy: 'usr_admin' });
    expect(await enroll(lockstep, { code: notForAdmins.code })).toBeUndefined();
  });

  it('lets codes expire', async () => {
    const { lockstep } = env;
    const { code } = await createUser(lockstep, { roles: ['subject'], createdBy: 'usr_admin' }, 1000);
    now += 1000;
    expect(await enroll(lockstep, { code: code.code })).toBeUndefined();
  });
});
