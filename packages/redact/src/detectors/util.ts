// Small helpers shared by the detectors. Everything here is O(length of its input).

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isUpper = (c: number): boolean => c >= 65 && c <= 90;
export const isLower = (c: number): boolean => c >= 97 && c <= 122;
export const isAlpha = (c: number): boolean => isUpper(c) || isLower(c);
export const isAlnum = (c: number): boolean => isDigit(c) || isAlpha(c);
/** Letters, digits and `_` (an identifier character). */
export const isWord = (c: number): boolean => isAlnum(c) || c === 95;
/** Characters of base64url tokens: letters, digits, `_` and `-`. */
export const isTokenChar = (c: number): boolean => isWord(c) || c === 45;
export const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** True when position `i` of `text` is not preceded by a character for which `inside` holds. */
export function boundaryBefore(text: string, i: number, inside: (c: number) => boolean = isAlnum): boolean {
  return i === 0 || !inside(text.charCodeAt(i - 1));
}

/** True when position `i` of `text` (exclusive end of a match) is not followed by such a character. */
export function boundaryAfter(text: string, i: number, inside: (c: number) => boolean = isAlnum): boolean {
  return i >= text.length || !inside(text.charCodeAt(i));
}

/** Index just past the run of characters for which `inside` holds, starting at `i`, stopping at `limit`. */
export function runEnd(text: string, i: number, inside: (c: number) => boolean, limit = text.length): number {
  const stop = Math.min(limit, text.length);
  while (i < stop && inside(text.charCodeAt(i))) i++;
  return i;
}

/** Luhn checksum over a string of ASCII digits (other characters are skipped). */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    const c = digits.charCodeAt(i);
    if (!isDigit(c)) continue;
    let d = c - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// reused by entropy(): counts per ASCII character and the order they first appeared in
const COUNTS = new Int32Array(128);
const ORDER = new Uint8Array(128);

/**
 * Shannon entropy in bits per character of `s.slice(start, end)`. ASCII is counted in a reused
 * typed array (no allocation), summed in first-occurrence order so the result is the same float
 * as the Map-based form used for other text.
 */
export function entropy(s: string, start = 0, end = s.length): number {
  const n = end - start;
  let distinct = 0;
  let ascii = true;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) {
      ascii = false;
      break;
    }
    const k = COUNTS[c]!;
    COUNTS[c] = k + 1;
    if (k === 0) ORDER[distinct++] = c;
  }
  if (!ascii) {
    for (let k = 0; k < distinct; k++) COUNTS[ORDER[k]!] = 0;
    return entropyMap(s, start, end);
  }
  let h = 0;
  for (let k = 0; k < distinct; k++) {
    const c = ORDER[k]!;
    const p = COUNTS[c]! / n;
    h -= p * Math.log2(p);
    COUNTS[c] = 0;
  }
  return h;
}

function entropyMap(s: string, start: number, end: number): number {
  const counts = new Map<number, number>();
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / (end - start);
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Runs a global regex over `text` and calls `each(m, text, out)` per match. A zero-length match
 * advances by one. `each` may return a new lastIndex (to skip a run it has already examined).
 * `each` is a module-level function (no closure is made per call).
 */
export function eachMatch<T>(re: RegExp, text: string, out: T, each: (m: RegExpExecArray, text: string, out: T) => number | void): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const next = each(m, text, out);
    if (typeof next === 'number' && next > re.lastIndex) re.lastIndex = next;
    else if (m[0].length === 0) re.lastIndex++;
  }
  re.lastIndex = 0;
}
