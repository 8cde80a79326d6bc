import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { makeBatch } from '@lockstep/schema';
import type { EmbeddedLockstep } from '../lockstep.ts';
import { tempLockstep, newSessionId, subjectWithDevice } from '../testing/fixtures.ts';
import { events } from '../testing/harness.ts';
import { ingestBatch } from './ingest.ts';
import { ContentUnreadableError, readSessionEvents } from './read.ts';

let env: Awaited<ReturnType<typeof tempLockstep>>;
let lockstep: EmbeddedLockstep;
beforeEach(async () => {
  env = await tempLockstep();
  lockstep = env.lockstep;
});
afterEach(() => env.cleanup());

describe('readSessionEvents', () => {
  it('returns events by batch seq, then event seq, whatever the arrival order', async () => {
    const { device, ref } = await subjectWithDevice(lockstep);
    const ses = newSessionId();
    const shuffled = (from: number) => events(from, 5).reverse();
    for (const seq of [1, 2, 0]) await ingestBatch(lockstep, { device: ref, batch: makeBatch(device.id, ses, seq, shuffled(seq * 5)) });
    const read = await readSessionEvents(lockstep, (await lockstep.store.sessions.get(ses))!);
    expect(read.map((e) => e.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i));
  });

  it('fails as a whole, without content, when a chunk was altered', async () => {
    const { device, ref } = await subjectWithDevice(lockstep);
    const ses = newSessionId();
    await ingestBatch(lockstep, { device: ref, batch: makeBatch(device.id, ses, 0, events(0, 5, { value: 'do-not-leak' })) });
    const db = new Database(lockstep.paths.db);
    const row = db.prepare('SELECT id, ciphertext FROM chunks WHERE session_id = ?').get(ses) as { id: string; ciphertext: Buffer };
    row.ciphertext[3] = (row.ciphertext[3] ?? 0) ^ 0xff;
    db.prepare('UPDATE chunks SET ciphertext = ? WHERE id = ?').run(row.ciphertext, row.id);
    db.close();
    const error = await readSessionEvents(lockstep, (await lockstep.store.sessions.get(ses))!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentUnreadableError);
    expect(String((error as Error).message)).not.toContain('do-not-leak');
  });
});
