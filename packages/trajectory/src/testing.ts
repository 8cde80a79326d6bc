// Helpers for this package's tests (pure: fixtures are loaded with dynamic import, not the file system).
import { expect } from 'vitest';
import { CaptureEvent } from '@lockstep/schema';
import { Action } from './actions.ts';
import type { DescribeOptions } from './describe.ts';

/** The neutral origin the fixtures use for the sample server (see fixtures/tasks.ts). */
export const FIXTURE_ORIGIN = 'http://samples.test';
export const FIXTURE_URL: DescribeOptions = { url: (u) => u.split(FIXTURE_ORIGIN).join('') };

/** A recording of the task suite, validated against the event schema. */
export async function loadRecording(name: string): Promise<CaptureEvent[]> {
  const mod = (await import(`../fixtures/${name}.events.json`)) as { default: unknown[] };
  return mod.default.map((e) => CaptureEvent.parse(e));
}

/**
 * What every compiled action list must keep: schema-valid actions in the order of their first
 * events; coordinates normalised into [0, 1] and inside the target's box for clicks; an
 * observation before every action but the first page or window (and a return from a window that
 * is not recorded); and every press, key and wheel of the recording inside some action (nothing
 * the person did is lost).
 */
export function checkActions(events: readonly CaptureEvent[], actions: readonly Action[]): void {
  let last = -1;
  for (const a of actions) {
    Action.parse(a);
    expect(a.seq.from).toBeGreaterThanOrEqual(last);
    last = a.seq.from;
    expect(a.seq.to).toBeGreaterThanOrEqual(a.seq.from);
    // Nothing was shown before the first page or window, nor (desktop) before coming back from an unrecorded window.
    const unseen = (a.kind === 'navigate' && a.cause === 'initial') || (a.kind === 'switch' && (a.cause === 'initial' || a.cause === 'return'));
    if (!unseen) expect(a.observation, JSON.stringify(a)).toBeDefined();
    // A wait shows what the person looked at while waiting: the state before the next action.
    if (a.observation && a.kind !== 'wait') expect(a.observation.seq).toBeLessThan(Math.max(a.seq.from, 1));
    if (a.kind === 'click' || a.kind === 'double_click' || a.kind === 'right_click') {
      const box = a.target?.box;
      if (box && !a.target?.masked && box.w > 0) {
        expect(a.point.x).toBeGreaterThanOrEqual(box.x - 1);
        expect(a.point.x).toBeLessThanOrEqual(box.x + box.w + 1);
      }
      expect(a.point.nx).toBeCloseTo(a.point.x / a.screen.width, 3);
      expect(a.point.ny).toBeCloseTo(a.point.y / a.screen.height, 3);
    }
  }
  const covered = (seq: number) => actions.some((a) => a.seq.from <= seq && seq <= a.seq.to);
  for (const e of events) {
    const mustCount = (e.type === 'pointer' && e.kind === 'down') || e.type === 'wheel' || (e.type === 'key' && e.kind === 'down' && !['Control', 'Shift', 'Alt', 'Meta'].includes(e.key));
    if (mustCount) expect(covered(e.seq), `event ${e.seq} (${e.type} ${'kind' in e ? e.kind : ''} ${'key' in e ? e.key : ''}) is in no action`).toBe(true);
  }
}
