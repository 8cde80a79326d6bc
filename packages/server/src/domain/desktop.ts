import type { CaptureEvent } from '@lockstep/schema';
import { ApiFailure } from '../http/errors.ts';
import type { ProgramRecord } from '../store/types.ts';

/**
 * What a program lets the desktop agent record, and the server's check of what a device sends.
 *
 * - `desktopApps`: application class names as the window system gives them (X11 WM_CLASS class:
 *   `xterm`, `code`, `firefox`), matched whole and case-insensitively; kept in lower case. None:
 *   nothing on the desktop is recorded.
 * - `desktopTitles`: patterns a window's title must match, whole and case-insensitively, where `*`
 *   stands for any run of characters (none included) and every other character for itself:
 *   `ticket-*`, `* - Visual Studio Code`, `*invoice*`. None: any title of a recorded app.
 * - `screenshots`: of the active window only; off unless turned on.
 *
 * The agent applies all three before anything leaves the machine. The server refuses a batch with
 * a `window` event of an app the program does not record, or a `frame` while screenshots are off.
 * Titles it does not check: the agent matches a title before redacting it, which the server cannot
 * repeat on the redacted text it receives.
 */

export const MAX_DESKTOP_APPS = 200;
export const MAX_TITLE_PATTERNS = 50;
/** As long as the `app` of a window event may be. */
export const MAX_APP_LENGTH = 128;
export const MAX_TITLE_PATTERN_LENGTH = 200;

const CONTROL = /\p{Cc}/u;

const invalid = (field: string, why: string) => new ApiFailure(400, 'invalid_request', `${field}: ${why}`, field);

/** The allow-list as stored: lower case, without repeats. Refuses (400, naming the entry) what cannot be a class name. */
export function normaliseDesktopApps(apps: readonly string[]): string[] {
  if (apps.length > MAX_DESKTOP_APPS) throw invalid('desktopApps', `at most ${MAX_DESKTOP_APPS} application classes`);
  const out = new Set<string>();
  apps.forEach((app, i) => {
    const field = `desktopApps[${i}]`;
    const name = app.trim();
    if (name === '') throw invalid(field, 'is empty; give an application class such as xterm or code');
    if (name.length > MAX_APP_LENGTH) throw invalid(field, `is longer than ${MAX_APP_LENGTH} characters`);
    if (CONTROL.test(name)) throw invalid(field, 'holds a control character');
    if (/[*?[\]]/.test(name)) throw invalid(field, 'application classes are matched exactly: no wildcards');
    if (/[/\\]/.test(name)) throw invalid(field, 'give the application class (xterm), not a path');
    out.add(name.toLowerCase());
  });
  return [...out];
}

/** Title patterns as stored: runs of `*` made one, without repeats (ignoring case). Refuses (400, naming the entry) patterns that say nothing. */
export function normaliseTitlePatterns(patterns: readonly string[]): string[] {
  if (patterns.length > MAX_TITLE_PATTERNS) throw invalid('desktopTitles', `at most ${MAX_TITLE_PATTERNS} title patterns`);
  const out = new Map<string, string>();
  patterns.forEach((raw, i) => {
    const field = `desktopTitles[${i}]`;
    const pattern = raw.replace(/\*+/g, '*');
    if (pattern.trim() === '') throw invalid(field, 'is empty; give a title pattern such as ticket-* or *invoice*');
    if (pattern.length > MAX_TITLE_PATTERN_LENGTH) throw invalid(field, `is longer than ${MAX_TITLE_PATTERN_LENGTH} characters`);
    if (CONTROL.test(pattern)) throw invalid(field, 'holds a control character');
    if (pattern.replaceAll('*', '').trim() === '') throw invalid(field, 'matches every title; leave desktopTitles empty to record any title of the allowed apps');
    const key = pattern.toLowerCase();
    if (!out.has(key)) out.set(key, pattern);
  });
  return [...out.values()];
}

/** Whether `text` matches `pattern` whole, `*` standing for any run of characters; both already in one case. Linear in practice, O(n·m) at worst. */
function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Whether a program with these title patterns records a window with this title (no patterns: every title): what the agent's matching must agree with. */
export function titleRecorded(patterns: readonly string[], title: string): boolean {
  if (patterns.length === 0) return true;
  const lower = title.toLowerCase();
  return patterns.some((p) => globMatch(p.toLowerCase(), lower));
}

/** Whether a program records windows of this application class. */
export const appRecorded = (apps: readonly string[], app: string): boolean => apps.includes(app.toLowerCase());

/** What a batch holds of the desktop, for the check at ingest: made where the batch is parsed (a worker), kept in memory only (it names apps). */
export interface DesktopSummary {
  /** Each application class the batch's window events name (one per class, ignoring case), with the index of its first window event. */
  apps: Array<{ app: string; index: number }>;
  /** The index of the first frame event; null when there is none. */
  frame: number | null;
}

export function summariseDesktop(events: readonly CaptureEvent[]): DesktopSummary {
  const apps = new Map<string, number>();
  let frame: number | null = null;
  events.forEach((e, index) => {
    if (e.type === 'window') {
      const app = e.app.toLowerCase();
      if (!apps.has(app)) apps.set(app, index);
    } else if (e.type === 'frame' && frame === null) frame = index;
  });
  return { apps: [...apps].map(([app, index]) => ({ app, index })), frame };
}

/**
 * Refuses (400 not-allowed, naming the first event at fault) a batch that holds what the program
 * does not record on the desktop: a window of an app outside its `desktopApps`, or a screenshot
 * while `screenshots` is off. A device learns the settings from GET /v1/device/state.
 */
export function checkDesktopEvents(program: Pick<ProgramRecord, 'id' | 'desktopApps' | 'screenshots'>, summary: DesktopSummary): void {
  const faults: Array<{ index: number; field: string; why: string }> = [];
  const app = summary.apps.find((a) => !appRecorded(program.desktopApps, a.app));
  if (app) faults.push({ index: app.index, field: `events[${app.index}].app`, why: 'this application is not one the program records (desktopApps)' });
  if (summary.frame !== null && !program.screenshots) faults.push({ index: summary.frame, field: `events[${summary.frame}]`, why: 'the program takes no screenshots (screenshots is off)' });
  const first = faults.sort((a, b) => a.index - b.index)[0];
  if (first) throw new ApiFailure(400, 'not-allowed', `${first.field}: ${first.why} in program ${program.id}; nothing was stored`, first.field);
}
