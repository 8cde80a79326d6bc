// The generic rule: a long word that looks random (many letter/digit and case changes, high
// character entropy, letters and digits both) is treated as a credential even when nothing names
// it. Guards keep harmless high-entropy text out:
//   hex digests of hash lengths (md5 32, sha1/git 40, sha256 64, …) and 0x… values; UUIDs;
//   Subresource-Integrity and `sha256:` digests; base64 in data: URIs; base64 that decodes to
//   plain words; file paths, URL paths and slugs (every part a word or a number); camelCase and
//   snake_case identifiers (mostly made of word-like humps).
// Letters-only random strings are not caught by this rule (too close to identifiers).
import type { Detector } from './detector.ts';
import type { Finding } from '../types.ts';
import { GENERIC_KINDS } from '../mask.ts';
import { entropy, isAlnum, isAlpha, isDigit, isHex, isLower, isUpper } from './util.ts';
import { IBAN_LENGTHS, ibanChecksumOk } from './iban.ts';

const MIN = 20;
const MAX = 8192;
const HASH_LENGTHS = new Set([24, 32, 40, 48, 56, 64, 96, 128]);
const RUN_CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) RUN_CHARS[c] = isAlnum(c) || c === 43 || c === 47 || c === 61 || c === 95 || c === 45 ? 1 : 0;
/** Letters, digits and `+ / = _ -` (a table lookup: this runs on every character). */
const isRunChar = (c: number) => c < 128 && RUN_CHARS[c] === 1;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DIGEST_PREFIX = /^(?:sha(?:1|224|256|384|512)|md5)-/i;
const CONTEXT_BEFORE = /(?:base64,|sha(?:1|224|256|384|512):|md5:|0x|#|@sha256:)$/i;
const PUBLIC_PREFIX = /^pk_(?:live|test)_|^0x[0-9a-fA-F]+$/; // Stripe publishable keys, hex values and addresses
const POD_OR_SLUG = /^[a-z0-9]{1,24}(?:-[a-z0-9]{1,10}){2,}$/; // kubernetes pod names, lowercase slugs

/** Value of a standard or url-safe base64 character, or -1. */
function b64Value(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c === 43 || c === 45) return 62;
  if (c === 47 || c === 95) return 63;
  return -1;
}

/**
 * Base64 of ordinary text (letters, spaces, punctuation) is not a secret; `user:password` is.
 * Decodes on the fly (standard or url-safe alphabet, trailing `=` ignored) without building the
 * decoded string: the bytes are only counted.
 */
function encodesPlainText(s: string): boolean {
  let n = s.length;
  while (n > 0 && s.charCodeAt(n - 1) === 61) n--;
  if ((n * 6) % 8 >= 6) return false; // not base64
  let bits = 0;
  let value = 0;
  let decoded = 0;
  let letters = 0;
  let space = false;
  let printable = true;
  for (let i = 0; i < n; i++) {
    const v = b64Value(s.charCodeAt(i));
    if (v < 0) return false; // not base64
    value = ((value << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const c = (value >> bits) & 0xff;
      decoded++;
      if (c === 58) return false; // `user:password`
      if (c < 32 || c > 126) printable = false;
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 32) letters++;
      if (c === 32) space = true;
    }
  }
  if (decoded < 8 || !printable) return false;
  return letters / decoded > 0.8 && space;
}

/** A URL or file path (parts that are words, or a UUID part), as opposed to base64 that contains '/'. */
export function isPathLike(run: string): boolean {
  if (!run.includes('/')) return false;
  const segs = run.split('/');
  return segs.filter((p) => p.length >= 3 && /^[A-Za-z]+$/.test(p)).length >= 2 || segs.some((p) => UUID.test(p));
}

const isPartSep = (c: number) => c === 47 || c === 95 || c === 45 || c === 43 || c === 61;

/** A part of a path, slug or identifier that is a word, a number, or a short mix (v2, x86, 3d, utf8): ≤ 3 characters, letters, digits, letters{1,16} digits{1,4}, digits{1,4} letters{1,4}, v digits. */
function wordishAt(s: string, a: number, b: number): boolean {
  const n = b - a;
  if (n <= 3) return true;
  let letters = 0; // leading letters
  while (a + letters < b && isAlpha(s.charCodeAt(a + letters))) letters++;
  if (letters === n) return true; // a word
  let digits = 0; // digits after them
  while (a + letters + digits < b && isDigit(s.charCodeAt(a + letters + digits))) digits++;
  if (letters + digits === n) {
    if (letters === 0) return true; // a number
    if (letters <= 16 && digits <= 4) return true; // utf8, v2, x86
    if (letters === 1 && s.charCodeAt(a) === 118) return true; // v123456
    return false;
  }
  if (letters > 0) return false;
  let tail = 0; // letters after leading digits: 3d, 64bit
  while (digits + tail < n && isAlpha(s.charCodeAt(a + digits + tail))) tail++;
  return digits + tail === n && digits <= 4 && tail >= 1 && tail <= 4;
}

