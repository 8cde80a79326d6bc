// US Social Security numbers: AAA-GG-SSSS (or with spaces), and nine solid digits when the text
// just before says SSN / social security. Numbers the SSA never issues are not findings: area
// 000, 666 or 900–999, group 00, serial 0000.
import type { Detector } from './detector.ts';
import type { Finding } from '../types.ts';
import { eachMatch, isAlnum, isDigit } from './util.ts';

const GROUPED = /\d{3}([- ])\d{2}\1\d{4}/g;
const SOLID = /\d{9}/g;
const CONTEXT = /(?:ssn|social security(?: number| no\.?| #)?|soc\.? sec\.?|ss#)(?:[\s:#.=-]{0,6}|\s(?:is|was|number is|no\.?)\s{1,2})$/i;

export function validSsn(d: string): boolean {
  const area = Number(d.slice(0, 3));
  const group = Number(d.slice(3, 5));
  const serial = Number(d.slice(5, 9));
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0;
}

// glued to letters, digits, another dash group or a decimal point: part of something else
const gluedBefore = (text: string, i: number) => {
  const c = text.charCodeAt(i - 1);
  return i > 0 && (isAlnum(c) || ((c === 45 || c === 46 || c === 47) && isDigit(text.charCodeAt(i - 2))));
};
const gluedAfter = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  return i < text.length && (isAlnum(c) || ((c === 45 || c === 46 || c === 47) && isDigit(text.charCodeAt(i + 1))));
};

export const usSsn: Detector = {
  name: 'us-ssn',
  family: 'pii',
  kinds: ['us-ssn'],
  description: 'US Social Security numbers (issued ranges only)',
  gate: (f) => f.digits >= 9,
  find(text, out) {
    eachMatch(GROUPED, text, out, onGrouped);
    if (!/ssn|social|soc\.|ss#/i.test(text)) return;
    eachMatch(SOLID, text, out, onSolid);
  },
};

function onGrouped(m: RegExpExecArray, text: string, out: Finding[]): number | void {
  const s = m.index;
  const e = s + m[0].length;
  if (gluedBefore(text, s) || gluedAfter(text, e)) return s + 1;
  if (validSsn(m[0].replace(/\D/g, ''))) out.push({ start: s, end: e, kind: 'us-ssn', family: 'pii' });
}

function onSolid(m: RegExpExecArray, text: string, out: Finding[]): number | void {
  const s = m.index;
  const e = s + 9;
  if (gluedBefore(text, s) || gluedAfter(text, e)) {
    let k = e;
    while (k < text.length && isDigit(text.charCodeAt(k))) k++;
    return k;
  }
  if (validSsn(m[0]) && CONTEXT.test(text.slice(Math.max(0, s - 30), s))) out.push({ start: s, end: e, kind: 'us-ssn', family: 'pii' });
}
