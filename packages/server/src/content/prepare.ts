import { createHash } from 'node:crypto';
import { BatchEnvelope, describeIssue } from '@lockstep/schema';
import { type DesktopSummary, summariseDesktop } from '../domain/desktop.ts';
import { PoisonedJsonError, parseJsonBody } from '../http/json.ts';
import type { BatchStats } from '../store/types.ts';
import { packBatchContent } from './pack.ts';
import type { SegmentedBatch } from './spans.ts';
import { recheckBatch } from './recheck.ts';
import { serverRedactor } from './redactor.ts';

/**
 * The CPU-heavy half of a batch upload, with no key and no store: decode and parse the body,
 * check the checksum over the events as received, validate the envelope, run the second
 * redaction check (recheck.ts), and compress the events' JSON (the same bytes the checksum
 * covered, unless the check masked something). Pure, so that it can run in a worker
 * thread (see prepare-pool.ts); the failures are those the HTTP API reports, in the same order
 * (invalid JSON, then checksum, then the first invalid field).
 */
export interface PreparedBatch {
  ok: true;
  batch: { device: string; session: string; seq: number; checksum: string; eventCount: number };
  /** The events' JSON, compressed (not yet sealed). */
  packed: Uint8Array;
  rawBytes: number;
  stats: BatchStats;
  /** How the batch cuts into episodes (spans.ts); in memory only, it names apps. */
  segment: SegmentedBatch;
  /** Its desktop apps and screenshots, for the program's check (domain/desktop.ts); in memory only, it names apps. */
  desktop: DesktopSummary;
}

export type PrepareFailure =
  | { ok: false; kind: 'api'; error: string; message: string; field?: string }
  | { ok: false; kind: 'invalid'; message: string; field: string };

export type PrepareResult = PreparedBatch | PrepareFailure;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function prepareBatch(body: Uint8Array): PrepareResult {
  if (body.length === 0) return { ok: false, kind: 'api', error: 'invalid_json', message: 'the request body is empty but declared as JSON' };
  let parsed: unknown;
  try {
    parsed = parseJsonBody(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'));
  } catch (error) {
    const message = error instanceof PoisonedJsonError ? `the request body is refused: ${error.message}` : 'the request body is not valid JSON';
    return { ok: false, kind: 'api', error: 'invalid_json', message };
  }

  // The checksum covers the events exactly as sent, so it is checked before validation.
  let json: Buffer | undefined;
  if (isRecord(parsed) && Array.isArray(parsed.events) && typeof parsed.checksum === 'string') {
    // Serialised once: these bytes are both what the checksum covers and the chunk's plaintext.
    json = Buffer.from(JSON.stringify(parsed.events), 'utf8');
    const actual = createHash('sha256').update(json).digest('hex');
    if (actual !== parsed.checksum) {
      json.fill(0);
      return { ok: false, kind: 'api', error: 'checksum_mismatch', message: 'checksum does not match the SHA-256 of the events as received', field: 'checksum' };
    }
  }

  const result = BatchEnvelope.safeParse(parsed);
  if (!result.success) {
    json?.fill(0);
    const { field, message } = describeIssue(result.error);
    return { ok: false, kind: 'invalid', message, field };
  }
  const batch = result.data;
  // The second redaction check; if it masked anything, the stored JSON is the masked events'.
  let checked;
  try {
    checked = recheckBatch(batch.events, serverRedactor());
  } catch (error) {
    json?.fill(0);
    throw error;
  }
  if (checked.events !== batch.events) {
    json?.fill(0);
    json = undefined;
  }
  // A valid envelope has events and a checksum, so `json` was made above.
  return {
    ok: true,
    batch: { device: batch.device, session: batch.session, seq: batch.seq, checksum: batch.checksum, eventCount: batch.events.length },
    ...packBatchContent(checked.events, json, checked.remasked),
    desktop: summariseDesktop(batch.events),
  };
}
