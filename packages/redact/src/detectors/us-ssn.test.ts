import { describe, expect, it } from 'vitest';
import { usSsn, validSsn } from './us-ssn.ts';
import { matched } from './testing.ts';

describe('us-ssn', () => {
  it('finds issued numbers, grouped or after an SSN word', () => {
    expect(matched(usSsn, 'SSN: 123-45-6789; applicant 078 05 1121 ok')).toEqual(['123-45-6789', '078 05 1121']);
    expect(matched(usSsn, 'my ssn is 123456789')).toEqual(['123456789']);
  });
  it('excludes numbers never issued and numbers inside others', () => {
    expect(matched(usSsn, '000-12-3456 666-12-3456 912-34-5678 123-00-4567 123-45-0000')).toEqual([]);
    expect(matched(usSsn, 'order 123456789, part 1-123-45-6789, 123-45-6789-0')).toEqual([]);
    expect(validSsn('899121234')).toBe(true);
  });
});
