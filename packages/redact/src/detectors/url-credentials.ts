// Credentials in URLs: the password of `scheme://user:password@host` (database URLs, git
// remotes, proxies), and the values of credential-like query parameters (`?token=`, `api_key=`,
// `access_token=`, `X-Amz-Signature=`, …). The user name and the host are left as they are.
import type { Detector } from './detector.ts';
import type { Finding } from '../types.ts';
import { eachMatch, isAlnum } from './util.ts';
import { AMP, COLON, EQ, QMARK, SEMI, SLASH, has } from './features.ts';

const MAX_AUTHORITY = 512;
const isSchemeChar = (c: number) => isAlnum(c) || c === 43 || c === 45 || c === 46;
// the authority ends at the path, query, fragment, whitespace or quotes
const endsAuthority = (c: number) => c === 47 || c === 63 || c === 35 || c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96;
/** `${VAR}`, `$VAR`, `{{var}}`, `<password>`, `***`: placeholders, not credentials. */
export const PLACEHOLDER_VALUE = /^(?:\$\{[^}]*\}?|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*\}\}|<[^>]*>|%\(?[A-Za-z_]*\)?s?|\*+|x+|X+|•+|\.\.\.|…)$/;

const PARAM = /[?&;](?:access_token|refresh_token|id_token|auth_token|token|api_key|apikey|api-key|key|secret|client_secret|password|passwd|pwd|sig|signature|X-Amz-Signature|X-Amz-Security-Token|X-Goog-Signature|private_token|session_token|sessionid|auth)=/gi;
const isParamValueChar = (c: number) => c > 32 && c !== 38 && c !== 35 && c !== 34 && c !== 39 && c !== 60 && c !== 62 && c !== 96 && c !== 41 && c !== 93 && c !== 127;

export const urlCredentials: Detector = {
  name: 'url-credentials',
  family: 'secret',
  kinds: ['url-password', 'url-token'],
  description: 'passwords in scheme://user:password@host, credential query parameters',
  gate: (f) => has(f, COLON | SLASH) || (has(f, EQ) && (f.chars & (QMARK | AMP | SEMI)) !== 0),
  find(text, out) {
    for (let i = text.indexOf('://'); i !== -1; i = text.indexOf('://', i + 3)) {
      if (i === 0 || !isSchemeChar(text.charCodeAt(i - 1))) continue;
      const from = i + 3;
      const limit = Math.min(text.length, from + MAX_AUTHORITY);
      let end = from;
      while (end < limit && !endsAuthority(text.charCodeAt(end))) end++;
      const authority = text.slice(from, end);
      const at = authority.lastIndexOf('@');
      if (at <= 0) continue;
      const colon = authority.indexOf(':');
      if (colon === -1 || colon > at) continue;
      const password = authority.slice(colon + 1, at);
      if (password.length === 0 || PLACEHOLDER_VALUE.test(password)) continue;
      out.push({ start: from + colon + 1, end: from + at, kind: 'url-password', family: 'secret' });
    }
    eachMatch(PARAM, text, out, onParam);
  },
};

function onParam(m: RegExpExecArray, text: string, out: Finding[]): number | void {
  const start = m.index + m[0].length;
  let end = start;
  const limit = Math.min(text.length, start + 2048);
  while (end < limit && isParamValueChar(text.charCodeAt(end))) end++;
  // a sentence's closing punctuation is not part of the value
  while (end > start && /[.,;:!?]/.test(text[end - 1]!)) end--;
  const value = text.slice(start, end);
  if (value.length >= 4 && !PLACEHOLDER_VALUE.test(value)) out.push({ start, end, kind: 'url-token', family: 'secret' });
  return end;
}
