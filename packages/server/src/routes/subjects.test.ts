import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSessionEvents } from '../content/read.ts';
import { KeyDestroyedError } from '../crypto/keyring.ts';
import { openLockstep } from '../lockstep.ts';
import { type TestServer, batch, createUser, enrollDevice, events, provision, sessionId, startTestServer } from '../testing/harness.ts';

let t: TestServer;
let people: Awaited<ReturnType<typeof provision>>;
beforeAll(async () => {
  t = await startTestServer();
  people = await provision(t);
});
afterAll(() => t.cleanup());

/** A consistent copy of a live SQLite file, the way a backup tool would take it. */
function snapshot(from: string, to: string): void {
  const db = new Database(from, { readonly: true });
  db.prepare('VACUUM INTO ?').run(to);
  db.close();
}

/** A data directory assembled from a content database and a keyring taken at different times. */
function assemble(name: string, contentDb: string, keyringDb: string): string {
  const dir = join(t.dir, name);
  mkdirSync(join(dir, 'keys'), { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  copyFileSync(contentDb, join(dir, 'lockstep.db'));
  copyFileSync(keyringDb, join(dir, 'keys', 'keyring.db'));
  copyFileSync(t.server.lockstep.paths.kek, join(dir, 'keys', 'kek'));
  chmodSync(join(dir, 'keys', 'kek'), 0o600);
  return dir;
}

async function subjectWithSession(secret: string) {
  const subject = await createUser(t.api, people.admin.token);
  const device = await enrollDevice(t.api, people.admin.token, subject.id);
  const ses = sessionId();
  const res = await t.api.call('POST', '/v1/batches', { token: device.token, body: batch(device.id, ses, 0, events(0, 6, { value: secret })) });
  expect(res.status).toBe(201);
  return { subject, device, ses };
}

describe('DELETE /v1/subjects/:id', () => {
  it('lets a subject erase themself: keys destroyed, content gone, tokens dead', async () => {
    const { subject, device, ses } = await subjectWithSession('self-erase');
    expect((await t.api.call('DELETE', `/v1/subjects/${people.subject.id}`, { token: subject.token })).status).toBe(403);
    expect((await t.api.call('DELETE', `/v1/subjects/${subject.id}`, { token: subject.token })).status).toBe(204);

    expect((await t.api.call('GET', '/v1/me', { token: subject.token })).status).toBe(401);
    expect((await t.api.call('GET', '/v1/me', { token: device.token })).status).toBe(401);
    expect((await t.api.call('POST', '/v1/batches', { token: device.token, body: batch(device.id, sessionId(), 0) })).status).toBe(401);
    const keys = new Database(t.server.lockstep.paths.keyring, { readonly: true });
    expect(keys.prepare('SELECT count(*) FROM subject_keys WHERE subject_id = ?').pluck().get(subject.id)).toBe(0);
    expect(keys.prepare('SELECT count(*) FROM session_keys WHERE subject_id = ?').pluck().get(subject.id)).toBe(0);
    keys.close();
    const db = new Database(t.server.lockstep.paths.db, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM chunks WHERE subject_id = ?').pluck().get(subject.id)).toBe(0);
    expect(db.prepare('SELECT deleted_at FROM sessions WHERE id = ?').pluck().get(ses)).not.toBeNull();
    db.close();
    // No more device codes for an erased subject.
    expect((await t.api.call('POST', `/v1/users/${subject.id}/device-codes`, { token: people.admin.token })).status).toBe(404);
  });

  it('lets an admin erase a subject, whose old backups then cannot be decrypted', async () => {
    const secret = `backup-secret-${Date.now()}`;
    const { subject, ses } = await subjectWithSession(secret);
    const contentBefore = join(t.dir, 'content-before.db');
    const keyringBefore = join(t.dir, 'keyring-before.db');
    snapshot(t.server.lockstep.paths.db, contentBefore);
    snapshot(t.server.lockstep.paths.keyring, keyringBefore);

    expect((await t.api.call('DELETE', `/v1/subjects/${subject.id}`, { token: people.admin.token })).status).toBe(204);
    const keyringAfter = join(t.dir, 'keyring-after.db');
    snapshot(t.server.lockstep.paths.keyring, keyringAfter);

    // Control: the old content with the old keyring still decrypts (so the next check means something).
    const before = await openLockstep(assemble('restored-before', contentBefore, keyringBefore));
    try {
      const session = await before.store.sessions.get(ses);
      const evs = await readSessionEvents(before, session!);
      expect(JSON.stringify(evs)).toContain(secret);
    } finally {
      await before.close();
    }

    // The old content with the keyring as it is now: the subject's keys are gone.
    const after = await openLockstep(assemble('restored-after', contentBefore, keyringAfter));
    try {
      const session = await after.store.sessions.get(ses);
      expect(session?.deletedAt).toBeNull(); // the old copy does not know about the erasure…
      await expect(readSessionEvents(after, session!)).rejects.toThrow(KeyDestroyedError); // …but cannot be read
      const chunks = await after.store.sessions.chunks(ses);
      expect(chunks.length).toBe(1);
      await expect(after.keyring.openChunk({ subjectId: subject.id, sessionId: ses, chunkId: chunks[0]!.id }, chunks[0]!.nonce, chunks[0]!.ciphertext)).rejects.toThrow(KeyDestroyedError);
    } finally {
      await after.close();
    }
  });

  it('refuses erasure by anyone but the person or an admin', async () => {
    const other = await createUser(t.api, people.admin.token);
    expect((await t.api.call('DELETE', `/v1/subjects/${people.subject.id}`, { token: other.token })).status).toBe(403);
    expect((await t.api.call('DELETE', `/v1/subjects/${people.subject.id}`, { token: people.device.token })).status).toBe(403);
    expect((await t.api.call('DELETE', '/v1/subjects/usr_unknown0000000000000', { token: people.admin.token })).status).toBe(404);
    expect((await t.api.call('GET', '/v1/me', { token: people.subject.token })).status).toBe(200);
  });
});
