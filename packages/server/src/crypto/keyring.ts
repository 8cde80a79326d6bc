import { createHmac, hkdfSync } from 'node:crypto';
import type { WrappedKeyStore } from '../store/types.ts';
import { chunkAad } from './chunk.ts';
import { DecryptionError, type Sealed, open, randomKey, seal, unwrapKey, wrapKey } from './envelope.ts';
import { KeyFileError } from './kek.ts';

/**
 * The key hierarchy: KEK (a file) → one data key per subject → one key per session → chunks.
 * Subject and session keys are stored only wrapped; unwrapped keys stay inside this module
 * (callers ask it to seal or open, never for a key) in a small cache, and are zeroed when
 * evicted, destroyed or when the keyring closes. Destroying a key is crypto-shredding: every
 * copy of the content sealed under it becomes unreadable.
 */

export const subjectKeyAad = (subjectId: string) => `lockstep/subject-key/v1/${subjectId}`;
export const sessionKeyAad = (subjectId: string, sessionId: string) => `lockstep/session-key/v1/${subjectId}/${sessionId}`;
export const episodeKeyAad = (subjectId: string, episodeId: string) => `lockstep/episode-key/v1/${subjectId}/${episodeId}`;
export const episodeAad = (subjectId: string, episodeId: string) => `lockstep/episode/v1/${subjectId}/${episodeId}`;
const KEK_CHECK = 'kek-check';
const KEK_CHECK_AAD = 'lockstep/kek-check/v1';

/** The key that content was sealed under is gone (destroyed, or never created): the content cannot be read. */
export class KeyDestroyedError extends Error {
  override name = 'KeyDestroyedError';
}

/** A session key exists but belongs to another subject. */
export class KeyBindingError extends Error {
  override name = 'KeyBindingError';
}

export interface ChunkRef {
  subjectId: string;
  sessionId: string;
  chunkId: string;
}

interface Entry {
  key: Buffer;
  subjectId: string;
  state: 'live' | 'evicted' | 'destroyed';
}

export interface KeyringOptions {
  clock?: () => number;
  /** Unwrapped keys kept per kind (subject, session). */
  cacheSize?: number;
}

export class Keyring {
  private readonly subjects = new Map<string, Entry>();
  private readonly sessions = new Map<string, Entry>();
  /** Bumped by every destroy, so that a resolution racing with it starts over. */
  private generation = 0;
  private closed = false;
  private readonly clock: () => number;
  private readonly cacheSize: number;

  private constructor(
    private readonly kek: Buffer,
    private readonly store: WrappedKeyStore,
    options: KeyringOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.cacheSize = Math.max(1, options.cacheSize ?? 256);
  }

  /** Opens the keyring, checking that `kek` is the key the stored keys were wrapped under. */
  static async open(kek: Uint8Array, store: WrappedKeyStore, options: KeyringOptions = {}): Promise<Keyring> {
    const own = Buffer.alloc(kek.length);
    own.set(kek);
    const check = await store.getMeta(KEK_CHECK);
    if (check) {
      try {
        unwrapKey(own, check, KEK_CHECK_AAD).fill(0);
      } catch (error) {
        own.fill(0);
        if (error instanceof DecryptionError) {
          throw new KeyFileError('the key-encryption key does not match the keyring (keys/kek was replaced?); the stored content cannot be read with it');
        }
        throw error;
      }
    } else {
      if (!(await store.isEmpty())) throw new KeyFileError('the keyring holds keys but no check value for the key-encryption key; refusing to guess');
      await store.setMeta(KEK_CHECK, wrapKey(own, Buffer.alloc(32), KEK_CHECK_AAD));
    }
    return new Keyring(own, store, options);
  }

  /** Seals a chunk under its session key, creating the subject and session keys if `create`. */
  async sealChunk(ref: ChunkRef, plaintext: Uint8Array, options: { create: boolean }): Promise<Sealed> {
    for (;;) {
      const entry = await this.sessionEntry(ref.subjectId, ref.sessionId, options.create);
      // No await between this check and the use: the entry cannot be zeroed in between.
      if (entry.state === 'evicted') continue;
      if (entry.state === 'destroyed') throw new KeyDestroyedError('the session key was destroyed');
      return seal(entry.key, plaintext, chunkAad(ref.subjectId, ref.sessionId, ref.chunkId));
    }
  }

