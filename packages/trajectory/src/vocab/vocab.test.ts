import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compiler.ts';
import { toComputer13, toPyautogui } from './computer13.ts';
import { toUiTars } from './uitars.ts';
import { toWebArena } from './webarena.ts';
import { loadRecording } from '../testing.ts';

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
