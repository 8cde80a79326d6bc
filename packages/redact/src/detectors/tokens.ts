// The scanner behind most provider-token detectors: find a literal prefix with a global regex
// (V8 scans literal prefixes fast), check the character before it, extend over the token's
// alphabet up to a bound, then check the exact shape on that bounded slice. Each character is
// examined a bounded number of times, so a detector built on it is linear by construction.
import type { Family, Finding } from '../types.ts';
import type { Detector } from './detector.ts';
import { isAlnum, isTokenChar } from './util.ts';

export interface TokenRule {
  kind: string;
  /** A global regex for the prefix; keep it (nearly) literal. */
  prefix: RegExp;
  /** Characters of the token after the prefix. Default: letters, digits, `_`, `-`. */
  body?: (c: number) => boolean;
  /** Length bounds of the token, prefix included (or of the value, with `valueOnly`). */
  min: number;
  max: number;
  /** Exact shape of the token, anchored; checked on the bounded slice. */
  shape?: RegExp;
  /** Characters that may not precede the prefix. Default: letters and digits. */
  before?: (c: number) => boolean;
  /** A run longer than `max`: `reject` (default; it is something else) or `cut` (mask `max`). */
  tooLong?: 'reject' | 'cut';
  /** Report only the part after the prefix (the prefix is context, e.g. `AccountKey=`). */
  valueOnly?: boolean;
  /** A substring the text must contain for the rule to run at all: a cheap prefilter for rules whose prefix is not literal. */
  needs?: string;
  /** Last check on the token (and the text around it). */
  validate?: (token: string, text: string, start: number) => boolean;
}

export function scanTokens(text: string, out: Finding[], family: Family, rule: TokenRule): void {
  const { prefix, min, max } = rule;
  const body = rule.body ?? isTokenChar;
  const before = rule.before ?? isAlnum;
  if (rule.needs !== undefined && !text.includes(rule.needs)) return;
  prefix.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = prefix.exec(text)) !== null) {
    const start = m.index;
    const bodyStart = start + m[0].length;
    if (start > 0 && before(text.charCodeAt(start - 1))) continue;
    const valueStart = rule.valueOnly ? bodyStart : start;
    // extend over the alphabet, at most one character past the bound
    const limit = Math.min(text.length, valueStart + max + 1);
    let end = bodyStart;
    while (end < limit && body(text.charCodeAt(end))) end++;
    prefix.lastIndex = Math.max(end, start + 1);
    if (end - valueStart > max) {
      if (rule.tooLong !== 'cut') continue;
      end = valueStart + max;
    }
    if (end - valueStart < min) continue;
    const token = text.slice(start, end);
    if (rule.shape && !rule.shape.test(token)) continue;
    if (rule.validate && !rule.validate(token, text, start)) continue;
    out.push({ start: valueStart, end, kind: rule.kind, family });
  }
  prefix.lastIndex = 0;
}

/** A detector made of token rules. */
export function tokenDetector(name: string, description: string, rules: readonly TokenRule[], family: Family = 'secret'): Detector {
  const kinds = [...new Set(rules.map((r) => r.kind))];
  return {
    name,
    family,
    kinds,
    description,
    find(text, out) {
      for (const rule of rules) scanTokens(text, out, family, rule);
    },
  };
}
