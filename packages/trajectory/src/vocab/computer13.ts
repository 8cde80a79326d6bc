// Actions → OSWorld's `computer_13` action space and pyautogui code. The table of what maps to
// what (and what does not) is in packages/trajectory/README.md.
import type { Action, Point, Screen } from '../actions.ts';

export type Computer13Type =
  | 'MOVE_TO'
  | 'CLICK'
  | 'MOUSE_DOWN'
  | 'MOUSE_UP'
  | 'RIGHT_CLICK'
  | 'DOUBLE_CLICK'
  | 'DRAG_TO'
  | 'SCROLL'
  | 'TYPING'
  | 'PRESS'
  | 'KEY_DOWN'
  | 'KEY_UP'
  | 'HOTKEY'
  | 'WAIT'
  | 'FAIL'
  | 'DONE';

export interface Computer13Action {
  action_type: Computer13Type;
  parameters: Record<string, string | number | string[]>;
}

export interface Computer13Options {
  /** CSS pixels per scroll step (pyautogui "click"); default 100, Chromium's wheel notch. */
  scrollStepPx?: number;
  /** The platform the actions will run on: `mac` swaps the command modifier to `command`. Default `linux`. */
  platform?: 'linux' | 'windows' | 'mac';
}

/** Screen pixels: CSS pixels × device pixel ratio, rounded (relative to the viewport on the web; on the desktop the points are screen pixels already, dpr 1). */
export const screenXY = (p: Point, s: Screen): { x: number; y: number } => ({ x: Math.round(p.x * s.dpr), y: Math.round(p.y * s.dpr) });

/** Canonical key names → pyautogui names (most are the same). */
export function pyKey(name: string, platform: Computer13Options['platform'] = 'linux'): string {
  if (name === 'meta') return platform === 'mac' ? 'command' : 'win';
  if (name === 'ctrl' && platform === 'mac') return 'ctrl';
  if (name === 'apps') return 'apps';
  return name;
}

function hotkeyKeys(a: Extract<Action, { kind: 'hotkey' }>, platform: Computer13Options['platform']): string[] {
  return a.keys.map((k) => {
    // The command modifier follows the platform: ctrl+c recorded on Linux is ⌘C on a Mac.
    if (a.command && k === a.command) return platform === 'mac' ? 'command' : 'ctrl';
    return pyKey(k, platform);
  });
}

/**
 * One action → computer_13 actions. `[]`: nothing to do (a navigation that an earlier action
 * caused, the first page). `null`: the action has no equivalent (see the README's table).
 */
export function toComputer13(a: Action, opts: Computer13Options = {}): Computer13Action[] | null {
  const step = opts.scrollStepPx ?? 100;
  const platform = opts.platform ?? 'linux';
  switch (a.kind) {
    case 'click': {
      const { x, y } = screenXY(a.point, a.screen);
      return withMods(a.mods, [{ action_type: 'CLICK', parameters: { button: a.button, x, y, num_clicks: a.count ?? 1 } }], platform);
    }
    case 'double_click':
      return withMods(a.mods, [{ action_type: 'DOUBLE_CLICK', parameters: screenXY(a.point, a.screen) }], platform);
    case 'right_click':
      return withMods(a.mods, [{ action_type: 'RIGHT_CLICK', parameters: screenXY(a.point, a.screen) }], platform);
    case 'drag': {
      const start = screenXY(a.point, a.screen);
      const out: Computer13Action[] = [{ action_type: 'MOVE_TO', parameters: start }];
      if (a.path.length <= 2 && a.button === 'left') out.push({ action_type: 'DRAG_TO', parameters: screenXY(a.end, a.screen) });
      else {
        out.push({ action_type: 'MOUSE_DOWN', parameters: { button: a.button } });
        for (const p of a.path.slice(1)) out.push({ action_type: 'MOVE_TO', parameters: screenXY(p, a.screen) });
        out.push({ action_type: 'MOUSE_UP', parameters: { button: a.button } });
      }
      return withMods(a.mods, out, platform);
    }
    case 'scroll': {
      // pyautogui's scroll() goes up for positive steps (the DOM's dy is positive down); hscroll() goes right for positive steps, like dx.
      const steps = (px: number) => (px === 0 ? 0 : Math.sign(px) * Math.max(1, Math.round(Math.abs(px) / step)));
      const dy = steps(a.dy);
      return withMods(a.mods, [{ action_type: 'MOVE_TO', parameters: screenXY(a.point, a.screen) }, { action_type: 'SCROLL', parameters: { dx: steps(a.dx), dy: dy === 0 ? 0 : -dy } }], platform);
    }
    case 'type': {
      if (a.masked || a.text === undefined) return null;
      if (a.prior !== undefined && a.text.startsWith(a.prior)) return [{ action_type: 'TYPING', parameters: { text: a.text.slice(a.prior.length) } }];
      if (a.prior !== undefined) return [{ action_type: 'HOTKEY', parameters: { keys: [platform === 'mac' ? 'command' : 'ctrl', 'a'] } }, { action_type: 'TYPING', parameters: { text: a.text } }];
      return [{ action_type: 'TYPING', parameters: { text: a.text } }];
    }
    case 'select':
      return null;
    case 'key':
      return Array.from({ length: a.count ?? 1 }, () => ({ action_type: 'PRESS' as const, parameters: { key: pyKey(a.key, platform) } }));
    case 'hotkey':
      return Array.from({ length: a.count ?? 1 }, () => ({ action_type: 'HOTKEY' as const, parameters: { keys: hotkeyKeys(a, platform) } }));
    case 'navigate':
      if (a.cause === 'action' || a.cause === 'initial' || a.cause === 'script') return [];
      if (a.cause === 'history') return null;
      return [
        { action_type: 'HOTKEY', parameters: { keys: [platform === 'mac' ? 'command' : 'ctrl', 'l'] } },
        { action_type: 'TYPING', parameters: { text: a.url } },
        { action_type: 'PRESS', parameters: { key: 'enter' } },
      ];
    case 'switch':
      // Caused by the click or alt+tab before it, or the window the recording starts in: nothing to do.
      return a.cause === 'action' || a.cause === 'initial' ? [] : null;
    case 'wait':
      return [{ action_type: 'WAIT', parameters: {} }];
  }
}

