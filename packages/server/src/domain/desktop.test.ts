import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import { ApiFailure } from '../http/errors.ts';
import { checkDesktopEvents, normaliseDesktopApps, normaliseTitlePatterns, summariseDesktop, titleRecorded } from './desktop.ts';

const failure = (run: () => unknown): { status: number; error: string; field?: string } => {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiFailure) return { status: error.status, error: error.error, ...(error.field ? { field: error.field } : {}) };
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('desktop apps', () => {
  it('are kept in lower case, trimmed, once each', () => {
    expect(normaliseDesktopApps(['XTerm', ' code ', 'xterm', 'org.gnome.Nautilus', 'VirtualBox Manager'])).toEqual(['xterm', 'code', 'org.gnome.nautilus', 'virtualbox manager']);
    expect(normaliseDesktopApps([])).toEqual([]);
  });

  it('refuse, naming the entry, what cannot be a class name', () => {
    for (const bad of ['', '   ', 'code*', 'x?term', '/usr/bin/xterm', 'C:\\code.exe', 'a'.repeat(129), 'x\nterm']) {
      expect(failure(() => normaliseDesktopApps(['xterm', bad])), JSON.stringify(bad)).toEqual({ status: 400, error: 'invalid_request', field: 'desktopApps[1]' });
    }
    expect(failure(() => normaliseDesktopApps(Array.from({ length: 201 }, (_, i) => `app${i}`)))).toMatchObject({ field: 'desktopApps' });
  });
});

describe('title patterns', () => {
  it('collapse runs of * and drop repeats that differ only in case', () => {
    expect(normaliseTitlePatterns(['ticket-**', 'TICKET-*', '*invoice*'])).toEqual(['ticket-*', '*invoice*']);
  });

  it('refuse, naming the entry, patterns that are empty or match every title', () => {
    for (const bad of ['', '  ', '*', '***', ' * ', 'tab\there', 'x'.repeat(201)]) {
      expect(failure(() => normaliseTitlePatterns(['ok*', bad])), JSON.stringify(bad)).toEqual({ status: 400, error: 'invalid_request', field: 'desktopTitles[1]' });
    }
    expect(failure(() => normaliseTitlePatterns(Array.from({ length: 51 }, (_, i) => `t${i}*`)))).toMatchObject({ field: 'desktopTitles' });
  });

  it('match whole titles, ignoring case, with * for any run of characters and every other character literal', () => {
    const patterns = ['ticket-*', '* - Visual Studio Code', 'notes (?).txt'];
    expect(titleRecorded(patterns, 'TICKET-42 — bash')).toBe(true);
    expect(titleRecorded(patterns, 'my ticket-42')).toBe(false);
    expect(titleRecorded(patterns, 'main.ts - visual studio code')).toBe(true);
    expect(titleRecorded(patterns, 'Visual Studio Code')).toBe(false);
    expect(titleRecorded(patterns, 'Notes (?).txt')).toBe(true);
    expect(titleRecorded(patterns, 'notes (1).txt')).toBe(false);
    expect(titleRecorded(['*invoice*'], 'Invoice')).toBe(true);
    expect(titleRecorded(['a*b*c'], 'abc')).toBe(true);
    expect(titleRecorded(['a*b*c'], 'aXbYcZ')).toBe(false);
    expect(titleRecorded([], 'anything at all')).toBe(true);
  });

  it('take no more than linear-ish time on patterns built to backtrack', () => {
    const start = performance.now();
    expect(titleRecorded([`${'*a'.repeat(90)}*b`], 'a'.repeat(1024))).toBe(false);
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('the ingest check', () => {
  const win = (seq: number, app: string): CaptureEvent => ({ seq, t: seq, type: 'window', app, title: 'x', bounds: { x: 0, y: 0, w: 10, h: 10 } });
  const frame = (seq: number): CaptureEvent => ({ seq, t: seq, type: 'frame', format: 'png', width: 1, height: 1, box: { x: 0, y: 0, w: 1, h: 1 }, data: 'iVBORw0KGgo=' });
  const click = (seq: number): CaptureEvent => ({ seq, t: seq, type: 'pointer', kind: 'click', x: 1, y: 1 });
  const program = { id: 'prg_p', desktopApps: ['xterm', 'code'], screenshots: false };

  it('summarises the apps (first window of each, ignoring case) and the first frame', () => {
    expect(summariseDesktop([click(0), win(1, 'XTerm'), frame(2), win(3, 'xterm'), win(4, 'Slack'), frame(5)])).toEqual({
      apps: [
        { app: 'xterm', index: 1 },
        { app: 'slack', index: 4 },
      ],
      frame: 2,
    });
    expect(summariseDesktop([click(0)])).toEqual({ apps: [], frame: null });
  });

  it('passes allowed apps whatever their case, and refuses the first event at fault', () => {
    expect(() => checkDesktopEvents(program, summariseDesktop([win(0, 'XTerm'), win(1, 'Code'), click(2)]))).not.toThrow();
    expect(failure(() => checkDesktopEvents(program, summariseDesktop([win(0, 'xterm'), click(1), win(2, 'slack')])))).toEqual({ status: 400, error: 'not-allowed', field: 'events[2].app' });
    expect(failure(() => checkDesktopEvents(program, summariseDesktop([win(0, 'xterm'), frame(1), win(2, 'slack')])))).toEqual({ status: 400, error: 'not-allowed', field: 'events[1]' });
    expect(() => checkDesktopEvents({ ...program, screenshots: true }, summariseDesktop([win(0, 'xterm'), frame(1)]))).not.toThrow();
    // No apps: nothing on the desktop.
    expect(failure(() => checkDesktopEvents({ ...program, desktopApps: [] }, summariseDesktop([win(0, 'xterm')])))).toMatchObject({ field: 'events[0].app' });
  });
});
