import type { CaptureEvent } from '@lockstep/schema';
import { packEvents, unpackEvents } from '../crypto/chunk.ts';
import type { Lockstep } from '../lockstep.ts';
import type { SessionRecord } from '../store/types.ts';
import { newChunkId } from './ingest.ts';

/**
 * Crypto-shreds the events of a session whose time falls in [startT, endT] (a deleted episode):
 * every chunk is opened, the session key is destroyed (so no copy of the old chunks, backups
 * included, can be opened again), and the remaining events are sealed again under a fresh
 * session key, batch by batch. Batch records (and their checksums) stay, so a resent batch is
 * still a duplicate and does not bring the shredded events back.
 *
 * Fail-closed: a crash after the key is destroyed and before the new chunks are committed
 * leaves the session unreadable (lost to its owner too), never readable by anyone else.
 * Returns how many events were shredded.
 */
export async function shredRange(lockstep: Lockstep, session: SessionRecord, startT: number, endT: number): Promise<number> {
  const { store, keyring } = lockstep;
  const chunks = await store.sessions.chunks(session.id);
  const kept: Array<{ batchSeq: number; events: CaptureEvent[] }> = [];
  let shredded = 0;
  for (const chunk of chunks) {
    const plain = await keyring.openChunk({ subjectId: session.subjectId, sessionId: session.id, chunkId: chunk.id }, chunk.nonce, chunk.ciphertext);
    let events: CaptureEvent[];
    try {
      events = JSON.parse(unpackEvents(plain)) as CaptureEvent[];
    } finally {
      plain.fill(0);
    }
    const remaining = events.filter((e) => e.t < startT || e.t > endT);
    shredded += events.length - remaining.length;
    kept.push({ batchSeq: chunk.batchSeq, events: remaining });
  }
  if (shredded === 0) return 0;
  await keyring.destroySession(session.id);
  const replacements = [];
  for (const { batchSeq, events } of kept) {
    const chunkId = newChunkId();
    const packed = packEvents(JSON.stringify(events));
    try {
      const sealed = await keyring.sealChunk({ subjectId: session.subjectId, sessionId: session.id, chunkId }, packed, { create: true });
      replacements.push({ batchSeq, chunk: { id: chunkId, sessionId: session.id, subjectId: session.subjectId, nonce: sealed.nonce, ciphertext: sealed.ciphertext } });
    } finally {
      packed.fill(0);
    }
  }
  await store.sessions.replaceChunks(session.id, replacements);
  return shredded;
}