  /** Opens a chunk; throws KeyDestroyedError when its key is gone, DecryptionError when it does not authenticate. */
  async openChunk(ref: ChunkRef, nonce: Uint8Array, ciphertext: Uint8Array): Promise<Buffer> {
    for (;;) {
      const entry = await this.sessionEntry(ref.subjectId, ref.sessionId, false);
      if (entry.state === 'evicted') continue;
      if (entry.state === 'destroyed') throw new KeyDestroyedError('the session key was destroyed');
      return open(entry.key, nonce, ciphertext, chunkAad(ref.subjectId, ref.sessionId, ref.chunkId));
    }
  }

  async hasSessionKey(sessionId: string): Promise<boolean> {
    this.ensureOpen();
    return this.sessions.has(sessionId) || (await this.store.getSessionKey(sessionId)) !== undefined;
  }

  /** Crypto-shreds one session: deletes its wrapped key and zeroes any unwrapped copy. */
  async destroySession(sessionId: string): Promise<boolean> {
    this.ensureOpen();
    this.generation++;
    this.forget(this.sessions, sessionId, 'destroyed');
    const deleted = await this.store.deleteSessionKey(sessionId);
    this.generation++;
    return deleted;
  }

  /** Crypto-shreds a subject: deletes their wrapped key and all their session keys. */
  async destroySubject(subjectId: string): Promise<{ subject: boolean; sessions: number }> {
    this.ensureOpen();
    this.generation++;
    this.forget(this.subjects, subjectId, 'destroyed');
    for (const [id, entry] of this.sessions) if (entry.subjectId === subjectId) this.forget(this.sessions, id, 'destroyed');
    const result = await this.store.deleteSubjectKeys(subjectId);
    this.generation++;
    return result;
  }

  /**
   * Seals a released episode's content under a new key of its own, wrapped by the KEK (not by the
   * subject key): it survives the destruction of the subject key when the subject keeps what they
   * released, and is destroyed on its own when the episode is deleted.
   */
  async sealEpisode(subjectId: string, episodeId: string, plaintext: Uint8Array): Promise<Sealed> {
    this.ensureOpen();
    const key = randomKey();
    try {
      const sealed = seal(key, plaintext, episodeAad(subjectId, episodeId));
      await this.store.putEpisodeKey(episodeId, subjectId, wrapKey(this.kek, key, episodeKeyAad(subjectId, episodeId)), this.clock());
      return sealed;
    } finally {
      key.fill(0);
    }
  }

  /** Opens a released episode's copy; KeyDestroyedError when its key is gone. */
  async openEpisode(subjectId: string, episodeId: string, nonce: Uint8Array, ciphertext: Uint8Array): Promise<Buffer> {
    this.ensureOpen();
    const row = await this.store.getEpisodeKey(episodeId);
    if (!row) throw new KeyDestroyedError('the episode key was destroyed');
    if (row.subjectId !== subjectId) throw new KeyBindingError('the episode key belongs to another subject');
    const key = unwrapKey(this.kek, row.wrapped, episodeKeyAad(subjectId, episodeId));
    try {
      return open(key, nonce, ciphertext, episodeAad(subjectId, episodeId));
    } finally {
      key.fill(0);
    }
  }

  async destroyEpisode(episodeId: string): Promise<boolean> {
    this.ensureOpen();
    return this.store.deleteEpisodeKey(episodeId);
  }

  async destroyEpisodesOf(subjectId: string): Promise<number> {
    this.ensureOpen();
    return this.store.deleteEpisodeKeysOf(subjectId);
  }

  /**
   * A stable pseudonym for `value` within `scope` (such as one grant): HMAC-SHA-256 under a key
   * derived from the KEK for that scope. Different scopes give unlinkable pseudonyms.
   */
  pseudonym(scope: string, value: string): string {
    this.ensureOpen();
    const key = Buffer.from(hkdfSync('sha256', this.kek, 'lockstep/pseudonym/v1', scope, 32));
    try {
      return createHmac('sha256', key).update(value, 'utf8').digest('base64url').slice(0, 22);
    } finally {
      key.fill(0);
    }
  }

