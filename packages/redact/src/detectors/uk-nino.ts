// UK National Insurance numbers: two letters, six digits, a suffix A–D (AB 12 34 56 C or
// AB123456C). First letters D, F, I, Q, U, V and second letters D, F, I, O, Q, U, V are never
// used, nor the prefixes BG, GB, KN, NK, NT, TN, ZZ.
import type { Detector } from './detector.ts';
import type { Finding } from '../types.ts';
import { eachMatch, isAlnum } from './util.ts';
import { UPPER, has } from './features.ts';

const NINO = /[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]/g;
const BAD_PREFIX = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

export const ukNino: Detector = {
  name: 'uk-nino',
  family: 'pii',
  kinds: ['uk-nino'],
  description: 'UK National Insurance numbers',
  gate: (f) => f.digits >= 6 && has(f, UPPER),
  find(text, out) {
    eachMatch(NINO, text, out, onNino);
  },
};

function onNino(m: RegExpExecArray, text: string, out: Finding[]): number | void {
  const s = m.index;
  const e = s + m[0].length;
  if ((s > 0 && isAlnum(text.charCodeAt(s - 1))) || (e < text.length && isAlnum(text.charCodeAt(e)))) return s + 1;
  // spaces, if any, in the usual places only (AB 12 34 56 C), all or nothing
  const spaces = (m[0].match(/ /g) ?? []).length;
  if (spaces !== 0 && spaces !== 4) return s + 1;
  if (BAD_PREFIX.has(m[0].slice(0, 2))) return s + 1;
  out.push({ start: s, end: e, kind: 'uk-nino', family: 'pii' });
}
