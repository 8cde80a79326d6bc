import { describe, expect, it } from 'vitest';
import { sendgrid } from './sendgrid.ts';
import { matched } from './testing.ts';

describe('sendgrid', () => {
  const key = `SG.${'aB3dE5gH7jK9mN1pQ3sT5v'}.${'W7yZ9bC1eF3hJ5kL7nP9rT1vX3zB5dF7hJ9lN1pR3tX'}`;
  it('finds API keys', () => expect(matched(sendgrid, `SENDGRID_API_KEY=${key}`)).toEqual([key]));
  it('needs both parts at their lengths', () => expect(matched(sendgrid, 'SG.abc.def and SG.json')).toEqual([]));
});
