import { describe, expect, it } from 'vitest';
import { email } from './email.ts';
import { matched } from './testing.ts';

describe('email', () => {
  it('finds addresses in sentences, headers, CSV and mailto links', () => {
    expect(matched(email, 'reach out to anna.smith+billing@mail.acme.co.uk.')).toEqual(['anna.smith+billing@mail.acme.co.uk']);
    expect(matched(email, 'From: Ben <ben@example.com>, 3,Chloé,chloe@example.fr,active')).toEqual(['ben@example.com', 'chloe@example.fr']);
    expect(matched(email, '<a href="mailto:x.y@example.org">')).toEqual(['x.y@example.org']);
  });
  it('leaves look-alikes alone', () => {
    expect(matched(email, 'user@localhost @mention npm i @scope/pkg@1.2.3 logo@2x.png')).toEqual([]);
    expect(matched(email, 'git clone git@github.com:org/repo.git; postgres://app:pw@db.example.com/x')).toEqual([]);
  });
  it('handles a@a@a@… in one pass', () => expect(matched(email, 'a@'.repeat(10_000))).toEqual([]));
});
