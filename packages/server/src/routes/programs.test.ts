import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Enrolled, type TestServer, batch, createProgram, createUser, enrollAdmin, enrollDevice, sessionId, startTestServer } from '../testing/harness.ts';

let t: TestServer;
let now = Date.UTC(2026, 5, 1, 9);
const people: Record<string, Enrolled> = {};
let program: { id: string; noticeVersion: number };

beforeAll(async () => {
  t = await startTestServer({ clock: () => now });
  people.admin = await enrollAdmin(t.api, t.server.bootstrapCode);
  for (const [name, roles] of Object.entries({ subject: ['subject'], researcher: ['researcher'], steward: ['steward'], security: ['security'] })) {
    people[name] = await createUser(t.api, people.admin.token, roles);
  }
  program = await createProgram(t.api, people.admin.token, { name: 'desktop work' });
  people.device = await enrollDevice(t.api, people.admin.token, people.subject!.id, { program, platform: 'desktop' });
});
afterAll(() => t?.cleanup());

interface View {
  id: string;
  desktopApps: string[];
  desktopTitles: string[];
  screenshots: boolean;
  paused: { at: string; by: string; reason: string } | null;
}
const call = (who: string, method: string, path: string, body?: unknown) => t.api.call<Record<string, unknown>>(method, path, { token: people[who]!.token, ...(body === undefined ? {} : { body }) });
const viewOf = async (id = program.id) => ((await call('security', 'GET', '/v1/programs')).body.programs as View[]).find((p) => p.id === id)!;
/** Audit entries (read as security) from `after` on, for one action. */
const audited = async (action: string, after: number) =>
  (await call('security', 'GET', `/v1/audit?limit=1000&after=${after - 1}&action=${action}`)).body.entries as Array<{ actor: string; actorRoles?: string[]; decision: string; resource: string; time: string; detail?: Record<string, unknown> }>;

describe('PUT /v1/programs/:id/desktop', () => {
  it('starts with nothing on the desktop, and sets apps (lower case), title patterns and screenshots', async () => {
    expect(await viewOf()).toMatchObject({ desktopApps: [], desktopTitles: [], screenshots: false, paused: null });
    const set = await call('admin', 'PUT', `/v1/programs/${program.id}/desktop`, { desktopApps: ['XTerm', 'code', 'xterm'], desktopTitles: ['ticket-**', '*invoice*'] });
    expect(set).toMatchObject({ status: 200, body: { id: program.id, desktopApps: ['xterm', 'code'], desktopTitles: ['ticket-*', '*invoice*'], screenshots: false } });
    // Fields left out keep their value.
    expect((await call('admin', 'PUT', `/v1/programs/${program.id}/desktop`, { screenshots: true })).body).toMatchObject({ desktopApps: ['xterm', 'code'], desktopTitles: ['ticket-*', '*invoice*'], screenshots: true });
    expect(await viewOf()).toMatchObject({ desktopApps: ['xterm', 'code'], screenshots: true });
    const made = await call('admin', 'POST', '/v1/programs', { name: 'made with settings', purposes: ['evaluation'], modalities: ['window', 'frame', 'key'], retentionDays: 30, notice: 'n', desktopApps: ['Code'], screenshots: true });
    expect(made).toMatchObject({ status: 201, body: { modalities: ['window', 'frame', 'key'], desktopApps: ['code'], desktopTitles: [], screenshots: true, paused: null } });
  });

  it('refuses bad input naming the field, and unknown programs and other roles, changing nothing', async () => {
    const before = await viewOf();
    const path = `/v1/programs/${program.id}/desktop`;
    expect(await call('admin', 'PUT', path, { desktopApps: ['xterm', 'code*'] })).toMatchObject({ status: 400, body: { error: 'invalid_request', field: 'desktopApps[1]' } });
    expect(await call('admin', 'PUT', path, { desktopApps: ['/usr/bin/xterm'] })).toMatchObject({ status: 400, body: { field: 'desktopApps[0]' } });
    expect(await call('admin', 'PUT', path, { desktopApps: ['xterm'], desktopTitles: ['ok*', '*'] })).toMatchObject({ status: 400, body: { field: 'desktopTitles[1]' } });
    expect(await call('admin', 'PUT', path, { desktopTitles: [''] })).toMatchObject({ status: 400, body: { field: 'desktopTitles[0]' } });
    expect(await call('admin', 'PUT', path, {})).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await call('admin', 'PUT', path, { screenshots: 'yes' })).toMatchObject({ status: 400, body: { field: 'screenshots' } });
    expect((await call('admin', 'PUT', '/v1/programs/prg_00000000000000000000/desktop', { screenshots: false })).status).toBe(404);
    for (const who of ['subject', 'researcher', 'steward', 'security', 'device']) {
      expect((await call(who, 'PUT', path, { desktopApps: ['slack'] })).status, who).toBe(403);
    }
    expect(await viewOf()).toEqual(before);
  });
});

