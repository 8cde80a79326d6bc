import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Enrolled, type TestServer, acceptNotice, createProgram, createUser, enrollAdmin, enrollDevice, startTestServer } from '../testing/harness.ts';

let t: TestServer;
let now = Date.UTC(2026, 5, 1, 9);
let admin: Enrolled;
let security: Enrolled;
let subject: Enrolled;
let device: Enrolled;
let program: { id: string; noticeVersion: number };

beforeAll(async () => {
  t = await startTestServer({ clock: () => now });
  admin = await enrollAdmin(t.api, t.server.bootstrapCode);
  security = await createUser(t.api, admin.token, ['security']);
  subject = await createUser(t.api, admin.token, ['subject']);
  program = await createProgram(t.api, admin.token, { name: 'terminal work' });
  device = await enrollDevice(t.api, admin.token, subject.id, { program, consent: false, platform: 'desktop' });
});
afterAll(() => t?.cleanup());

interface State {
  device: string;
  subject: string;
  program: { id: string; name: string } | null;
  consent: { state: string; currentVersion: number | null; acceptedVersion: number | null };
  paused: { at: string; reason: string } | null;
  capture: { apps: string[]; titles: string[]; screenshots: boolean };
  mayCapture: boolean;
  pollMs: number;
}
const state = async (token = device.token) => t.api.call<State>('GET', '/v1/device/state', { token });
const stateBody = async () => {
  const res = await state();
  expect(res.status).toBe(200);
  return res.body;
};

