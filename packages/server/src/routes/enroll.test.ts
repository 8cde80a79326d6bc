import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueBootstrapCode } from '../accounts.ts';
import { type TestServer, enrollAdmin, startTestServer } from '../testing/harness.ts';

let t: TestServer;
let now = Date.UTC(2025, 0, 1);
beforeAll(async () => {
  t = await startTestServer({ clock: () => now });
});
afterAll(() => t.cleanup());

describe('enrollment', () => {
  it('admin via bootstrap code → subject → device code → device, each seen by /v1/me', async () => {
    const { api } = t;
    const admin = await api.call<{ kind: string; token: string; user: { id: string; roles: string[] } }>('POST', '/v1/enroll', { body: { code: t.server.bootstrapCode } });
    expect(admin.status).toBe(201);
    expect(admin.body).toMatchObject({ kind: 'user', user: { roles: ['admin'] } });
    expect(admin.body.token).toMatch(/^lsu_/);
    expect(admin.body.user.id).toMatch(/^usr_/);
    expect((await api.call('GET', '/v1/me', { token: admin.body.token })).body).toEqual({ kind: 'user', id: admin.body.user.id, roles: ['admin'] });

    const created = await api.call<{ user: { id: string; roles: string[]; label: string }; enrollmentCode: string; expiresAt: string }>('POST', '/v1/users', {
      token: admin.body.token,
      body: { roles: ['subject'], label: 'Dana (support)' },
    });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ roles: ['subject'], label: 'Dana (support)' });
    expect(created.body.enrollmentCode).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
    expect(Date.parse(created.body.expiresAt)).toBe(now + 24 * 3600 * 1000);

    // Typed in lower case without dashes, it still works.
    const typed = created.body.enrollmentCode.toLowerCase().replaceAll('-', '');
    const subject = await api.call<{ kind: string; token: string; user: { id: string } }>('POST', '/v1/enroll', { body: { code: typed } });
    expect(subject.status).toBe(201);
    expect(subject.body).toMatchObject({ kind: 'user', user: { id: created.body.user.id, roles: ['subject'] } });
    expect((await api.call('GET', '/v1/me', { token: subject.body.token })).body).toEqual({ kind: 'user', id: created.body.user.id, roles: ['subject'] });

    const code = await api.call<{ enrollmentCode: string; subject: string }>('POST', `/v1/users/${created.body.user.id}/device-codes`, { token: admin.body.token });
    expect(code.status).toBe(201);
    expect(code.body.subject).toBe(created.body.user.id);
    const device = await api.call<{ kind: string; token: string; device: { id: string; subject: string } }>('POST', '/v1/enroll', {
      body: { code: code.body.enrollmentCode, platform: 'desktop', label: 'work laptop' },
    });
    expect(device.status).toBe(201);
    expect(device.body).toMatchObject({ kind: 'device', device: { subject: created.body.user.id } });
    expect(device.body.token).toMatch(/^lsd_/);
    expect((await api.call('GET', '/v1/me', { token: device.body.token })).body).toEqual({ kind: 'device', id: device.body.device.id, subject: created.body.user.id });
  });

  it('answers wrong, used and expired codes alike', async () => {
    const admin = await adminToken();
    const created = await t.api.call<{ enrollmentCode: string }>('POST', '/v1/users', { token: admin, body: { roles: ['subject'] } });
    const first = await t.api.call('POST', '/v1/enroll', { body: { code: created.body.enrollmentCode } });
    expect(first.status).toBe(201);

    const used = await t.api.call('POST', '/v1/enroll', { body: { code: created.body.enrollmentCode } });
    const wrong = await t.api.call('POST', '/v1/enroll', { body: { code: 'ABCD-EFGH-JKLM-NPQR' } });
    const garbage = await t.api.call('POST', '/v1/enroll', { body: { code: 'not a code' } });
    const late = await t.api.call<{ enrollmentCode: string }>('POST', '/v1/users', { token: admin, body: { roles: ['subject'] } });
    now += 24 * 3600 * 1000 + 1;
    const expired = await t.api.call('POST', '/v1/enroll', { body: { code: late.body.enrollmentCode } });
    for (const res of [used, wrong, garbage, expired]) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual(used.body);
    }
    expect(used.body).toMatchObject({ error: 'invalid_code', field: 'code' });
  });

  it('validates enrollment bodies and names the field', async () => {
    expect(await t.api.call('POST', '/v1/enroll', { body: { code: 'x', platform: 'phone' } })).toMatchObject({ status: 400, body: { field: 'platform' } });
    expect(await t.api.call('POST', '/v1/enroll', { raw: '{"code": ' })).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
    expect(await t.api.call('POST', '/v1/enroll', { raw: '{"code":"x","__proto__":{"admin":true}}' })).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
    const charset = await fetch(`${t.api.url}/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"code":"x"}' });
    expect(charset.status).toBe(400);
    expect(await charset.json()).toMatchObject({ error: 'invalid_code' });
    const text = await fetch(`${t.api.url}/v1/enroll`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(text.status).toBe(415);
  });
});

let admin: string | undefined;
async function adminToken(): Promise<string> {
  if (admin) return admin;
  // The bootstrap code was used by the first test; mint another the way a restart would.
  const code = await issueBootstrapCode(t.server.lockstep);
  admin = (await enrollAdmin(t.api, code.code)).token;
  return admin;
}
