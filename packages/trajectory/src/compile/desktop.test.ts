// The compiler on desktop recordings: keys with no targets and no input events, presses in
// screen pixels followed by the hook's click, window changes, screenshots, away and gap markers.
import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import type { Action, ActionOf } from '../actions.ts';
import { describeActions } from '../describe.ts';
import { checkActions } from '../testing.ts';
import { CODE, PINENTRY, XTERM, desktopSession } from '../testing-desktop.ts';
import { Compiler, compile } from './compiler.ts';

/** A session already in xterm, with a settled screenshot, about to act. */
const inXterm = () => desktopSession().window(XTERM).frame(600).idle(500);
const text = (events: CaptureEvent[]): string => describeActions(compile(events));
const lines = (events: CaptureEvent[]): string[] => text(events).trimEnd().split('\n').slice(1); // without the initial switch
const of = <K extends Action['kind']>(actions: Action[], kind: K): ActionOf<K>[] => actions.filter((a): a is ActionOf<K> => a.kind === kind);

describe('desktop typing', () => {
  it('printable keys in one window are one type action; Enter is a key; Ctrl+C a hotkey named ctrl+c', () => {
    const s = inXterm().type('Make -j4').press('Enter').hotkey(['Control'], 'c');
    const actions = compile(s.events);
    expect(lines(s.events)).toEqual(['type "Make -j4" into window "alice@dev: ~" xterm', 'key enter', 'hotkey ctrl+c']);
    expect(of(actions, 'hotkey')[0]).toMatchObject({ keys: ['ctrl', 'c'], combo: 'ctrl+c', command: 'ctrl', target: { tag: 'window', selector: 'xterm' } });
    checkActions(s.events, actions);
  });

  it('Backspace and Delete correct the text; Left and Right move a caret inside it', () => {
    // "gti" → Backspace ×2 → "g" → "it" → "git"; "git sttus": Left ×3, insert "a" → "git status".
    const a = inXterm().type('gti').press('Backspace', 2).type('it sttus').press('ArrowLeft', 3).type('a');
    expect(lines(a.events)).toEqual(['type "git status" into window "alice@dev: ~" xterm']);
    // Delete removes after the caret: "abcd", Left ×2, Delete → "abd".
    const b = inXterm().type('abcd').press('ArrowLeft', 2).press('Delete').type('x');
    expect(lines(b.events)).toEqual(['type "abxd" into window "alice@dev: ~" xterm']);
  });

  it('arrows after the last edit are keys of their own, after the type', () => {
    const s = inXterm().type('echo hi').press('ArrowLeft', 2).press('Enter');
    expect(lines(s.events)).toEqual(['type "echo hi" into window "alice@dev: ~" xterm', 'key left', 'key left', 'key enter']);
  });

  it('a correction that reaches before the typed text ends the run and is a key; Home, Up and Tab are keys', () => {
    const s = inXterm().type('ab').press('Backspace', 3).type('cd').press('Home').press('ArrowUp').type('ls').press('Tab');
    expect(lines(s.events)).toEqual(['type "" into window "alice@dev: ~" xterm', 'key backspace', 'type "cd" into window "alice@dev: ~" xterm', 'key home', 'key up', 'type "ls" into window "alice@dev: ~" xterm', 'key tab']);
  });

  it('an idle gap ends typing (a wait between the two runs); one key alone is a key press', () => {
    const s = inXterm().type('make').idle(4000).type('y');
    expect(lines(s.events)).toEqual(['type "make" into window "alice@dev: ~" xterm', 'wait', 'key y']);
  });

  it('keys of a redacted secret keep their masked shape and are marked as redactions', () => {
    const s = inXterm().type('export KEY=').redactedKeys('XXXX9999', 'aws-access-key').press('Enter');
    const [type] = of(compile(s.events), 'type');
    expect(type).toMatchObject({ text: 'export KEY=XXXX9999', redactions: [{ start: 11, end: 19, kind: 'aws-access-key', family: 'secret' }] });
  });

  it('masked keys give a masked type with no text; corrections inside it are absorbed', () => {
    const s = inXterm().window(PINENTRY, 300).frame(300).idle(400).maskedKeys(6).press('Backspace').press('ArrowLeft').maskedKeys(2).press('Enter');
    const actions = compile(s.events);
    const [type] = of(actions, 'type');
    expect(type).toMatchObject({ masked: true, target: { tag: 'window', selector: 'pinentry-gtk-2', masked: true } });
    expect(type).not.toHaveProperty('text');
    expect(actions.slice(-2).map((a) => a.kind)).toEqual(['type', 'key']);
  });

  it('in a credential prompt, keys that carry characters anyway are not read', () => {
    const s = inXterm().window(PINENTRY, 300).frame(300).idle(400).type('hunter2').press('Enter');
    const actions = compile(s.events);
    expect(of(actions, 'type')).toMatchObject([{ masked: true }]);
    expect(JSON.stringify(actions)).not.toMatch(/hunter|unter|"text"/);
  });

  it('a new title of the same window does not end typing', () => {
    const s = inXterm().type('vim no').window({ ...XTERM, title: 'alice@dev: ~ (1 job)' }, 30).type('tes');
    expect(lines(s.events)).toEqual(['type "vim notes" into window "alice@dev: ~" xterm']);
  });

  it('typing ends at a window change, and does not merge across windows', () => {
    const s = inXterm().type('abc').hotkey(['Alt'], 'Tab').window(CODE, 50).frame(300).idle(300).type('def');
    expect(lines(s.events)).toEqual(['type "abc" into window "alice@dev: ~" xterm', 'hotkey alt+tab', 'switch code "● notes.md - Visual Studio Code" (action)', 'type "def" into window "● notes.md - Visual Studio Code" code']);
  });
});

