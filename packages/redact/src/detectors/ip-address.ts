// IP addresses, v4 and v6. Only addresses that can point at a person's machine or network are
// findings: loopback, unspecified, private (10/8, 172.16/12, 192.168/16, fc00::/7), carrier NAT
// (100.64/10), link-local (169.254/16, fe80::/10), multicast and broadcast are left alone — they
// say nothing about who someone is, and they fill logs and configs. Documentation ranges
// (192.0.2/24, 2001:db8::/32, …) are findings: in examples they stand for real addresses.
// Dotted numbers that are versions (v1.2.3.4, Chrome/120.0.0.0, version 10.0.0.1) are not.
import type { Detector } from './detector.ts';
import type { Finding } from '../types.ts';
import { eachMatch, isAlnum, isDigit, isHex } from './util.ts';
import { COLON, DOT, has } from './features.ts';

const V4 = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/g;
const VERSION_BEFORE = /(?:\bv|[A-Za-z]\/|version[ :]{1,2}|ver[ .]{1,2}|build[ :]{1,2}|release[ :]{1,2})$/i;
// hex groups and colons, at most 8 groups of 1–4 (39 characters); bounded, and each step is forced by ':'
const V6 = /[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}/y;

/** `/::|[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]/.test(text)`, from each ':'. */
function hasV6(text: string): boolean {
  for (let c = text.indexOf(':'); c !== -1; c = text.indexOf(':', c + 1)) {
    if (text.charCodeAt(c + 1) === 58) return true;
    if (c === 0 || !isHex(text.charCodeAt(c - 1))) continue;
    let j = c + 1;
    while (j < text.length && j - c <= 5 && isHex(text.charCodeAt(j))) j++;
    if (j - c >= 2 && j - c <= 5 && text.charCodeAt(j) === 58 && isHex(text.charCodeAt(j + 1))) return true;
  }
  return false;
}

export function publicV4(o: number[]): boolean {
  const [a, b] = o as [number, number];
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  return true;
}

/** Parses an IPv6 text form into 8 groups, or undefined. */
export function parseV6(s: string): number[] | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === '' ? [] : h.split(':'));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const groups = [...head, ...tail];
  if (groups.some((g) => g.length === 0 || g.length > 4)) return undefined;
  if (halves.length === 1 ? groups.length !== 8 : groups.length > 7) return undefined;
  const values = groups.map((g) => parseInt(g, 16));
  if (halves.length === 1) return values;
  return [...head.map((g) => parseInt(g, 16)), ...new Array<number>(8 - groups.length).fill(0), ...tail.map((g) => parseInt(g, 16))];
}

function publicV6(g: number[]): boolean {
  if (g.every((x) => x === 0)) return false; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return false; // ::1
  const first = g[0]!;
  if ((first & 0xffc0) === 0xfe80) return false; // link-local
  if ((first & 0xfe00) === 0xfc00) return false; // unique local
  if ((first & 0xff00) === 0xff00) return false; // multicast
  return true;
}

export const ipAddress: Detector = {
  name: 'ip-address',
  family: 'pii',
  kinds: ['ip-address'],
  description: 'public IPv4 and IPv6 addresses (private, loopback, link-local excluded)',
  gate: (f) => (f.digits >= 4 && has(f, DOT)) || has(f, COLON),
  find(text, out) {
    eachMatch(V4, text, out, onV4);
    if (!hasV6(text)) return; // two colons with hex around them, or '::'
    // V6 over the text, found from each ':' (a native search) instead of tried at every position:
    // a match has at most 4 hex digits before its first colon, so the leftmost match whose first
    // colon is c starts at the hex run before c (at most 4 back), and whether it matches does not
    // depend on where in that run it starts
    let from = 0;
    for (let c = text.indexOf(':'); c !== -1; c = text.indexOf(':', from)) {
      let h = c;
      const lo = Math.max(from, c - 4);
      while (h > lo && isHex(text.charCodeAt(h - 1))) h--;
      V6.lastIndex = h;
      const m = V6.exec(text);
      if (m === null) {
        from = c + 1;
        continue;
      }
      const end = h + m[0].length;
      const next = onV6(m, text, out);
      from = typeof next === 'number' && next > end ? next : end;
    }
    V6.lastIndex = 0;
  },
};

function skipRun(text: string, from: number): number {
  let k = from;
  while (k < text.length && (isHex(text.charCodeAt(k)) || text.charCodeAt(k) === 58)) k++;
  return k;
}

function onV4(m: RegExpExecArray, text: string, out: Finding[]): number | void {
  const s = m.index;
  const e = s + m[0].length;
  const before = s > 0 ? text.charCodeAt(s - 1) : 0;
  const after = e < text.length ? text.charCodeAt(e) : 0;
  // part of a longer dotted number or word: skip the whole of it
  if (isAlnum(before) || before === 46 || isAlnum(after) || (after === 46 && isDigit(text.charCodeAt(e + 1)))) {
    let k = e;
    while (k < text.length && (isDigit(text.charCodeAt(k)) || text.charCodeAt(k) === 46)) k++;
    return k;
  }
  const parts = m[0].split('.');
  if (parts.some((p) => (p.length > 1 && p[0] === '0') || Number(p) > 255)) return;
  if (!publicV4(parts.map(Number))) return;
  if (VERSION_BEFORE.test(text.slice(Math.max(0, s - 10), s))) return;
  out.push({ start: s, end: e, kind: 'ip-address', family: 'pii' });
}

function onV6(m: RegExpExecArray, text: string, out: Finding[]): number | void {
  const s = m.index;
  let e = s + m[0].length;
  const before = s > 0 ? text.charCodeAt(s - 1) : 0;
  if (isAlnum(before) || before === 58 || before === 46 || before === 95) return skipRun(text, e);
  // an address followed by a port or a sentence colon: ":" at the end is not part of it
  while (e > s && text.charCodeAt(e - 1) === 58 && text.charCodeAt(e - 2) !== 58) e--;
  const after = e < text.length ? text.charCodeAt(e) : 0;
  if (isAlnum(after) || after === 95 || (after === 46 && isHex(text.charCodeAt(e + 1)))) return skipRun(text, s + m[0].length);
  const str = text.slice(s, e);
  // require at least three groups and six hex digits: `a::b`, `std::map`, 12:30:45 are not addresses
  let hex = 0;
  for (let k = 0; k < str.length; k++) if (isHex(str.charCodeAt(k))) hex++;
  if (hex < 6) return;
  const groups = parseV6(str);
  if (!groups || !publicV6(groups)) return;
  if (str.split(':').filter(Boolean).length < 3) return;
  out.push({ start: s, end: e, kind: 'ip-address', family: 'pii' });
}
