import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compiler.ts';
import { toComputer13, toPyautogui } from './computer13.ts';
import { toUiTars } from './uitars.ts';
import { toWebArena } from './webarena.ts';
import { loadRecording } from '../testing.ts';
import { XTERM, desktopSession, xtermSession } from '../testing-desktop.ts';
import type { Action } from '../actions.ts';

describe('vocabulary mapping on a recorded task', () => {
  it('signup-validation → computer_13, pyautogui, UI-TARS and WebArena', async () => {
    const actions = compile(await loadRecording('signup-validation'));
    const c13 = actions.flatMap((a) => toComputer13(a) ?? []);
    expect(c13.map((c) => c.action_type)).toEqual(['CLICK', 'TYPING', 'PRESS', 'TYPING', 'PRESS']);
    expect(c13[3]).toEqual({ action_type: 'TYPING', parameters: { text: 'an_turing' } });
    const py = toPyautogui(actions);
    expect(py).toMatch(/pyautogui\.click\(\d+, \d+, button="left"\)\npyautogui\.write\("al"\)\npyautogui\.press\("enter"\)\npyautogui\.write\("an_turing"\)\npyautogui\.press\("enter"\)\n$/);
    const tars = actions.flatMap((a) => toUiTars(a) ?? []);
    expect(tars[0]).toMatch(/^click\(start_box='\(\d{1,4},\d{1,4}\)'\)$/);
    expect(tars.slice(1)).toEqual(["type(content='al')", "hotkey(key='enter')", "type(content='an_turing')", "hotkey(key='enter')"]);
    expect(toWebArena(actions).commands).toEqual(['click [#send]', 'type [#username] [al] [1]', 'type [#username] [alan_turing] [1]']);
    expect(toWebArena(actions, { element: 'role-name' }).commands[0]).toBe('click [button "Send"]');
  });

  it('drags, hotkeys, scrolls and masked typing', async () => {
    const drag = compile(await loadRecording('board-move-card')).find((a) => a.kind === 'drag')!;
    expect(toComputer13(drag)!.map((c) => c.action_type)).toEqual(['MOVE_TO', 'DRAG_TO']);
    expect(toUiTars(drag)![0]).toMatch(/^drag\(start_box='\(142,244\)', end_box='\(394,310\)'\)$/);
    expect(toWebArena([drag]).unmapped).toEqual([0]);
    const editor = compile(await loadRecording('editor-bold-save'));
    const bold = editor.find((a) => a.kind === 'hotkey')!;
    expect(toComputer13(bold)).toEqual([{ action_type: 'HOTKEY', parameters: { keys: ['ctrl', 'b'] } }]);
    expect(toComputer13(bold, { platform: 'mac' })).toEqual([{ action_type: 'HOTKEY', parameters: { keys: ['command', 'b'] } }]);
    expect(toUiTars(bold)).toEqual(["hotkey(key='ctrl b')"]);
    expect(toWebArena([bold]).commands).toEqual(['press [Control+b]']);
    const scroll = compile(await loadRecording('signup-scroll-help')).find((a) => a.kind === 'scroll')!;
    expect(toComputer13(scroll)![1]).toEqual({ action_type: 'SCROLL', parameters: { dx: 0, dy: -5 } });
    expect(toWebArena([scroll]).commands).toEqual(['scroll [down]']);
    const password = compile(await loadRecording('signup-fill')).find((a) => a.kind === 'type' && a.masked)!;
    expect(toComputer13(password)).toBeNull();
  });
});

describe('vocabulary mapping on the desktop', () => {
  const actions = compile(xtermSession());
  const find = (kind: Action['kind'], nth = 0): Action => actions.filter((a) => a.kind === kind)[nth]!;

  it('computer_13 and pyautogui in screen pixels: click, write, press, hotkey', () => {
    // The click in xterm at (300, 700) on a 1920×1080 screen (dpr 1): the same numbers.
    expect(toComputer13(find('click'))).toEqual([{ action_type: 'CLICK', parameters: { button: 'left', x: 300, y: 700, num_clicks: 1 } }]);
    const steps = actions.slice(1, 8).filter((a) => a.kind !== 'wait');
    expect(toPyautogui(steps).split('\n').slice(3, -1)).toEqual([
      'pyautogui.write("ls -la")',
      'pyautogui.press("enter")',
      'pyautogui.write("tail -f app.log")',
      'pyautogui.press("enter")',
      'pyautogui.hotkey("ctrl", "c")',
      'pyautogui.click(300, 700, button="left")',
    ]);
    expect(toComputer13(find('double_click'))).toEqual([{ action_type: 'DOUBLE_CLICK', parameters: { x: 210, y: 300 } }]);
    expect(toComputer13(find('right_click'))).toEqual([{ action_type: 'RIGHT_CLICK', parameters: { x: 210, y: 300 } }]);
    const drag = find('drag');
    expect(toComputer13(drag)![0]).toEqual({ action_type: 'MOVE_TO', parameters: { x: 40, y: 500 } });
    expect(toComputer13(drag)!.at(-1)).toMatchObject({ parameters: { x: 600, y: 620 } });
    expect(toComputer13(find('scroll'))).toEqual([{ action_type: 'MOVE_TO', parameters: { x: 500, y: 500 } }, { action_type: 'SCROLL', parameters: { dx: 0, dy: 3 } }]);
  });

  it('window switches: nothing to do when caused or initial, no equivalent when the person came back or switched unseen', () => {
    const [initial, caused, back] = actions.filter((a) => a.kind === 'switch');
    for (const a of [initial!, caused!]) {
      expect(toComputer13(a)).toEqual([]);
      expect(toUiTars(a)).toEqual([]);
      expect(toWebArena([a])).toEqual({ commands: [], unmapped: [] });
    }
    expect(toComputer13(back!)).toBeNull();
    expect(toUiTars(back!)).toBeNull();
    expect(toPyautogui([back!])).toContain('# switch: no pyautogui equivalent');
  });

  it('UI-TARS: points in thousandths of the screen, or its pixels', () => {
    expect(toUiTars(find('click'))).toEqual(["click(start_box='(156,648)')"]);
    expect(toUiTars(find('click'), { coords: 'pixels' })).toEqual(["click(start_box='(300,700)')"]);
    expect(toUiTars(find('hotkey'))).toEqual(["hotkey(key='ctrl c')"]);
    expect(toUiTars(find('type'))).toEqual(["type(content='ls -la')"]);
  });

  it('WebArena names page elements: a window is none', () => {
    const { commands, unmapped } = toWebArena([find('click'), find('type')]);
    expect(commands).toEqual([]);
    expect(unmapped).toEqual([0, 1]);
  });

  it('a credential prompt’s keys give no text in any vocabulary', () => {
    const s = desktopSession().window(XTERM).frame(600).idle(500).window({ app: 'ssh-askpass', title: 'Passphrase for key', bounds: { x: 700, y: 400, w: 500, h: 200 }, credential: true }).frame(300).idle(400).type('s3cr3t-pass').press('Enter');
    const typed = compile(s.events).filter((a) => a.kind === 'type');
    expect(typed).toMatchObject([{ masked: true }]);
    expect(toComputer13(typed[0]!)).toBeNull();
    expect(toUiTars(typed[0]!)).toBeNull();
    const py = toPyautogui(compile(s.events));
    expect(py).toContain('# type: no pyautogui equivalent');
    expect(py).not.toMatch(/s3cr3t|pass/);
  });
});
