// A program-supplied pattern runs in people's input path, in a backtracking regex engine. It is
// accepted only if a conservative static check shows its work per position is bounded:
//
// - no backreferences and no look-around (they defeat the bounds below);
// - no quantifier on a group that itself contains a quantifier or an alternation (`(a+)+`,
//   `(a|a)*`: the classic exponential cases);
// - unbounded repetition (`*`, `+`, `{n,}`) is rewritten to at most MAX_REPEAT repetitions, so
//   one match is at most a few hundred characters;
// - the product of the repetition bounds (the number of ways the engine can split one candidate
//   match between the quantifiers) stays under MAX_WORK, which rules out chains like `\w+\w+\w+`.
//
// Anything else is rejected with an error naming the rule, when the redactor is built.

export const MAX_REPEAT = 64;
export const MAX_WORK = 1 << 14;
export const MAX_PATTERN_LENGTH = 256;

export class UnsafePatternError extends Error {
  constructor(pattern: string, reason: string) {
    super(`custom pattern /${pattern}/ rejected: ${reason} (patterns must run in linear time; see the redact README)`);
    this.name = 'UnsafePatternError';
  }
}

interface Group {
  quantified: boolean;
  alternation: boolean;
  /** source index where the group's text starts in the output */
  outStart: number;
}

/** Checks `pattern` and returns the source to compile (unbounded repetition bounded). Throws UnsafePatternError. */
export function boundedPattern(pattern: string): string {
  if (pattern.length === 0) throw new UnsafePatternError(pattern, 'it is empty');
  if (pattern.length > MAX_PATTERN_LENGTH) throw new UnsafePatternError(pattern.slice(0, 40) + '…', `it is longer than ${MAX_PATTERN_LENGTH} characters`);
  let out = '';
  const stack: Group[] = [{ quantified: false, alternation: false, outStart: 0 }];
  let work = 1;
  let lastAtom: { isGroup: boolean; inner?: Group } | undefined;
  let i = 0;
  const fail = (why: string): never => {
    throw new UnsafePatternError(pattern, why);
  };
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) fail('it ends with a lone backslash');
      if (/[1-9]/.test(next!) || next === 'k') fail('backreferences are not allowed');
      // \p{…}, \u{…}, \x.. are copied as one atom
      let j = i + 2;
      if ((next === 'p' || next === 'P' || next === 'u') && pattern[j] === '{') {
        const close = pattern.indexOf('}', j);
        if (close === -1) fail('an escape is not closed');
        j = close + 1;
      }
      out += pattern.slice(i, j);
      i = j;
      lastAtom = { isGroup: false };
      continue;
    }
    if (ch === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      if (j >= pattern.length) fail('a character class is not closed');
      out += pattern.slice(i, j + 1);
      i = j + 1;
      lastAtom = { isGroup: false };
      continue;
    }
    if (ch === '(') {
      let open = 1; // "(", "(?:" or "(?<name>"
      if (pattern[i + 1] === '?') {
        const kind = pattern.slice(i + 2, i + 4);
        if (kind.startsWith('=') || kind.startsWith('!') || kind === '<=' || kind === '<!') fail('look-ahead and look-behind are not allowed');
        if (kind.startsWith(':')) open = 3;
        else if (kind.startsWith('<')) {
          const close = pattern.indexOf('>', i);
          if (close === -1) fail('a group name is not closed');
          open = close + 1 - i;
        } else fail(`the group "(?${kind[0]}" is not supported`);
      }
      stack.push({ quantified: false, alternation: false, outStart: out.length });
      out += pattern.slice(i, i + open);
      i += open;
      lastAtom = undefined;
      continue;
    }
    if (ch === ')') {
      if (stack.length === 1) fail('a ")" has no "("');
      const inner = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      if (inner.quantified) parent.quantified = true;
      if (inner.alternation) parent.alternation = true;
      out += ch;
      i++;
      lastAtom = { isGroup: true, inner };
      continue;
    }
    if (ch === '|') {
      stack[stack.length - 1]!.alternation = true;
      out += ch;
      i++;
      lastAtom = undefined;
      continue;
    }
    if (ch === '*' || ch === '+' || ch === '?' || ch === '{') {
      let min: number;
      let max: number;
      let j = i + 1;
      if (ch === '{') {
        const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(pattern.slice(i));
        if (!m) {
          // a literal brace (allowed without the u flag; we compile with it, so reject)
          fail('a "{" is not a valid repetition');
        }
        min = Number(m![1]);
        max = m![2] === undefined ? min : m![3] === '' ? Infinity : Number(m![3]);
        j = i + m![0].length;
      } else {
        min = ch === '+' ? 1 : 0;
        max = ch === '?' ? 1 : Infinity;
      }
      if (!lastAtom) fail(`"${ch}" repeats nothing`);
      if (lastAtom!.isGroup && (lastAtom!.inner!.quantified || lastAtom!.inner!.alternation)) {
        fail('a repeated group may not contain a repetition or an alternation (nested quantifiers can take exponential time)');
      }
      if (max !== Infinity && max > MAX_REPEAT * 4) fail(`repetition bounds above ${MAX_REPEAT * 4} are not allowed`);
      if (min > max) fail('a repetition has min > max');
      const bounded = max === Infinity ? Math.max(min, MAX_REPEAT) : max;
      work *= bounded + 1;
      if (work > MAX_WORK) fail('too many repeated parts in a row (for example \\w+\\w+\\w+), which can take polynomial time');
      stack[stack.length - 1]!.quantified = true;
      out += max === Infinity ? `{${min},${bounded}}` : ch === '{' ? pattern.slice(i, j) : ch;
      if (pattern[j] === '?') {
        out += '?';
        j++;
      }
      i = j;
      lastAtom = undefined;
      continue;
    }
    out += ch;
    i++;
    lastAtom = { isGroup: false };
  }
  if (stack.length !== 1) fail('a "(" is not closed');
  return out;
}
