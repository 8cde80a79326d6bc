import type { Finding, MaskStyle, Redactor, RedactorConfig } from './types.ts';
import { BUILTIN_KINDS, DETECTORS, type Detector } from './detectors/index.ts';
import { customTerms, RedactorConfigError } from './detectors/custom-terms.ts';
import { GENERIC_KINDS, maskText, placeholderFor, shapeOf } from './mask.ts';
import { textFeatures } from './detectors/features.ts';

export { RedactorConfigError } from './detectors/custom-terms.ts';

const STYLES: readonly MaskStyle[] = ['shape', 'placeholder', 'drop'];
const CONFIG_KEYS = new Set(['style', 'terms', 'disabledKinds']);

/** Checks a config completely; throws RedactorConfigError naming the first problem. */
function validate(config: RedactorConfig): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new RedactorConfigError('the config must be an object');
  for (const key of Object.keys(config)) if (!CONFIG_KEYS.has(key)) throw new RedactorConfigError(`unknown field "${key}" (known: ${[...CONFIG_KEYS].join(', ')})`);
  if (config.style !== undefined && !STYLES.includes(config.style)) throw new RedactorConfigError(`style "${String(config.style)}" is not one of ${STYLES.join(', ')}`);
  if (config.terms !== undefined && !Array.isArray(config.terms)) throw new RedactorConfigError('terms must be an array');
  if (config.disabledKinds !== undefined) {
    if (!Array.isArray(config.disabledKinds)) throw new RedactorConfigError('disabledKinds must be an array');
    for (const k of config.disabledKinds) {
      // a typo here would silently keep masking; an unknown kind is more likely a mistake than a wish
      if (typeof k !== 'string' || !BUILTIN_KINDS.has(k)) throw new RedactorConfigError(`disabledKinds: "${String(k)}" is not a kind any detector reports (see describeDetectors())`);
    }
  }
}

const byStart = (a: Finding, b: Finding) => a.start - b.start;

/** Which of two overlapping findings names the merged span (the rule of mask.ts's mergeFindings). */
function wins(a: Finding, b: Finding): boolean {
  if (a.family !== b.family) return a.family === 'secret';
  const ga = GENERIC_KINDS.has(a.kind);
  if (ga !== GENERIC_KINDS.has(b.kind)) return !ga;
  return a.end - a.start > b.end - b.start;
}

/**
 * mergeFindings (mask.ts) for the redactor's own findings, which it may reorder: empty spans
 * dropped, a stable sort by start (ties keep registry order), overlapping spans merged and named
 * by the winner. New objects: the detectors' findings are not handed out.
 */
function merge(raw: Finding[]): Finding[] {
  let sorted = raw;
  for (let k = 0; k < raw.length; k++) {
    if (raw[k]!.end <= raw[k]!.start) {
      sorted = raw.filter((x) => x.end > x.start);
      break;
    }
  }
  if (sorted.length > 1) sorted.sort(byStart); // Array.prototype.sort is stable
  const out: Finding[] = [];
  let cur: Finding | undefined;
  let best: Finding | undefined;
  for (let k = 0; k < sorted.length; k++) {
    const f = sorted[k]!;
    if (cur !== undefined && best !== undefined && f.start < cur.end) {
      if (f.end > cur.end) cur.end = f.end;
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

/** True when `list` is what find() returns: in range, non-empty, sorted and apart (merging would change nothing). */
function isMerged(text: string, list: readonly Finding[]): boolean {
  let at = 0;
  for (let k = 0; k < list.length; k++) {
    const f = list[k]!;
    if (!(f.start >= at && f.end > f.start && f.end <= text.length)) return false;
    at = f.end;
  }
  return true;
}

const PLACEHOLDER = /^⟨[a-z0-9-]{1,64}⟩$/;

let shapeBuf = new Uint16Array(256);

/** shapeOf (mask.ts) of an ASCII span, written into a reused buffer; undefined if the span has other characters. */
function shapeAscii(text: string, s: number, e: number): string | undefined {
  const n = e - s;
  if (n > 4096) return undefined; // long spans (PEM blocks): shapeOf
  if (shapeBuf.length < n) shapeBuf = new Uint16Array(4096);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(s + i);
    if (c >= 128) return undefined;
    shapeBuf[i] = c >= 65 && c <= 90 ? 88 : c >= 97 && c <= 122 ? 120 : c >= 48 && c <= 57 ? 57 : c;
  }
  return String.fromCharCode.apply(null, shapeBuf.subarray(0, n) as unknown as number[]);
}

/** maskText (mask.ts) for findings that are already merged: the same output without merging again. */
function writeMasked(text: string, list: readonly Finding[], style: MaskStyle): string {
  let out = '';
  let at = 0;
  for (let k = 0; k < list.length; k++) {
    const f = list[k]!;
    out += text.slice(at, f.start);
    if (style === 'shape') out += shapeAscii(text, f.start, f.end) ?? shapeOf(text.slice(f.start, f.end));
    else if (style === 'placeholder') {
      const span = text.slice(f.start, f.end);
      out += PLACEHOLDER.test(span) ? span : placeholderFor(f.kind);
    }
    at = f.end;
  }
  return out + text.slice(at);
}

/**
 * Builds a redactor. Throws RedactorConfigError on any bad config (unknown field or style, a
 * custom pattern that fails the linear-time check, …): a redactor is complete or not built.
 */
export function createRedactor(config: RedactorConfig = {}): Redactor {
  validate(config);
  const style = config.style ?? 'shape';
  const disabled = new Set(config.disabledKinds ?? []);
  const detectors: Detector[] = DETECTORS.filter((d) => d.kinds.some((k) => !disabled.has(k)));
  if (config.terms && config.terms.length > 0) detectors.push(customTerms(config.terms));
  const n = detectors.length;
  const find = (text: string): Finding[] => {
    if (typeof text !== 'string') throw new TypeError('redactor.find: text must be a string');
    const raw: Finding[] = [];
    // one shared prefilter pass (detectors/features.ts); a detector or rule that cannot match is skipped
    const f = textFeatures(text, disabled.size === 0);
    for (let k = 0; k < n; k++) {
      const d = detectors[k]!;
      if (d.gate !== undefined && !d.gate(f)) continue;
      if (d.scan !== undefined) d.scan(text, raw, f);
      else d.find(text, raw);
    }
    if (raw.length === 0) return raw;
    return merge(disabled.size ? raw.filter((x) => !disabled.has(x.kind)) : raw);
  };
  return Object.freeze({
    find,
    mask(text: string, findings?: readonly Finding[]): string {
      const list = findings ?? find(text);
      if (list.length === 0) return text;
      return isMerged(text, list) ? writeMasked(text, list, style) : maskText(text, list, style);
    },
  });
}
