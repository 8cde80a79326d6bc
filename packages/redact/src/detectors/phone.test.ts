import { describe, expect, it } from 'vitest';
import { phone } from './phone.ts';
import { matched } from './testing.ts';

describe('phone', () => {
  it.each([
    '+44 20 7946 0958', '(415) 555-2671', '415-555-2671', '415.555.2671', '+1 415 555 2671', '+1 (415) 555-2671', '1-800-555-0199',
    '030 12345678', '+49 30 1234567', '0049 30 1234567', '07700 900123', '01 23 45 67 89', '+33 1 23 45 67 89', '+442079460958', '030/1234567',
  ])('finds %s', (n) => expect(matched(phone, `call me at ${n}.`)).toEqual([n]));

  it('finds solid numbers after a phone word only', () => {
    expect(matched(phone, 'tel: 4155552671')).toEqual(['4155552671']);
    expect(matched(phone, 'order 4155552671 shipped')).toEqual([]);
  });

  it.each([
    '2024-01-15', '15.01.2024', '01/15/2024', '12:30:45', 'v1.2.3', '10.0.19045.3803', '192.168.1.1', '123-45-6789',
    '4111 1111 1111 1111', 'ORD-2024-58213', '#100234567', '$1,234.56', '(2023)', '37.7749, -122.4194',
  ])('leaves %s alone', (s) => expect(matched(phone, `see ${s} here`)).toEqual([]));
});
