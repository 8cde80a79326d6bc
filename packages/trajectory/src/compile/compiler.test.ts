import { describe, expect, it } from 'vitest';
import type { CaptureEvent, Modifiers, Target } from '@lockstep/schema';
import { Compiler, compile } from './compiler.ts';
import { describeActions } from '../describe.ts';
import type { Action } from '../actions.ts';

const NO: Modifiers = { alt: false, ctrl: false, meta: false, shift: false };
const T = (selector: string, tag = 'input', role = 'textbox'): Target => ({ tag, role, selector, box: { x: 10, y: 10, w: 200, h: 30 } });
const FIELD = T('#f');
const OTHER = T('#g');
const BTN = T('#b', 'button', 'button');

/** A tiny session builder: events get seq in order and times from `at`. */
function session() {
  const events: CaptureEvent[] = [];
  let t = 0;
  const add = (e: Record<string, unknown>, dt = 10) => {
    t += dt;
    events.push({ seq: events.length, t, ...e } as CaptureEvent);
  };
  add({ type: 'marker', kind: 'start' }, 0);
  add({ type: 'viewport', width: 1000, height: 500, dpr: 2, scrollX: 0, scrollY: 0 });
  add({ type: 'navigation', kind: 'load', url: 'https://app.test/', title: 'App' });
  const api = {
    events,
    idle(ms: number) {
      t += ms;
      return api;
    },
    down(x: number, y: number, target: Target = BTN, button = 0) {
      add({ type: 'pointer', kind: 'down', x, y, button, buttons: 1, mods: NO, target });
      return api;
    },
    move(x: number, y: number, buttons = 1) {
      add({ type: 'pointer', kind: 'move', x, y, ...(buttons ? { buttons } : {}) }, 5);
      return api;
    },
    up(x: number, y: number, target: Target = BTN, button = 0) {
      add({ type: 'pointer', kind: 'up', x, y, button, buttons: 0, mods: NO, target });
      return api;
    },
    ev(kind: string, x: number, y: number, target: Target = BTN, button = 0) {
      add({ type: 'pointer', kind, x, y, button, buttons: 0, mods: NO, target });
      return api;
    },
    click(x: number, y: number, target: Target = BTN) {
      return api.down(x, y, target).up(x, y, target).ev('click', x, y, target);
    },
    key(key: string, mods: Partial<Modifiers> = {}, target: Target = FIELD, extra: Record<string, unknown> = {}) {
      const m = { ...NO, ...mods };
      const char = key.length === 1 && !m.ctrl && !m.meta ? { char: key } : {};
      add({ type: 'key', kind: 'down', key, code: key.length === 1 ? `Key${key.toUpperCase()}` : key, mods: m, target, ...char, ...extra });
      return api;
    },
    keyup(key: string, mods: Partial<Modifiers> = {}, target: Target = FIELD) {
      add({ type: 'key', kind: 'up', key, code: key.length === 1 ? `Key${key.toUpperCase()}` : key, mods: { ...NO, ...mods }, target });
      return api;
    },
    input(value: string | undefined, target: Target = FIELD, extra: Record<string, unknown> = {}) {
      add({ type: 'input', ...(value === undefined ? { masked: true } : { value }), inputType: 'insertText', target, ...extra });
      return api;
    },
    /** Types into a field: keydown, input, keyup per character. */
    type(text: string, target: Target = FIELD, start = '') {
      let v = start;
      for (const ch of text) {
        v += ch;
        api.key(ch, {}, target).input(v, target).keyup(ch, {}, target);
      }
      return api;
    },
    focus(kind: 'focus' | 'blur', target: Target) {
      add({ type: 'focus', kind, target });
      return api;
    },
    nav(kind: string, url: string, title = 'App') {
      add({ type: 'navigation', kind, url, title });
      return api;
    },
    wheel(dy: number, x = 100, y = 100, target: Target = T('main', 'main', 'main')) {
      add({ type: 'wheel', x, y, dx: 0, dy, mode: 0, mods: NO, target }, 100);
      return api;
    },
    compile: (): Action[] => compile(events),
    text: (): string => describeActions(compile(events), { url: (u) => u.replace('https://app.test', '') }),
  };
  return api;
}

