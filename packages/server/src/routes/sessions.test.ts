import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { type TestServer, batch, createUser, enrollDevice, events, filesContaining, provision, sessionId, startTestServer } from '../testing/harness.ts';

let t: TestServer;
let people: Awaited<ReturnType<typeof provision>>;
let bob: { id: string; token: string };
let bobDevice: { id: string; token: string };
beforeAll(async () => {
  t = await startTestServer();
  people = await provision(t);
  bob = await createUser(t.api, people.admin.token);
  bobDevice = await enrollDevice(t.api, people.admin.token, bob.id);
});
afterAll(() => t.cleanup());

async function recorded(device = people.device, batches = 2): Promise<string> {
  const ses = sessionId();
  for (let seq = 0; seq < batches; seq++) {
    const res = await t.api.call('POST', '/v1/batches', { token: device.token, body: batch(device.id, ses, seq) });
    expect(res.status).toBe(201);
  }
  return ses;
}

function wrappedSessionKey(ses: string): Buffer | undefined {
  const db = new Database(t.server.lockstep.paths.keyring, { readonly: true });
  const row = db.prepare('SELECT wrapped FROM session_keys WHERE session_id = ?').get(ses) as { wrapped: Buffer } | undefined;
  db.close();
  return row?.wrapped;
}

describe('sessions', () => {
  it("lists only the caller's own sessions, as metadata", async () => {
    const mine = await recorded();
    const theirs = await recorded(bobDevice);
    const list = await t.api.call<{ sessions: Array<Record<string, unknown>> }>('GET', '/v1/sessions', { token: people.subject.token });
    expect(list.status).toBe(200);
    const ids = list.body.sessions.map((s) => s.id);
    expect(ids).toContain(mine);
    expect(ids).not.toContain(theirs);
    const summary = list.body.sessions.find((s) => s.id === mine);
    expect(summary).toEqual({
      id: mine,
      device: people.device.id,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      firstT: 0,
      lastT: 380,
      eventCount: 20,
      batchCount: 2,
      rawBytes: Buffer.byteLength(JSON.stringify(events(0, 10))) + Buffer.byteLength(JSON.stringify(events(10, 10))),
      storedBytes: expect.any(Number),
      counts: { navigation: 1, pointer: 13, input: 6 },
      origins: ['https://app.example.com'],
      remasked: {},
    });
    // Compressed before sealing: smaller than the JSON despite nonces and tags.
    expect(summary!.storedBytes).toBeGreaterThan(0);
    expect(summary!.storedBytes).toBeLessThan(summary!.rawBytes as number);
  });

  it('refuses session lists to admins and devices', async () => {
    expect(await t.api.call('GET', '/v1/sessions', { token: people.admin.token })).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect((await t.api.call('GET', '/v1/sessions', { token: people.device.token })).status).toBe(403);
  });

  it("never shows one subject's session to another, nor to an admin", async () => {
    const ses = await recorded();
    const asBob = await t.api.call('GET', `/v1/sessions/${ses}`, { token: bob.token });
    expect(asBob).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(asBob.body).not.toHaveProperty('events');
    const asAdmin = await t.api.call<{ message: string }>('GET', `/v1/sessions/${ses}`, { token: people.admin.token });
    expect(asAdmin.status).toBe(403);
    expect(asAdmin.body.message).toMatch(/only subjects/);
    expect((await t.api.call('GET', `/v1/sessions/${ses}`, { token: people.device.token })).status).toBe(403);
    expect((await t.api.call('DELETE', `/v1/sessions/${ses}`, { token: bob.token })).status).toBe(403);
    expect((await t.api.call('DELETE', `/v1/sessions/${ses}`, { token: people.admin.token })).status).toBe(403);
    // Still there for its owner.
    const own = await t.api.call<{ events: unknown[] }>('GET', `/v1/sessions/${ses}`, { token: people.subject.token });
    expect(own.status).toBe(200);
    expect(own.body.events).toHaveLength(20);
  });

  it('answers 404 for unknown sessions and 400 for malformed ids', async () => {
    expect(await t.api.call('GET', '/v1/sessions/ses_doesnotexist000000', { token: people.subject.token })).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await t.api.call('GET', '/v1/sessions/nope', { token: people.subject.token })).toMatchObject({ status: 400, body: { field: 'id' } });
  });

  it('deletes a session: content rows and wrapped key gone, reads 404', async () => {
    const ses = await recorded();
    const wrapped = wrappedSessionKey(ses);
    expect(wrapped).toBeDefined();
    expect(filesContaining(t.server.lockstep.paths.keysDir, wrapped!)).not.toEqual([]);

    expect((await t.api.call('DELETE', `/v1/sessions/${ses}`, { token: people.subject.token })).status).toBe(204);

    expect(await t.api.call('GET', `/v1/sessions/${ses}`, { token: people.subject.token })).toMatchObject({ status: 404 });
    expect((await t.api.call('DELETE', `/v1/sessions/${ses}`, { token: people.subject.token })).status).toBe(404);
    const list = await t.api.call<{ sessions: Array<{ id: string }> }>('GET', '/v1/sessions', { token: people.subject.token });
    expect(list.body.sessions.map((s) => s.id)).not.toContain(ses);
    expect(wrappedSessionKey(ses)).toBeUndefined();
    // Not in keyring.db, nor in its WAL: no byte of the wrapped key remains in the keys directory.
    expect(filesContaining(t.server.lockstep.paths.keysDir, wrapped!)).toEqual([]);
    const db = new Database(t.server.lockstep.paths.db, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM chunks WHERE session_id = ?').pluck().get(ses)).toBe(0);
    expect(db.prepare('SELECT count(*) FROM batches WHERE session_id = ?').pluck().get(ses)).toBe(0);
    db.close();
    // Another subject's delete attempt on the tombstone is still refused, not "not found".
    expect((await t.api.call('DELETE', `/v1/sessions/${ses}`, { token: bob.token })).status).toBe(403);
  });
});
