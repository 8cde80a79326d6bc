import { randomBytes } from 'node:crypto';
import type { BatchEnvelope, BatchReceipt } from '@lockstep/schema';
import { KeyBindingError, KeyDestroyedError } from '../crypto/keyring.ts';
import type { Lockstep } from '../lockstep.ts';
import type { AppendOutcome } from '../store/types.ts';
import type { PreparedBatch } from './prepare.ts';
import { type PackedContent, packBatchContent } from './pack.ts';
import { recheckBatch } from './recheck.ts';
import { serverRedactor } from './redactor.ts';

export interface IngestInput {
  /** The authenticated device and the subject it is bound to. */
  device: { id: string; subjectId: string };
  batch: BatchEnvelope;
  /** The events' JSON exactly as received (what the checksum covers), UTF-8; derived from `batch` if absent. Zeroed once sealed. */
  eventsJson?: Buffer;
}

export type IngestResult =
  | { outcome: 'stored' | 'duplicate'; receipt: BatchReceipt }
  | { outcome: Exclude<AppendOutcome, 'stored' | 'duplicate'> };

export const newChunkId = () => `chk_${randomBytes(16).toString('base64url')}`;

/**
 * Stores one validated batch: compresses and seals its events under the session key (creating
 * the session, and its key, on its first batch) and commits chunk, batch and session metadata in
 * one durable transaction. Idempotent on (session, seq). Authorization is the caller's job.
 */
export async function ingestBatch(lockstep: Lockstep, input: IngestInput): Promise<IngestResult> {
  const { batch } = input;
  const meta = { session: batch.session, seq: batch.seq, checksum: batch.checksum, eventCount: batch.events.length };
  return storeBatch(lockstep, input.device, meta, () => {
    const checked = recheckBatch(batch.events, serverRedactor());
    if (checked.events === batch.events) return packBatchContent(batch.events, input.eventsJson, checked.remasked);
    input.eventsJson?.fill(0);
    return packBatchContent(checked.events, undefined, checked.remasked);
  });
}

/** The same as `ingestBatch`, for a batch already parsed, validated and compressed by `prepareBatch`. */
export async function ingestPrepared(lockstep: Lockstep, device: IngestInput['device'], prepared: PreparedBatch): Promise<IngestResult> {
  return storeBatch(lockstep, device, prepared.batch, () => ({ packed: Buffer.from(prepared.packed.buffer, prepared.packed.byteOffset, prepared.packed.length), rawBytes: prepared.rawBytes, stats: prepared.stats }));
}

interface BatchMeta {
  session: string;
  seq: number;
  checksum: string;
  eventCount: number;
}

async function storeBatch(
  lockstep: Lockstep,
  device: IngestInput['device'],
  batch: BatchMeta,
  content: () => PackedContent,
): Promise<IngestResult> {
  const { store, keyring } = lockstep;
  let remasked: Record<string, number> = {};
  const receipt = (duplicate: boolean): BatchReceipt => ({
    session: batch.session,
    seq: batch.seq,
    events: batch.eventCount,
    duplicate,
    ...(!duplicate && Object.keys(remasked).length > 0 ? { remasked } : {}),
  });

  const session = await store.sessions.get(batch.session);
  if (session) {
    if (session.deletedAt !== null) return { outcome: 'deleted' };
    if (session.deviceId !== device.id || session.subjectId !== device.subjectId) return { outcome: 'not-bound' };
    // Fast path for a resend: no need to seal anything.
    const stored = await store.sessions.getBatch(batch.session, batch.seq);
    if (stored) return stored.checksum === batch.checksum ? { outcome: 'duplicate', receipt: receipt(true) } : { outcome: 'conflict' };
  }

  const chunkId = newChunkId();
  const { packed, rawBytes, stats } = content();
  remasked = stats.remasked;
  let sealed;
  try {
    sealed = await keyring.sealChunk({ subjectId: device.subjectId, sessionId: batch.session, chunkId }, packed, { create: !session });
  } catch (error) {
    // A key left for this session id by another subject, or a key already shredded.
    if (error instanceof KeyBindingError) return { outcome: 'not-bound' };
    if (error instanceof KeyDestroyedError) return { outcome: 'deleted' };
    throw error;
  } finally {
    packed.fill(0);
  }

  const outcome = await store.sessions.appendBatch({
    session: { id: batch.session, subjectId: device.subjectId, deviceId: device.id },
    batch: {
      seq: batch.seq,
      checksum: batch.checksum,
      eventCount: batch.eventCount,
      rawBytes,
      storedBytes: sealed.ciphertext.length,
      receivedAt: lockstep.clock(),
    },
    chunk: { id: chunkId, sessionId: batch.session, subjectId: device.subjectId, nonce: sealed.nonce, ciphertext: sealed.ciphertext },
    stats,
  });
  if (outcome === 'stored' || outcome === 'duplicate') return { outcome, receipt: receipt(outcome === 'duplicate') };
  return { outcome };
}