describe('desktop pointer', () => {
  it('down, up and the hook’s click are one click in screen pixels, normalised by the screen, on the window', () => {
    const s = inXterm().click(480, 270);
    const [click] = of(compile(s.events), 'click');
    expect(click).toMatchObject({ button: 'left', point: { x: 480, y: 270, nx: 0.25, ny: 0.25 }, screen: { width: 1920, height: 1080, dpr: 1 } });
    expect(click!.target).toEqual({ tag: 'window', role: 'window', name: 'alice@dev: ~', selector: 'xterm', box: XTERM.bounds });
    checkActions(s.events, compile(s.events));
  });

  it('two quick presses at one place are a double click; a third is a triple click; far apart in time, two clicks', () => {
    expect(lines(inXterm().doubleClick(100, 100).events)).toEqual(['double_click window "alice@dev: ~" xterm']);
    expect(lines(inXterm().doubleClick(100, 100).down(0, 120).up().clicked().events)).toEqual(['triple_click window "alice@dev: ~" xterm']);
    expect(lines(inXterm().click(100, 100).idle(700).click(100, 100).events)).toEqual(['click window "alice@dev: ~" xterm', 'click window "alice@dev: ~" xterm']);
  });

  it('the right button is a right click; a press that moves is a drag along its path (moves without buttons)', () => {
    const s = inXterm().click(200, 200, 2).idle(400).moveTo(100, 100).drag(400, 300, 10);
    const actions = compile(s.events);
    expect(lines(s.events)).toEqual(['right_click window "alice@dev: ~" xterm', 'drag (pointer) window "alice@dev: ~" xterm → window "alice@dev: ~" xterm']);
    const [drag] = of(actions, 'drag');
    expect(drag).toMatchObject({ point: { x: 100, y: 100 }, end: { x: 400, y: 300 }, button: 'left' });
    expect(drag!.path.length).toBeGreaterThanOrEqual(2);
  });

  it('a drag that ends over another recorded window names it as the end target', () => {
    const [drag] = of(compile(inXterm().moveTo(800, 300).drag(1300, 300).events), 'drag');
    expect(drag).toMatchObject({ target: { selector: 'xterm' } });
    // Not over VS Code as far as the compiler knows: it only knows the focused window's bounds.
    expect(drag!.endTarget).toBeUndefined();
    const s = inXterm().moveTo(800, 300).down().moveTo(1300, 300, 6, 30).window(CODE, 20).up(0, 40);
    const [dropped] = of(compile(s.events), 'drag');
    expect(dropped).toMatchObject({ target: { selector: 'xterm' }, endTarget: { selector: 'code' } });
  });

  it('a click outside the focused window’s bounds has no target', () => {
    const [click] = of(compile(inXterm().click(1500, 500).events), 'click');
    expect(click).toBeDefined();
    expect(click!.target).toBeUndefined();
  });

  it('a click that brings another window forward targets that window, and the switch is its consequence', () => {
    const s = inXterm().moveTo(1400, 400).down().window(CODE, 60).up(0, 50).clicked();
    const actions = compile(s.events);
    expect(lines(s.events)).toEqual(['click window "● notes.md - Visual Studio Code" code', 'switch code "● notes.md - Visual Studio Code" (action)']);
    expect(of(actions, 'switch')[1]).toMatchObject({ cause: 'action', causeSeq: of(actions, 'click')[0]!.seq.from });
  });

  it('wheel notches are one scroll over the window', () => {
    const [scroll] = of(compile(inXterm().moveTo(300, 300).wheel(4).events), 'scroll');
    expect(scroll).toMatchObject({ direction: 'down', dy: 400, target: { tag: 'window', selector: 'xterm' } });
  });
});

