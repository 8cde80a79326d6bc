import type { CaptureEvent } from '@lockstep/schema';
import { unpackEvents } from '../crypto/chunk.ts';
import { DecryptionError } from '../crypto/envelope.ts';
import { KeyBindingError } from '../crypto/keyring.ts';
import type { Lockstep } from '../lockstep.ts';
import type { SessionRecord } from '../store/types.ts';

/** Stored content failed its integrity check; nothing of it is returned. */
export class ContentUnreadableError extends Error {
  override name = 'ContentUnreadableError';
}

/**
 * Decrypts a session's events, ordered by batch seq and then event seq. Every chunk is opened
 * with the AAD of the session being read, so a chunk copied in from elsewhere fails as a whole.
 * Throws KeyDestroyedError when the session's key is gone.
 */
export async function readSessionEvents(lockstep: Lockstep, session: SessionRecord): Promise<CaptureEvent[]> {
  const chunks = await lockstep.store.sessions.chunks(session.id);
  const events: CaptureEvent[] = [];
  for (const chunk of chunks) {
    let plain: Buffer;
    try {
      plain = await lockstep.keyring.openChunk({ subjectId: session.subjectId, sessionId: session.id, chunkId: chunk.id }, chunk.nonce, chunk.ciphertext);
    } catch (error) {
      if (error instanceof DecryptionError || error instanceof KeyBindingError) {
        throw new ContentUnreadableError(`chunk of batch ${chunk.batchSeq} failed authentication`);
      }
      throw error;
    }
    let batch: CaptureEvent[];
    try {
      batch = JSON.parse(unpackEvents(plain)) as CaptureEvent[];
    } catch {
      // Never echo the content in an error.
      throw new ContentUnreadableError(`chunk of batch ${chunk.batchSeq} does not decode`);
    } finally {
      plain.fill(0);
    }
    batch.sort((a, b) => a.seq - b.seq);
    for (const event of batch) events.push(event);
  }
  return events;
}
