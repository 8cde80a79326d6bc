// The generic rule: a long word that looks random (many letter/digit and case changes, high
// character entropy, letters and digits both) is treated as a credential even when nothing names
// it. Guards keep harmless high-entropy text out:
//   hex digests of hash lengths (md5 32, sha1/git 40, sha256 64, …) and 0x… values; UUIDs;
//   Subresource-Integrity and `sha256:` digests; base64 in data: URIs; base64 that decodes to
//   plain words; file paths, URL paths and slugs (every part a word or a number); camelCase and
//   snake_case identifiers (mostly made of word-like humps).
// Letters-only random strings are not caught by this rule (too close to identifiers).
import type { Detector } from './detector.ts';
import { entropy, isAlnum, isDigit, isHex, isLower, isUpper } from './util.ts';
import { IBAN_LENGTHS, ibanChecksumOk } from './iban.ts';

const MIN = 20;
const MAX = 8192;
const HASH_LENGTHS = new Set([24, 32, 40, 48, 56, 64, 96, 128]);
const isRunChar = (c: number) => isAlnum(c) || c === 43 || c === 47 || c === 61 || c === 95 || c === 45;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DIGEST_PREFIX = /^(?:sha(?:1|224|256|384|512)|md5)-/i;
const CONTEXT_BEFORE = /(?:base64,|sha(?:1|224|256|384|512):|md5:|0x|#|@sha256:)$/i;
const WORD_HUMP = /^[A-Z]?[a-z]{3,}$/;
const PUBLIC_PREFIX = /^pk_(?:live|test)_|^0x[0-9a-fA-F]+$/; // Stripe publishable keys, hex values and addresses
const POD_OR_SLUG = /^[a-z0-9]{1,24}(?:-[a-z0-9]{1,10}){2,}$/; // kubernetes pod names, lowercase slugs

/** A hump that reads like a word: Capitalised or lowercase, vowels, no long consonant cluster. */
function wordLike(h: string): boolean {
  if (!WORD_HUMP.test(h)) return false;
  let vowels = 0;
  let run = 0;
  for (const ch of h.toLowerCase()) {
    if ('aeiouy'.includes(ch)) {
      vowels++;
      run = 0;
    } else if (++run > 4) return false;
  }
  return vowels / h.length >= 0.2;
}

/** A part of a path, slug or identifier that is a word, a number, or a short mix (v2, x86, 3d, utf8). */
function wordish(seg: string): boolean {
  return seg.length <= 3 || /^[A-Za-z]+$/.test(seg) || /^\d+$/.test(seg) || /^[A-Za-z]{1,16}\d{1,4}$/.test(seg) || /^\d{1,4}[A-Za-z]{1,4}$/.test(seg) || /^v?\d+$/.test(seg);
}

/** Splits at lower→Upper, letter↔digit and separators; returns the humps. */
function humps(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isAlnum(c)) {
      if (cur) out.push(cur);
      cur = '';
      continue;
    }
    const p = i > 0 ? s.charCodeAt(i - 1) : 0;
    const boundary = cur !== '' && ((isLower(p) && isUpper(c)) || (isDigit(p) !== isDigit(c)));
    if (boundary) {
      out.push(cur);
      cur = '';
    }
    cur += s[i];
  }
  if (cur) out.push(cur);
  return out;
}

/** Decodes standard or url-safe base64; undefined if it is not base64. */
function decodeBase64(s: string): string | undefined {
  const t = s.replace(/=+$/, '');
  if ((t.length * 6) % 8 >= 6) return undefined;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const ch of t) {
    const v = alphabet.indexOf(ch === '-' ? '+' : ch === '_' ? '/' : ch);
    if (v < 0) return undefined;
    value = ((value << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((value >> bits) & 0xff);
    }
  }
  return out;
}

/** Base64 of ordinary text (letters, spaces, punctuation) is not a secret; `user:password` is. */
function encodesPlainText(s: string): boolean {
  const decoded = decodeBase64(s);
  if (decoded === undefined || decoded.length < 8) return false;
  if (decoded.includes(':')) return false;
  let letters = 0;
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if (c < 32 || c > 126) return false;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 32) letters++;
  }
  return letters / decoded.length > 0.8 && decoded.includes(' ');
}

/** A URL or file path (parts that are words, or a UUID part), as opposed to base64 that contains '/'. */
export function isPathLike(run: string): boolean {
  if (!run.includes('/')) return false;
  const segs = run.split('/');
  return segs.filter((p) => p.length >= 3 && /^[A-Za-z]+$/.test(p)).length >= 2 || segs.some((p) => UUID.test(p));
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
    // a hump starts after a separator, at lower→Upper, and at letter↔digit (see humps())
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
  const parts = run.split(/[/_\-+=]+/).filter(Boolean);
  if (parts.length >= 2 && parts.every(wordish)) return false;
  // camelCase identifiers: mostly long, pronounceable humps (without capitals there are no humps
  // to speak of, and random lowercase text makes word-like runs by chance: the other checks decide)
  if (upper) {
    let wordy = 0;
    for (const p of humps(run)) if (wordLike(p)) wordy += p.length;
    if (wordy / L >= 0.5) return false;
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
  find(text, out) {
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
  },
};
