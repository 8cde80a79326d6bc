// The scanner behind most provider-token detectors: find a literal prefix with a global regex
// (V8 scans literal prefixes fast), check the character before it, extend over the token's
// alphabet up to a bound, then check the exact shape on that bounded slice. Each character is
// examined a bounded number of times, so a detector built on it is linear by construction.
import type { Family, Finding } from '../types.ts';
import type { Detector } from './detector.ts';
import { isAlnum, isTokenChar } from './util.ts';
import { isRunChar, textFeatures, type TextFeatures } from './features.ts';

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
  /**
   * For a prefix with no literal start (`[0-9a-f]{32}-us`): a literal every match has at a fixed
   * distance `back` from its start. The text is scanned for the literal (a native search) and the
   * prefix is tried, sticky, `back` characters before it — the same matches as the global regex,
   * without trying it at every position.
   */
  literal?: { text: string; back: number };
  /**
   * A necessary condition on the shared features (features.ts) for a rule that the run length
   * does not bound (a prefix with quotes, spaces or a colon); rules without one always run.
   */
  gate?: (f: TextFeatures) => boolean;
  /** Last check on the token (and the text around it). */
  validate?: (token: string, text: string, start: number) => boolean;
}

const stickies = new WeakMap<RegExp, RegExp>();

/** The next match of `rule.prefix` from its lastIndex, found from `rule.literal`; advances lastIndex like exec. */
function execAtLiteral(rule: TokenRule, text: string): RegExpExecArray | null {
  const { prefix } = rule;
  const { text: lit, back } = rule.literal!;
  let sticky = stickies.get(prefix);
  if (sticky === undefined) stickies.set(prefix, (sticky = new RegExp(prefix.source, prefix.flags.replace('g', '') + 'y')));
  for (let d = text.indexOf(lit, prefix.lastIndex + back); d !== -1; d = text.indexOf(lit, d + 1)) {
    sticky.lastIndex = d - back;
    const m = sticky.exec(text);
    if (m !== null) {
      prefix.lastIndex = sticky.lastIndex;
      return m;
    }
  }
  prefix.lastIndex = 0;
  return null;
}

export function scanTokens(text: string, out: Finding[], family: Family, rule: TokenRule): void {
  const { prefix, min, max } = rule;
  const body = rule.body ?? isTokenChar;
  const before = rule.before ?? isAlnum;
  if (rule.needs !== undefined && !text.includes(rule.needs)) return;
  prefix.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = rule.literal ? execAtLiteral(rule, text) : prefix.exec(text)) !== null) {
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

/**
 * The longest run of run characters (features.ts) any match of the rule implies, or 0 when
 * nothing can be said: a token whose prefix and body are run characters is one run of at least
 * `min` characters; so is a value (`valueOnly`) whose body characters are.
 */
function impliedRun(rule: TokenRule): number {
  const body = rule.body ?? isTokenChar;
  for (let c = 0; c < 1024; c++) if (body(c) && !isRunChar(c)) return 0;
  if (rule.valueOnly) return rule.min;
  // a prefix made of run characters only: no quotes, spaces, colons or classes of them
  const source = rule.prefix.source.replace(/\(\?(?::|!|=)/g, '(');
  if (/[ :"'`]|\\[sStWD]|\[\^/.test(source)) return 0;
  return rule.min;
}

/** A detector made of token rules; rules whose implied run is longer than the text's longest are skipped. */
export function tokenDetector(name: string, description: string, rules: readonly TokenRule[], family: Family = 'secret'): Detector {
  const kinds = [...new Set(rules.map((r) => r.kind))];
  const runs = rules.map(impliedRun);
  const mayMatch = (k: number, f: TextFeatures) => runs[k]! <= f.maxRun && (rules[k]!.gate === undefined || rules[k]!.gate!(f));
  const scan = (text: string, out: Finding[], f: TextFeatures) => {
    for (let k = 0; k < rules.length; k++) if (mayMatch(k, f)) scanTokens(text, out, family, rules[k]!);
  };
  const gate = (f: TextFeatures) => {
    for (let k = 0; k < rules.length; k++) if (mayMatch(k, f)) return true;
    return false;
  };
  return {
    name,
    family,
    kinds,
    description,
    find(text, out) {
      scan(text, out, textFeatures(text));
    },
    gate,
    scan,
  };
}
