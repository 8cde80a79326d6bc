// Telegram bot tokens: the bot's numeric id, a colon, then AA + 33 base64url characters.
import { tokenDetector } from './tokens.ts';
import { isAlnum } from './util.ts';
import { COLON, has } from './features.ts';

export const telegram = tokenDetector('telegram', 'Telegram bot tokens (123456789:AA…)', [
  { kind: 'telegram-bot-token', prefix: /\d{8,10}:AA/g, needs: ':AA', min: 43, max: 47, before: isAlnum, gate: (f) => has(f, COLON) && f.digits >= 8 && f.maxRun >= 35, shape: /^\d{8,10}:AA[A-Za-z0-9_-]{33}$/ },
]);
