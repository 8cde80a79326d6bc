// Slack: bot, user, app-level, config and refresh tokens (xoxb-, xoxp-, xapp-, xoxe-, …), and
// incoming-webhook URLs (hooks.slack.com/services/T…/B…/secret), whose path is the credential.
import { tokenDetector } from './tokens.ts';
import { isAlnum } from './util.ts';

export const slack = tokenDetector('slack', 'Slack tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxe-, xapp-) and webhook URLs', [
  { kind: 'slack-token', prefix: /xox[abposre]-/g, min: 20, max: 256, tooLong: 'cut' },
  { kind: 'slack-token', prefix: /xoxe\.xox[bp]-/g, min: 30, max: 256, tooLong: 'cut' },
  { kind: 'slack-token', prefix: /xapp-\d-/g, min: 30, max: 256, tooLong: 'cut' },
  {
    kind: 'slack-webhook',
    prefix: /hooks\.slack\.com\/(?:services|workflows|triggers)\//g,
    body: (c) => isAlnum(c) || c === 47 || c === 95,
    min: 20,
    max: 160,
    valueOnly: true,
  },
]);