describe('clicks', () => {
  it('a down/up/click triple is one click, with its point in pixels and normalised', () => {
    const s = session().idle(500).move(50, 50, 0).move(100, 40, 0).click(100, 20);
    const actions = s.compile();
    expect(actions.map((a) => a.kind)).toEqual(['navigate', 'click']);
    expect(actions[1]).toMatchObject({ kind: 'click', button: 'left', point: { x: 100, y: 20, nx: 0.1, ny: 0.04 }, screen: { width: 1000, height: 500, dpr: 2 }, target: { selector: '#b' } });
    expect(actions[1]!.observation).toMatchObject({ kind: 'page', url: 'https://app.test/', settled: true, viewport: { width: 1000, height: 500, dpr: 2 } });
  });

  it('a double click is one double click, not two clicks and a double click', () => {
    const s = session().click(100, 20).click(101, 20).ev('dblclick', 101, 20).idle(1000).click(300, 20);
    expect(s.text()).toBe('navigate load / "App" (initial)\ndouble_click button #b\nclick button #b\n');
  });

  it('two clicks far apart in time stay two clicks; a third click after a double is a triple', () => {
    expect(session().click(100, 20).idle(700).click(100, 20).text()).toBe('navigate load / "App" (initial)\nclick button #b\nclick button #b\n');
    expect(session().click(100, 20).click(100, 20).ev('dblclick', 100, 20).click(100, 20).text()).toBe('navigate load / "App" (initial)\ntriple_click button #b\n');
  });

  it('contextmenu with a right press is one right click, before or after the up', () => {
    const linux = session().down(100, 20, BTN, 2).ev('contextmenu', 100, 20, BTN, 2).up(100, 20, BTN, 2);
    const windows = session().down(100, 20, BTN, 2).up(100, 20, BTN, 2).ev('contextmenu', 100, 20, BTN, 2);
    for (const s of [linux, windows]) expect(s.text()).toBe('navigate load / "App" (initial)\nright_click button #b\n');
  });

  it('a click made with the keyboard is the key, and focus events are no actions', () => {
    const s = session().focus('focus', BTN).key('Enter', {}, BTN).ev('click', 0, 0).keyup('Enter', {}, BTN);
    expect(s.text()).toBe('navigate load / "App" (initial)\nkey enter\n');
  });
});

describe('drags', () => {
  it('a press that moves beyond the threshold is a drag with a simplified path, and its click is not a click', () => {
    const s = session().down(100, 100);
    for (let i = 1; i <= 20; i++) s.move(100 + i * 10, 100 + (i % 2) * 0.5);
    s.up(300, 100, T('#zone', 'div', 'region')).ev('click', 300, 100, T('main', 'main', 'main'));
    const actions = s.compile();
    expect(actions.map((a) => a.kind)).toEqual(['navigate', 'drag']);
    const drag = actions[1] as Extract<Action, { kind: 'drag' }>;
    expect(drag).toMatchObject({ via: 'pointer', button: 'left', point: { x: 100, y: 100 }, end: { x: 300, y: 100, nx: 0.3 }, endTarget: { selector: '#zone' } });
    expect(drag.path).toHaveLength(2);
  });

  it('a press that moves a few pixels is still a click', () => {
    expect(session().down(100, 100).move(103, 101).up(103, 101).ev('click', 103, 101).text()).toBe('navigate load / "App" (initial)\nclick button #b\n');
  });

  it('HTML5 drag and drop: down, dragstart, drop, dragend is one drag to the drop target', () => {
    const card = T('#card', 'li', 'listitem');
    const col = T('#col', 'ul', 'list');
    const s = session().down(100, 100, card).move(104, 100).move(110, 102).ev('dragstart', 110, 102, card).ev('drop', 400, 150, col).ev('dragend', 400, 150, card);
    const drag = s.compile()[1] as Extract<Action, { kind: 'drag' }>;
    expect(drag).toMatchObject({ kind: 'drag', via: 'html5', target: { selector: '#card' }, endTarget: { selector: '#col' }, end: { x: 400, y: 150 } });
  });
});

