// Payment card numbers: 13–19 digits, written solid or in the usual groups (4-4-4-4, 4-6-5, …)
// with one kind of separator, Luhn-valid, with a known issuer prefix and a length that issuer
// uses. A single pass collects digit groups; only windows with a known layout are checked, so
// the cost per group is a constant.
import type { Detector } from './detector.ts';
import { isAlnum, isDigit, luhn } from './util.ts';

/** Group layouts people write cards in (a single solid group of 13–19 is always tried). */
// Longest first: a 19-digit card written 4-4-4-4-3 must not be cut to its first 16 digits.
const LAYOUTS: readonly (readonly number[])[] = [
  [4, 4, 4, 4, 3],
  [4, 4, 4, 4, 2],
  [4, 4, 4, 4, 1],
  [4, 4, 4, 4],
  [4, 6, 5],
  [4, 6, 4],
  [4, 4, 5],
  [4, 4, 4, 3],
  [4, 4, 4, 2],
  [4, 4, 4, 1],
];

/** Issuer (IIN) prefixes and the lengths that issuer uses. */
export function issuerAccepts(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  const p6 = Number(d.slice(0, 6));
  if (d[0] === '4') return n === 13 || n === 16 || n === 19; // Visa
  if (p2 >= 51 && p2 <= 55) return n === 16; // Mastercard
  if (p4 >= 2221 && p4 <= 2720) return n === 16; // Mastercard 2-series
  if (p2 === 34 || p2 === 37) return n === 15; // American Express
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) return n >= 16 && n <= 19; // Discover
  if (p2 === 36 || (p3 >= 300 && p3 <= 305) || p2 === 38 || p2 === 39 || p4 === 3095) return n >= 14 && n <= 19; // Diners Club
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19; // JCB
  if (p2 === 62) return n >= 16 && n <= 19; // UnionPay
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return n >= 12 && n <= 19; // Maestro and others
  if (p4 >= 2200 && p4 <= 2204) return n === 16; // Mir
  return false;
}

function valid(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && issuerAccepts(digits) && luhn(digits);
}

/** The next digit: a native scan (most text has none for long stretches). */
const NEXT_DIGIT = /[0-9]/g;

/** Reused between calls: start, end and separator (0, 32 or 45) of each digit group of a run. */
let gStart = new Int32Array(64);
let gEnd = new Int32Array(64);
let gSep = new Int32Array(64);

function push(n: number, start: number, end: number, sep: number): void {
  if (n >= gStart.length) {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    gStart = grow(gStart);
    gEnd = grow(gEnd);
    gSep = grow(gSep);
  }
  gStart[n] = start;
  gEnd[n] = end;
  gSep[n] = sep;
}

export const cardNumber: Detector = {
  name: 'card-number',
  family: 'pii',
  kinds: ['card-number'],
  description: 'payment card numbers (Luhn, issuer prefix and length, usual groupings)',
  gate: (f) => f.digits >= 13,
  find(text, out) {
    const len = text.length;
    let i = 0;
    while (i < len) {
      // next digit that starts a run (not glued to a word, a decimal or a version)
      NEXT_DIGIT.lastIndex = i;
      if (!NEXT_DIGIT.test(text)) break; // test(): no match array to allocate
      i = NEXT_DIGIT.lastIndex - 1;
      const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
      if (isAlnum(prev) || prev === 46 /* . */) {
        while (i < len && isAlnum(text.charCodeAt(i))) i++;
        continue;
      }
      // collect the run: digit groups separated by one space or dash
      let n = 0;
      let digitsInRun = 0;
      let sep = 0;
      let j = i;
      for (;;) {
        const gs = j;
        while (j < len && isDigit(text.charCodeAt(j))) j++;
        push(n++, gs, j, sep);
        digitsInRun += j - gs;
        const c = text.charCodeAt(j);
        if ((c === 32 || c === 45) && isDigit(text.charCodeAt(j + 1))) {
          sep = c;
          j++;
          continue;
        }
        break;
      }
      // a run glued to letters or a decimal point on its right is something else (an id, a version)
      const after = text.charCodeAt(j);
      const glued = isAlnum(after) || (after === 46 && isDigit(text.charCodeAt(j + 1)));
      if (!glued && digitsInRun >= 13) {
        for (let g = 0; g < n; g++) {
          const solid = gEnd[g]! - gStart[g]!;
          if (solid >= 13 && solid <= 19 && valid(text.slice(gStart[g], gEnd[g]))) {
            out.push({ start: gStart[g]!, end: gEnd[g]!, kind: 'card-number', family: 'pii' });
            continue;
          }
          if (solid !== 4) continue; // every layout starts with a group of four
          for (const layout of LAYOUTS) {
            const k = layout.length;
            if (g + k > n) continue;
            let ok = true;
            for (let m = 1; m < k && ok; m++) ok = gEnd[g + m]! - gStart[g + m]! === layout[m] && gSep[g + m] === gSep[g + 1];
            if (!ok) continue;
            let digits = '';
            for (let m = 0; m < k; m++) digits += text.slice(gStart[g + m], gEnd[g + m]);
            if (valid(digits)) {
              out.push({ start: gStart[g]!, end: gEnd[g + k - 1]!, kind: 'card-number', family: 'pii' });
              g += k - 1;
              break;
            }
          }
        }
      }
      i = j;
    }
  },
};