/** At least two non-empty parts between `/ _ - + =`, and every one wordish. */
function allPartsWordish(s: string): boolean {
  let parts = 0;
  let i = 0;
  while (i < s.length) {
    while (i < s.length && isPartSep(s.charCodeAt(i))) i++;
    if (i >= s.length) break;
    let e = i;
    while (e < s.length && !isPartSep(s.charCodeAt(e))) e++;
    if (!wordishAt(s, i, e)) return false;
    parts++;
    i = e;
  }
  return parts >= 2;
}

/** The total length of the humps of `s` (a lower→Upper or letter↔digit change, or a separator) that read like words. */
function wordyLength(s: string): number {
  let total = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    if (!isAlnum(s.charCodeAt(i))) {
      i++;
      continue;
    }
    // one hump: until a separator, a lower→Upper or a letter↔digit change
    let e = i + 1;
    while (e < n) {
      const c = s.charCodeAt(e);
      const p = s.charCodeAt(e - 1);
      if (!isAlnum(c) || (isLower(p) && isUpper(c)) || isDigit(p) !== isDigit(c)) break;
      e++;
    }
    if (wordLikeAt(s, i, e)) total += e - i;
    i = e;
  }
  return total;
}

/** A hump that reads like a word: Capitalised or lowercase (3+ lowercase letters), vowels (≥ 20 %, y counts), no run of more than 4 consonants. */
function wordLikeAt(s: string, a: number, b: number): boolean {
  // ^[A-Z]?[a-z]{3,}$
  let j = a;
  if (isUpper(s.charCodeAt(j))) j++;
  if (b - j < 3) return false;
  for (let k = j; k < b; k++) if (!isLower(s.charCodeAt(k))) return false;
  let vowels = 0;
  let run = 0;
  for (let k = a; k < b; k++) {
    const c = s.charCodeAt(k) | 32;
    if (c === 97 || c === 101 || c === 105 || c === 111 || c === 117 || c === 121) {
      vowels++;
      run = 0;
    } else if (++run > 4) return false;
  }
  return vowels / (b - a) >= 0.2;
}

/** True when a run looks like a random credential (see the guards above). */
export function looksRandom(run: string): boolean {
  return looksRandomAt(run, 0, run.length, run);
}

/**
 * `looksRandom` on `text.slice(s, e)` without building the slice until the cheap guards pass.
 * Every guard only rejects, so they run cheapest first: one counting pass (letters, digits, hex,
 * the number of humps), then entropy over a reused typed array, then the regex and split guards
 * on the slice. `run` is the slice when the caller already has it.
 */
function looksRandomAt(text: string, s: number, e: number, run?: string): boolean {
  const L = e - s;
  if (L < MIN) return false;
  let digits = 0;
  let letters = 0;
  let hexOnly = true;
  let upper = false;
  let humpCount = 0;
  let prev = 0; // class of the previous character: 0 other, 1 digit, 2 upper, 3 lower
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    let cls = 0;
    if (c >= 48 && c <= 57) cls = 1;
    else if (c >= 65 && c <= 90) cls = 2;
    else if (c >= 97 && c <= 122) cls = 3;
    if (cls === 1) digits++;
    else if (cls !== 0) letters++;
    if (hexOnly && !isHex(c)) hexOnly = false;
    if (cls === 2) upper = true;
    // a hump starts after a separator, at lower→Upper, and at letter↔digit (a lower→Upper or letter↔digit change, or a separator)
    if (cls !== 0 && (prev === 0 || (prev === 3 && cls === 2) || (prev === 1) !== (cls === 1))) humpCount++;
    prev = cls;
  }
  if (digits === 0 || letters === 0) return false;
  if (hexOnly && HASH_LENGTHS.has(L)) return false;
  const changes = (humpCount - 1) / (L - 1);
  if (changes < 0.22) return false;
  if (entropy(text, s, e) < (L >= 32 ? 3.5 : 3.3)) return false;
  run ??= text.slice(s, e);
  if (UUID.test(run) || DIGEST_PREFIX.test(run) || PUBLIC_PREFIX.test(run) || POD_OR_SLUG.test(run)) return false;
  if (IBAN_LENGTHS[run.slice(0, 2)] === L && ibanChecksumOk(run)) return false; // personal data, not a credential
  if (isPathLike(run)) return false; // find() judges the parts of a path one by one
  // paths, slugs and snake/kebab identifiers: every part a word or a number
  if (allPartsWordish(run)) return false;
  // camelCase identifiers: mostly long, pronounceable humps (without capitals there are no humps
  // to speak of, and random lowercase text makes word-like runs by chance: the other checks decide)
  if (upper) {
    if (wordyLength(run) / L >= 0.5) return false;
  }
  if (encodesPlainText(run)) return false;
  return true;
}