describe('typing', () => {
  it('one type per field visit: the final value, corrections applied, then Tab as a key', () => {
    const s = session().click(20, 20, FIELD).type('helo').key('Backspace').input('hel', FIELD, { inputType: 'deleteContentBackward' }).keyup('Backspace').type('lo', FIELD, 'hel');
    s.key('Tab').focus('blur', FIELD).focus('focus', OTHER).keyup('Tab', {}, OTHER);
    expect(s.text()).toBe('navigate load / "App" (initial)\nclick textbox #f\ntype "hello" into textbox #f\nkey tab\n');
  });

  it('Enter that submits is a key after the type, and the navigation it causes names it', () => {
    const s = session().click(20, 20, FIELD).type('q').key('Enter').nav('push', 'https://app.test/#/results').keyup('Enter');
    const actions = s.compile();
    expect(s.text()).toBe('navigate load / "App" (initial)\nclick textbox #f\ntype "q" into textbox #f\nkey enter\nnavigate push /#/results "App" (action)\n');
    const enter = actions[3]!;
    expect(actions[4]).toMatchObject({ cause: 'action', causeSeq: enter.seq.from });
  });

  it('Enter in a text area is typing', () => {
    const area = T('#area', 'textarea');
    const s = session().click(20, 20, area).type('a', area).key('Enter', {}, area).input('a\n', area, { inputType: 'insertLineBreak' }).keyup('Enter', {}, area).type('b', area, 'a\n');
    expect(s.text()).toBe('navigate load / "App" (initial)\nclick textbox #area\ntype "a\\nb" into textbox #area\n');
  });

  it('hotkeys are named canonically with the command modifier noted; a paste is the hotkey, not typing', () => {
    const s = session().click(20, 20, FIELD).key('Control', { ctrl: true }).key('a', { ctrl: true }).keyup('a', { ctrl: true }).key('v', { ctrl: true }).input('pasted', FIELD, { inputType: 'insertFromPaste' }).keyup('v', { ctrl: true }).keyup('Control');
    s.type('!', FIELD, 'pasted');
    const actions = s.compile();
    expect(s.text()).toBe('navigate load / "App" (initial)\nclick textbox #f\nhotkey ctrl+a\nhotkey ctrl+v\ntype "pasted!" (was "pasted") into textbox #f\n');
    expect(actions[2]).toMatchObject({ kind: 'hotkey', keys: ['ctrl', 'a'], combo: 'ctrl+a', command: 'ctrl' });
  });

  it('Shift+letter is typing; Shift+Tab and Ctrl+Shift+Z are hotkeys; a lone modifier press is a key', () => {
    const s = session().click(20, 20, FIELD).key('Shift', { shift: true }).key('A', { shift: true }).input('A').keyup('A', { shift: true }).keyup('Shift');
    s.key('Z', { ctrl: true, shift: true }).keyup('Z', { ctrl: true, shift: true }).key('Tab', { shift: true }).keyup('Tab', { shift: true });
    s.key('Shift', { shift: true }).keyup('Shift');
    expect(s.text()).toBe('navigate load / "App" (initial)\nclick textbox #f\ntype "A" into textbox #f\nhotkey ctrl+shift+z\nhotkey shift+tab\nkey shift\n');
  });

  it('a masked field says something was typed, never what', () => {
    const pw = { ...T('#pw'), masked: true as const };
    const s = session().click(20, 20, pw);
    for (let i = 0; i < 3; i++) s.key('Unidentified', {}, pw, { masked: true, code: undefined }).input(undefined, pw, { masked: true }).keyup('Unidentified', {}, pw);
    const type = s.compile()[2];
    expect(type).toMatchObject({ kind: 'type', masked: true });
    expect(type).not.toHaveProperty('text');
  });

  it('carries the redactions of the input value onto the action', () => {
    const redactions = [{ start: 4, end: 20, kind: 'email', family: 'pii' }];
    const s = session().click(20, 20, FIELD).key('x').input('Hi, xxxxx@xxxxxxx.xxx', FIELD, { redactions }).keyup('x');
    expect(s.compile()[2]).toMatchObject({ kind: 'type', text: 'Hi, xxxxx@xxxxxxx.xxx', redactions });
  });

  it('keys typed outside any field are typing from their characters (redacted keys marked); one key alone is a key press', () => {
    const body = T('body', 'body', 'document');
    const s = session().click(5, 5, body).key('h', {}, body).keyup('h', {}, body).key('i', {}, body).keyup('i', {}, body).key('Backspace', {}, body).keyup('Backspace', {}, body);
    s.key('9', {}, body, { redacted: { kind: 'card-number', family: 'secret' } }).keyup('9', {}, body);
    s.idle(100).click(5, 5, body).key('n', {}, body).keyup('n', {}, body);
    expect(s.text()).toBe('navigate load / "App" (initial)\nclick document body\ntype "h9" redacted:card-number into document body\nclick document body\nkey n\n');
    expect(s.compile()[2]).toMatchObject({ redactions: [{ start: 1, end: 2, kind: 'card-number', family: 'secret' }] });
  });

  it('a held key is one key action with a count', () => {
    const s = session().click(5, 5, BTN).key('ArrowDown', {}, BTN).key('ArrowDown', {}, BTN, { repeat: true }).key('ArrowDown', {}, BTN, { repeat: true }).keyup('ArrowDown', {}, BTN);
    expect(s.compile()[2]).toMatchObject({ kind: 'key', key: 'down', count: 3 });
  });

  it('a select: the click that opens it and the keys that change it are one select action', () => {
    const sel = T('#plan', 'select', 'combobox');
    const s = session().click(20, 20, sel).idle(1500).input('team', sel).focus('blur', sel);
    expect(s.text()).toBe('navigate load / "App" (initial)\nselect "team" in combobox #plan\n');
  });

  it('an input no key explains, right after a click (a menu item, a suggestion), is not typing', () => {
    const item = T('#upper', 'li', 'menuitem');
    const s = session().click(20, 20, FIELD).type('ab').click(50, 50, item).input('AB', FIELD, { inputType: 'insertText' });
    expect(s.text()).toBe('navigate load / "App" (initial)\nclick textbox #f\ntype "ab" into textbox #f\nclick menuitem #upper\n');
  });
});

