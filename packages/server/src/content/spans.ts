import type { CaptureEvent } from '@lockstep/schema';
import { Segmenter, type SegmenterState } from '@lockstep/trajectory/segment';
import type { Span, SpanCut } from '../store/types.ts';

/**
 * The activity index of a batch, for cutting episodes from metadata alone (domain/episodes.ts).
 *
 * Spans: runs of events with no gap longer than SPAN_GAP_MS, each with its counts, also ended
 * where the trajectory package's Segmenter cuts for an app switch (a top-level navigation to
 * another origin) or after a pause or stop marker: an episode must start at such a span (`cut`),
 * whatever the gap before it. Idle gaps are a program setting, applied when cutting.
 *
 * Whether the first events of a batch are such a cut depends on the batch before it: the app it
 * ended in and whether a marker was pending. That is the session's segmentation state: it names
 * an app, so it is kept sealed under the session key (AppendBatch.segmentState), never in a plain
 * column, and the carry that `segmentBatch` returns with it is kept in memory only. `resolveCuts`
 * settles the first events against the state the previous batch left (`ingest.ts`).
 */

/**
 * Events closer together than this fall into one activity span. Episode cuts (a program setting,
 * at least MIN_IDLE_GAP_MS in domain/episodes.ts) are made between spans, so a span never hides a cut.
 */
export const SPAN_GAP_MS = 30_000;

/** App switches and markers only: idle gaps are cut from the spans with the program's setting. */
const SEGMENT = { idleMs: Infinity } as const;

/** What a session's batches hand on to the next one; sealed under the session key (it names an app). */
export interface SegmentState {
  /** The batch it is the state after. */
  seq: number;
  /** The app of the last top-level navigation so far (null: none yet). */
  app: string | null;
  /** A pause or stop marker came after the last other event. */
  marker: boolean;
  /** The time of the batch's last event. */
  lastT: number;
}

/**
 * What `resolveCuts` needs besides the spans; in memory only (it names apps). A candidate span
 * starts at an event where the batch before may cut: `marker`, the first event other than a
 * marker (a cut if a pause or stop marker was pending); `app`, the first top-level navigation
 * (a cut if the session was in another app). `split`: the span was ended before it only for
 * being a candidate, so it joins the one before again when it turns out not to be a cut.
 */
export interface SegmentCarry {
  marker?: { span: number; split: boolean };
  app?: { span: number; split: boolean; app: string };
  /** The app at the batch's end (null: it navigated nowhere, the earlier one stands). */
  endApp: string | null;
  /** A marker pending at the batch's end: true, false, or null when the batch has no event other than markers (the earlier state stands). */
  endMarker: boolean | null;
  firstT: number;
  lastT: number;
}

export interface SegmentedBatch {
  spans: Span[];
  carry: SegmentCarry;
}

/**
 * An event that shows where the person is: a top-level page load or navigation (web), or the
 * window that input goes to (desktop). Counted per span (`pages`) for the apps of an episode.
 */
export const isPlace = (e: CaptureEvent): boolean => (e.type === 'navigation' && !(e.frame && e.frame.length > 0)) || e.type === 'window';

