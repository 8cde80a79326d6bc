import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import { compile } from './compile/compiler.ts';
import { Segmenter, buildEpisodes, cutSession, labelEpisode, mergeAt, splitAt } from './segment.ts';
import { loadRecording } from './testing.ts';
import { CODE, XTERM, desktopSession, xtermSession } from './testing-desktop.ts';

/** Several recordings played one after the other as one session, with gaps between them. */
async function longSession(names: string[], gap: number): Promise<CaptureEvent[]> {
  const out: CaptureEvent[] = [];
  let t = 0;
  for (const name of names) {
    const first = out.length === 0;
    const events = (await loadRecording(name)).filter((e, i) => e.type !== 'marker' || (first && i === 0));
    const base = out.length === 0 ? 0 : t + gap;
    for (const e of events) out.push({ ...e, seq: out.length, t: base + e.t });
    t = out.at(-1)!.t;
  }
  return out;
}

describe('episodes', () => {
  it('cuts at idle gaps and app switches, and summarises each episode', async () => {
    const events = await longSession(['signup-validation', 'editor-rename', 'board-move-card'], 200_000);
    const cuts = cutSession(events);
    expect(cuts.map((c) => c.reason)).toEqual(['start', 'idle', 'idle']);
    const episodes = buildEpisodes(cuts, events, compile(events));
    expect(episodes).toHaveLength(3);
    expect(episodes[1]).toMatchObject({ index: 1, reason: 'idle', apps: ['http://samples.test'], counts: { navigate: 1, click: 1, hotkey: 1, type: 1, key: 1 }, actions: 5 });
    expect(episodes[0]!.duration).toBeGreaterThan(1000);
    expect(episodes.reduce((n, e) => n + e.events, 0)).toBe(events.length);

    // App switches: each sample on its own origin.
    const apps = cutSession(events, { idleMs: Infinity, appOf: (url) => url.split('/')[3] ?? url });
    expect(apps.map((c) => c.reason)).toEqual(['start', 'app', 'app']);
  });

  it('cuts after a pause, and lets the subject split, merge and label', async () => {
    const events = await longSession(['signup-validation', 'editor-rename'], 1000);
    const mid = events.findIndex((e, i) => i > 0 && e.type === 'navigation' && e.url.includes('editor'));
    events.splice(mid, 0, { seq: 0, t: events[mid - 1]!.t, type: 'marker', kind: 'pause', reason: 'user' });
    const renumbered = events.map((e, i) => ({ ...e, seq: i }));
    const cuts = cutSession(renumbered);
    expect(cuts.map((c) => c.reason)).toEqual(['start', 'marker']);
    const merged = mergeAt(cuts, 0);
    expect(merged.map((c) => c.reason)).toEqual(['start']);
    const split = splitAt(merged, 10, renumbered[10]!.t);
    expect(split.map((c) => [c.seq, c.reason])).toEqual([[0, 'start'], [10, 'subject']]);
    const [first] = buildEpisodes(split, renumbered, compile(renumbered), { labels: { 0: '  Open the sign-up form  ' } });
    expect(first!.label).toBe('Open the sign-up form');
    expect(labelEpisode(first!, 'Sign up').label).toBe('Sign up');
    expect(() => labelEpisode(first!, '   ')).toThrow();
    expect(() => mergeAt(split, 1)).toThrow(RangeError);
  });

  it('carries on from a saved state as if it had seen the events before', async () => {
    const events = await longSession(['signup-validation', 'editor-rename', 'board-move-card'], 200_000);
    const whole = cutSession(events, { appOf: (url) => url.split('/')[3] ?? url });
    for (const at of [1, 40, Math.floor(events.length / 2), events.length - 1]) {
      const head = new Segmenter({ appOf: (url) => url.split('/')[3] ?? url });
      const cuts = events.slice(0, at).flatMap((e) => head.push(e) ?? []);
      const tail = new Segmenter({ appOf: (url) => url.split('/')[3] ?? url }, head.state);
      cuts.push(...events.slice(at).flatMap((e) => tail.push(e) ?? []));
      expect(cuts).toEqual(whole);
    }
    expect(new Segmenter().state).toEqual({ lastT: null, app: null, afterMarker: false });
  });
});

describe('episodes on the desktop', () => {
  it('cut where the window’s app changes, not at a new title or another window of the same app', () => {
    const s = desktopSession().window(XTERM).idle(1000).type('ls').window({ ...XTERM, title: 'alice@dev: ~/src' }).idle(1000).window({ ...XTERM, bounds: { x: 960, y: 0, w: 960, h: 1080 } }).idle(1000).window(CODE).idle(1000).window(XTERM);
    const cuts = cutSession(s.events);
    const windows = s.events.filter((e) => e.type === 'window');
    expect(cuts.map((c) => c.reason)).toEqual(['start', 'app', 'app']);
    expect(cuts.slice(1).map((c) => c.seq)).toEqual([windows[3]!.seq, windows[4]!.seq]);
    expect(cutSession(s.events, { cutOnAppSwitch: false }).map((c) => c.reason)).toEqual(['start']);
  });

  it('cut after away and gap markers as after a pause: at the next event that is not a marker', () => {
    const s = desktopSession().window(XTERM).idle(1000).type('ab').marker('away').marker('pause').idle(20_000).window(XTERM, 0).type('cd').marker('gap', 100, 'spool-full').type('ef');
    const cuts = cutSession(s.events);
    expect(cuts.map((c) => c.reason)).toEqual(['start', 'marker', 'marker']);
    const back = s.events.filter((e) => e.type === 'window')[1]!;
    expect(cuts[1]!.seq).toBe(back.seq);
    const gap = s.events.find((e) => e.type === 'marker' && e.kind === 'gap')!;
    expect(cuts[2]!.seq).toBe(gap.seq + 1);
    expect(cutSession(s.events, { cutOnMarkers: false }).map((c) => c.reason)).toEqual(['start']);
  });

  it('summarise each episode with the window classes it used', () => {
    const events = xtermSession();
    const cuts = cutSession(events);
    // The session: xterm, then VS Code (an app switch), then away and back in xterm (a marker cut).
    expect(cuts.map((c) => c.reason)).toEqual(['start', 'app', 'marker']);
    const episodes = buildEpisodes(cuts, events, compile(events));
    expect(episodes.map((e) => e.apps)).toEqual([['xterm'], ['code'], ['xterm']]);
    expect(episodes.reduce((n, e) => n + e.events, 0)).toBe(events.length);
    // The click on VS Code was made from xterm: it ends the first episode; the switch it caused opens the second.
    expect(episodes[0]!.counts).toEqual({ switch: 1, type: 2, key: 2, hotkey: 1, click: 2, wait: 1 });
    expect(episodes[1]!.counts).toEqual({ switch: 1, type: 1, hotkey: 1 });
  });

  it('carry on from a saved state across the batches of a desktop session', () => {
    const events = xtermSession();
    const whole = cutSession(events);
    for (let at = 1; at < events.length; at++) {
      const head = new Segmenter();
      const cuts = events.slice(0, at).flatMap((e) => head.push(e) ?? []);
      const tail = new Segmenter({}, head.state);
      cuts.push(...events.slice(at).flatMap((e) => tail.push(e) ?? []));
      expect(cuts, `split at ${at}`).toEqual(whole);
    }
  });
});
