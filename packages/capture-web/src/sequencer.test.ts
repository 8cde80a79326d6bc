import { describe, expect, it } from 'vitest';
import { CaptureEvent } from '@lockstep/schema';
import { Sequencer } from './sequencer.ts';

const target = { tag: 'input', selector: '#a' };

function clock(start: number) {
  let now = start;
  return { now: () => now, set: (v: number) => (now = v) };
}

describe('Sequencer', () => {
  it('assigns seq in arrival order and t from page time, clamped to be monotonic and not ahead of the host', () => {
    const c = clock(1000);
    const s = new Sequencer(1000, c.now);
    expect(s.marker('start')).toEqual({ seq: 0, t: 0, type: 'marker', kind: 'start' });
    c.set(1500);
    const { events } = s.accept([
      { type: 'focus', kind: 'focus', target, pt: 1100 },
      { type: 'focus', kind: 'blur', target, pt: 1050 }, // earlier than the previous one
      { type: 'focus', kind: 'focus', target, pt: 9000 }, // in the future
      { type: 'focus', kind: 'blur', target, pt: 500 }, // before the start
    ]);
    expect(events.map((e) => [e.seq, e.t])).toEqual([
      [1, 100],
      [2, 100],
      [3, 500],
      [4, 500],
    ]);
    for (const e of s.events) expect(CaptureEvent.safeParse(e).success).toBe(true);
    c.set(2000);
    expect(s.marker('stop')).toMatchObject({ seq: 5, t: 1000, kind: 'stop' });
  });

  it('drops and counts invalid events, including host-only markers and extra fields', () => {
    const s = new Sequencer(0, () => 10);
    const { events } = s.accept([
      { type: 'focus', kind: 'focus', target, pt: 1 },
      { type: 'focus', kind: 'focus', target, pt: 1, hostname: 'laptop' },
      { type: 'marker', kind: 'start', pt: 1 },
      { type: 'nope' },
      null,
      'x',
    ]);
    expect(events).toHaveLength(1);
    expect(s.invalid).toBe(5);
    expect(s.accept('not an array').events).toEqual([]);
    expect(s.invalid).toBe(6);
  });

  it('keeps only markers while paused and drops repeated markers', () => {
    const s = new Sequencer(0, () => 10);
    const r = s.accept([
      { type: 'marker', kind: 'pause', reason: 'shortcut', pt: 1 },
      { type: 'focus', kind: 'focus', target, pt: 2 },
      { type: 'marker', kind: 'pause', reason: 'host', pt: 3 },
    ]);
    expect(r.paused).toBe(true);
    expect(r.events.map((e) => e.type)).toEqual(['marker']);
    const r2 = s.accept([
      { type: 'marker', kind: 'resume', reason: 'badge', pt: 4 },
      { type: 'focus', kind: 'blur', target, pt: 5 },
    ]);
    expect(r2.paused).toBe(false);
    expect(r2.events.map((e) => e.type)).toEqual(['marker', 'focus']);
    expect(s.invalid).toBe(0);
  });
});
