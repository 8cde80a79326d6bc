import { describe, expect, it } from 'vitest';
import { cardNumber, issuerAccepts } from './card-number.ts';
import { matched } from './testing.ts';

describe('card-number', () => {
  it('finds Luhn-valid numbers of known issuers, solid or grouped', () => {
    expect(matched(cardNumber, 'card 4111 1111 1111 1111 exp 09/27')).toEqual(['4111 1111 1111 1111']);
    expect(matched(cardNumber, 'amex 3782-822463-10005, mc 5555555555554444')).toEqual(['3782-822463-10005', '5555555555554444']);
    expect(matched(cardNumber, 'visa19 4111 1111 1111 1111 003')).toHaveLength(1);
  });
  it('leaves numbers that fail Luhn, the issuer table or the grouping alone', () => {
    expect(matched(cardNumber, 'order 4111 1111 1111 1112, ts 1710238951123, 1234 5678 9012 3456')).toEqual([]);
    expect(matched(cardNumber, 'id ORD4111111111111111 and 4111-1111 1111-1111 and 4111111111111111.5')).toEqual([]);
  });
  it('knows issuer lengths', () => {
    expect(issuerAccepts('4'.padEnd(16, '0'))).toBe(true);
    expect(issuerAccepts('34'.padEnd(16, '0'))).toBe(false);
    expect(issuerAccepts('9'.padEnd(16, '0'))).toBe(false);
  });
});
