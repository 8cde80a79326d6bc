// Phone numbers, in the forms people write them:
//   international   +44 20 7946 0958, +1 (415) 555-2671, +49-30-1234567, +442079460958, 0049 30 1234567
//   North American  (415) 555-2671, 415-555-2671, 415.555.2671, 415 555 2671, 1-800-555-0199
//   national        030 12345678, 020 7946 0958, 07700 900123, 01 23 45 67 89, 030/1234567
//   solid digits    only after a word that says phone (tel, call, mobile, whatsapp, …)
// A candidate is read once as digit groups with single separators; what is not one of the forms
// above (dates: at most 8 digits; versions and IPs: short groups and dots; SSNs: 3-2-4; cards:
// more than 15 digits; order numbers: glued to letters or solid without a phone word) is not a phone.
import type { Detector } from './detector.ts';
import { isAlnum, isDigit } from './util.ts';

const MAX_DIGITS = 15; // E.164
const CONTEXT = /(?:phone|tel|telephone|mobile|mob|cell|call|ring|sms|whatsapp|signal|fax)[\s.:#)(-]{0,4}(?:me[ \t]{1,2}(?:at|on)[ \t]{1,2}|at[ \t]{1,2}|on[ \t]{1,2})?$/i;

interface Candidate {
  start: number;
  end: number;
  groups: string[];
  seps: string[];
  plus: boolean;
  paren: boolean;
}

/** Reads digit groups from `i` (at '+', '(' or a digit); undefined when it is not phone-shaped. */
function read(text: string, i: number): Candidate | undefined {
  const start = i;
  let plus = false;
  let paren = false;
  if (text.charCodeAt(i) === 43) {
    plus = true;
    i++;
  }
  const groups: string[] = [];
  const seps: string[] = [];
  let digits = 0;
  let pendingSep = '';
  for (;;) {
    let c = text.charCodeAt(i);
    let opened = false;
    if (c === 40 /* ( */ && !paren && groups.length <= 1) {
      opened = true;
      paren = true;
      i++;
      c = text.charCodeAt(i);
    }
    if (!isDigit(c)) return groups.length ? { start, end: i, groups, seps, plus, paren } : undefined;
    const gs = i;
    while (i < text.length && isDigit(text.charCodeAt(i)) && i - gs < MAX_DIGITS + 1) i++;
    const g = text.slice(gs, i);
    digits += g.length;
    if (digits > MAX_DIGITS) return undefined;
    groups.push(g);
    seps.push(pendingSep);
    if (opened) {
      if (text.charCodeAt(i) !== 41 /* ) */ || g.length > 4) return undefined;
      i++;
      pendingSep = ')';
      if (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 45) {
        pendingSep = ') ';
        i++;
      }
      continue;
    }
    const s = text.charCodeAt(i);
    if ((s === 32 || s === 45 || s === 46 || s === 47) && (isDigit(text.charCodeAt(i + 1)) || (text.charCodeAt(i + 1) === 40 && groups.length === 1))) {
      pendingSep = text[i]!;
      i++;
      continue;
    }
    return { start, end: i, groups, seps, plus, paren };
  }
}

function sameSeps(seps: string[], from: number): boolean {
  for (let k = from + 1; k < seps.length; k++) if (seps[k] !== seps[from]) return false;
  return true;
}

/** North American: NXX NXX XXXX from group `from`. */
function nanp(gs: string[], from: number): boolean {
  return gs.length - from === 3 && gs[from]!.length === 3 && gs[from + 1]!.length === 3 && gs[from + 2]!.length === 4 && /[2-9]/.test(gs[from]![0]!) && /[2-9]/.test(gs[from + 1]![0]!);
}

function allPairs(gs: string[]): boolean {
  for (const g of gs) if (g.length !== 2) return false;
  return true;
}

function isPhone(c: Candidate, context: boolean): boolean {
  const { groups, seps } = c;
  const digits = groups.join('');
  const n = digits.length;
  const separated = groups.length > 1;
  const usesDot = seps.includes('.');
  const usesSlash = seps.includes('/');
  if (c.plus) {
    // +CC …: 8–15 digits; written solid or in groups (a '(' around the area code is fine)
    if (n < 8 || n > 15 || digits[0] === '0') return false;
    if (!separated) return n >= 10;
    return !usesSlash && groups[0]!.length <= 4;
  }
  if (digits.startsWith('00') && separated && groups[0]!.length >= 3 && groups[0]!.length <= 5) {
    return n >= 10 && n <= 15 && !usesDot; // 0049 30 1234567
  }
  // North American: [1] NXX NXX XXXX
  if (c.paren) {
    if (seps[1] === ')' || seps[1] === ') ') return nanp(groups, 0) && (seps[2] === '-' || seps[2] === ' ' || seps[2] === '.');
    if (groups[0] === '1' && (seps[2] === ')' || seps[2] === ') ')) return nanp(groups, 1);
    // (0)30 1234567, 0 (30) 1234567: national with a parenthesised prefix
    return n >= 9 && n <= 12 && digits[0] === '0';
  }
  if (separated && nanp(groups, 0) && sameSeps(seps, 1)) return true;
  if (separated && groups[0] === '1' && groups.length === 4 && nanp(groups, 1) && sameSeps(seps, 1)) return true;
  // national with a trunk 0: 030 12345678, 020 7946 0958, 07700 900123, 01 23 45 67 89
  if (separated && digits[0] === '0' && digits[1] !== '0' && n >= 9 && n <= 12 && groups[0]!.length >= 2 && groups[0]!.length <= 5) {
    if (usesDot) return allPairs(groups) && sameSeps(seps, 1); // French style only
    return sameSeps(seps, 1) || (usesSlash && groups.length === 2);
  }
  // solid digits after a phone word
  if (!separated && context && n >= 10 && n <= 13) return true;
  if (separated && context && n >= 9 && n <= 13 && !usesDot && !usesSlash) return true;
  return false;
}

export const phone: Detector = {
  name: 'phone',
  family: 'pii',
  kinds: ['phone'],
  description: 'phone numbers: international (+CC, 00CC), North American, national (trunk 0), solid after a phone word',
  gate: (f) => f.digits >= 8,
  find(text, out) {
    const len = text.length;
    let i = 0;
    while (i < len) {
      const c = text.charCodeAt(i);
      if (!(isDigit(c) || c === 43 || c === 40)) {
        i++;
        continue;
      }
      const p = i > 0 ? text.charCodeAt(i - 1) : 0;
      // glued to a word, a decimal, a path or another number: not the start of a phone number
      // (a number after "1234 " or "12-" continues a longer number: an order or card number)
      const pp = i > 1 ? text.charCodeAt(i - 2) : 0;
      const continues = (p === 32 || p === 45 || p === 46) && isDigit(pp);
      if (continues || isAlnum(p) || p === 46 || p === 95 || p === 47 || p === 45 || p === 44 || p === 43 || (c === 40 && !isDigit(text.charCodeAt(i + 1)) && text.charCodeAt(i + 1) !== 43)) {
        i++;
        while (i < len && isDigit(text.charCodeAt(i))) i++;
        continue;
      }
      if (c === 40 && text.charCodeAt(i + 1) === 43) {
        i++; // (+44) …: start at the plus
        continue;
      }
      const cand = read(text, i);
      if (!cand && c === 40) {
        i++; // "(730-366-9120)": a bracket around the whole number, not an area code
        continue;
      }
      if (!cand) {
        i++;
        while (i < len && isDigit(text.charCodeAt(i))) i++;
        continue;
      }
      const a = cand.end < len ? text.charCodeAt(cand.end) : 0;
      const glued = isAlnum(a) || a === 95 || ((a === 46 || a === 45 || a === 47 || a === 58 || a === 44) && isDigit(text.charCodeAt(cand.end + 1)));
      if (!glued) {
        // a phone word only adds forms: look for it (a regex over the 24 characters before)
        // only when the candidate is one of those forms
        if (isPhone(cand, false) || (isPhone(cand, true) && CONTEXT.test(text.slice(Math.max(0, i - 24), i)))) out.push({ start: cand.start, end: cand.end, kind: 'phone', family: 'pii' });
      }
      i = Math.max(cand.end, i + 1);
    }
  },
};
