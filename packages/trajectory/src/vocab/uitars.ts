// Actions → UI-TARS action strings. UI-TARS (v1) writes points as `(x,y)` normalised to
// 0–1000 of the screenshot; UI-TARS-1.5 uses absolute pixels of the (resized) screenshot. The
// default is the 0–1000 form; `coords: 'pixels'` gives screen pixels (CSS px × dpr).
import type { Action, Point, Screen } from '../actions.ts';
import { pyKey, screenXY } from './computer13.ts';

export interface UiTarsOptions {
  coords?: 'thousandths' | 'pixels';
  platform?: 'linux' | 'windows' | 'mac';
}

function box(p: Point, s: Screen, coords: UiTarsOptions['coords']): string {
  if (coords === 'pixels') {
    const { x, y } = screenXY(p, s);
    return `'(${x},${y})'`;
  }
  return `'(${Math.round(p.nx * 1000)},${Math.round(p.ny * 1000)})'`;
}

/** Single-quoted, with backslashes, quotes and line breaks escaped as UI-TARS's parser expects. */
const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;

/** One action → UI-TARS action strings; `[]` nothing to do, `null` no equivalent. */
export function toUiTars(a: Action, opts: UiTarsOptions = {}): string[] | null {
  const c = opts.coords ?? 'thousandths';
  const platform = opts.platform ?? 'linux';
  if ('mods' in a && a.mods && a.mods.length > 0 && a.kind !== 'scroll') return null; // ctrl+click: no way to hold a key
  switch (a.kind) {
    case 'click':
      return a.count === 3 || a.button !== 'left' ? null : [`click(start_box=${box(a.point, a.screen, c)})`];
    case 'double_click':
      return [`left_double(start_box=${box(a.point, a.screen, c)})`];
    case 'right_click':
      return [`right_single(start_box=${box(a.point, a.screen, c)})`];
    case 'drag':
      return a.button !== 'left' ? null : [`drag(start_box=${box(a.point, a.screen, c)}, end_box=${box(a.end, a.screen, c)})`];
    case 'scroll':
      return [`scroll(start_box=${box(a.point, a.screen, c)}, direction='${a.direction}')`];
    case 'type':
      if (a.masked || a.text === undefined) return null;
      if (a.prior !== undefined && a.text.startsWith(a.prior)) return [`type(content=${quote(a.text.slice(a.prior.length))})`];
      if (a.prior !== undefined) return [`hotkey(key='${platform === 'mac' ? 'command' : 'ctrl'} a')`, `type(content=${quote(a.text)})`];
      return [`type(content=${quote(a.text)})`];
    case 'select':
      return null;
    case 'key':
      return Array.from({ length: a.count ?? 1 }, () => `hotkey(key='${pyKey(a.key, platform)}')`);
    case 'hotkey': {
      const keys = a.keys.map((k) => (a.command && k === a.command ? (platform === 'mac' ? 'command' : 'ctrl') : pyKey(k, platform)));
      return Array.from({ length: a.count ?? 1 }, () => `hotkey(key='${keys.join(' ')}')`);
    }
    case 'navigate':
      if (a.cause === 'action' || a.cause === 'initial' || a.cause === 'script') return [];
      if (a.cause === 'history') return null;
      return [`hotkey(key='${platform === 'mac' ? 'command' : 'ctrl'} l')`, `type(content=${quote(`${a.url}\n`)})`];
    case 'switch':
      return a.cause === 'action' || a.cause === 'initial' ? [] : null;
    case 'wait':
      return ['wait()'];
  }
}

/** The closing action of an episode. */
export const uiTarsFinished = (content?: string): string => (content === undefined ? 'finished()' : `finished(content=${quote(content)})`);
