import type { CaptureEvent } from '@lockstep/schema';
import { packEvents } from '../crypto/chunk.ts';
import type { BatchStats } from '../store/types.ts';
import { batchStats } from './stats.ts';

export interface PackedContent {
  /** The events' JSON, compressed (not yet sealed). */
  packed: Buffer;
  rawBytes: number;
  stats: BatchStats;
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
    return { packed: packEvents(plain), rawBytes: plain.length, stats: batchStats(events, remasked) };
  } finally {
    plain.fill(0);
  }
}