describe('desktop windows and markers', () => {
  it('the first window is the initial switch; a new title of the same window is none; another window of the same app is one', () => {
    const other = { ...XTERM, title: 'alice@build: ~', bounds: { x: 960, y: 0, w: 960, h: 1080 } };
    const s = desktopSession().window(XTERM).idle(1000).window({ ...XTERM, title: 'alice@dev: ~/src' }).idle(5000).window(other);
    expect(text(s.events)).toBe('switch xterm "alice@dev: ~" (initial)\nwait\nswitch xterm "alice@build: ~" (direct)\n');
  });

  it('away: nothing from inside counts, the return is a switch, no wait spans it, no screenshot from before is shown after', () => {
    const s = inXterm().click(100, 100).marker('away', 500);
    // Events a faulty agent might send while the person is away: none may become an action.
    s.type('secret').click(1500, 900).frame(100);
    s.idle(30_000).window(XTERM, 0).idle(600).click(100, 100);
    const actions = compile(s.events);
    expect(describeActions(actions)).toBe('switch xterm "alice@dev: ~" (initial)\nclick window "alice@dev: ~" xterm\nswitch xterm "alice@dev: ~" (return)\nclick window "alice@dev: ~" xterm\n');
    const [, back] = of(actions, 'switch');
    expect(back!.observation).toBeUndefined();
    expect(of(actions, 'click')[1]!.observation).toBeUndefined();
  });

  it('a gap: what was open is closed, nothing merges across it, and the halves of a press or key after it are no actions', () => {
    // Typing, then a press and a key down whose up and click fall after the gap.
    const s = inXterm().type('abc').marker('gap', 100, 'spool-full').type('def');
    expect(lines(s.events)).toEqual(['type "abc" into window "alice@dev: ~" xterm', 'type "def" into window "alice@dev: ~" xterm']);
    // Two quick clicks at one place with a gap between them: two clicks, not a double click.
    expect(lines(inXterm().click(100, 100).marker('gap', 20, 'spool-full').click(100, 100).events)).toEqual(['click window "alice@dev: ~" xterm', 'click window "alice@dev: ~" xterm']);
    // A press cut by a gap is a click; its up and click after the gap are nothing.
    expect(compile(inXterm().moveTo(100, 100).down().marker('gap', 50, 'spool-full').up(0, 50).clicked().events).map((a) => a.kind)).toEqual(['switch', 'click']);
    // A key cut by a gap is a key; its up after the gap is nothing.
    const k = inXterm();
    const up = { alt: false, ctrl: false, meta: false, shift: false };
    k.events.push({ seq: k.events.length, t: k.t + 100, type: 'key', kind: 'down', key: 'Enter', code: 'Enter', mods: up });
    k.marker('gap', 200, 'spool-full');
    k.events.push({ seq: k.events.length, t: k.t + 100, type: 'key', kind: 'up', key: 'Enter', code: 'Enter', mods: up });
    k.idle(100).press('Escape');
    expect(lines(k.events)).toEqual(['key enter', 'key escape']);
  });

  it('no wait across a gap, even when the next action comes 10 s later', () => {
    const s = inXterm().click(100, 100).marker('gap', 100, 'spool-full').idle(10_000).click(100, 100);
    expect(lines(s.events)).toEqual(['click window "alice@dev: ~" xterm', 'click window "alice@dev: ~" xterm']);
  });
});

describe('desktop observations', () => {
  it('an action points at the last screenshot taken in a quiet moment, by id frame-<seq>', () => {
    const s = desktopSession().window(XTERM).frame(600).idle(500).click(100, 100);
    const shot = s.events.find((e) => e.type === 'frame')!;
    const [click] = of(compile(s.events), 'click');
    expect(click!.observation).toEqual({ kind: 'screenshot', seq: shot.seq, t: shot.t, settled: true, id: `frame-${shot.seq}`, width: 480, height: 540, box: XTERM.bounds });
  });

  it('a screenshot taken while keys were still coming is not settled: the last settled one stays the observation', () => {
    const s = desktopSession().window(XTERM).frame(600).idle(500);
    const first = s.events.at(-1)!;
    s.type('ab', 100).frame(20).type('c', 50).press('Enter', 1, 100);
    const enter = of(compile(s.events), 'key')[0]!;
    expect(enter.observation).toMatchObject({ id: `frame-${first.seq}`, settled: true });
  });

  it('with no quiet moment yet, the latest screenshot, marked unsettled', () => {
    // The window at 0 ms, its screenshot at 10 ms, the press some 150 ms later (moves are no activity).
    const s = desktopSession().window(XTERM, 0).frame(10).click(100, 100);
    const shot = s.events.find((e) => e.type === 'frame')!;
    expect(of(compile(s.events), 'click')[0]!.observation).toMatchObject({ kind: 'screenshot', id: `frame-${shot.seq}`, settled: false });
  });

  it('a start window seeds the window: the episode’s first window event is then no initial switch', () => {
    const s = desktopSession().window(XTERM).frame(600).idle(500).click(100, 100).idle(500).window(CODE);
    const start = s.events.find((e): e is Extract<CaptureEvent, { type: 'window' }> => e.type === 'window')!;
    const rest = s.events.slice(s.events.indexOf(start) + 1);
    const c = new Compiler({}, { window: start });
    const actions = [...rest.flatMap((e) => c.push(e)), ...c.end()];
    expect(describeActions(actions)).toBe('click window "alice@dev: ~" xterm\nswitch code "● notes.md - Visual Studio Code" (action)\n');
  });
});
