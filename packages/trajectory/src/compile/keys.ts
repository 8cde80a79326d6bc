// Canonical key names and hotkey combos. Names are lower case and pyautogui-compatible where
// pyautogui has the key; modifiers are ordered ctrl, alt, shift, meta.
import type { KeyEvent, Modifiers } from '@lockstep/schema';

const NAMED: Record<string, string> = {
  Enter: 'enter',
  Tab: 'tab',
  Escape: 'escape',
  Esc: 'escape',
  Backspace: 'backspace',
  Delete: 'delete',
  Del: 'delete',
  ' ': 'space',
  Spacebar: 'space',
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  Left: 'left',
  Right: 'right',
  Up: 'up',
  Down: 'down',
  Home: 'home',
  End: 'end',
  PageUp: 'pageup',
  PageDown: 'pagedown',
  Insert: 'insert',
  Control: 'ctrl',
  Alt: 'alt',
  AltGraph: 'altgr',
  Shift: 'shift',
  Meta: 'meta',
  OS: 'meta',
  CapsLock: 'capslock',
  NumLock: 'numlock',
  ScrollLock: 'scrolllock',
  PrintScreen: 'printscreen',
  Pause: 'pause',
  ContextMenu: 'apps',
  Unidentified: 'unidentified',
};

export const MODIFIER_NAMES = ['ctrl', 'alt', 'shift', 'meta'] as const;
const MODIFIER_KEYS = new Set(['Control', 'Alt', 'AltGraph', 'Shift', 'Meta', 'OS', 'CapsLock', 'NumLock', 'ScrollLock', 'Fn', 'FnLock', 'Hyper', 'Super', 'Symbol', 'SymbolLock']);

export const isModifierKey = (key: string): boolean => MODIFIER_KEYS.has(key);

/** Keys that move the caret or edit text inside a field, without typing a character. */
const CARET_KEYS = new Set(['left', 'right', 'up', 'down', 'home', 'end', 'pageup', 'pagedown', 'backspace', 'delete']);
export const isCaretKey = (name: string): boolean => CARET_KEYS.has(name);

/** The canonical name of a key event's key. With a modifier held, letters and digits come from the physical key. */
export function keyName(e: Pick<KeyEvent, 'key' | 'code' | 'mods'>): string {
  const named = NAMED[e.key];
  if (named) return named;
  if (/^F\d{1,2}$/.test(e.key)) return e.key.toLowerCase();
  const code = e.code ?? '';
  const chorded = e.mods.ctrl || e.mods.alt || e.mods.meta;
  if (chorded && /^Key[A-Z]$/.test(code)) return code.slice(3).toLowerCase();
  if (chorded && /^Digit\d$/.test(code)) return code.slice(5);
  if ([...e.key].length === 1) return e.key.toLowerCase();
  return e.key.toLowerCase().slice(0, 32);
}

/** Modifier names held, in canonical order, leaving out the key's own modifier. */
export function modifierNames(mods: Modifiers, except?: string): string[] {
  return MODIFIER_NAMES.filter((m) => mods[m] && m !== except);
}

/** True when the key event is a chord: ctrl, alt or meta held (shift alone types capitals). */
export const isChord = (mods: Modifiers): boolean => mods.ctrl || mods.alt || mods.meta;
