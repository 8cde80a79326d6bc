import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { type CaptureEvent, batchChecksum, makeBatch } from '@lockstep/schema';
import { type TestServer, batch, createProgram, createUser, enrollDevice, events, provision, sessionId, startTestServer } from '../testing/harness.ts';

let t: TestServer;
let people: Awaited<ReturnType<typeof provision>>;
beforeAll(async () => {
  t = await startTestServer();
  people = await provision(t);
});
afterAll(() => t.cleanup());

/** Row counts of every table in both databases, read through a separate connection. */
function rowCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [name, path] of [['db', t.server.lockstep.paths.db], ['keys', t.server.lockstep.paths.keyring]] as const) {
    const db = new Database(path, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    for (const table of tables) counts[`${name}.${table}`] = db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number;
    db.close();
  }
  return counts;
}

const post = (body: unknown, token = people.device.token) => t.api.call('POST', '/v1/batches', { token, body });

describe('POST /v1/batches', () => {
  it('stores a batch once when it is posted twice', async () => {
    const ses = sessionId();
    const b = batch(people.device.id, ses, 0);
    expect(await post(b)).toEqual({ status: 201, body: { session: ses, seq: 0, events: 10, duplicate: false } });
    const before = rowCounts();
    expect(await post(b)).toEqual({ status: 200, body: { session: ses, seq: 0, events: 10, duplicate: true } });
    expect(rowCounts()).toEqual(before);
    const read = await t.api.call<{ events: unknown[]; session: { batchCount: number } }>('GET', `/v1/sessions/${ses}`, { token: people.subject.token });
    expect(read.body.events).toHaveLength(10);
    expect(read.body.session.batchCount).toBe(1);
  });

  it('accepts batches out of order and reads them back in order', async () => {
    const ses = sessionId();
    for (const seq of [2, 0, 1]) expect((await post(batch(people.device.id, ses, seq))).status).toBe(201);
    const read = await t.api.call<{ events: Array<{ seq: number }>; session: Record<string, unknown> }>('GET', `/v1/sessions/${ses}`, { token: people.subject.token });
    expect(read.body.events.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(read.body.session).toMatchObject({ id: ses, device: people.device.id, eventCount: 30, batchCount: 3, firstT: 0, lastT: 580, origins: ['https://app.example.com'] });
  });

  it('refuses a different batch under a stored (session, seq) with 409', async () => {
    const ses = sessionId();
    await post(batch(people.device.id, ses, 0));
    const before = rowCounts();
    const res = await post(batch(people.device.id, ses, 0, events(100, 5)));
    expect(res).toMatchObject({ status: 409, body: { error: 'conflict', field: 'seq' } });
    expect(rowCounts()).toEqual(before);
  });

  it('rejects malformed batches naming the field, storing nothing', async () => {
    const ses = sessionId();
    const good = batch(people.device.id, ses, 0);
    const badSelector = makeBatch(people.device.id, ses, 0, [{ ...good.events[1]!, target: { tag: 'input', selector: 5 } } as never]);
    const unknownField = makeBatch(people.device.id, ses, 0, [{ ...good.events[1]!, hostname: 'laptop-7' } as never]);
    const unknownEnvelopeField = { ...good, user: 'me' };
    const wrongChecksum = { ...good, checksum: batchChecksum(events(500, 3)) };
    const notHex = { ...good, checksum: 'xyz' };
    const before = rowCounts();
    expect(await post(badSelector)).toMatchObject({ status: 400, body: { error: 'invalid_request', field: 'events[0].target.selector' } });
    expect(await post(unknownField)).toMatchObject({ status: 400, body: { field: 'events[0].hostname' } });
    expect(await post(unknownEnvelopeField)).toMatchObject({ status: 400, body: { field: 'user' } });
    expect(await post(wrongChecksum)).toMatchObject({ status: 400, body: { error: 'checksum_mismatch', field: 'checksum' } });
    expect(await post(notHex)).toMatchObject({ status: 400, body: { field: 'checksum' } });
    expect(await post({ ...good, events: [] , checksum: batchChecksum([]) })).toMatchObject({ status: 400, body: { field: 'events' } });
    expect(await post({ v: 1 })).toMatchObject({ status: 400 });
    expect(rowCounts()).toEqual(before);
  });

  it('checks the checksum against the events exactly as sent', async () => {
    const ses = sessionId();
    const evs = events(0, 3);
    // Key order differs from the schema's; the checksum covers what was sent, so it is accepted.
    const reordered = evs.map((e) => Object.fromEntries(Object.entries(e).reverse()));
    const body = { v: 1, device: people.device.id, session: ses, seq: 0, events: reordered, checksum: batchChecksum(reordered) };
    expect((await post(body)).status).toBe(201);
  });

  it('requires a device token for its own device and sessions', async () => {
    const ses = sessionId();
    const b = batch(people.device.id, ses, 0);
    expect((await t.api.call('POST', '/v1/batches', { body: b })).status).toBe(401);
    expect(await post(b, people.subject.token)).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(await post(b, people.admin.token)).toMatchObject({ status: 403 });

    const other = await createUser(t.api, people.admin.token);
    const otherDevice = await enrollDevice(t.api, people.admin.token, other.id);
    const sameSubjectDevice = await enrollDevice(t.api, people.admin.token, people.subject.id);
    // The envelope names a device other than the token's.
    expect(await post(b, otherDevice.token)).toMatchObject({ status: 403, body: { field: 'device' } });

    expect((await post(b)).status).toBe(201);
    const before = rowCounts();
    // Another device (of another subject, or of the same one) may not add to this session.
    expect((await post(batch(otherDevice.id, ses, 1), otherDevice.token)).status).toBe(403);
    expect((await post(batch(sameSubjectDevice.id, ses, 1), sameSubjectDevice.token)).status).toBe(403);
    expect(rowCounts()).toEqual(before);
  });

  it('answers 410 for uploads into a deleted session', async () => {
    const ses = sessionId();
    await post(batch(people.device.id, ses, 0));
    expect((await t.api.call('DELETE', `/v1/sessions/${ses}`, { token: people.subject.token })).status).toBe(204);
    expect(await post(batch(people.device.id, ses, 1))).toMatchObject({ status: 410, body: { error: 'gone' } });
  });

  it('refuses bodies over the limit with 413', async () => {
    const big = events(0, 1).concat([{ seq: 1, t: 1, type: 'input', value: 'x'.repeat(900_000), target: { tag: 'input', selector: '#a' } }]);
    const evs = Array.from({ length: 7 }, (_, i) => ({ ...big[1]!, seq: i + 1 }));
    const res = await post(makeBatch(people.device.id, sessionId(), 0, evs));
    expect(res).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
  });
});

describe('POST /v1/batches from the desktop', () => {
  const box = { x: 0, y: 0, w: 800, h: 600 };
  const window = (seq: number, app: string, title = 'ticket-7 — bash'): CaptureEvent => ({ seq, t: seq * 10, type: 'window', app, title, bounds: box });
  const frame = (seq: number): CaptureEvent => ({ seq, t: seq * 10, type: 'frame', format: 'png', width: 1, height: 1, box, data: 'iVBORw0KGgo=' });
  const key = (seq: number): CaptureEvent => ({ seq, t: seq * 10, type: 'key', kind: 'down', key: 'a', char: 'a', code: 'KeyA', mods: { alt: false, ctrl: false, meta: false, shift: false } });
  let desktop: { id: string; token: string };
  let programId: string;
  const settings = (body: Record<string, unknown>) => t.api.call('PUT', `/v1/programs/${programId}/desktop`, { token: people.admin.token, body });

  beforeAll(async () => {
    const program = await createProgram(t.api, people.admin.token, { name: 'terminals' });
    programId = program.id;
    desktop = await enrollDevice(t.api, people.admin.token, people.subject.id, { program, platform: 'desktop' });
    expect((await settings({ desktopApps: ['xterm', 'Code'] })).status).toBe(200);
  });

  it('stores windows of the apps the program records, whatever their case', async () => {
    const res = await post(makeBatch(desktop.id, sessionId(), 0, [window(0, 'XTerm'), key(1), window(2, 'code', 'main.ts - Visual Studio Code')]), desktop.token);
    expect(res).toMatchObject({ status: 201, body: { events: 3 } });
  });

  it('refuses a batch naming another app, or a screenshot while screenshots are off, and stores nothing of it', async () => {
    const ses = sessionId();
    const before = rowCounts();
    const slack = await post(makeBatch(desktop.id, ses, 0, [window(0, 'xterm'), key(1), window(2, 'Slack', 'general'), key(3)]), desktop.token);
    expect(slack).toMatchObject({ status: 400, body: { error: 'not-allowed', field: 'events[2].app' } });
    expect((slack.body as { message: string }).message).toContain('desktopApps');
    expect((slack.body as { message: string }).message).not.toContain('general');
    const shot = await post(makeBatch(desktop.id, ses, 0, [window(0, 'xterm'), frame(1)]), desktop.token);
    expect(shot).toMatchObject({ status: 400, body: { error: 'not-allowed', field: 'events[1]' } });
    expect((shot.body as { message: string }).message).toContain('screenshots');
    expect(rowCounts()).toEqual(before);
    expect((await t.api.call('GET', `/v1/sessions/${ses}`, { token: people.subject.token })).status).toBe(404);
    // Turned on, the same batch is stored.
    expect((await settings({ screenshots: true })).status).toBe(200);
    expect((await post(makeBatch(desktop.id, ses, 0, [window(0, 'xterm'), frame(1)]), desktop.token)).status).toBe(201);
    expect((await settings({ screenshots: false })).status).toBe(200);
  });

  it('refuses every window once the program records no app', async () => {
    expect((await settings({ desktopApps: [] })).status).toBe(200);
    expect(await post(makeBatch(desktop.id, sessionId(), 0, [key(0), window(1, 'xterm')]), desktop.token)).toMatchObject({ status: 400, body: { field: 'events[1].app' } });
    // Browser batches (no window events) are unaffected.
    expect((await post(batch(desktop.id, sessionId(), 0), desktop.token)).status).toBe(201);
    expect((await settings({ desktopApps: ['xterm', 'code'] })).status).toBe(200);
  });
});
