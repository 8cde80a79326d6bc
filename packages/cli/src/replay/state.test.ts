// The replay check's comparison rules (reading the page is covered in Chromium by runner.test.ts).
import { describe, expect, it } from 'vitest';
import { compareFinalState } from './state.ts';

describe('compareFinalState', () => {
  it('passes when the URL and every field match', () => {
    const check = compareFinalState(
      { url: 'http://site-1.invalid/a', fields: [{ selector: '#name', value: 'Ada' }, { selector: '#ok', checked: false }] },
      { url: 'http://site-1.invalid/a', fields: [{ selector: '#name', found: true, value: 'Ada', editable: false }, { selector: '#ok', found: true, value: 'on', checked: false }] },
    );
    expect(check).toEqual({
      ok: true,
      url: { expected: 'http://site-1.invalid/a', actual: 'http://site-1.invalid/a', ok: true },
      fields: [
        { selector: '#name', expected: 'Ada', actual: 'Ada', ok: true },
        { selector: '#ok', expected: false, actual: false, ok: true },
      ],
    });
  });

  it('fails on another URL, another value, a missing field', () => {
    const check = compareFinalState(
      { url: 'http://site-1.invalid/done', fields: [{ selector: '#name', value: 'Ada' }, { selector: '#gone', value: '' }, { selector: '#ok', checked: true }] },
      { url: 'http://site-1.invalid/form', fields: [{ selector: '#name', found: true, value: 'Ada ', editable: false }, { selector: '#gone', found: false }, { selector: '#ok', found: true, value: 'on', checked: false }] },
    );
    expect(check.ok).toBe(false);
    expect(check.url.ok).toBe(false);
    expect(check.fields.map((f) => [f.actual, f.ok])).toEqual([
      ['Ada ', false],
      [null, false],
      [false, false],
    ]);
  });

  it('checks masked fields only for being filled, and never shows their value', () => {
    const expected = { fields: [{ selector: '#password', masked: true as const }] };
    const filled = compareFinalState(expected, { url: 'x', fields: [{ selector: '#password', found: true, value: 'Replay-Passw0rd!', editable: false }] });
    expect(filled).toEqual({ ok: true, url: { expected: null, actual: 'x', ok: true }, fields: [{ selector: '#password', expected: '[masked]', actual: '[filled]', ok: true }] });
    const empty = compareFinalState(expected, { url: 'x', fields: [{ selector: '#password', found: true, value: '', editable: false }] });
    expect(empty.fields[0]).toEqual({ selector: '#password', expected: '[masked]', actual: '', ok: false });
  });

  it('ignores trailing line breaks of rich text only', () => {
    const rich = compareFinalState({ fields: [{ selector: '#doc', value: 'Hello' }] }, { url: 'x', fields: [{ selector: '#doc', found: true, value: 'Hello\n', editable: true }] });
    expect(rich.ok).toBe(true);
    const plain = compareFinalState({ fields: [{ selector: '#m', value: 'Hello' }] }, { url: 'x', fields: [{ selector: '#m', found: true, value: 'Hello\n', editable: false }] });
    expect(plain.ok).toBe(false);
  });
});
