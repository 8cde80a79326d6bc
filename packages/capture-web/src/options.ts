// Recorder options. The in-page part (PageOptions) travels into the page as a JSON literal, so it
// holds only plain data (numbers, booleans, the redactor's config); host-only options
// (callbacks) stay in Node.
import type { CaptureEvent } from '@lockstep/schema';
import type { CustomTerm, Family, RedactorConfig } from '@lockstep/redact';

export interface PageOptions {
  /** At most one pointer `move` event per this many ms (leading and trailing edge). */
  mouseMoveSampleMs: number;
  /** At most one `scroll` event per scrolled element (or page) per this many ms; the last position is always kept. */
  scrollThrottleMs: number;
  /** Buffered events go to the host at least this often. */
  flushIntervalMs: number;
  /** …or as soon as this many are buffered. */
  flushAtEvents: number;
  /** Show the recording badge (top frame only); clicking it pauses or resumes. */
  badge: boolean;
  /** Alt+Shift+P pauses and resumes. */
  pauseShortcut: boolean;
  /**
   * On-device redaction of typed and pasted text, URLs, titles and element names (always on;
   * this sets the mask style, custom terms and kinds to leave alone). Defaults: shape masking,
   * every detector.
   */
  redaction?: RedactorConfig;
  /**
   * Test hook: makes the redactor fail (`create`: it cannot be built; `find`: it throws on first
   * use). A fault only ever makes the recorder withhold more text, never less.
   */
  redactionFault?: 'create' | 'find';
}

export interface RecorderOptions extends Partial<PageOptions> {
  /** Called with every slice of new, validated events (start marker included). */
  onEvents?: (events: CaptureEvent[]) => void;
  /**
   * Called once per document whose redactor could not be built or threw: that document has
   * stopped capturing text (a `redaction-failed` marker is recorded too).
   */
  onRedactionFailed?: (reason: string) => void;
}

export const DEFAULT_OPTIONS: Readonly<PageOptions> = Object.freeze({
  mouseMoveSampleMs: 50,
  scrollThrottleMs: 100,
  flushIntervalMs: 500,
  flushAtEvents: 200,
  badge: false,
  pauseShortcut: true,
});

const LIMITS = {
  mouseMoveSampleMs: [0, 10_000],
  scrollThrottleMs: [0, 10_000],
  flushIntervalMs: [10, 60_000],
  flushAtEvents: [1, 5_000],
} as const;

/** The in-page options with defaults filled in; unknown keys dropped, numbers clamped to sane ranges. */
export function pageOptions(input: Partial<PageOptions> | null | undefined = {}): PageOptions {
  const src = input ?? {};
  const out: PageOptions = { ...DEFAULT_OPTIONS };
  for (const key of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const v = src[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const [lo, hi] = LIMITS[key];
    out[key] = Math.min(hi, Math.max(lo, v));
  }
  if (typeof src.badge === 'boolean') out.badge = src.badge;
  if (typeof src.pauseShortcut === 'boolean') out.pauseShortcut = src.pauseShortcut;
  const redaction = redactionConfig(src.redaction);
  if (redaction) out.redaction = redaction;
  if (src.redactionFault === 'create' || src.redactionFault === 'find') out.redactionFault = src.redactionFault;
  return out;
}

const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.length <= max ? v : undefined);

/**
 * The redactor config as plain data: known keys only, bounded. A malformed config is kept as
 * far as it is recognisable; what the redactor itself rejects makes it fail closed in the page.
 */
export function redactionConfig(input: unknown): RedactorConfig | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const src = input as Record<string, unknown>;
  const out: RedactorConfig = {};
  if (src.style === 'shape' || src.style === 'placeholder' || src.style === 'drop') out.style = src.style;
  if (Array.isArray(src.terms)) {
    const terms: CustomTerm[] = [];
    for (const t of src.terms.slice(0, 1000)) {
      if (typeof t !== 'object' || t === null) continue;
      const r = t as Record<string, unknown>;
      const term: CustomTerm = {};
      const text = str(r.term, 1024);
      const pattern = str(r.pattern, 1024);
      const kind = str(r.kind, 64);
      if (text !== undefined) term.term = text;
      if (pattern !== undefined) term.pattern = pattern;
      if (typeof r.caseSensitive === 'boolean') term.caseSensitive = r.caseSensitive;
      if (kind !== undefined) term.kind = kind;
      if (r.family === 'secret' || r.family === 'pii') term.family = r.family as Family;
      terms.push(term);
    }
    out.terms = terms;
  }
  if (Array.isArray(src.disabledKinds)) out.disabledKinds = src.disabledKinds.filter((k): k is string => typeof k === 'string' && k.length <= 64).slice(0, 256);
  return out;
}
