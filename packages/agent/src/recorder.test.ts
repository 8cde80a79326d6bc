import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import type { RawInput } from './hooks/host.ts';
import { keyFor } from './keymap.ts';
import { DesktopRecorder, type WindowInfo } from './recorder.ts';

const bounds = { x: 0, y: 0, w: 800, h: 600 };
const shell: WindowInfo = { id: 11, app: 'XTerm', title: 'build shell', bounds };
const prompt: WindowInfo = { id: 12, app: 'XTerm', title: '[sudo] password for ann:', bounds };
const mail: WindowInfo = { id: 13, app: 'Thunderbird', title: 'Inbox', bounds };
const SETTINGS = { apps: ['xterm'], titles: [], screenshots: false };

/** A recorder on a hand-driven clock, collecting what it emits. */
function setup() {
  let now = 1_000_000;
  const out: CaptureEvent[] = [];
  const rec = new DesktopRecorder({ emit: (e) => out.push(...e), keyOf: keyFor, screen: { width: 1280, height: 800 }, now: () => now });
  const tick = (ms: number) => (now += ms);
  /** Key down and up for each character (US layout, shift for capitals and symbols). */
  const type = (text: string): RawInput[] => {
    const evs: RawInput[] = [];
    for (const ch of text) {
      const code = keycodeOf(ch);
      const shift = ch !== ch.toLowerCase() || '@!_:'.includes(ch);
      const base = { keycode: code.keycode, alt: false, ctrl: false, meta: false, shift };
      evs.push({ kind: 'keydown', ...base, time: tick(40) }, { kind: 'keyup', ...base, time: tick(30) });
    }
    return evs;
  };
  return { rec, out, tick, type, now: () => now };
}

/** The uiohook keycode that types `ch` (with or without shift). */
function keycodeOf(ch: string): { keycode: number } {
  // Every keycode the keymap knows (uiohook itself is not loaded here: it needs a display).
  for (let keycode = 1; keycode < 0xf000; keycode++) {
    const k = keyFor(keycode, false);
    const s = keyFor(keycode, true);
    if (k.char === ch || s.char === ch) return { keycode };
  }
  throw new Error(`no key types ${JSON.stringify(ch)}`);
}

const keyDowns = (events: CaptureEvent[]) => events.filter((e): e is Extract<CaptureEvent, { type: 'key' }> => e.type === 'key' && e.kind === 'down');