/** The spans of a batch (in session order), with the cuts the Segmenter makes inside it, and its carry. */
export function segmentBatch(events: readonly CaptureEvent[]): SegmentedBatch {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  const spans: Span[] = [];
  const carry: SegmentCarry = { endApp: null, endMarker: null, firstT: sorted[0]?.t ?? 0, lastT: sorted[0]?.t ?? 0 };
  if (sorted.length === 0) return { spans, carry };
  // Two runs from an unknown start (no app yet): as if no marker was pending, and as if one was.
  // The first cut the second run makes that the first does not is the marker candidate.
  const start = (afterMarker: boolean): SegmenterState => ({ lastT: sorted[0]!.t, app: null, afterMarker });
  const own = new Segmenter(SEGMENT, start(false));
  const pending = new Segmenter(SEGMENT, start(true));
  let lastT = -Infinity;
  for (const e of sorted) {
    const hadApp = own.state.app !== null;
    const cut = own.push(e);
    const ifPending = pending.push(e);
    const last = spans.at(-1);
    // A cut is kept only where it can be told apart in time from the event before it.
    const distinct = last !== undefined && e.t > lastT;
    const reason: SpanCut | null = cut && distinct ? (cut.reason === 'marker' ? 'marker' : 'app') : null;
    const markerCandidate = !cut && ifPending !== null && carry.marker === undefined;
    const appCandidate = !hadApp && own.state.app !== null && !cut;
    const gap = last === undefined || e.t - last.end > SPAN_GAP_MS;
    const candidate = (markerCandidate || appCandidate) && (distinct || last === undefined);
    if (gap || reason || candidate) {
      spans.push({ start: e.t, end: e.t, events: 1, pages: isPlace(e) ? 1 : 0, cut: reason });
      const at = { span: spans.length - 1, split: !gap && !reason };
      if (markerCandidate && candidate) carry.marker = at;
      if (appCandidate && candidate) carry.app = { ...at, app: own.state.app! };
    } else {
      const run = last!;
      run.start = Math.min(run.start, e.t);
      run.end = Math.max(run.end, e.t);
      run.events = (run.events ?? 0) + 1;
      if (isPlace(e)) run.pages = (run.pages ?? 0) + 1;
    }
    lastT = Math.max(lastT, e.t);
  }
  const end = own.state;
  const endIfPending = pending.state;
  carry.endApp = end.app;
  // The runs differ at the end only if the batch holds nothing but markers.
  carry.endMarker = end.afterMarker === endIfPending.afterMarker ? end.afterMarker : null;
  carry.lastT = lastT;
  return { spans, carry };
}

/**
 * Settles the candidate cuts of a batch (batch `seq`) against the state the previous batch left
 * (`prior`: undefined when unknown, e.g. the first batch, or batches that arrived out of order:
 * then no candidate is a cut), and returns the spans to index and the state to hand on.
 */
export function resolveCuts(seq: number, batch: SegmentedBatch, prior: SegmentState | undefined): { spans: Span[]; state: SegmentState } {
  const { carry } = batch;
  const spans = batch.spans.map((s) => ({ ...s }));
  const follows = prior !== undefined && prior.seq === seq - 1;
  const after = (i: number) => follows && batch.spans[i]!.start > prior.lastT;
  const confirmed = new Map<number, SpanCut>();
  if (carry.app && after(carry.app.span) && prior!.app !== null && prior!.app !== carry.app.app) confirmed.set(carry.app.span, 'app');
  if (carry.marker && after(carry.marker.span) && prior!.marker) confirmed.set(carry.marker.span, 'marker');
  for (const [i, cut] of confirmed) spans[i]!.cut = cut;
  // Candidates that are no cut join the span they were split from again (from the last, so that indexes hold).
  const rejoin = [carry.app, carry.marker].filter((c) => c !== undefined && c.split && !confirmed.has(c.span)).map((c) => c!.span);
  for (const i of [...new Set(rejoin)].sort((a, b) => b - a)) {
    const [s] = spans.splice(i, 1);
    const into = spans[i - 1]!;
    into.end = Math.max(into.end, s!.end);
    into.events = (into.events ?? 0) + (s!.events ?? 0);
    into.pages = (into.pages ?? 0) + (s!.pages ?? 0);
  }
  const inherited = follows ? prior : undefined;
  const state: SegmentState = {
    seq,
    app: carry.endApp ?? inherited?.app ?? null,
    marker: carry.endMarker ?? inherited?.marker ?? false,
    lastT: Math.max(carry.lastT, inherited?.lastT ?? -Infinity),
  };
  return { spans, state };
}

/** Activity spans of a batch taken alone (its first events are not settled against the batch before). */
export function activitySpans(events: readonly CaptureEvent[]): Span[] {
  return resolveCuts(0, segmentBatch(events), undefined).spans;
}
