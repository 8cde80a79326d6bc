import { describe, expect, it } from 'vitest';
import { customTerms, RedactorConfigError } from './custom-terms.ts';
import { spans } from './testing.ts';

describe('custom-terms', () => {
  it('masks exact terms case-insensitively, inside words unless wholeWord', () => {
    const d = customTerms([{ term: 'Falcon' }, { term: 'Globex Corp.', kind: 'customer' }]);
    expect(spans(d, 'falconApi for GLOBEX CORP. and Falcon')).toEqual([['custom-term', 'falcon'], ['customer', 'GLOBEX CORP.'], ['custom-term', 'Falcon']]);
    expect(spans(customTerms([{ term: 'Ace', wholeWord: true }]), 'Ace at the place')).toEqual([['custom-term', 'Ace']]);
    expect(spans(customTerms([{ term: 'Ace', caseSensitive: true }]), 'ace Ace')).toEqual([['custom-term', 'Ace']]);
  });
  it('runs checked patterns, with a family', () => {
    expect(spans(customTerms([{ pattern: 'PRJ-\\d{4}', kind: 'project-id', family: 'secret' }]), 'see PRJ-4821, PRJ-12')).toEqual([['project-id', 'PRJ-4821']]);
  });
  it('rejects bad terms with a clear error', () => {
    expect(() => customTerms([{ term: '' }])).toThrow(RedactorConfigError);
    expect(() => customTerms([{ term: 'a', pattern: 'b' }])).toThrow(/exactly one/);
    expect(() => customTerms([{ pattern: '(a+)+$' }])).toThrow(/nested quantifiers/);
    expect(() => customTerms([{ pattern: 'a*' }])).toThrow(/empty string/);
    expect(() => customTerms([{ term: 'x', kind: 'Bad Kind' }])).toThrow(/kind/);
    expect(() => customTerms([{ term: 'x', colour: 'red' } as never])).toThrow(/unknown field "colour"/);
  });
});