describe('the kill switch', () => {
  it('is pulled by an admin: the program shows who paused it, when and why, and the audit log says so', async () => {
    const mark = t.server.lockstep.audit.size();
    const paused = await call('admin', 'POST', `/v1/programs/${program.id}/pause`, { reason: 'suspected leak of screenshots' });
    expect(paused).toMatchObject({ status: 200, body: { id: program.id, paused: { at: new Date(now).toISOString(), by: people.admin!.id, reason: 'suspected leak of screenshots' } } });
    expect((await viewOf()).paused).toEqual((paused.body as unknown as View).paused);
    const log = await audited('program.pause', mark);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ actor: people.admin!.id, actorRoles: ['admin'], decision: 'allow', resource: `Program::${program.id}`, time: new Date(now).toISOString(), detail: { reason: 'suspected leak of screenshots' } });

    // Pulled again (by security): it stays paused as it was, and the second pull is on the log too.
    now += 60_000;
    const again = await call('security', 'POST', `/v1/programs/${program.id}/pause`, { reason: 'same incident' });
    expect(again).toMatchObject({ status: 200, body: { paused: { by: people.admin!.id, reason: 'suspected leak of screenshots' } } });
    expect((await audited('program.pause', mark)).map((e) => [e.actor, e.detail?.reason])).toEqual([
      [people.admin!.id, 'suspected leak of screenshots'],
      [people.security!.id, 'same incident'],
    ]);
  });

  it('keeps accepting batches while paused: what was captured before is not lost', async () => {
    expect((await viewOf()).paused).not.toBeNull();
    const res = await t.api.call('POST', '/v1/batches', { token: people.device!.token, body: batch(people.device!.id, sessionId(), 0) });
    expect(res.status).toBe(201);
  });

  it('is released by security (with or without a reason), on the log', async () => {
    const mark = t.server.lockstep.audit.size();
    now += 60_000;
    const resumed = await call('security', 'POST', `/v1/programs/${program.id}/resume`, { reason: 'contained' });
    expect(resumed).toMatchObject({ status: 200, body: { paused: null } });
    expect((await viewOf()).paused).toBeNull();
    // Resuming a running program changes nothing; security may pull the switch too.
    expect(await call('admin', 'POST', `/v1/programs/${program.id}/resume`)).toMatchObject({ status: 200, body: { paused: null } });
    expect((await call('security', 'POST', `/v1/programs/${program.id}/pause`, { reason: 'drill' })).body).toMatchObject({ paused: { by: people.security!.id, reason: 'drill' } });
    expect((await call('admin', 'POST', `/v1/programs/${program.id}/resume`, {})).body).toMatchObject({ paused: null });
    expect((await audited('program.resume', mark)).map((e) => [e.actor, e.decision, e.detail?.reason ?? null])).toEqual([
      [people.security!.id, 'allow', 'contained'],
      [people.admin!.id, 'allow', null],
      [people.admin!.id, 'allow', null],
    ]);
  });

  it('is refused (403) to subjects, researchers, stewards and devices, on the log, changing nothing', async () => {
    const before = await viewOf();
    const mark = t.server.lockstep.audit.size();
    for (const who of ['subject', 'researcher', 'steward', 'device']) {
      expect((await call(who, 'POST', `/v1/programs/${program.id}/pause`, { reason: 'just because' })).status, who).toBe(403);
    }
    await call('admin', 'POST', `/v1/programs/${program.id}/pause`, { reason: 'to test resume' });
    const paused = await viewOf();
    for (const who of ['subject', 'researcher', 'steward', 'device']) {
      expect((await call(who, 'POST', `/v1/programs/${program.id}/resume`)).status, who).toBe(403);
    }
    expect(await viewOf()).toEqual(paused);
    expect((await audited('program.pause', mark)).filter((e) => e.decision === 'deny').map((e) => e.actor)).toEqual(['subject', 'researcher', 'steward', 'device'].map((w) => people[w]!.id));
    expect((await audited('program.resume', mark)).filter((e) => e.decision === 'deny')).toHaveLength(4);
    await call('admin', 'POST', `/v1/programs/${program.id}/resume`);
    expect(await viewOf()).toEqual(before);
  });

  it('refuses an unknown program (404) and a missing, empty, long or credential-bearing reason (400), changing nothing and deciding nothing', async () => {
    const before = await viewOf();
    const mark = t.server.lockstep.audit.size();
    const pause = (body: unknown) => call('admin', 'POST', `/v1/programs/${program.id}/pause`, body);
    expect(await call('admin', 'POST', '/v1/programs/prg_00000000000000000000/pause', { reason: 'leak' })).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await pause({})).toMatchObject({ status: 400, body: { field: 'reason' } });
    expect(await pause({ reason: '' })).toMatchObject({ status: 400, body: { field: 'reason' } });
    expect(await pause({ reason: '   ' })).toMatchObject({ status: 400, body: { error: 'invalid_request', field: 'reason' } });
    expect(await pause({ reason: 'x'.repeat(201) })).toMatchObject({ status: 400, body: { field: 'reason' } });
    expect(await pause({ reason: 'two\nlines' })).toMatchObject({ status: 400, body: { field: 'reason' } });
    expect(await pause({ reason: `token lsd_${'A'.repeat(43)} leaked` })).toMatchObject({ status: 400, body: { field: 'reason' } });
    expect(await pause({ reason: 'leak', extra: true })).toMatchObject({ status: 400 });
    expect(await call('admin', 'POST', `/v1/programs/${program.id}/resume`, { reason: ' ' })).toMatchObject({ status: 400, body: { field: 'reason' } });
    expect(await viewOf()).toEqual(before);
    expect(await audited('program.pause', mark)).toEqual([]);
  });
});
