import { describe, expect, it } from 'vitest';
import { toJson } from './transport.ts';

describe('toJson', () => {
  it('writes JSON that parses to what JSON.stringify would give', () => {
    const batch = [
      { type: 'key', kind: 'down', key: '"', mods: { alt: false, ctrl: true, meta: false, shift: false }, char: '\\', pt: 1_700_000_000_000.125, skipped: undefined },
      { type: 'input', value: 'line\nbreak\ttab\u0000nul\u001f é 😀 \u2028', target: { tag: 'textarea', selector: '#m', box: { x: -0, y: 1.5, w: 1e21, h: 0.01 } } },
      { type: 'pointer', kind: 'move', x: Number.NaN, y: Number.POSITIVE_INFINITY, list: [1, undefined, null, true, 'a'] },
      [],
      {},
    ];
    const text = toJson(batch);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(batch)));
  });
});
