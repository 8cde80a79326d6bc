import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import { cutSession } from '@lockstep/trajectory';
import type { Span } from '../store/types.ts';
import { SPAN_GAP_MS, type SegmentState, resolveCuts, segmentBatch } from './spans.ts';

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SITES = ['https://mail.example.com', 'https://docs.example.com', 'https://tickets.example.org'];

/** A session: clicks, page loads on a few sites (some in a frame), pauses and stops, gaps short and long. */
function session(seed: number, n = 120, desktop = false): CaptureEvent[] {
  const rnd = random(seed);
  const APPS = ['xterm', 'code', 'libreoffice-calc'];
  const out: CaptureEvent[] = [];
  let t = 0;
  for (let seq = 0; seq < n; seq++) {
    t += rnd() < 0.1 ? 40_000 + Math.floor(rnd() * 200_000) : 1 + Math.floor(rnd() * 3000);
    const r = rnd();
    const site = SITES[Math.floor(rnd() * SITES.length)]!;
    if (desktop && r < 0.15) out.push({ seq, t, type: 'window', app: APPS[Math.floor(rnd() * APPS.length)]!, title: `w${seq}`, bounds: { x: 0, y: 0, w: 640, h: 480 } });
    else if (desktop && r < 0.17) out.push({ seq, t, type: 'marker', kind: rnd() < 0.5 ? 'away' : 'gap', ...(rnd() < 0.5 ? {} : { reason: 'spool-full' }) });
    else if (r < 0.15) out.push({ seq, t, type: 'navigation', kind: 'load', url: `${site}/page/${seq}`, title: 'Page', ...(rnd() < 0.2 ? { frame: [0] } : {}) });
    else if (r < 0.2) out.push({ seq, t, type: 'marker', kind: rnd() < 0.5 ? 'pause' : 'resume', reason: 'user' });
    else if (r < 0.22) out.push({ seq, t, type: 'marker', kind: 'stop', reason: 'user' });
    else out.push({ seq, t, type: 'scroll', scrollX: 0, scrollY: seq });
  }
  return out;
}

/** Batches of a session, cut at random places, each settled against the state the one before left. */
function ingest(events: CaptureEvent[], seed: number, order?: (batches: CaptureEvent[][]) => Array<[number, CaptureEvent[]]>): Span[] {
  const rnd = random(seed);
  const batches: CaptureEvent[][] = [];
  for (let i = 0; i < events.length; ) {
    const size = 1 + Math.floor(rnd() * 25);
    batches.push(events.slice(i, i + size));
    i += size;
  }
  const spans: Span[] = [];
  let state: SegmentState | undefined;
  for (const [seq, batch] of order ? order(batches) : batches.map((b, i) => [i, b] as [number, CaptureEvent[]])) {
    const cut = resolveCuts(seq, segmentBatch(batch), state);
    spans.push(...cut.spans);
    if (!state || seq > state.seq) state = cut.state;
  }
  return spans.sort((a, b) => a.start - b.start);
}

describe('activity spans with cuts', () => {
  it.each([
    ['web', false],
    ['desktop', true],
  ])('cut where the Segmenter cuts for app switches and markers, however the session is batched (%s)', (_kind, desktop) => {
    let missedAtBatchStarts = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const events = session(seed, 120, desktop);
      const expected = cutSession(events, { idleMs: Infinity })
        .filter((c) => c.reason === 'app' || c.reason === 'marker')
        .map((c) => [c.t, c.reason]);
      expect(expected.length, `seed ${seed}`).toBeGreaterThan(0);
      for (const batching of [seed, seed + 100, seed + 200]) {
        const spans = ingest(events, batching);
        expect(spans.filter((s) => s.cut !== null).map((s) => [s.start, s.cut]), `seed ${seed}, batching ${batching}`).toEqual(expected);
        // Every event is counted once, and each top-level navigation or desktop window as a place.
        expect(spans.reduce((n, s) => n + s.events!, 0)).toBe(events.length);
        expect(spans.reduce((n, s) => n + s.pages!, 0)).toBe(events.filter((e) => (e.type === 'navigation' && !e.frame) || e.type === 'window').length);
        // A span never spans a gap longer than SPAN_GAP_MS, nor starts anywhere but at an event.
        const times = new Set(events.map((e) => e.t));
        for (const s of spans) expect(times.has(s.start) && times.has(s.end)).toBe(true);
        for (const e of events) expect(spans.some((s) => s.start <= e.t && e.t <= s.end)).toBe(true);
      }
      // Without the state of the batch before (every batch arriving after a missing one), cuts at batch starts are missed.
      const unchained = ingest(events, seed, (batches) => batches.map((b, i) => [i * 2, b]));
      missedAtBatchStarts += expected.length - unchained.filter((s) => s.cut !== null).length;
    }
    expect(missedAtBatchStarts).toBeGreaterThan(0);
  });

  it('hold times, counts and reasons only: no app, no URL', () => {
    const events = session(7);
    const text = JSON.stringify(ingest(events, 3));
    for (const site of SITES) expect(text).not.toContain(new URL(site).host);
    expect(Object.keys(ingest(events, 3)[0]!).sort()).toEqual(['cut', 'end', 'events', 'pages', 'start']);
  });

  it('cut at the first events of a batch only when the batch before is known', () => {
    const nav = (seq: number, t: number, site: string): CaptureEvent => ({ seq, t, type: 'navigation', kind: 'load', url: `${site}/x`, title: 'x' });
    const scroll = (seq: number, t: number): CaptureEvent => ({ seq, t, type: 'scroll', scrollX: 0, scrollY: 0 });
    const first = [nav(0, 0, SITES[0]!), scroll(1, 10), { seq: 2, t: 20, type: 'marker', kind: 'pause' } as CaptureEvent];
    const second = [scroll(3, 30), nav(4, 40, SITES[1]!), scroll(5, 50)];
    const a = resolveCuts(0, segmentBatch(first), undefined);
    expect(a.state).toMatchObject({ seq: 0, app: SITES[0], marker: true });
    // In order: the pause cuts at its next event, and the other site at its load.
    expect(resolveCuts(1, segmentBatch(second), a.state).spans.map((s) => [s.start, s.cut])).toEqual([
      [30, 'marker'],
      [40, 'app'],
    ]);
    // Out of order (the state is from a later batch, or a batch is missing): no cut at the first events, one span again.
    expect(resolveCuts(1, segmentBatch(second), { ...a.state, seq: 5 }).spans.map((s) => [s.start, s.end, s.cut, s.events])).toEqual([[30, 50, null, 3]]);
    expect(resolveCuts(3, segmentBatch(second), a.state).spans).toHaveLength(1);
    // A batch of markers alone hands the pending marker on.
    const markers = resolveCuts(1, segmentBatch([{ seq: 3, t: 25, type: 'marker', kind: 'resume' }]), a.state);
    expect(markers.state).toMatchObject({ seq: 1, app: SITES[0], marker: true });
    expect(resolveCuts(2, segmentBatch(second.map((e) => ({ ...e, seq: e.seq + 1 }))), markers.state).spans[0]!.cut).toBe('marker');
    expect(SPAN_GAP_MS).toBeLessThan(60_000);
  });
});