  /** Zeroes the KEK and every cached key. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.subjects.keys()]) this.forget(this.subjects, id, 'evicted');
    for (const id of [...this.sessions.keys()]) this.forget(this.sessions, id, 'evicted');
    this.kek.fill(0);
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('the keyring is closed');
  }

  private async sessionEntry(subjectId: string, sessionId: string, create: boolean): Promise<Entry> {
    for (;;) {
      this.ensureOpen();
      const cached = this.touch(this.sessions, sessionId);
      if (cached) return this.bound(cached, subjectId);
      const generation = this.generation;
      const row = await this.store.getSessionKey(sessionId);
      if (row) {
        if (row.subjectId !== subjectId) throw new KeyBindingError('the session key belongs to another subject');
        const subject = await this.subjectEntry(subjectId, false);
        if (!subject) throw new KeyDestroyedError('the subject key was destroyed');
        if (subject.state !== 'live' || generation !== this.generation) continue;
        const again = this.sessions.get(sessionId);
        if (again) return this.bound(again, subjectId);
        return this.remember(this.sessions, sessionId, subjectId, unwrapKey(subject.key, row.wrapped, sessionKeyAad(subjectId, sessionId)));
      }
      if (!create) throw new KeyDestroyedError('the session has no key');
      const subject = await this.subjectEntry(subjectId, true);
      if (!subject) throw new KeyDestroyedError('the subject key was destroyed');
      if (subject.state !== 'live' || generation !== this.generation) continue;
      const key = randomKey();
      const wrapped = wrapKey(subject.key, key, sessionKeyAad(subjectId, sessionId));
      const stored = await this.store.putSessionKey(sessionId, subjectId, wrapped, this.clock());
      if (generation !== this.generation || !Buffer.from(stored.wrapped).equals(wrapped) || this.sessions.has(sessionId)) {
        // Lost a race (or a destroy happened): start over and read what is stored.
        key.fill(0);
        continue;
      }
      return this.remember(this.sessions, sessionId, subjectId, key);
    }
  }

  private async subjectEntry(subjectId: string, create: boolean): Promise<Entry | undefined> {
    for (;;) {
      this.ensureOpen();
      const cached = this.touch(this.subjects, subjectId);
      if (cached) return cached;
      const generation = this.generation;
      const wrapped = await this.store.getSubjectKey(subjectId);
      if (generation !== this.generation) continue;
      const raced = this.subjects.get(subjectId);
      if (raced) return raced;
      if (wrapped) return this.remember(this.subjects, subjectId, subjectId, unwrapKey(this.kek, wrapped, subjectKeyAad(subjectId)));
      if (!create) return undefined;
      const key = randomKey();
      const mine = wrapKey(this.kek, key, subjectKeyAad(subjectId));
      const stored = await this.store.putSubjectKey(subjectId, mine, this.clock());
      if (generation !== this.generation || !Buffer.from(stored).equals(mine) || this.subjects.has(subjectId)) {
        key.fill(0);
        continue;
      }
      return this.remember(this.subjects, subjectId, subjectId, key);
    }
  }

  private bound(entry: Entry, subjectId: string): Entry {
    if (entry.subjectId !== subjectId) throw new KeyBindingError('the session key belongs to another subject');
    return entry;
  }

  private touch(map: Map<string, Entry>, id: string): Entry | undefined {
    const entry = map.get(id);
    if (entry) {
      map.delete(id);
      map.set(id, entry);
    }
    return entry;
  }

  private remember(map: Map<string, Entry>, id: string, subjectId: string, key: Buffer): Entry {
    const entry: Entry = { key, subjectId, state: 'live' };
    map.set(id, entry);
    while (map.size > this.cacheSize) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      this.forget(map, oldest, 'evicted');
    }
    return entry;
  }

  private forget(map: Map<string, Entry>, id: string, state: 'evicted' | 'destroyed'): void {
    const entry = map.get(id);
    if (!entry) return;
    map.delete(id);
    entry.state = state;
    entry.key.fill(0);
  }
}