describe('DesktopRecorder', () => {
  it('keeps nothing before consent, then starts the session with the screen and the window', () => {
    const { rec, out, type } = setup();
    rec.configure(SETTINGS);
    rec.focus(shell);
    rec.input(type('early'));
    expect(out).toEqual([]);
    rec.resume('consent');
    rec.input(type('ok'));
    rec.end();
    expect(out.slice(0, 3).map((e) => [e.seq, e.type])).toEqual([
      [0, 'marker'],
      [1, 'viewport'],
      [2, 'window'],
    ]);
    expect(out[0]).toMatchObject({ kind: 'start', t: 0 });
    expect(keyDowns(out).map((e) => e.char).join('')).toBe('ok');
    expect(out.map((e) => e.seq)).toEqual(out.map((_, i) => i));
    expect(out.at(-1)).toMatchObject({ type: 'marker', kind: 'stop' });
  });

  it('masks an e-mail address typed key by key, and keeps the rest', () => {
    const { rec, out, type } = setup();
    rec.configure(SETTINGS);
    rec.focus(shell);
    rec.resume('consent');
    rec.input(type('mail ann.lindqvist@example.org '));
    rec.end();
    const downs = keyDowns(out);
    // Masked to its shape: letters x, other characters *, the words around it as typed.
    expect(downs.map((e) => e.char ?? '').join('')).toBe('mail xxx*xxxxxxxxx*xxxxxxx*xxx ');
    expect(JSON.stringify(out)).not.toContain('lindqvist');
    expect(downs.filter((e) => e.redacted?.kind === 'email').length).toBe('ann.lindqvist@example.org'.length);
  });

  it('keeps no key at all in a credential prompt, and only one away marker outside the allow-list', () => {
    const { rec, out, type } = setup();
    rec.configure(SETTINGS);
    rec.focus(prompt);
    rec.resume('consent');
    rec.input(type('Hunter2Orchid'));
    rec.input([{ kind: 'click', x: 5, y: 5, button: 1, clicks: 1, alt: false, ctrl: false, meta: false, shift: false, time: 0 }]);
    rec.focus(mail);
    rec.input(type('secret plans'));
    rec.focus({ ...mail, title: 'Drafts' });
    rec.focus(shell);
    rec.end();
    expect(out.filter((e) => e.type === 'key')).toEqual([]);
    expect(out.filter((e) => e.type === 'window').map((e) => e.type === 'window' && [e.title, e.credential ?? false])).toEqual([
      ['[sudo] password for ann:', true],
      ['build shell', false],
    ]);
    expect(out.filter((e) => e.type === 'pointer')).toHaveLength(1);
    expect(out.filter((e) => e.type === 'marker' && e.kind === 'away')).toHaveLength(1);
    expect(JSON.stringify(out)).not.toMatch(/Hunter|Orchid|secret|Inbox|Drafts|Thunderbird/);
  });

  it('pauses on Alt+Shift+P without recording it, and on every other stop reason until each is lifted', () => {
    const { rec, out, type, tick } = setup();
    rec.configure(SETTINGS);
    rec.focus(shell);
    rec.resume('consent');
    const p = keycodeOf('p').keycode;
    const chord = { keycode: p, alt: true, ctrl: false, meta: false, shift: true };
    rec.input([{ kind: 'keydown', ...chord, time: tick(10) }, { kind: 'keyup', ...chord, time: tick(10) }]);
    expect(rec.recording).toBe(false);
    rec.input(type('hidden'));
    rec.input([{ kind: 'keydown', ...chord, time: tick(10) }, { kind: 'keyup', ...chord, time: tick(10) }]);
    expect(rec.recording).toBe(true);
    rec.stop('kill-switch');
    rec.stop('user');
    rec.resume('kill-switch');
    rec.input(type('still'));
    rec.resume('user');
    rec.input(type('on'));
    rec.end();
    const markers = out.filter((e) => e.type === 'marker').map((e) => e.type === 'marker' && `${e.kind}:${e.reason ?? ''}`);
    expect(markers).toEqual(['start:', 'pause:shortcut', 'resume:shortcut', 'pause:kill-switch', 'resume:user', 'stop:user']);
    expect(keyDowns(out).map((e) => e.char ?? e.key).join('')).toBe('on');
  });

  it('marks a gap when the spool is full, and keeps mouse moves sparse unless a button is held', () => {
    const { rec, out, tick } = setup();
    rec.configure(SETTINGS);
    rec.focus(shell);
    rec.resume('consent');
    const move = (x: number, buttons = false): RawInput => ({ kind: 'mousemove', x, y: 10, button: buttons ? 1 : 0, clicks: 0, alt: false, ctrl: false, meta: false, shift: false, time: tick(10) });
    rec.input([move(1), move(2), move(3), move(4)]);
    expect(out.filter((e) => e.type === 'pointer')).toHaveLength(1);
    rec.input([{ kind: 'mousedown', x: 4, y: 10, button: 1, clicks: 1, alt: false, ctrl: false, meta: false, shift: false, time: tick(10) }, move(5, true), move(6, true), move(7, true)]);
    expect(out.filter((e) => e.type === 'pointer' && e.kind === 'move')).toHaveLength(4);
    rec.stop('spool-full');
    rec.resume('spool-full');
    const last = out.filter((e) => e.type === 'marker').at(-1);
    expect(last).toMatchObject({ kind: 'gap', reason: 'spool-full' });
    expect(out.at(-1)).toMatchObject({ type: 'window', title: 'build shell' });
  });
});

describe('window titles', () => {
  it('are kept with secrets and personal data masked, and the machine and account names scrubbed', async () => {
    const { identityScrubber } = await import('./agent.ts');
    const scrub = identityScrubber(['build-7', 'ann']);
    expect(scrub('ann@build-7: ~/src (chroot build-7x)')).toBe('xxx@xxxxx-9: ~/src (chroot build-7x)');
    const out: CaptureEvent[] = [];
    const rec = new DesktopRecorder({ emit: (e) => out.push(...e), keyOf: keyFor, screen: { width: 1280, height: 800 }, scrub });
    rec.configure({ apps: ['xterm', 'thunderbird'], titles: [], screenshots: false });
    rec.focus({ ...shell, title: 'ann@build-7: ~' });
    rec.resume('consent');
    rec.focus({ ...mail, title: 'Inbox — ann.lindqvist@example.org — Mozilla Thunderbird' });
    rec.end();
    const titles = out.flatMap((e) => (e.type === 'window' ? [e.title] : []));
    expect(titles[0]).toBe('xxx@xxxxx-9: ~');
    expect(titles[1]).toMatch(/^Inbox — .+ — Mozilla Thunderbird$/);
    expect(titles[1]).not.toContain('lindqvist');
  });
});
