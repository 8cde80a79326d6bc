import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeBatch } from '@lockstep/schema';
import { KeyDestroyedError } from '../crypto/keyring.ts';
import type { EmbeddedLockstep } from '../lockstep.ts';
import { tempLockstep, newSessionId, subjectWithDevice } from '../testing/fixtures.ts';
import { events } from '../testing/harness.ts';
import { ingestBatch } from './ingest.ts';
import { readSessionEvents } from './read.ts';
import { deleteSession, eraseSubject, reconcile } from './remove.ts';

let env: Awaited<ReturnType<typeof tempLockstep>>;
let lockstep: EmbeddedLockstep;
beforeEach(async () => {
  env = await tempLockstep();
  lockstep = env.lockstep;
});
afterEach(() => env.cleanup());

async function recorded(who: Awaited<ReturnType<typeof subjectWithDevice>>): Promise<string> {
  const ses = newSessionId();
  await ingestBatch(lockstep, { device: who.ref, batch: makeBatch(who.device.id, ses, 0, events(0, 4)) });
  return ses;
}

describe('deleteSession / eraseSubject', () => {
  it('tombstone the content and destroy the keys', async () => {
    const alice = await subjectWithDevice(lockstep);
    const bob = await subjectWithDevice(lockstep);
    const [a1, a2, b1] = [await recorded(alice), await recorded(alice), await recorded(bob)];
    expect(await deleteSession(lockstep, a1)).toBe(true);
    expect(await deleteSession(lockstep, a1)).toBe(false);
    expect((await lockstep.store.sessions.get(a1))!.deletedAt).not.toBeNull();
    expect(await lockstep.store.sessions.chunks(a1)).toEqual([]);
    expect(await lockstep.keyring.hasSessionKey(a1)).toBe(false);
    await expect(lockstep.keyring.openChunk({ subjectId: alice.user.id, sessionId: a1, chunkId: 'chk_any' }, Buffer.alloc(12), Buffer.alloc(32))).rejects.toThrow(KeyDestroyedError);

    expect(await eraseSubject(lockstep, alice.user.id)).toEqual({ sessions: 1, devices: 1, tokens: 0, subjectKey: true, sessionKeys: 1, episodeKeys: 0 });
    expect((await lockstep.store.keys.listSessionKeys()).map((k) => k.sessionId)).toEqual([b1]);
    expect(await lockstep.store.keys.listSubjectKeys()).toEqual([bob.user.id]);
    expect((await lockstep.store.sessions.get(a2))!.deletedAt).not.toBeNull();
  });
});

describe('reconcile', () => {
  it('destroys keys that a crash left behind for deleted sessions and erased users, and nothing else', async () => {
    const alice = await subjectWithDevice(lockstep);
    const bob = await subjectWithDevice(lockstep);
    const [a1, a2] = [await recorded(alice), await recorded(alice)];
    await recorded(bob);
    // The first step of a deletion and of an erasure, as if the process died before the second.
    await lockstep.store.sessions.remove(a1, 10);
    await lockstep.store.subjects.erase(bob.user.id, 10);
    expect(await reconcile(lockstep)).toEqual({ sessionKeys: 2, subjectKeys: 1 });
    expect((await lockstep.store.keys.listSessionKeys()).map((k) => k.sessionId)).toEqual([a2]);
    expect(await reconcile(lockstep)).toEqual({ sessionKeys: 0, subjectKeys: 0 });
    expect(await readSessionEvents(lockstep, (await lockstep.store.sessions.get(a2))!)).toHaveLength(4);
  });
});
