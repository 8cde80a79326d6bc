import type { CaptureEvent } from '@lockstep/schema';
import type { Span } from '../store/types.ts';

/**
 * Events closer together than this fall into one activity span. Episode cuts (a program setting,
 * at least MIN_IDLE_GAP_MS in domain/episodes.ts) are made between spans, so a span never hides a cut.
 */
export const SPAN_GAP_MS = 30_000;

/** Runs of activity in a batch, from event times alone: [first t, last t] with no gap longer than SPAN_GAP_MS inside. */
export function activitySpans(events: readonly CaptureEvent[]): Span[] {
  const times = events.map((e) => e.t).sort((a, b) => a - b);
  const spans: Span[] = [];
  for (const t of times) {
    const last = spans.at(-1);
    if (last && t - last[1] <= SPAN_GAP_MS) last[1] = t;
    else spans.push([t, t]);
  }
  return spans;
}
