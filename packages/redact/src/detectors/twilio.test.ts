import { describe, expect, it } from 'vitest';
import { twilio } from './twilio.ts';
import { matched } from './testing.ts';

const hex32 = '0123456789abcdef0123456789abcdef';
describe('twilio', () => {
  it('finds API key SIDs, account SIDs and an auth token beside an account SID', () => {
    expect(matched(twilio, `TWILIO_API_KEY=SK${hex32}`)).toEqual([`SK${hex32}`]);
    expect(matched(twilio, `Client("AC${hex32}", "fedcba9876543210fedcba9876543210")`)).toEqual([`AC${hex32}`, 'fedcba9876543210fedcba9876543210']);
  });
  it('does not take a lone md5 for an auth token', () => {
    expect(matched(twilio, `md5 "${hex32}"`)).toEqual([]);
  });
});
