import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBatch } from '@lockstep/schema';
import { ingestBatch } from './content/ingest.ts';
import { readSessionEvents } from './content/read.ts';
import { openLockstep } from './lockstep.ts';
import { openEmbeddedStore } from './store/embedded/index.ts';
import { newSessionId, subjectWithDevice } from './testing/fixtures.ts';
import { events } from './testing/harness.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockstep-open-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openLockstep', () => {
  it('reopens a data directory with its content readable', async () => {
    const first = await openLockstep(dir);
    const who = await subjectWithDevice(first);
    const ses = newSessionId();
    const b = makeBatch(who.device.id, ses, 0, events(0, 8));
    await ingestBatch(first, { device: who.ref, batch: b });
    await first.close();
    const again = await openLockstep(dir);
    expect(await readSessionEvents(again, (await again.store.sessions.get(ses))!)).toEqual(b.events);
    await again.close();
  });

  it('finishes interrupted shredding when it opens', async () => {
    const first = await openLockstep(dir);
    const who = await subjectWithDevice(first);
    const ses = newSessionId();
    await ingestBatch(first, { device: who.ref, batch: makeBatch(who.device.id, ses, 0, events(0, 2)) });
    await first.store.sessions.remove(ses, 10); // the process dies before the key goes
    await first.close();
    const again = await openLockstep(dir);
    expect(await again.store.keys.listSessionKeys()).toEqual([]);
    await again.close();
  });

  it('refuses to start when the keyring is empty but content exists, inventing no new key', async () => {
    const first = await openLockstep(dir);
    const who = await subjectWithDevice(first);
    await ingestBatch(first, { device: who.ref, batch: makeBatch(who.device.id, newSessionId(), 0, events(0, 2)) });
    await first.close();
    rmSync(join(dir, 'keys'), { recursive: true }); // a lost keys directory
    await expect(openLockstep(dir)).rejects.toThrow(/holds no keys but .* holds content/);
    expect(existsSync(join(dir, 'keys', 'kek'))).toBe(false);
    const store = await openEmbeddedStore(dir);
    expect(await store.keys.isEmpty()).toBe(true);
    await store.close();
  });
});