/** Characters that can end a CONTEXT_BEFORE prefix: `,` `:` `x` `X` `#`. */
const mayEndContext = (c: number) => c === 44 || c === 58 || c === 120 || c === 88 || c === 35;

export const highEntropy: Detector = {
  name: 'high-entropy',
  family: 'secret',
  kinds: ['high-entropy-token'],
  description: 'long random-looking tokens that no other rule names (guards for hashes, UUIDs, paths, identifiers)',
  gate: (f) => f.maxRun >= MIN,
  find(text, out) {
    scanRuns(text, out, false);
  },
  scan(text, out, f) {
    scanRuns(text, out, f.coveredMayBeSkipped === true);
  },
};

const bySpanStart = (a: Finding, b: Finding) => a.start - b.start;

/**
 * With `skipCovered` (the redactor merges and reports every kind): a run that lies inside a
 * specific secret finding already in `out` (a GitHub token, a PEM block, …) is not judged — the
 * merged span and its kind are the same with or without a generic finding inside it. Covering
 * findings are sorted once and swept along with the runs, so the check is linear.
 */
function scanRuns(text: string, out: Finding[], skipCovered: boolean): void {
  let cover: Finding[] | undefined;
  if (skipCovered) {
    for (const x of out) if (x.family === 'secret' && !GENERIC_KINDS.has(x.kind) && x.end > x.start) (cover ??= []).push(x);
    cover?.sort(bySpanStart);
  }
  let ci = 0;
  let coverEnd = -1; // the furthest end of the covering findings that start at or before the current run
  {
    const len = text.length;
    let i = 0;
    while (i < len) {
      while (i < len && !isRunChar(text.charCodeAt(i))) i++;
      let e = i;
      let slash = false;
      while (e < len) {
        const c = text.charCodeAt(e);
        if (!isRunChar(c)) break;
        // '=' belongs to a token only as trailing base64 padding; `NAME=value` is two words
        if (c === 61) {
          let k = e;
          while (k < len && text.charCodeAt(k) === 61) k++;
          if (k < len && isRunChar(text.charCodeAt(k))) break;
          e = k;
          break;
        }
        if (c === 47) slash = true;
        e++;
      }
      const runStart = i;
      let s = i;
      i = e === i ? i + 1 : e;
      if (e - s < MIN) continue;
      if (cover !== undefined) {
        while (ci < cover.length && cover[ci]!.start <= runStart) coverEnd = Math.max(coverEnd, cover[ci++]!.end);
        if (coverEnd >= e) continue;
      }
      // separators at the edges may be punctuation ("--token", "path/"): judge the core, but
      // report the whole run when it is random (base64 may start with '+' or end with '/')
      while (s < e && !isAlnum(text.charCodeAt(s))) s++;
      let end = e;
      while (end > s && !isAlnum(text.charCodeAt(end - 1))) end--;
      if (end - s < MIN || end - s > MAX) continue;
      if (s > 0 && mayEndContext(text.charCodeAt(s - 1)) && CONTEXT_BEFORE.test(text.slice(Math.max(0, s - 12), s))) continue;
      if (!slash) {
        if (looksRandomAt(text, s, end)) {
          const from = text.charCodeAt(runStart) === 45 && text.charCodeAt(runStart + 1) === 45 ? s : runStart; // not a flag's "--"
          out.push({ start: from, end: e, kind: 'high-entropy-token', family: 'secret' });
        }
        continue;
      }
      const run = text.slice(s, end);
      if (isPathLike(run)) {
        let at = s;
        for (const part of run.split('/')) {
          if (looksRandom(part)) out.push({ start: at, end: at + part.length, kind: 'high-entropy-token', family: 'secret' });
          at += part.length + 1;
        }
      } else if (looksRandomAt(text, s, end, run)) {
        const from = text.charCodeAt(runStart) === 45 && text.charCodeAt(runStart + 1) === 45 ? s : runStart; // not a flag's "--"
        out.push({ start: from, end: e, kind: 'high-entropy-token', family: 'secret' });
      }
    }
  }
}
