// Golden tests of the compiler on the recorded task suite (fixtures/, recorded through the real
// recorder in Chromium by fixtures/record.ts): each recording compiles to exactly the actions in
// its <task>.actions.txt, which were reviewed by hand to be what a person would write down.
import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import suite from '../fixtures/suite.json' with { type: 'json' };
import type { Action } from './index.ts';
import { Compiler, compile, describeActions } from './index.ts';
import { FIXTURE_URL, loadRecording, checkActions } from './testing.ts';

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
