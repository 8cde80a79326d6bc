import { randomBytes } from 'node:crypto';
import type { BatchEnvelope, BatchReceipt } from '@lockstep/schema';
import { DecryptionError } from '../crypto/envelope.ts';
import { KeyBindingError, KeyDestroyedError } from '../crypto/keyring.ts';
import type { Lockstep } from '../lockstep.ts';
import type { AppendOutcome, SealedState, SessionRecord } from '../store/types.ts';
import type { PreparedBatch } from './prepare.ts';
import { type PackedContent, packBatchContent } from './pack.ts';
import { recheckBatch } from './recheck.ts';
import { serverRedactor } from './redactor.ts';
import { type SegmentState, resolveCuts } from './spans.ts';

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
  return storeBatch(lockstep, device, prepared.batch, () => ({
    packed: Buffer.from(prepared.packed.buffer, prepared.packed.byteOffset, prepared.packed.length),
    rawBytes: prepared.rawBytes,
    stats: prepared.stats,
    segment: prepared.segment,
  }));
}

interface BatchMeta {
  session: string;
  seq: number;
  checksum: string;
  eventCount: number;
}

/**
 * The batches of one session are stored one at a time: each is cut against the segmentation
 * state the one before left (spans.ts), read and written around the commit.
 */
const sessionQueues = new Map<string, Promise<unknown>>();
async function oneAtATime<T>(sessionId: string, run: () => Promise<T>): Promise<T> {
  const before = sessionQueues.get(sessionId) ?? Promise.resolve();
  const mine = before.then(run, run);
  const tail = mine.catch(() => undefined);
  sessionQueues.set(sessionId, tail);
  try {
    return await mine;
  } finally {
    if (sessionQueues.get(sessionId) === tail) sessionQueues.delete(sessionId);
  }
}

/** The chunk id the segmentation state is sealed under (bound into its AAD; no chunk has it). */
const SEGMENT_STATE_REF = 'segment-state';

/** The session's segmentation state, or undefined when there is none or it no longer opens (its key was replaced by a shredding). */
async function openSegmentState(lockstep: Lockstep, session: Pick<SessionRecord, 'id' | 'subjectId'>): Promise<SegmentState | undefined> {
  const sealed = await lockstep.store.sessions.segmentState(session.id);
  if (!sealed) return undefined;
  let plain: Buffer;
  try {
    plain = await lockstep.keyring.openChunk({ subjectId: session.subjectId, sessionId: session.id, chunkId: SEGMENT_STATE_REF }, sealed.nonce, sealed.ciphertext);
  } catch (error) {
    if (error instanceof DecryptionError || error instanceof KeyDestroyedError || error instanceof KeyBindingError) return undefined;
    throw error;
  }
  try {
    return JSON.parse(plain.toString('utf8')) as SegmentState;
  } finally {
    plain.fill(0);
  }
}

async function sealSegmentState(lockstep: Lockstep, session: Pick<SessionRecord, 'id' | 'subjectId'>, state: SegmentState): Promise<SealedState> {
  const plain = Buffer.from(JSON.stringify(state), 'utf8');
  try {
    return await lockstep.keyring.sealChunk({ subjectId: session.subjectId, sessionId: session.id, chunkId: SEGMENT_STATE_REF }, plain, { create: false });
  } finally {
    plain.fill(0);
  }
}

function storeBatch(lockstep: Lockstep, device: IngestInput['device'], batch: BatchMeta, content: () => PackedContent): Promise<IngestResult> {
  return oneAtATime(batch.session, () => storeOne(lockstep, device, batch, content));
}

async function storeOne(
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
  const { packed, rawBytes, stats, segment } = content();
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

  // Cuts at the batch's first events, against the state the batch before left; the state is
  // handed on unless this batch is older than the one it is from (it arrived late).
  const ref = { id: batch.session, subjectId: device.subjectId };
  const prior = session ? await openSegmentState(lockstep, ref) : undefined;
  const cut = resolveCuts(batch.seq, segment, prior);
  let segmentState: SealedState | undefined;
  try {
    if (prior === undefined || batch.seq > prior.seq) segmentState = await sealSegmentState(lockstep, ref, cut.state);
  } catch (error) {
    // The session was deleted since its chunk was sealed.
    if (error instanceof KeyDestroyedError) return { outcome: 'deleted' };
    throw error;
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
    stats: { ...stats, spans: cut.spans },
    ...(segmentState ? { segmentState } : {}),
  });
  if (outcome === 'stored' || outcome === 'duplicate') return { outcome, receipt: receipt(outcome === 'duplicate') };
  return { outcome };
}
