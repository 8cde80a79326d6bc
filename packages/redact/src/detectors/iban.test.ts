import { describe, expect, it } from 'vitest';
import { iban, ibanChecksumOk } from './iban.ts';
import { matched } from './testing.ts';

describe('iban', () => {
  it('finds valid IBANs, grouped or solid', () => {
    expect(matched(iban, 'IBAN: DE89 3704 0044 0532 0130 00 (BIC COBADEFFXXX)')).toEqual(['DE89 3704 0044 0532 0130 00']);
    expect(matched(iban, '"iban": "GB82WEST12345698765432"')).toEqual(['GB82WEST12345698765432']);
  });
  it('rejects a wrong check, a wrong length, an unknown country', () => {
    expect(matched(iban, 'DE89 3704 0044 0532 0130 01, DE89370400440532013, ZZ89370400440532013000')).toEqual([]);
    expect(ibanChecksumOk('GB82WEST12345698765432')).toBe(true);
  });
});
