import { describe, expect, it } from 'vitest';
import { slack } from './slack.ts';
import { spans } from './testing.ts';

describe('slack', () => {
  it('finds tokens and webhook paths', () => {
    expect(spans(slack, 'SLACK_BOT_TOKEN=xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx')).toEqual([['slack-token', 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx']]);
    expect(spans(slack, 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX')).toEqual([['slack-webhook', 'T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX']]);
  });
  it('ignores short look-alikes', () => {
    expect(spans(slack, 'xoxb-1 and https://hooks.slack.com/services/')).toEqual([]);
  });
});