describe('sync input events (values the page set)', () => {
  it('create no action: not typing, not the consequence of the click just made', () => {
    // Enter adds an item and the page clears the field; the next click moves focus out of it,
    // and the recorder reports the cleared value just before the blur (same time).
    const plain = session().click(20, 20, FIELD).type('ab').key('Enter').keyup('Enter').idle(300).down(300, 20).focus('blur', FIELD).up(300, 20).ev('click', 300, 20);
    expect(plain.text()).toBe('navigate load / "App" (initial)\nclick textbox #f\ntype "ab" into textbox #f\nkey enter\nclick button #b\n');
    const blur = plain.events.findIndex((e) => e.type === 'focus' && e.kind === 'blur');
    const sync = { seq: 0, t: plain.events[blur]!.t, type: 'input', value: '', inputType: 'sync', target: FIELD } as CaptureEvent;
    const synced = [...plain.events.slice(0, blur), sync, ...plain.events.slice(blur)].map((e, i) => ({ ...e, seq: i }));
    // Exactly the same actions, once seq numbers after the sync event are shifted back.
    const back = (n: number): number => (n > blur ? n - 1 : n);
    const unshift = (a: Action): Action => ({ ...a, seq: { from: back(a.seq.from), to: back(a.seq.to) }, ...(a.observation ? { observation: { ...a.observation, seq: back(a.observation.seq) } } : {}) });
    expect(compile(synced).map(unshift)).toEqual(plain.compile());
    // Right after a click, with no key: still nothing (a page's own change is not the click's).
    expect(session().click(20, 20, BTN).input('cleared by script', FIELD, { inputType: 'sync' }).text()).toBe('navigate load / "App" (initial)\nclick button #b\n');
    // Masked: nothing either.
    expect(session().click(20, 20, BTN).idle(2000).input(undefined, FIELD, { inputType: 'sync' }).text()).toBe('navigate load / "App" (initial)\nclick button #b\n');
  });

  it('are the prior of typing that follows, and end typing still open in the field', () => {
    const s = session().click(20, 20, FIELD).type('ab').input('ab!', FIELD, { inputType: 'sync' }).idle(500).type('c', FIELD, 'ab!');
    const actions = s.compile();
    expect(s.text()).toBe('navigate load / "App" (initial)\nclick textbox #f\ntype "ab" into textbox #f\ntype "ab!c" (was "ab!") into textbox #f\n');
    expect(actions[3]).toMatchObject({ kind: 'type', text: 'ab!c', prior: 'ab!' });
  });
});

