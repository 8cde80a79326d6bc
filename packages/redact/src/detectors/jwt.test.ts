import { describe, expect, it } from 'vitest';
import { jwt } from './jwt.ts';
import { matched } from './testing.ts';

const token = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
describe('jwt', () => {
  it('finds tokens, without a full stop that follows them', () => {
    expect(matched(jwt, `Authorization: Bearer ${token}`)).toEqual([token]);
    expect(matched(jwt, `the token was ${token}.`)).toEqual([token]);
    expect(matched(jwt, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0In0.')).toEqual(['eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0In0.']);
  });
  it('needs a JSON header and payload', () => expect(matched(jwt, 'eyJhbGciOiJIUzI1NiJ9 alone, abc.def.ghi')).toEqual([]));
});
