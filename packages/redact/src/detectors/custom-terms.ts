// Terms a program asks to mask: exact terms (one case-insensitive alternation of escaped
// literals: no repetition at all) and patterns (checked and bounded by safe-pattern.ts).
import type { CustomTerm, Family, Finding } from '../types.ts';
import type { Detector } from './detector.ts';
import { boundedPattern } from './safe-pattern.ts';
import { isWord } from './util.ts';

export const CUSTOM_TERM_KIND = 'custom-term';
const KIND = /^[a-z][a-z0-9-]{0,63}$/;
const MAX_TERM = 256;

// the syntax characters: the only identity escapes the `u` flag allows
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

interface Compiled {
  re: RegExp;
  kind: string;
  family: Family;
  wholeWord: boolean;
}

export class RedactorConfigError extends Error {
  constructor(message: string) {
    super(`invalid redactor config: ${message}`);
    this.name = 'RedactorConfigError';
  }
}

function compile(t: CustomTerm, index: number): Compiled {
  const where = `terms[${index}]`;
  if (t === null || typeof t !== 'object') throw new RedactorConfigError(`${where} is not an object`);
  for (const key of Object.keys(t)) {
    if (!['term', 'pattern', 'caseSensitive', 'kind', 'family', 'wholeWord'].includes(key)) throw new RedactorConfigError(`${where} has an unknown field "${key}"`);
  }
  const hasTerm = t.term !== undefined;
  const hasPattern = t.pattern !== undefined;
  if (hasTerm === hasPattern) throw new RedactorConfigError(`${where} needs exactly one of "term" and "pattern"`);
  const kind = t.kind ?? CUSTOM_TERM_KIND;
  if (typeof kind !== 'string' || !KIND.test(kind)) throw new RedactorConfigError(`${where}.kind "${String(kind)}" must be lowercase letters, digits and dashes`);
  const family = t.family ?? 'pii';
  if (family !== 'pii' && family !== 'secret') throw new RedactorConfigError(`${where}.family must be "pii" or "secret"`);
  const flags = t.caseSensitive ? 'gu' : 'giu';
  let source: string;
  if (hasTerm) {
    if (typeof t.term !== 'string' || t.term.trim().length === 0) throw new RedactorConfigError(`${where}.term must be a non-empty string`);
    if (t.term.length > MAX_TERM) throw new RedactorConfigError(`${where}.term is longer than ${MAX_TERM} characters`);
    source = escape(t.term);
  } else {
    if (typeof t.pattern !== 'string') throw new RedactorConfigError(`${where}.pattern must be a string`);
    try {
      source = boundedPattern(t.pattern);
    } catch (err) {
      throw new RedactorConfigError(`${where}: ${(err as Error).message}`);
    }
  }
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    throw new RedactorConfigError(`${where}.pattern is not a valid regular expression: ${(err as Error).message}`);
  }
  if (re.test('')) throw new RedactorConfigError(`${where}.pattern matches the empty string`);
  return { re, kind, family, wholeWord: t.wholeWord ?? false };
}

/** Builds the detector for a program's terms; throws RedactorConfigError on a bad term. */
export function customTerms(terms: readonly CustomTerm[]): Detector {
  const compiled = terms.map(compile);
  return {
    name: 'custom-terms',
    family: 'pii',
    kinds: [...new Set(compiled.map((c) => c.kind))],
    description: 'terms and patterns the program configures',
    find(text: string, out: Finding[]) {
      for (const c of compiled) {
        c.re.lastIndex = 0;
        let m: RegExpExecArray | null;
        while ((m = c.re.exec(text)) !== null) {
          const start = m.index;
          const end = start + m[0].length;
          if (end === start) {
            c.re.lastIndex++;
            continue;
          }
          if (c.wholeWord && ((start > 0 && isWord(text.charCodeAt(start - 1))) || (end < text.length && isWord(text.charCodeAt(end))))) {
            c.re.lastIndex = start + 1;
            continue;
          }
          out.push({ start, end, kind: c.kind, family: c.family });
        }
        c.re.lastIndex = 0;
      }
    },
  };
}
