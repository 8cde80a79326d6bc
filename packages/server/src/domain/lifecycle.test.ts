import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestBatch } from '../content/ingest.ts';
import { readSessionEvents } from '../content/read.ts';
import { KeyDestroyedError } from '../crypto/keyring.ts';
import type { EmbeddedLockstep } from '../lockstep.ts';
import type { StoredChunk } from '../store/types.ts';
import { batch, events, sessionId } from '../testing/harness.ts';
import { tempLockstep } from '../testing/fixtures.ts';
import { acceptConsent, checkCapture, withdrawConsent } from './consent.ts';
import { deleteEpisode, listEpisodes, readEpisodeEvents, releaseEpisode } from './episodes.ts';
import { createProgram } from './programs.ts';

let env: Awaited<ReturnType<typeof tempLockstep>>;
let lockstep: EmbeddedLockstep;
beforeEach(async () => {
  env = await tempLockstep();
  lockstep = env.lockstep;
});
afterEach(() => env.cleanup());

let n = 0;
/** A subject with a consented device in a new program, and one session in two bursts (two episodes). */
async function recorded() {
  const program = await createProgram(lockstep, { name: 'p', purposes: ['agent-training'], modalities: ['input'], retentionDays: 30, idleGapMs: 60_000, notice: 'n' }, 'usr_admin000000000000000');
  const subjectId = `usr_lifecycle${String(++n).padStart(12, '0')}`;
  const deviceId = `dev_lifecycle${String(n).padStart(12, '0')}`;
  await lockstep.store.users.create({ id: subjectId, roles: ['subject'], label: null, createdAt: 1, deletedAt: null });
  await lockstep.store.devices.create({ id: deviceId, subjectId, programId: program.id, platform: 'browser', label: null, createdAt: 1, revokedAt: null });
  await acceptConsent(lockstep, subjectId, program.id, 1);
  const device = { id: deviceId, subjectId };
  await checkCapture(lockstep, { ...device, programId: program.id });
  const ses = sessionId();
  await ingestBatch(lockstep, { device, batch: batch(deviceId, ses, 0, events(0, 10, { value: 'first burst' })) });
  await ingestBatch(lockstep, { device, batch: batch(deviceId, ses, 1, events(10, 10, { value: 'second burst' }).map((e) => ({ ...e, t: e.t + 300_000 }))) });
  const episodes = await listEpisodes(lockstep, subjectId);
  expect(episodes).toHaveLength(2);
  const session = (await lockstep.store.sessions.get(ses))!;
  return { program, subjectId, deviceId, session, episodes };
}

/** Tries to open chunks as a restored backup would: with whatever keys the keyring still has. */
async function openAll(chunks: StoredChunk[], subjectId: string): Promise<'readable' | 'destroyed' | 'unreadable'> {
  try {
    for (const c of chunks) (await lockstep.keyring.openChunk({ subjectId, sessionId: c.sessionId, chunkId: c.id }, c.nonce, c.ciphertext)).fill(0);
    return 'readable';
  } catch (error) {
    return error instanceof KeyDestroyedError ? 'destroyed' : 'unreadable';
  }
}

describe('episodes', () => {
  it('are cut at idle gaps from metadata, keep their ids as batches arrive, and release into an immutable copy', async () => {
    const { subjectId, session, episodes } = await recorded();
    expect(episodes.map((e) => [e.startT, e.endT])).toEqual([[0, 180], [300_200, 300_380]]);
    await ingestBatch(lockstep, { device: { id: session.deviceId, subjectId }, batch: batch(session.deviceId, session.id, 2, events(20, 5).map((e) => ({ ...e, t: e.t + 300_000 }))) });
    const again = await listEpisodes(lockstep, subjectId);
    expect(again.map((e) => e.id)).toEqual(episodes.map((e) => e.id));
    expect(again[1]!.endT).toBe(300_480);
    const released = await releaseEpisode(lockstep, again[0]!);
    expect(JSON.stringify(await readEpisodeEvents(lockstep, released))).toContain('first burst');
    expect(JSON.stringify(await readEpisodeEvents(lockstep, released))).not.toContain('second burst');
  });

  it('are shredded on delete: gone from the session, and the old chunks no longer open', async () => {
    const { subjectId, session, episodes } = await recorded();
    const before = await lockstep.store.sessions.chunks(session.id);
    await deleteEpisode(lockstep, episodes[1]!);
    const text = JSON.stringify(await readSessionEvents(lockstep, session));
    expect(text).toContain('first burst');
    expect(text).not.toContain('second burst');
    expect(await openAll(before, subjectId)).not.toBe('readable');
    expect((await listEpisodes(lockstep, subjectId)).map((e) => e.id)).toEqual([episodes[0]!.id]);
  });
});

describe('withdrawing consent', () => {
  for (const keepReleased of [true, false]) {
    it(`stops capture, makes unreleased data unreadable and ${keepReleased ? 'keeps' : 'destroys'} released episodes (keepReleased: ${keepReleased})`, async () => {
      const { program, subjectId, deviceId, session, episodes } = await recorded();
      const released = await releaseEpisode(lockstep, episodes[0]!);
      const backup = await lockstep.store.sessions.chunks(session.id);
      const copy = await lockstep.store.episodes.content(released.id);
      const result = await withdrawConsent(lockstep, subjectId, program.id, { keepReleased });
      expect(result).toMatchObject({ sessionsShredded: 1, subjectKeyDestroyed: true });
      await expect(checkCapture(lockstep, { id: deviceId, subjectId, programId: program.id })).rejects.toMatchObject({ status: 403, error: 'consent-required' });
      // The unreleased episode and the session: gone, and a backup of their chunks does not open.
      expect(await openAll(backup, subjectId)).toBe('destroyed');
      await expect(readEpisodeEvents(lockstep, (await lockstep.store.episodes.get(episodes[1]!.id))!)).rejects.toThrow();
      const stored = (await lockstep.store.episodes.get(released.id))!;
      if (keepReleased) {
        expect(stored.status).toBe('released');
        expect(JSON.stringify(await readEpisodeEvents(lockstep, stored))).toContain('first burst');
      } else {
        expect(stored.status).toBe('deleted');
        await expect(lockstep.keyring.openEpisode(subjectId, released.id, copy!.nonce, copy!.ciphertext)).rejects.toThrow(KeyDestroyedError);
      }
    });
  }
});
