// JSON Web Tokens: three base64url parts; header and payload are JSON objects, so both start
// with `eyJ` (`{"`). The signature may be empty (alg "none"). Found from each `eyJ`, the run of
// token characters is read once and split on dots.
import type { Detector } from './detector.ts';
import { isTokenChar } from './util.ts';

const MAX = 16 * 1024;
const isJwtChar = (c: number) => isTokenChar(c) || c === 46;
const SHAPE = /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/;

export const jwt: Detector = {
  name: 'jwt',
  family: 'secret',
  kinds: ['jwt'],
  description: 'JSON Web Tokens (eyJ….eyJ….signature)',
  gate: (f) => f.maxRun >= 24,
  find(text, out) {
    let from = 0;
    for (let i = text.indexOf('eyJ', from); i !== -1; i = text.indexOf('eyJ', from)) {
      if (i > 0 && isJwtChar(text.charCodeAt(i - 1))) {
        from = i + 3;
        continue;
      }
      let e = i;
      const limit = Math.min(text.length, i + MAX + 1);
      while (e < limit && isJwtChar(text.charCodeAt(e))) e++;
      from = Math.max(e, i + 3);
      if (e - i > MAX) continue;
      // a sentence's full stop after the token is not part of it
      let dots = 0;
      for (let k = i; k < e; k++) if (text.charCodeAt(k) === 46) dots++;
      while (dots > 2 && text.charCodeAt(e - 1) === 46) {
        e--;
        dots--;
      }
      if (SHAPE.test(text.slice(i, e))) out.push({ start: i, end: e, kind: 'jwt', family: 'secret' });
    }
  },
};
