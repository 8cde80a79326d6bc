// Recorder options. The in-page part (PageOptions) travels into the page as a JSON literal, so it
// holds only numbers and booleans; host-only options (callbacks) stay in Node.
import type { CaptureEvent } from '@lockstep/schema';

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
}

export interface RecorderOptions extends Partial<PageOptions> {
  /** Called with every slice of new, validated events (start marker included). */
  onEvents?: (events: CaptureEvent[]) => void;
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
  return out;
}
