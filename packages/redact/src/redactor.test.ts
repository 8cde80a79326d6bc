import { describe, expect, it } from 'vitest';
import { BUILTIN_KINDS, DETECTORS, createRedactor, describeDetectors, RedactorConfigError } from './index.ts';

describe('createRedactor', () => {
  it('finds and masks with every built-in detector by default', () => {
    const r = createRedactor();
    const text = 'mail anna@example.com with key AKIAIOSFODNN7EXAMPLE';
    expect(r.find(text)).toEqual([
      { start: 5, end: 21, kind: 'email', family: 'pii' },
      { start: 31, end: 51, kind: 'aws-access-key-id', family: 'secret' },
    ]);
    expect(r.mask(text)).toBe('mail xxxx@xxxxxxx.xxx with key XXXXXXXXXXXX9XXXXXXX');
  });

  it('applies the configured style, terms and disabled kinds', () => {
    const r = createRedactor({ style: 'placeholder', terms: [{ term: 'Nightingale' }], disabledKinds: ['ip-address'] });
    expect(r.mask('Nightingale runs on 81.2.69.142')).toBe('⟨custom-term⟩ runs on 81.2.69.142');
  });

  it('throws a clear error on bad config, never building half a redactor', () => {
    expect(() => createRedactor({ style: 'blur' as never })).toThrow(RedactorConfigError);
    expect(() => createRedactor({ styel: 'shape' } as never)).toThrow(/unknown field "styel"/);
    expect(() => createRedactor({ disabledKinds: ['ip-adress'] })).toThrow(/ip-adress/);
    expect(() => createRedactor({ terms: [{ pattern: '(a+)+' }] })).toThrow(/nested quantifiers/);
    expect(() => createRedactor({ terms: 'x' as never })).toThrow(/terms must be an array/);
  });

  it('keeps a registry with name, family and kinds for every detector', () => {
    const names = DETECTORS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const d of DETECTORS) expect(d.kinds.length).toBeGreaterThan(0);
    expect(BUILTIN_KINDS.has('card-number')).toBe(true);
    expect(describeDetectors().map((d) => d.name)).toContain('custom-terms');
  });
});
