// Credentials in HTTP authorization: `Authorization: Bearer …`, `Basic …` (base64 user:password),
// `Token …`, and `curl -u user:password` / `--user user:password`.
import type { Detector } from './detector.ts';
import type { Finding } from '../types.ts';
import { eachMatch } from './util.ts';
import { PLACEHOLDER_VALUE } from './url-credentials.ts';
import { COLON, DASH, has } from './features.ts';

const SCHEME = /(?:\b(?:Bearer|Basic|Token|Digest)|\bauthorization:[ \t]{0,4}(?=[A-Za-z0-9]))[ \t]{1,4}/gi;
const isCredChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95 || c === 126 || c === 43 || c === 47 || c === 61;
const CURL_USER = /(?:^|[ \t])(?:-u|--user)[ \t]{1,4}["']?[^\s:"']{1,64}:/g;
const isPasswordChar = (c: number) => c > 32 && c !== 34 && c !== 39 && c !== 127;

export const authHeader: Detector = {
  name: 'auth-header',
  family: 'secret',
  kinds: ['auth-header', 'password'],
  description: 'Bearer/Basic/Token credentials; curl -u user:password',
  gate: (f) => f.maxRun >= 16 || has(f, DASH | COLON),
  find(text, out) {
    eachMatch(SCHEME, text, out, onScheme);
    eachMatch(CURL_USER, text, out, onCurlUser);
  },
};

function onScheme(m: RegExpExecArray, text: string, out: Finding[]): number | void {
  const start = m.index + m[0].length;
  let end = start;
  const limit = Math.min(text.length, start + 4096);
  while (end < limit && isCredChar(text.charCodeAt(end))) end++;
  const value = text.slice(start, end);
  // a real credential is long and not a word ("Bearer authentication", "Basic auth")
  if (value.length >= 16 && (/[0-9]/.test(value) || (value.length >= 20 && /[A-Z]/.test(value) && /[a-z]/.test(value))) && !PLACEHOLDER_VALUE.test(value)) out.push({ start, end, kind: 'auth-header', family: 'secret' });
  return end;
}

function onCurlUser(m: RegExpExecArray, text: string, out: Finding[]): number | void {
  const start = m.index + m[0].length;
  let end = start;
  const limit = Math.min(text.length, start + 256);
  while (end < limit && isPasswordChar(text.charCodeAt(end))) end++;
  const value = text.slice(start, end);
  if (value.length > 0 && !PLACEHOLDER_VALUE.test(value)) out.push({ start, end, kind: 'password', family: 'secret' });
  return end;
}