function withMods(mods: readonly string[] | undefined, actions: Computer13Action[], platform: Computer13Options['platform']): Computer13Action[] {
  if (!mods || mods.length === 0) return actions;
  const keys = mods.map((m) => pyKey(m, platform));
  return [...keys.map((key) => ({ action_type: 'KEY_DOWN' as const, parameters: { key } })), ...actions, ...[...keys].reverse().map((key) => ({ action_type: 'KEY_UP' as const, parameters: { key } }))];
}

const py = (v: string | number | string[]): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? v.map((s) => JSON.stringify(s)).join(', ') : String(v));

/** One computer_13 action as a line of pyautogui code. */
export function computer13ToPyautogui(c: Computer13Action): string {
  const p = c.parameters;
  switch (c.action_type) {
    case 'MOVE_TO':
      return `pyautogui.moveTo(${py(p.x!)}, ${py(p.y!)})`;
    case 'CLICK':
      return p.num_clicks === 1 ? `pyautogui.click(${py(p.x!)}, ${py(p.y!)}, button=${py(p.button!)})` : `pyautogui.click(${py(p.x!)}, ${py(p.y!)}, clicks=${py(p.num_clicks!)}, button=${py(p.button!)})`;
    case 'MOUSE_DOWN':
      return `pyautogui.mouseDown(button=${py(p.button!)})`;
    case 'MOUSE_UP':
      return `pyautogui.mouseUp(button=${py(p.button!)})`;
    case 'RIGHT_CLICK':
      return `pyautogui.rightClick(${py(p.x!)}, ${py(p.y!)})`;
    case 'DOUBLE_CLICK':
      return `pyautogui.doubleClick(${py(p.x!)}, ${py(p.y!)})`;
    case 'DRAG_TO':
      return `pyautogui.dragTo(${py(p.x!)}, ${py(p.y!)}, duration=0.5, button="left")`;
    case 'SCROLL': {
      const lines: string[] = [];
      if (p.dy) lines.push(`pyautogui.scroll(${py(p.dy)})`);
      if (p.dx) lines.push(`pyautogui.hscroll(${py(p.dx)})`);
      return lines.join('\n');
    }
    case 'TYPING':
      return `pyautogui.write(${py(p.text!)})`;
    case 'PRESS':
      return `pyautogui.press(${py(p.key!)})`;
    case 'KEY_DOWN':
      return `pyautogui.keyDown(${py(p.key!)})`;
    case 'KEY_UP':
      return `pyautogui.keyUp(${py(p.key!)})`;
    case 'HOTKEY':
      return `pyautogui.hotkey(${py(p.keys!)})`;
    case 'WAIT':
      return 'time.sleep(3)';
    case 'FAIL':
      return '# FAIL';
    case 'DONE':
      return '# DONE';
  }
}

/** Actions as a pyautogui script (one statement per line; unmappable actions become comments). */
export function toPyautogui(actions: readonly Action[], opts: Computer13Options = {}): string {
  const lines = ['import pyautogui', 'import time', ''];
  for (const a of actions) {
    const mapped = toComputer13(a, opts);
    if (mapped === null) lines.push(`# ${a.kind}: no pyautogui equivalent`);
    else if (a.kind === 'wait') lines.push(`time.sleep(${Math.round(a.duration / 100) / 10})`);
    else for (const c of mapped) lines.push(computer13ToPyautogui(c));
  }
  return lines.join('\n') + '\n';
}
