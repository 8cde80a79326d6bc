// Discord: bot tokens (base64 of the bot's numeric id . 6 . 27–38) and webhook URLs, whose path is the credential.
import { tokenDetector } from './tokens.ts';
import { isTokenChar, isDigit } from './util.ts';

/** The first part of a bot token is the base64 of a snowflake id: decoded, it is all digits. */
function idPartIsNumeric(token: string): boolean {
  const first = token.slice(0, token.indexOf('.'));
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let bits = 0;
  let value = 0;
  let decoded = 0;
  for (const ch of first) {
    const v = alphabet.indexOf(ch === '-' ? '+' : ch === '_' ? '/' : ch);
    if (v < 0) return false;
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const byte = (value >> bits) & 0xff;
      if (!isDigit(byte)) return false;
      decoded++;
    }
  }
  return decoded >= 17;
}

export const discord = tokenDetector('discord', 'Discord bot tokens and webhook URLs', [
  { kind: 'discord-token', prefix: /[MNO][A-Za-z0-9_-]{22,26}\./g, needs: '.', body: (c) => isTokenChar(c) || c === 46, min: 59, max: 72, shape: /^[MNO][A-Za-z0-9_-]{22,26}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}$/, before: isTokenChar, validate: idPartIsNumeric },
  { kind: 'discord-webhook', prefix: /discord(?:app)?\.com\/api\/webhooks\//g, body: (c) => isTokenChar(c) || c === 47, min: 70, max: 100, valueOnly: true },
]);
