// uiohook keycodes (libuiohook's VC_* values, exported as UiohookKey) → DOM-style key names.
//
// Assumes a US QWERTY layout: uiohook reports physical keys, and the character a key types
// depends on the layout the person uses, which this table does not know. CapsLock state is not
// reported by uiohook either, so letters follow Shift only. The numeric keypad is taken as
// NumLock on for its digit codes (uiohook reports the navigation codes, 0xEE00 | digit, when
// NumLock is off). Pure: no uiohook import (loading it can abort a process without a display).

export interface KeyName {
  /** DOM `key`: 'a', 'A', '!', 'Enter', 'ArrowLeft', 'Shift', 'F5'; 'Unidentified' when unknown. */
  key: string;
  /** DOM `code`: the physical key ('KeyA', 'Digit1', 'ShiftLeft', 'Numpad1'). */
  code: string;
  /**
   * The character the key types, for printable keys only. Ctrl, Alt and Meta are not taken
   * into account: callers drop `char` for shortcuts (as the browser recorder does for Ctrl/Meta).
   */
  char?: string;
}

// keycode → [code, key, key with Shift]; only printable keys have the third entry.
const TABLE = new Map<number, readonly [string, string, string?]>();
const add = (keycode: number, code: string, key: string, shifted?: string) => TABLE.set(keycode, shifted === undefined ? [code, key] : [code, key, shifted]);

// Letters.
const LETTERS: Record<string, number> = {
  a: 0x1e, b: 0x30, c: 0x2e, d: 0x20, e: 0x12, f: 0x21, g: 0x22, h: 0x23, i: 0x17, j: 0x24, k: 0x25, l: 0x26, m: 0x32,
  n: 0x31, o: 0x18, p: 0x19, q: 0x10, r: 0x13, s: 0x1f, t: 0x14, u: 0x16, v: 0x2f, w: 0x11, x: 0x2d, y: 0x15, z: 0x2c,
};
for (const [letter, keycode] of Object.entries(LETTERS)) add(keycode, `Key${letter.toUpperCase()}`, letter, letter.toUpperCase());

// The digit row: 1 is 0x02 … 9 is 0x0a, 0 is 0x0b.
const SHIFTED_DIGITS = ')!@#$%^&*(';
for (let d = 0; d <= 9; d++) add(d === 0 ? 0x0b : d + 1, `Digit${d}`, String(d), SHIFTED_DIGITS[d]);

// Punctuation.
add(0x0c, 'Minus', '-', '_');
add(0x0d, 'Equal', '=', '+');
add(0x1a, 'BracketLeft', '[', '{');
add(0x1b, 'BracketRight', ']', '}');
add(0x2b, 'Backslash', '\\', '|');
add(0x27, 'Semicolon', ';', ':');
add(0x28, 'Quote', "'", '"');
add(0x29, 'Backquote', '`', '~');
add(0x33, 'Comma', ',', '<');
add(0x34, 'Period', '.', '>');
add(0x35, 'Slash', '/', '?');
add(0x0e46, 'IntlBackslash', '<', '>'); // the extra key of 105-key boards
add(0x39, 'Space', ' ', ' ');

// Editing and navigation.
add(0x01, 'Escape', 'Escape');
add(0x0e, 'Backspace', 'Backspace');
add(0x0f, 'Tab', 'Tab');
add(0x1c, 'Enter', 'Enter');
add(0x0e52, 'Insert', 'Insert');
add(0x0e53, 'Delete', 'Delete');
add(0x0e47, 'Home', 'Home');
add(0x0e4f, 'End', 'End');
add(0x0e49, 'PageUp', 'PageUp');
add(0x0e51, 'PageDown', 'PageDown');
add(0xe048, 'ArrowUp', 'ArrowUp');
add(0xe04b, 'ArrowLeft', 'ArrowLeft');
add(0xe04d, 'ArrowRight', 'ArrowRight');
add(0xe050, 'ArrowDown', 'ArrowDown');
add(0xe04c, 'NumpadClear', 'Clear');
add(0x0e37, 'PrintScreen', 'PrintScreen');
add(0x0e45, 'Pause', 'Pause');
add(0x0e5d, 'ContextMenu', 'ContextMenu');

