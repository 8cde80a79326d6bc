import type { CaptureEvent } from '@lockstep/schema';
import type { BatchStats } from '../store/types.ts';
import { type SegmentedBatch, resolveCuts, segmentBatch } from './spans.ts';

/** The origin (scheme://host:port) of an http(s) URL, or undefined. Nothing else of the URL is kept. */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Metadata of one batch: times, counts per event type, navigated origins, what the server
 * re-masked, and its activity spans taken alone (ingest settles its first events against the
 * batch before: see spans.ts). `segmented`: the batch's segmentation, when the caller has it.
 */
export function batchStats(events: readonly CaptureEvent[], remasked: Record<string, number> = {}, segmented: SegmentedBatch = segmentBatch(events)): BatchStats {
  let firstT = Infinity;
  let lastT = -Infinity;
  const counts: Record<string, number> = {};
  const origins: string[] = [];
  for (const event of events) {
    firstT = Math.min(firstT, event.t);
    lastT = Math.max(lastT, event.t);
    counts[event.type] = (counts[event.type] ?? 0) + 1;
    if (event.type === 'navigation') {
      const origin = originOf(event.url);
      if (origin && !origins.includes(origin)) origins.push(origin);
    }
  }
  return { firstT, lastT, eventCount: events.length, counts, origins, remasked, spans: resolveCuts(0, segmented, undefined).spans };
}
