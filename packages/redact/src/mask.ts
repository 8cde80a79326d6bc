// Masking: how a finding is written in the output. The default, `shape`, keeps the length and
// the character classes of the span, so that a trajectory still shows "an e-mail address went
// here" and every later offset (cursor positions, selections) stays valid.
import type { Family, Finding, MaskStyle } from './types.ts';

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;
const UPPER = /\p{Lu}/u;

function shapeOfChar(ch: string): string {
  if (ch.length === 1) {
    const c = ch.charCodeAt(0);
    if (c >= 65 && c <= 90) return 'X';
    if (c >= 97 && c <= 122) return 'x';
    if (c >= 48 && c <= 57) return '9';
    if (c < 128) return ch;
  }
  // Non-ASCII: letters without case (CJK, Arabic, …) become `x` too, so that nothing of a
  // masked name survives. One output character per UTF-16 unit, so lengths are kept.
  let out: string;
  if (UPPER.test(ch)) out = 'X';
  else if (LETTER.test(ch)) out = 'x';
  else if (DIGIT.test(ch)) out = '9';
  else return ch;
  return ch.length === 2 ? out + out : out;
}

/** `Abc-123` → `Xxx-999`: upper → X, lower (and caseless letters) → x, digit → 9, the rest kept. */
export function shapeOf(span: string): string {
  let out = '';
  for (let i = 0; i < span.length; i++) {
    const c = span.charCodeAt(i);
    // a surrogate pair is one character: classify it as a whole
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < span.length) {
      const d = span.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += shapeOfChar(span.slice(i, i + 2));
        i++;
        continue;
      }
    }
    out += shapeOfChar(span[i]!);
  }
  return out;
}

/** The placeholder written for a kind in the `placeholder` style. */
export function placeholderFor(kind: string): string {
  return `⟨${kind}⟩`;
}

const PLACEHOLDER = /^⟨[a-z0-9-]{1,64}⟩$/;
const UNMASKED = /[\p{L}\p{N}]/u;

/**
 * True when `span` could be the output of masking: every letter is `X`/`x`, every digit `9`
 * (anything else is kept by the shape style), or it is a placeholder `⟨kind⟩`. Masked text may
 * still look like a finding (see README, "Masked text that still looks like a finding"); a
 * second check can use this to tell a masked span from a leak.
 */
export function isMaskedShape(span: string): boolean {
  if (PLACEHOLDER.test(span)) return true;
  for (const ch of span) {
    if (ch === 'X' || ch === 'x' || ch === '9') continue;
    if (UNMASKED.test(ch)) return false;
  }
  return true;
}

const FAMILY_RANK: Record<Family, number> = { secret: 1, pii: 0 };

/**
 * Kinds of the catch-all rules. When one overlaps a finding of a specific rule of the same
 * family (a GitHub token inside `GITHUB_TOKEN=…`, a webhook path that also looks random), the
 * specific kind names the merged span.
 */
export const GENERIC_KINDS: ReadonlySet<string> = new Set(['high-entropy-token', 'assigned-secret']);

/**
 * Which of two overlapping findings names the merged span: secrets beat pii, specific kinds
 * beat generic ones, then the longer one, then the first.
 */
function wins(a: Finding, b: Finding): boolean {
  if (FAMILY_RANK[a.family] !== FAMILY_RANK[b.family]) return FAMILY_RANK[a.family] > FAMILY_RANK[b.family];
  const ga = GENERIC_KINDS.has(a.kind);
  if (ga !== GENERIC_KINDS.has(b.kind)) return !ga;
  return a.end - a.start > b.end - b.start;
}

/**
 * Sorts findings by start and merges overlapping ones (spans that only touch stay apart). The
 * merged span covers all of them and takes the kind and family of the winner (see `wins`).
 * Empty spans are dropped. Does not modify its input.
 */
export function mergeFindings(findings: readonly Finding[]): Finding[] {
  const sorted = findings.filter((f) => f.end > f.start).map((f, i) => ({ f, i }));
  // stable by start, then by registry order (the order findings were produced in)
  sorted.sort((a, b) => a.f.start - b.f.start || a.i - b.i);
  const out: Finding[] = [];
  let cur: Finding | undefined;
  let best: Finding | undefined;
  for (const { f } of sorted) {
    if (cur && best && f.start < cur.end) {
      cur.end = Math.max(cur.end, f.end);
      if (wins(f, best)) best = f;
      cur.kind = best.kind;
      cur.family = best.family;
      continue;
    }
    cur = { start: f.start, end: f.end, kind: f.kind, family: f.family };
    best = f;
    out.push(cur);
  }
  return out;
}

/**
 * `text` with every finding masked in `style`. Findings may be unsorted and overlapping; they
 * are merged first. Offsets outside the text are clamped.
 */
export function maskText(text: string, findings: readonly Finding[], style: MaskStyle = 'shape'): string {
  const merged = mergeFindings(findings);
  let out = '';
  let at = 0;
  for (const f of merged) {
    const start = Math.max(at, Math.min(f.start, text.length));
    const end = Math.min(f.end, text.length);
    if (end <= start) continue;
    out += text.slice(at, start);
    const span = text.slice(start, end);
    if (style === 'shape') out += shapeOf(span);
    else if (style === 'placeholder') out += PLACEHOLDER.test(span) ? span : placeholderFor(f.kind);
    // 'drop': nothing
    at = end;
  }
  return out + text.slice(at);
}
