import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { randomInt } from 'node:crypto';
import { statSync } from 'node:fs';
import { byteForms, filesContaining, filesUnder } from './leak-scan.ts';
import { type TestServer, batch, createUser, enrollDevice, events, provision, sessionId, startTestServer } from './testing/harness.ts';

/**
 * A unique piece of ordinary typed text. (Random hex would look like a credential, and the
 * server's second redaction check would rightly mask it.)
 */
const WORDS = ['harbor', 'quiet', 'lantern', 'meadow', 'copper', 'violet', 'summit', 'river', 'maple', 'ember', 'orchid', 'falcon', 'cedar', 'pebble', 'willow', 'thistle'];
const phrase = (lead: string) => `${lead} ${Array.from({ length: 8 }, () => WORDS[randomInt(WORDS.length)]).join(' ')}`;

let t: TestServer;
let people: Awaited<ReturnType<typeof provision>>;
beforeAll(async () => {
  t = await startTestServer();
  people = await provision(t);
});
afterAll(() => t.cleanup());

describe('content at rest', () => {
  it('never holds a typed value in any file of the data directory, yet gives it back to its owner', async () => {
    const secret = phrase('notes about the');
    const ses = sessionId();
    for (let seq = 0; seq < 3; seq++) {
      const res = await t.api.call('POST', '/v1/batches', { token: people.device.token, body: batch(people.device.id, ses, seq, events(seq * 10, 10, { value: secret })) });
      expect(res.status).toBe(201);
    }
    const read = await t.api.call<{ events: Array<{ value?: string }> }>('GET', `/v1/sessions/${ses}`, { token: people.subject.token });
    expect(read.status).toBe(200);
    expect(read.body.events.filter((e) => e.value === secret).length).toBeGreaterThan(0);

    const files = filesUnder(t.dataDir);
    expect(files.some((f) => f.endsWith('lockstep.db-wal'))).toBe(true);
    expect(files.some((f) => f.endsWith('keyring.db-wal'))).toBe(true);
    for (const [name, needle] of byteForms(secret)) expect(filesContaining(t.dataDir, needle), name).toEqual([]);
    // Nor are tokens or enrollment codes stored, only their hashes.
    for (const token of [people.device.token, people.subject.token, people.admin.token]) expect(filesContaining(t.dataDir, Buffer.from(token))).toEqual([]);
  });

  it("refuses a ciphertext copied onto another subject's or session's row, returning an error and no plaintext", async () => {
    const secret = phrase('copied draft on');
    const bob = await createUser(t.api, people.admin.token);
    const bobDevice = await enrollDevice(t.api, people.admin.token, bob.id);
    const aliceSession = sessionId();
    const aliceOther = sessionId();
    const bobSession = sessionId();
    await t.api.call('POST', '/v1/batches', { token: people.device.token, body: batch(people.device.id, aliceSession, 0, events(0, 5, { value: secret })) });
    await t.api.call('POST', '/v1/batches', { token: people.device.token, body: batch(people.device.id, aliceOther, 0) });
    await t.api.call('POST', '/v1/batches', { token: bobDevice.token, body: batch(bobDevice.id, bobSession, 0) });

    // Someone with write access to lockstep.db moves Alice's sealed chunk into other rows.
    const db = new Database(t.server.lockstep.paths.db);
    const source = db.prepare('SELECT nonce, ciphertext FROM chunks WHERE session_id = ?').get(aliceSession) as { nonce: Buffer; ciphertext: Buffer };
    const overwrite = db.prepare('UPDATE chunks SET nonce = ?, ciphertext = ? WHERE session_id = ?');
    overwrite.run(source.nonce, source.ciphertext, bobSession);
    overwrite.run(source.nonce, source.ciphertext, aliceOther);
    db.close();

    for (const [ses, token] of [[bobSession, bob.token], [aliceOther, people.subject.token]] as const) {
      const res = await t.api.call('GET', `/v1/sessions/${ses}`, { token });
      expect(res).toMatchObject({ status: 500, body: { error: 'content_unreadable' } });
      expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    // The original is untouched.
    const original = await t.api.call('GET', `/v1/sessions/${aliceSession}`, { token: people.subject.token });
    expect(JSON.stringify(original.body)).toContain(secret);
  });

  it('keeps the key file at mode 0600 and the directories at 0700', () => {
    const { paths } = t.server.lockstep;
    expect(statSync(paths.kek).mode & 0o777).toBe(0o600);
    expect(statSync(paths.kek).size).toBe(32);
    expect(statSync(paths.keysDir).mode & 0o777).toBe(0o700);
    expect(statSync(paths.root).mode & 0o777).toBe(0o700);
  });
});
