import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMaskedShape, maskText, mergeFindings, shapeOf } from './mask.ts';
import { createRedactor } from './redactor.ts';
import type { Finding } from './types.ts';

const f = (start: number, end: number, kind = 'email', family: Finding['family'] = 'pii'): Finding => ({ start, end, kind, family });

describe('shape masking', () => {
  it('keeps length and character classes', () => {
    expect(shapeOf('Abc-123')).toBe('Xxx-999');
    expect(shapeOf('anna@example.com')).toBe('xxxx@xxxxxxx.xxx');
    expect(shapeOf('Chloé 北京 ٣😀')).toBe('Xxxxx xx 9😀');
    expect(shapeOf('𝐀b').length).toBe('𝐀b'.length);
  });
  it('is idempotent and recognisable', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => shapeOf(shapeOf(s)) === shapeOf(s) && isMaskedShape(shapeOf(s))));
    expect(isMaskedShape('xxxx@xxxxxxx.xxx')).toBe(true);
    expect(isMaskedShape('⟨email⟩')).toBe(true);
    expect(isMaskedShape('anna@example.com')).toBe(false);
  });
});

describe('merging overlapping findings', () => {
  it('merges overlaps into one span named by the winner: secret > pii, specific > generic, then longer', () => {
    expect(mergeFindings([f(5, 10), f(0, 3), f(8, 20, 'phone')])).toEqual([f(0, 3), f(5, 20, 'phone')]);
    expect(mergeFindings([f(0, 10, 'email'), f(2, 6, 'password', 'secret')])).toEqual([f(0, 10, 'password', 'secret')]);
    expect(mergeFindings([f(0, 30, 'high-entropy-token', 'secret'), f(2, 20, 'github-token', 'secret')])).toEqual([f(0, 30, 'github-token', 'secret')]);
    expect(mergeFindings([f(0, 3), f(3, 6)])).toHaveLength(2); // touching spans stay apart
  });
});

describe('maskText', () => {
  const text = 'mail anna@example.com now';
  it('writes each style', () => {
    expect(maskText(text, [f(5, 21)])).toBe('mail xxxx@xxxxxxx.xxx now');
    expect(maskText(text, [f(5, 21)], 'placeholder')).toBe('mail ⟨email⟩ now');
    expect(maskText(text, [f(5, 21)], 'drop')).toBe('mail  now');
  });
  it('clamps findings outside the text', () => expect(maskText('abc', [f(1, 99)])).toBe('axx'));
});

describe('masking is stable', () => {
  const lines = [
    'DB_PASSWORD=hunter22 psql -h db',
    'call (415) 555-2671 or mail anna.smith@example.com',
    'key ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1eF3hJ5 and 4111 1111 1111 1111',
    'postgres://admin:Pa55w0rd@db.example.com/app?token=abcd1234efgh',
    '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----',
  ];
  it.each(['shape', 'placeholder'] as const)('masking masked text changes nothing (%s)', (style) => {
    const r = createRedactor({ style });
    for (const l of lines) {
      const once = r.mask(l);
      expect(r.mask(once)).toBe(once);
    }
  });
});