// Modifiers and locks.
add(0x2a, 'ShiftLeft', 'Shift');
add(0x36, 'ShiftRight', 'Shift');
add(0x1d, 'ControlLeft', 'Control');
add(0x0e1d, 'ControlRight', 'Control');
add(0x38, 'AltLeft', 'Alt');
add(0x0e38, 'AltRight', 'Alt');
add(0x0e5b, 'MetaLeft', 'Meta');
add(0x0e5c, 'MetaRight', 'Meta');
add(0x3a, 'CapsLock', 'CapsLock');
add(0x45, 'NumLock', 'NumLock');
add(0x46, 'ScrollLock', 'ScrollLock');

// Function keys: F1–F10 are 0x3b–0x44, F11–F12 0x57–0x58, F13–F15 0x5b–0x5d, F16–F24 0x63–0x6b.
const F_KEYS = [0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x57, 0x58, 0x5b, 0x5c, 0x5d, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b];
F_KEYS.forEach((keycode, i) => add(keycode, `F${i + 1}`, `F${i + 1}`));

// Numeric keypad. Digit codes: 7 8 9 = 0x47 0x48 0x49, 4 5 6 = 0x4b 0x4c 0x4d, 1 2 3 = 0x4f 0x50 0x51, 0 = 0x52.
const PAD: Array<[number, number, string]> = [
  [0x52, 0, 'Insert'], [0x4f, 1, 'End'], [0x50, 2, 'ArrowDown'], [0x51, 3, 'PageDown'], [0x4b, 4, 'ArrowLeft'],
  [0x4c, 5, 'Clear'], [0x4d, 6, 'ArrowRight'], [0x47, 7, 'Home'], [0x48, 8, 'ArrowUp'], [0x49, 9, 'PageUp'],
];
for (const [keycode, digit, nav] of PAD) {
  add(keycode, `Numpad${digit}`, String(digit), String(digit));
  add(0xee00 | keycode, `Numpad${digit}`, nav);
}
add(0x53, 'NumpadDecimal', '.', '.');
add(0xee00 | 0x53, 'NumpadDecimal', 'Delete');
add(0x37, 'NumpadMultiply', '*', '*');
add(0x4e, 'NumpadAdd', '+', '+');
add(0x4a, 'NumpadSubtract', '-', '-');
add(0x0e35, 'NumpadDivide', '/', '/');
add(0x0e0d, 'NumpadEqual', '=', '=');
add(0x7e, 'NumpadComma', ',', ',');
add(0x0e1c, 'NumpadEnter', 'Enter');

// Media, browser and system keys.
add(0xe022, 'MediaPlayPause', 'MediaPlayPause');
add(0xe024, 'MediaStop', 'MediaStop');
add(0xe010, 'MediaTrackPrevious', 'MediaTrackPrevious');
add(0xe019, 'MediaTrackNext', 'MediaTrackNext');
add(0xe06d, 'MediaSelect', 'LaunchMediaPlayer');
add(0xe02c, 'Eject', 'Eject');
add(0xe020, 'AudioVolumeMute', 'AudioVolumeMute');
add(0xe030, 'AudioVolumeUp', 'AudioVolumeUp');
add(0xe02e, 'AudioVolumeDown', 'AudioVolumeDown');
add(0xe06c, 'LaunchMail', 'LaunchMail');
add(0xe021, 'LaunchApp2', 'LaunchApplication2');
add(0xe065, 'BrowserSearch', 'BrowserSearch');
add(0xe032, 'BrowserHome', 'BrowserHome');
add(0xe06a, 'BrowserBack', 'BrowserBack');
add(0xe069, 'BrowserForward', 'BrowserForward');
add(0xe068, 'BrowserStop', 'BrowserStop');
add(0xe067, 'BrowserRefresh', 'BrowserRefresh');
add(0xe066, 'BrowserFavorites', 'BrowserFavorites');
add(0xe05e, 'Power', 'Power');
add(0xe05f, 'Sleep', 'Standby');
add(0xe063, 'WakeUp', 'WakeUp');

const UNKNOWN: KeyName = Object.freeze({ key: 'Unidentified', code: 'Unidentified' });

/** The DOM key, code and (for printable keys) character of a uiohook keycode, US layout. */
export function keyFor(keycode: number, shift = false): KeyName {
  const entry = TABLE.get(keycode);
  if (!entry) return UNKNOWN;
  const [code, plain, shifted] = entry;
  const key = shift && shifted !== undefined ? shifted : plain;
  return shifted !== undefined ? { key, code, char: key } : { key, code };
}

/** True for Shift, Control, Alt and Meta (either side). */
export function isModifier(keycode: number): boolean {
  const key = TABLE.get(keycode)?.[1];
  return key === 'Shift' || key === 'Control' || key === 'Alt' || key === 'Meta';
}
