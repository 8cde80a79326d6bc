import type { CaptureEvent } from '@lockstep/schema';
import { packEvents } from '../crypto/chunk.ts';
import type { BatchStats } from '../store/types.ts';
import { type SegmentedBatch, segmentBatch } from './spans.ts';
import { batchStats } from './stats.ts';

export interface PackedContent {
  /** The events' JSON, compressed (not yet sealed). */
  packed: Buffer;
  rawBytes: number;
  stats: BatchStats;
  /** How the batch cuts into episodes (spans.ts); in memory only, it names apps. */
  segment: SegmentedBatch;
}

/**
 * A batch's content ready to seal: its events' JSON (`json`, when the caller already holds the
 * bytes the checksum covered, else serialised here), compressed, with the batch's statistics
 * (`remasked`: what the server's redaction check masked in it).
 * The plaintext buffer is zeroed before returning.
 */
export function packBatchContent(events: readonly CaptureEvent[], json?: Buffer, remasked: Record<string, number> = {}): PackedContent {
  const plain = json ?? Buffer.from(JSON.stringify(events), 'utf8');
  try {
    const segment = segmentBatch(events);
    return { packed: packEvents(plain), rawBytes: plain.length, stats: batchStats(events, remasked, segment), segment };
  } finally {
    plain.fill(0);
  }
}