describe('GET /v1/device/state', () => {
  it('follows consent: nothing before the current notice is accepted, capture once it is, nothing after withdrawal', async () => {
    expect(await stateBody()).toEqual({
      device: device.id,
      subject: subject.id,
      program: { id: program.id, name: 'terminal work' },
      consent: { state: 'none', currentVersion: 1, acceptedVersion: null },
      paused: null,
      capture: { apps: [], titles: [], screenshots: false },
      mayCapture: false,
      pollMs: 2000,
    });
    await acceptNotice(t.api, subject.token, program);
    expect(await stateBody()).toMatchObject({ consent: { state: 'accepted', currentVersion: 1, acceptedVersion: 1 }, mayCapture: true });
    expect((await t.api.call('PUT', `/v1/programs/${program.id}/notice`, { token: admin.token, body: { text: 'We now also keep window titles.' } })).status).toBe(200);
    expect(await stateBody()).toMatchObject({ consent: { state: 'outdated', currentVersion: 2, acceptedVersion: 1 }, mayCapture: false });
    await acceptNotice(t.api, subject.token, { id: program.id, noticeVersion: 2 });
    expect(await stateBody()).toMatchObject({ consent: { state: 'accepted', acceptedVersion: 2 }, mayCapture: true });
  });

  it('follows the desktop settings and the kill switch, without saying who pulled it', async () => {
    await t.api.call('PUT', `/v1/programs/${program.id}/desktop`, { token: admin.token, body: { desktopApps: ['XTerm', 'code'], desktopTitles: ['ticket-*'], screenshots: true } });
    expect((await stateBody()).capture).toEqual({ apps: ['xterm', 'code'], titles: ['ticket-*'], screenshots: true });
    expect((await t.api.call('POST', `/v1/programs/${program.id}/pause`, { token: security.token, body: { reason: 'incident 42' } })).status).toBe(200);
    const paused = await stateBody();
    expect(paused).toMatchObject({ paused: { at: new Date(now).toISOString(), reason: 'incident 42' }, consent: { state: 'accepted' }, mayCapture: false });
    expect(JSON.stringify(paused)).not.toContain(security.id);
    now += 1000;
    expect((await t.api.call('POST', `/v1/programs/${program.id}/resume`, { token: admin.token })).status).toBe(200);
    expect(await stateBody()).toMatchObject({ paused: null, mayCapture: true, capture: { apps: ['xterm', 'code'] } });
  });

  it('answers 304 to If-None-Match while nothing changed, and a new ETag when something did', async () => {
    const first = await fetch(`${t.api.url}/v1/device/state`, { headers: { authorization: `Bearer ${device.token}` } });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const same = await fetch(`${t.api.url}/v1/device/state`, { headers: { authorization: `Bearer ${device.token}`, 'if-none-match': etag } });
    expect(same.status).toBe(304);
    expect(await same.text()).toBe('');
    await t.api.call('PUT', `/v1/programs/${program.id}/desktop`, { token: admin.token, body: { screenshots: false } });
    const changed = await fetch(`${t.api.url}/v1/device/state`, { headers: { authorization: `Bearer ${device.token}`, 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(((await changed.json()) as State).capture.screenshots).toBe(false);
  });

  it('logs each change in what the device is told, not every poll', async () => {
    await state();
    const mark = t.server.lockstep.audit.size();
    for (let i = 0; i < 5; i++) expect((await state()).status).toBe(200);
    expect(t.server.lockstep.audit.size()).toBe(mark);
    await t.api.call('POST', `/v1/programs/${program.id}/pause`, { token: admin.token, body: { reason: 'drill' } });
    const afterPause = t.server.lockstep.audit.size();
    for (let i = 0; i < 3; i++) await state();
    const entries = t.server.lockstep.audit.list({ after: afterPause - 1, limit: 100 });
    expect(entries.map((e) => [e.actor, e.action, e.decision, e.resource, e.subject])).toEqual([[device.id, 'device.state', 'allow', `Device::${device.id}`, subject.id]]);
    expect(entries[0]!.detail).toMatchObject({ program: program.id, consent: 'accepted', paused: true, mayCapture: false });
    await t.api.call('POST', `/v1/programs/${program.id}/resume`, { token: admin.token });
  });

  it('is refused to users (403, on the log) and to callers without a token (401)', async () => {
    for (const who of [subject, admin, security]) {
      const mark = t.server.lockstep.audit.size();
      expect(await state(who.token)).toMatchObject({ status: 403, body: { error: 'forbidden' } });
      expect(t.server.lockstep.audit.list({ after: mark - 1, limit: 10 }).map((e) => [e.actor, e.action, e.decision])).toEqual([[who.id, 'device.state', 'deny']]);
    }
    expect((await t.api.call('GET', '/v1/device/state')).status).toBe(401);
  });

  it('tells a device bound to no program that it captures nothing', async () => {
    const code = await t.api.call<{ enrollmentCode: string }>('POST', `/v1/users/${subject.id}/device-codes`, { token: admin.token, body: {} });
    const loose = await t.api.call<{ token: string; device: { id: string } }>('POST', '/v1/enroll', { body: { code: code.body.enrollmentCode, platform: 'desktop' } });
    expect(await state(loose.body.token)).toEqual({
      status: 200,
      body: {
        device: loose.body.device.id,
        subject: subject.id,
        program: null,
        consent: { state: 'none', currentVersion: null, acceptedVersion: null },
        paused: null,
        capture: { apps: [], titles: [], screenshots: false },
        mayCapture: false,
        pollMs: 2000,
      },
    });
  });

  it('says withdrawn once the subject withdraws', async () => {
    expect((await t.api.call('POST', `/v1/me/consents/${program.id}/withdraw`, { token: subject.token, body: {} })).status).toBe(200);
    expect(await stateBody()).toMatchObject({ consent: { state: 'withdrawn' }, mayCapture: false });
  });

  it('is described in the OpenAPI document, with the kill switch and the desktop settings', async () => {
    const doc = (await t.api.call<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths['/v1/device/state']!.get!.responses).sort()).toEqual(['200', '304', '401', '403']);
    expect(doc.paths['/v1/programs/{id}/pause']?.post).toBeDefined();
    expect(doc.paths['/v1/programs/{id}/resume']?.post).toBeDefined();
    expect(doc.paths['/v1/programs/{id}/desktop']?.put).toBeDefined();
    expect(JSON.stringify(doc.paths['/v1/programs/{id}/pause'])).toContain('reason');
  });
});
