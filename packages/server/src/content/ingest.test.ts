import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeBatch } from '@lockstep/schema';
import type { EmbeddedLockstep } from '../lockstep.ts';
import { tempLockstep, newSessionId, subjectWithDevice } from '../testing/fixtures.ts';
import { events } from '../testing/harness.ts';
import { ingestBatch } from './ingest.ts';
import { deleteSession } from './remove.ts';

let env: Awaited<ReturnType<typeof tempLockstep>>;
let lockstep: EmbeddedLockstep;
beforeEach(async () => {
  env = await tempLockstep();
  lockstep = env.lockstep;
});
afterEach(() => env.cleanup());

describe('ingestBatch', () => {
  it('stores a batch once, and refuses a different one under the same seq', async () => {
    const { device, ref } = await subjectWithDevice(lockstep);
    const ses = newSessionId();
    const b = makeBatch(device.id, ses, 0, events(0, 20));
    expect(await ingestBatch(lockstep, { device: ref, batch: b })).toEqual({ outcome: 'stored', receipt: { session: ses, seq: 0, events: 20, duplicate: false } });
    expect(await ingestBatch(lockstep, { device: ref, batch: b })).toEqual({ outcome: 'duplicate', receipt: { session: ses, seq: 0, events: 20, duplicate: true } });
    expect(await ingestBatch(lockstep, { device: ref, batch: makeBatch(device.id, ses, 0, events(0, 3)) })).toEqual({ outcome: 'conflict' });
    const session = await lockstep.store.sessions.get(ses);
    expect(session).toMatchObject({ eventCount: 20, batchCount: 1, rawBytes: Buffer.byteLength(JSON.stringify(b.events)) });
    expect(session!.storedBytes).toBeLessThan(session!.rawBytes);
  });

  it('keeps a session to the device that opened it', async () => {
    const first = await subjectWithDevice(lockstep);
    const second = await subjectWithDevice(lockstep);
    const ses = newSessionId();
    await ingestBatch(lockstep, { device: first.ref, batch: makeBatch(first.device.id, ses, 0, events(0, 2)) });
    expect(await ingestBatch(lockstep, { device: second.ref, batch: makeBatch(second.device.id, ses, 1, events(2, 2)) })).toEqual({ outcome: 'not-bound' });
  });

  it('refuses a session id whose key another subject holds, even before any content exists', async () => {
    const first = await subjectWithDevice(lockstep);
    const second = await subjectWithDevice(lockstep);
    const ses = newSessionId();
    // The first subject's device got as far as the key before a crash.
    await lockstep.keyring.sealChunk({ subjectId: first.user.id, sessionId: ses, chunkId: 'chk_x' }, Buffer.from('x'), { create: true });
    expect(await ingestBatch(lockstep, { device: second.ref, batch: makeBatch(second.device.id, ses, 0, events(0, 2)) })).toEqual({ outcome: 'not-bound' });
    expect(await lockstep.store.sessions.get(ses)).toBeUndefined();
  });

  it('answers deleted for a deleted session, and revoked for an erased subject', async () => {
    const { device, user, ref } = await subjectWithDevice(lockstep);
    const ses = newSessionId();
    await ingestBatch(lockstep, { device: ref, batch: makeBatch(device.id, ses, 0, events(0, 2)) });
    await deleteSession(lockstep, ses);
    expect(await ingestBatch(lockstep, { device: ref, batch: makeBatch(device.id, ses, 1, events(2, 2)) })).toEqual({ outcome: 'deleted' });
    await lockstep.store.subjects.erase(user.id, 5);
    expect(await ingestBatch(lockstep, { device: ref, batch: makeBatch(device.id, newSessionId(), 0, events(0, 2)) })).toEqual({ outcome: 'revoked' });
  });
});
