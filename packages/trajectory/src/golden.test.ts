// Golden tests of the compiler on the recorded task suite (fixtures/, recorded through the real
// recorder in Chromium by fixtures/record.ts): each recording compiles to exactly the actions in
// its <task>.actions.txt, which were reviewed by hand to be what a person would write down.
import { describe, expect, it } from 'vitest';
import { CaptureEvent } from '@lockstep/schema';
import suite from '../fixtures/suite.json' with { type: 'json' };
import type { Action } from './index.ts';
import { Compiler, compile, describeActions } from './index.ts';
import { FIXTURE_URL, loadRecording, checkActions } from './testing.ts';
import { CODE, DESKTOP_SCREEN, XTERM, xtermSession } from './testing-desktop.ts';

const golden = async (name: string): Promise<string> => ((await import(`../fixtures/${name}.actions.txt?raw`)) as { default: string }).default;

describe('the recorded task suite', () => {
  it('has at least 12 tasks on at least four sample apps', () => {
    expect(suite.length).toBeGreaterThanOrEqual(12);
    expect(new Set(suite.map((t) => t.start.split('/')[0])).size).toBeGreaterThanOrEqual(4);
  });

  describe.each(suite)('$name', ({ name }) => {
    it('compiles to the golden actions', async () => {
      const events = await loadRecording(name);
      const actions = compile(events);
      expect(describeActions(actions, FIXTURE_URL)).toBe(await golden(name));
    });

    it('keeps every action valid, ordered, located and accounted for', async () => {
      const events = await loadRecording(name);
      checkActions(events, compile(events));
    });

    it('compiles the same when streamed, and releases actions as it goes', async () => {
      const events = await loadRecording(name);
      const c = new Compiler();
      const streamed: Action[] = [];
      let early = 0;
      for (const e of events) {
        const out = c.push(e);
        early += out.length;
        streamed.push(...out);
      }
      streamed.push(...c.end());
      expect(streamed).toEqual(compile(events));
      // Only what is still open at the end (the last action or two) waits for end().
      expect(streamed.length - early).toBeLessThanOrEqual(2);
    });
  });

  it('drops the mouse moves that lead nowhere and keeps what the person did', async () => {
    let moves = 0;
    let events = 0;
    let actions = 0;
    for (const { name } of suite) {
      const rec: CaptureEvent[] = await loadRecording(name);
      events += rec.length;
      moves += rec.filter((e) => e.type === 'pointer' && e.kind === 'move').length;
      actions += compile(rec).length;
    }
    expect(moves).toBeGreaterThan(100);
    expect(actions).toBeLessThan(events / 5);
  });
});

// A desktop recording, synthetic (fixtures of the desktop agent come once it records): the events
// it sends for an xterm session (see testing-desktop.ts), and the actions a person would write
// down for it (fixtures/desktop-xterm.actions.txt, written by hand before the compiler ran on it).
describe('a desktop recording: an xterm session', () => {
  const events = xtermSession().map((e) => CaptureEvent.parse(e));

  it('compiles to the golden actions', async () => {
    expect(describeActions(compile(events))).toBe(await golden('desktop-xterm'));
  });

  it('keeps every action valid, ordered, located and accounted for', () => {
    checkActions(events, compile(events));
  });

  it('compiles the same when streamed, and releases actions as it goes', () => {
    const c = new Compiler();
    const streamed: Action[] = [];
    let early = 0;
    for (const e of events) {
      const out = c.push(e);
      early += out.length;
      streamed.push(...out);
    }
    streamed.push(...c.end());
    expect(streamed).toEqual(compile(events));
    expect(streamed.length - early).toBeLessThanOrEqual(2);
  });

  it('places pointer actions in screen pixels, normalised by the screen, on the window they went to', () => {
    const actions = compile(events);
    for (const a of actions) {
      if (!('point' in a)) continue;
      expect(a.screen).toEqual({ ...DESKTOP_SCREEN, dpr: 1 });
      expect(a.point.nx).toBeCloseTo(a.point.x / DESKTOP_SCREEN.width, 4);
      expect(a.point.ny).toBeCloseTo(a.point.y / DESKTOP_SCREEN.height, 4);
      const win = a.point.x < CODE.bounds.x ? XTERM : CODE;
      expect(a.target).toMatchObject({ tag: 'window', role: 'window', selector: win.app, box: win.bounds });
    }
    const downs = events.filter((e) => e.type === 'pointer' && e.kind === 'down');
    const clicked = actions.filter((a) => a.kind === 'click' || a.kind === 'double_click' || a.kind === 'right_click' || a.kind === 'drag');
    // One action per press (a double click has two): no phantom clicks from the hook's click events.
    expect(clicked.reduce((n, a) => n + (a.kind === 'double_click' ? 2 : 1), 0)).toBe(downs.length);
  });

  it('points every action after a screenshot at the last settled one before it', () => {
    const frames = events.filter((e) => e.type === 'frame');
    for (const a of compile(events)) {
      if (a.kind === 'wait' || !a.observation) continue;
      expect(a.observation.kind).toBe('screenshot');
      if (a.observation.kind !== 'screenshot') continue;
      expect(a.observation).toMatchObject({ id: `frame-${a.observation.seq}`, settled: true });
      const before = frames.filter((f) => f.seq < a.seq.from);
      expect(before.map((f) => f.seq)).toContain(a.observation.seq);
    }
  });
});
