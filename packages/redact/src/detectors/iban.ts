// IBANs: country code, two check digits, the national account number; written solid or in
// groups of four. Valid only with the length of its country and a mod-97 remainder of 1.
import type { Detector } from './detector.ts';
import { isAlnum, isDigit, isUpper } from './util.ts';
import { UPPER, has } from './features.ts';

/** IBAN length per country (SWIFT IBAN registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22,
  DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21,
  HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27,
  MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24,
  RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22,
  VG: 24, XK: 20, YE: 30,
};

/** ISO 13616 check: move the first four characters to the end, letters → 10..35, remainder mod 97 is 1. */
export function ibanChecksumOk(iban: string): boolean {
  const r = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < r.length; i++) {
    const c = r.charCodeAt(i);
    if (isDigit(c)) rem = (rem * 10 + (c - 48)) % 97;
    else if (isUpper(c)) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

const START = /[A-Z]{2}\d{2}/g;
const isIbanChar = (c: number) => isDigit(c) || isUpper(c);

export const iban: Detector = {
  name: 'iban',
  family: 'pii',
  kinds: ['iban'],
  description: 'IBANs (country length table, mod-97 check)',
  gate: (f) => f.digits >= 2 && has(f, UPPER),
  find(text, out) {
    START.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = START.exec(text)) !== null) {
      const s = m.index;
      if (s > 0 && isAlnum(text.charCodeAt(s - 1))) continue;
      const want = IBAN_LENGTHS[m[0].slice(0, 2)];
      if (!want) continue;
      // read `want` IBAN characters, allowing single spaces between groups of four
      let j = s;
      let chars = '';
      let spaced = false;
      while (j < text.length && chars.length < want) {
        const c = text.charCodeAt(j);
        if (isIbanChar(c)) {
          chars += text[j];
          j++;
        } else if (c === 32 && chars.length % 4 === 0 && chars.length > 0 && isIbanChar(text.charCodeAt(j + 1)) && (spaced || chars.length === 4)) {
          spaced = true;
          j++;
        } else break;
      }
      START.lastIndex = Math.max(s + 1, j);
      if (chars.length !== want || (j < text.length && isAlnum(text.charCodeAt(j)))) continue;
      if (ibanChecksumOk(chars)) out.push({ start: s, end: j, kind: 'iban', family: 'pii' });
    }
    START.lastIndex = 0;
  },
};
