import { describe, expect, it } from 'vitest';
import { shopify } from './shopify.ts';
import { matched } from './testing.ts';

describe('shopify', () => {
  it('finds access tokens and shared secrets', () => expect(matched(shopify, 'shpat_0123456789abcdef0123456789abcdef shpss_0123456789abcdef0123456789abcdef')).toHaveLength(2));
  it('needs 32 hex digits', () => expect(matched(shopify, 'shpat_xyz shpat_0123456789abcdef0123456789abcdefa')).toEqual([]));
});
