import { describe, expect, it } from 'vitest';
import { gcp } from './gcp.ts';
import { spans } from './testing.ts';

describe('gcp', () => {
  it('finds API keys, OAuth secrets and tokens, service-account key ids', () => {
    expect(spans(gcp, 'key=AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q')).toEqual([['gcp-api-key', 'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q']]);
    expect(spans(gcp, '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')).toEqual([['gcp-oauth-client-secret', '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']]);
    expect(spans(gcp, 'Bearer ya29.a0AfH6SMBx1y2z3A4b5C6d7E8f9G0h1I2j3K4')).toEqual([['gcp-oauth-token', 'ya29.a0AfH6SMBx1y2z3A4b5C6d7E8f9G0h1I2j3K4']]);
    expect(spans(gcp, '"private_key_id": "0123456789abcdef0123456789abcdef01234567"')).toEqual([['gcp-service-account-key-id', '0123456789abcdef0123456789abcdef01234567']]);
  });
  it('needs the exact length', () => {
    expect(spans(gcp, 'AIzaShort and AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7R8')).toEqual([]);
  });
});
