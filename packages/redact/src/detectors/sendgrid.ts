// SendGrid API keys: SG. + 22 + . + 43 base64url characters.
import { tokenDetector } from './tokens.ts';
import { isTokenChar } from './util.ts';

export const sendgrid = tokenDetector('sendgrid', 'SendGrid API keys (SG.…)', [
  { kind: 'sendgrid-key', prefix: /SG\./g, body: (c) => isTokenChar(c) || c === 46, min: 69, max: 69, shape: /^SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/ },
]);
