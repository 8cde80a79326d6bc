import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isModifier, keyFor } from './keymap.ts';

/**
 * uiohook-napi's own UiohookKey table, read from its source: importing the package would load its
 * native binding, which this test process must not do (see DEPENDENCY-NOTES).
 */
function uiohookKeys(): Map<string, number> {
  const src = readFileSync(createRequire(import.meta.url).resolve('uiohook-napi'), 'utf8');
  const body = src.slice(src.indexOf('exports.UiohookKey = {'), src.indexOf('};', src.indexOf('exports.UiohookKey = {')));
  const keys = new Map<string, number>();
  for (const m of body.matchAll(/^\s*(\w+): (0x[0-9A-Fa-f]+)(?: \| (0x[0-9A-Fa-f]+))?,/gm)) keys.set(m[1]!, Number(m[2]) | Number(m[3] ?? 0));
  return keys;
}

const K = uiohookKeys();
const code = (name: string) => {
  const v = K.get(name);
  if (v === undefined) throw new Error(`UiohookKey.${name} not found`);
  return v;
};

describe('keyFor', () => {
  it('reads the whole UiohookKey table from uiohook-napi', () => {
    expect(K.size).toBeGreaterThan(120);
    expect(code('A')).toBe(30);
    expect(code('NumpadEnd')).toBe(0xee4f);
  });

  it('names every key uiohook-napi knows', () => {
    const unknown = [...K].filter(([, v]) => keyFor(v).key === 'Unidentified').map(([n]) => n);
    expect(unknown).toEqual([]);
  });

  it('gives letters in both cases', () => {
    expect(keyFor(code('A'))).toEqual({ key: 'a', code: 'KeyA', char: 'a' });
    expect(keyFor(code('A'), true)).toEqual({ key: 'A', code: 'KeyA', char: 'A' });
    for (const letter of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
      expect(keyFor(code(letter))).toEqual({ key: letter.toLowerCase(), code: `Key${letter}`, char: letter.toLowerCase() });
      expect(keyFor(code(letter), true).char).toBe(letter);
    }
  });

  it('gives digits and their shifted symbols (US layout)', () => {
    const shifted = ')!@#$%^&*(';
    for (let d = 0; d <= 9; d++) {
      expect(keyFor(code(String(d)))).toEqual({ key: String(d), code: `Digit${d}`, char: String(d) });
      expect(keyFor(code(String(d)), true)).toEqual({ key: shifted[d], code: `Digit${d}`, char: shifted[d] });
    }
  });

  it.each([
    ['Minus', '-', '_'],
    ['Equal', '=', '+'],
    ['BracketLeft', '[', '{'],
    ['BracketRight', ']', '}'],
    ['Backslash', '\\', '|'],
    ['Semicolon', ';', ':'],
    ['Quote', "'", '"'],
    ['Backquote', '`', '~'],
    ['Comma', ',', '<'],
    ['Period', '.', '>'],
    ['Slash', '/', '?'],
    ['Space', ' ', ' '],
  ])('punctuation %s: %s and %s', (name, plain, shifted) => {
    expect(keyFor(code(name))).toEqual({ key: plain, code: name, char: plain });
    expect(keyFor(code(name), true)).toEqual({ key: shifted, code: name, char: shifted });
  });

  it.each([
    ['Enter', 'Enter', 'Enter'],
    ['Backspace', 'Backspace', 'Backspace'],
    ['Tab', 'Tab', 'Tab'],
    ['Escape', 'Escape', 'Escape'],
    ['ArrowLeft', 'ArrowLeft', 'ArrowLeft'],
    ['ArrowUp', 'ArrowUp', 'ArrowUp'],
    ['Delete', 'Delete', 'Delete'],
    ['Home', 'Home', 'Home'],
    ['PageDown', 'PageDown', 'PageDown'],
    ['Ctrl', 'Control', 'ControlLeft'],
    ['CtrlRight', 'Control', 'ControlRight'],
    ['Shift', 'Shift', 'ShiftLeft'],
    ['ShiftRight', 'Shift', 'ShiftRight'],
    ['Alt', 'Alt', 'AltLeft'],
    ['AltRight', 'Alt', 'AltRight'],
    ['Meta', 'Meta', 'MetaLeft'],
    ['MetaRight', 'Meta', 'MetaRight'],
    ['CapsLock', 'CapsLock', 'CapsLock'],
    ['F5', 'F5', 'F5'],
    ['F12', 'F12', 'F12'],
    ['F24', 'F24', 'F24'],
    ['PrintScreen', 'PrintScreen', 'PrintScreen'],
  ])('named key %s → key %s, code %s, no char', (name, key, dom) => {
    expect(keyFor(code(name))).toEqual({ key, code: dom });
    expect(keyFor(code(name), true)).toEqual({ key, code: dom });
  });

  it('maps the keypad: digits and operators type, navigation codes do not', () => {
    for (let d = 0; d <= 9; d++) expect(keyFor(code(`Numpad${d}`))).toEqual({ key: String(d), code: `Numpad${d}`, char: String(d) });
    expect(keyFor(code('NumpadMultiply'))).toEqual({ key: '*', code: 'NumpadMultiply', char: '*' });
    expect(keyFor(code('NumpadAdd'))).toEqual({ key: '+', code: 'NumpadAdd', char: '+' });
    expect(keyFor(code('NumpadSubtract'))).toEqual({ key: '-', code: 'NumpadSubtract', char: '-' });
    expect(keyFor(code('NumpadDivide'))).toEqual({ key: '/', code: 'NumpadDivide', char: '/' });
    expect(keyFor(code('NumpadDecimal'))).toEqual({ key: '.', code: 'NumpadDecimal', char: '.' });
    expect(keyFor(code('NumpadEnter'))).toEqual({ key: 'Enter', code: 'NumpadEnter' });
    expect(keyFor(code('NumpadEnd'))).toEqual({ key: 'End', code: 'Numpad1' });
    expect(keyFor(code('NumpadArrowUp'))).toEqual({ key: 'ArrowUp', code: 'Numpad8' });
    expect(keyFor(code('NumpadDelete'))).toEqual({ key: 'Delete', code: 'NumpadDecimal' });
    expect(keyFor(code('NumpadInsert'))).toEqual({ key: 'Insert', code: 'Numpad0' });
  });

  it('reports unknown codes as Unidentified', () => {
    expect(keyFor(0)).toEqual({ key: 'Unidentified', code: 'Unidentified' });
    expect(keyFor(0xffff)).toEqual({ key: 'Unidentified', code: 'Unidentified' });
    expect(keyFor(-1, true)).toEqual({ key: 'Unidentified', code: 'Unidentified' });
  });

  it('gives a char exactly for one-character keys, and Shift changes only printable keys', () => {
    for (const [name, v] of K) {
      for (const shift of [false, true]) {
        const k = keyFor(v, shift);
        expect(k.char === undefined ? k.key.length > 1 : k.char === k.key && [...k.key].length === 1, `${name} shift=${shift}`).toBe(true);
        if (k.char === undefined) expect(k).toEqual(keyFor(v, !shift));
        expect(keyFor(v, shift).code).toBe(keyFor(v, !shift).code);
      }
    }
  });

  it('recognises modifiers', () => {
    for (const name of ['Ctrl', 'CtrlRight', 'Shift', 'ShiftRight', 'Alt', 'AltRight', 'Meta', 'MetaRight']) expect(isModifier(code(name)), name).toBe(true);
    for (const name of ['A', 'Enter', 'CapsLock', 'NumLock', 'F1', 'Space']) expect(isModifier(code(name)), name).toBe(false);
  });
});
