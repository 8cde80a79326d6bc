import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedStore, openEmbeddedStore } from '../store/embedded/index.ts';
import { DecryptionError, randomKey } from './envelope.ts';
import { KeyFileError } from './kek.ts';
import { KeyBindingError, KeyDestroyedError, Keyring } from './keyring.ts';

let dir: string;
let store: EmbeddedStore;
const kek = randomKey();
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lockstep-keyring-'));
  store = await openEmbeddedStore(dir);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ref = (subjectId: string, sessionId: string, chunkId = 'chk_1') => ({ subjectId, sessionId, chunkId });
const text = (s: string) => Buffer.from(s, 'utf8');

describe('Keyring', () => {
  it('seals under a per-session key it creates, wrapped in the key store', async () => {
    const keyring = await Keyring.open(kek, store.keys);
    const sealed = await keyring.sealChunk(ref('usr_a', 'ses_1'), text('hello'), { create: true });
    expect((await keyring.openChunk(ref('usr_a', 'ses_1'), sealed.nonce, sealed.ciphertext)).toString()).toBe('hello');
    expect(await store.keys.listSubjectKeys()).toEqual(['usr_a']);
    expect(await store.keys.listSessionKeys()).toEqual([{ sessionId: 'ses_1', subjectId: 'usr_a' }]);
    keyring.close();

    // A new keyring over the same store (a restart) opens it from the wrapped keys alone.
    const again = await Keyring.open(kek, store.keys);
    expect((await again.openChunk(ref('usr_a', 'ses_1'), sealed.nonce, sealed.ciphertext)).toString()).toBe('hello');
    again.close();
  });

  it('binds chunks to subject, session and chunk id', async () => {
    const keyring = await Keyring.open(kek, store.keys);
    const sealed = await keyring.sealChunk(ref('usr_a', 'ses_1', 'chk_1'), text('mine'), { create: true });
    await keyring.sealChunk(ref('usr_a', 'ses_2'), text('other'), { create: true });
    await expect(keyring.openChunk(ref('usr_a', 'ses_1', 'chk_2'), sealed.nonce, sealed.ciphertext)).rejects.toThrow(DecryptionError);
    await expect(keyring.openChunk(ref('usr_a', 'ses_2', 'chk_1'), sealed.nonce, sealed.ciphertext)).rejects.toThrow(DecryptionError);
    await expect(keyring.openChunk(ref('usr_b', 'ses_1', 'chk_1'), sealed.nonce, sealed.ciphertext)).rejects.toThrow(KeyBindingError);
    keyring.close();
  });

  it('never creates a key when only reading', async () => {
    const keyring = await Keyring.open(kek, store.keys);
    await expect(keyring.openChunk(ref('usr_a', 'ses_x'), Buffer.alloc(12), Buffer.alloc(20))).rejects.toThrow(KeyDestroyedError);
    await expect(keyring.sealChunk(ref('usr_a', 'ses_x'), text('x'), { create: false })).rejects.toThrow(KeyDestroyedError);
    expect(await store.keys.listSessionKeys()).toEqual([]);
    keyring.close();
  });

  it('crypto-shreds one session, or every session of a subject', async () => {
    const keyring = await Keyring.open(kek, store.keys);
    const s1 = await keyring.sealChunk(ref('usr_a', 'ses_1'), text('one'), { create: true });
    const s2 = await keyring.sealChunk(ref('usr_a', 'ses_2'), text('two'), { create: true });
    const s3 = await keyring.sealChunk(ref('usr_b', 'ses_3'), text('three'), { create: true });

    expect(await keyring.destroySession('ses_1')).toBe(true);
    await expect(keyring.openChunk(ref('usr_a', 'ses_1'), s1.nonce, s1.ciphertext)).rejects.toThrow(KeyDestroyedError);
    expect((await keyring.openChunk(ref('usr_a', 'ses_2'), s2.nonce, s2.ciphertext)).toString()).toBe('two');

    expect(await keyring.destroySubject('usr_a')).toEqual({ subject: true, sessions: 1 });
    await expect(keyring.openChunk(ref('usr_a', 'ses_2'), s2.nonce, s2.ciphertext)).rejects.toThrow(KeyDestroyedError);
    expect((await keyring.openChunk(ref('usr_b', 'ses_3'), s3.nonce, s3.ciphertext)).toString()).toBe('three');
    keyring.close();

    // Shredding is durable: a restarted keyring cannot read them either.
    const again = await Keyring.open(kek, store.keys);
    await expect(again.openChunk(ref('usr_a', 'ses_2'), s2.nonce, s2.ciphertext)).rejects.toThrow(KeyDestroyedError);
    again.close();
  });

  it('works with a tiny cache and agrees on one key under concurrent first use', async () => {
    const keyring = await Keyring.open(kek, store.keys, { cacheSize: 1 });
    const sealed = await Promise.all(
      Array.from({ length: 12 }, (_, i) => keyring.sealChunk(ref(`usr_${i % 2}`, `ses_${i % 4}`, `chk_${i}`), text(`m${i}`), { create: true })),
    );
    for (let i = 0; i < sealed.length; i++) {
      const s = sealed[i]!;
      expect((await keyring.openChunk(ref(`usr_${i % 2}`, `ses_${i % 4}`, `chk_${i}`), s.nonce, s.ciphertext)).toString()).toBe(`m${i}`);
    }
    keyring.close();
  });

  it('refuses a KEK other than the one the keys were wrapped under', async () => {
    (await Keyring.open(kek, store.keys)).close();
    await expect(Keyring.open(randomKey(), store.keys)).rejects.toThrow(KeyFileError);
  });

  it('is unusable once closed', async () => {
    const keyring = await Keyring.open(kek, store.keys);
    keyring.close();
    await expect(keyring.sealChunk(ref('usr_a', 'ses_1'), text('x'), { create: true })).rejects.toThrow(/closed/);
  });
});