describe('scrolls, navigation and waits', () => {
  it('merges a burst of wheel events in one direction, splits on a change of direction or place', () => {
    const s = session().wheel(100).wheel(100).wheel(100).wheel(-50).idle(100).wheel(100, 500, 300);
    const actions = s.compile();
    expect(actions.map((a) => (a.kind === 'scroll' ? `${a.direction} ${a.dy}` : a.kind))).toEqual(['navigate', 'down 300', 'up -50', 'down 100']);
  });

  it('navigations: the first is initial, one right after a click is caused by it, a later one is direct, back is history', () => {
    const s = session().click(20, 20, T('a', 'a', 'link')).nav('load', 'https://app.test/next').idle(5000).nav('load', 'https://app.test/typed').idle(5000).nav('pop', 'https://app.test/typed#x');
    expect(s.text()).toBe('navigate load / "App" (initial)\nclick link a\nnavigate load /next "App" (action)\nwait\nnavigate load /typed "App" (direct)\nwait\nnavigate pop /typed#x "App" (history)\n');
  });

  it('an idle gap above the threshold between two actions is a wait', () => {
    const s = session().click(20, 20).idle(1000).click(20, 20).idle(3500).click(20, 20);
    const actions = s.compile();
    expect(actions.map((a) => a.kind)).toEqual(['navigate', 'click', 'click', 'wait', 'click']);
    expect(actions[3]!.duration).toBeGreaterThanOrEqual(3500);
  });

  it('no wait across a pause', () => {
    const s = session().click(20, 20);
    s.events.push({ seq: s.events.length, t: s.events.at(-1)!.t + 10, type: 'marker', kind: 'pause', reason: 'user' });
    s.idle(60_000);
    s.events.push({ seq: s.events.length, t: s.events.at(-1)!.t + 60_000, type: 'marker', kind: 'resume', reason: 'user' });
    s.idle(60_000).click(20, 20);
    expect(s.compile().map((a) => a.kind)).toEqual(['navigate', 'click', 'click']);
  });
});

describe('a start state', () => {
  it('seeds the page, viewport and scroll without an action, so that the first actions have an observation', () => {
    const s = session().idle(2000).click(20, 20).idle(5000).wheel(120).idle(2000).click(30, 30);
    const [, viewport, page] = s.events as [CaptureEvent, Extract<CaptureEvent, { type: 'viewport' }>, Extract<CaptureEvent, { type: 'navigation' }>];
    const rest = s.events.slice(3);
    const plain = compile(rest);
    expect(plain[0]!.observation).toBeUndefined();
    const c = new Compiler({}, { page, viewport });
    const seeded = [...rest.flatMap((e) => c.push(e)), ...c.end()];
    expect(seeded.map((a) => a.kind)).toEqual(['click', 'wait', 'scroll', 'click']);
    expect(seeded[0]!.observation).toEqual({ kind: 'page', seq: page.seq, t: page.t, settled: true, url: 'https://app.test/', title: 'App', viewport: { width: 1000, height: 500, dpr: 2 }, scroll: { x: 0, y: 0 } });
    // Pointer coordinates are normalised to the seeded viewport.
    expect(seeded[0]!.kind === 'click' && seeded[0]!.point.nx).toBe(0.02);
    // The next page load is not the initial one.
    const d = new Compiler({}, { page });
    const next = [...d.push({ seq: 10, t: 5000, type: 'navigation', kind: 'load', url: 'https://app.test/next', title: 'Next' }), ...d.end()];
    expect(next).toMatchObject([{ kind: 'navigate', cause: 'direct', observation: { url: 'https://app.test/' } }]);
  });
});
