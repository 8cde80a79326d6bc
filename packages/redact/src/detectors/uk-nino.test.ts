import { describe, expect, it } from 'vitest';
import { ukNino } from './uk-nino.ts';
import { matched } from './testing.ts';

describe('uk-nino', () => {
  it('finds numbers, spaced or solid', () => expect(matched(ukNino, 'NI number: AB 12 34 56 C, or AB123456C')).toEqual(['AB 12 34 56 C', 'AB123456C']));
  it('excludes unused prefixes and letters, and partial spacing', () => {
    expect(matched(ukNino, 'GB123456A BG123456A DA123456A AO123456A AB123456E AB 123456 C')).toEqual([]);
  });
});
