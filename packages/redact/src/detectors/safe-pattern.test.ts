import { describe, expect, it } from 'vitest';
import { boundedPattern, UnsafePatternError } from './safe-pattern.ts';

describe('the linear-time check for program patterns', () => {
  it('accepts ordinary patterns and bounds unbounded repetition', () => {
    expect(boundedPattern('PRJ-\\d{4,6}')).toBe('PRJ-\\d{4,6}');
    expect(boundedPattern('ACME-[A-Z]+\\d*')).toBe('ACME-[A-Z]{1,64}\\d{0,64}');
    expect(boundedPattern('(?:Project|Code) (?<name>Falcon)')).toBe('(?:Project|Code) (?<name>Falcon)');
    expect(boundedPattern('[a-z]{2,}?x')).toBe('[a-z]{2,64}?x');
  });
  it.each([
    ['(a+)+', /nested quantifiers/],
    ['(a|aa)*', /nested quantifiers/],
    ['(\\w+)\\1', /backreferences/],
    ['\\k<x>', /backreferences/],
    ['foo(?=bar)', /look-ahead/],
    ['(?<!x)y', /look-ahead/],
    ['\\w+\\w+\\w+', /too many repeated parts/],
    ['a{1,1000}', /bounds above/],
    ['(abc', /not closed/],
    ['x'.repeat(300), /longer than/],
  ])('rejects %s', (p, why) => {
    expect(() => boundedPattern(p)).toThrow(UnsafePatternError);
    expect(() => boundedPattern(p)).toThrow(why);
  });
});
