// One episode's raw events → one trajectory record (see record.ts), in a single pass. The events
// are compiled into actions; every action the person made becomes a step, with the observation
// before it; a navigation that an action caused (a link click, Enter in a form) is left out,
// since the person did not do it a second time: the next step's observation and `final.url`
// show where it led. Everything is made relative to the episode (times from its first event,
// seq numbers from its first event's) and de-identified on the way: URLs go through the
// caller's rewriter (site aliases, see sites.ts) and page text is masked unless the program
// allows it.
//
// Desktop episodes (window and frame events from the desktop agent) work the same way: `apps` are
// the window classes, window titles are page text (switch actions and the window targets, whose
// name is the title), and an observation names its screenshot by id (`frame-<seq>`, seq in the
// record's numbering, as the observation's own `seq`): the record carries no image bytes, a
// writer that ships images takes them from the episode's `frame` event with that seq.
import type { CaptureEvent, InputEvent, KeyEvent, NavigationEvent, Target, ViewportEvent, WindowEvent } from '@lockstep/schema';
import type { Action, Observation, Screen } from '../actions.ts';
import { isPersonAction } from '../actions.ts';
import type { CompileOptions, CompilerStart } from '../compile/compiler.ts';
import { Compiler } from '../compile/compiler.ts';
import type { ActionCounts } from '../episode.ts';
import { originOf } from '../segment.ts';
import type { FinalField, Step, TrajectoryRecord } from './record.ts';
import { TRAJECTORY_FORMAT, TRAJECTORY_VERSION } from './record.ts';

export interface BuildOptions {
  /** The episode's id in this export. */
  id: string;
  /** The subject's pseudonym in this export (computed by the caller). */
  subject: string;
  /** The task in the subject's words, or null. */
  task: string | null;
  /** Default: `desktop` when the episode has window or frame events or a screenshot observation (desktop agent), else `web`. */
  platform?: 'web' | 'desktop';
  /**
   * Rewrites every URL the record shows: observations, navigate actions, `final.url`, `apps`.
   * Default: unchanged. Pass `createSiteAliases(…).url` for host aliases.
   */
  url?: (url: string) => string;
  /**
   * Mask page text (page and window titles) to its shape: letters → `x`/`X`, digits → `9`,
   * punctuation and spaces kept. Default true; false only when the program allows page text.
   * Targets' accessible names are kept either way: they name the control acted on, and the
   * recorder already withholds names taken from masked content. A desktop window's target is
   * the exception: its name is the window title, masked like one.
   */
  maskPageText?: boolean;
  compile?: Partial<CompileOptions>;
  /**
   * For an episode that starts in the middle of a page visit (cut at an idle gap or a marker):
   * events from before it, of which the last top-level navigation and the last viewport event
   * before its first event are taken (anything else is ignored, and the navigation too when the
   * episode loads a page of its own first). They seed the page state without becoming steps:
   * the first steps get an observation (dated at the episode's start), `screen`, `apps` and
   * `final.url` start from that page, and a replay starts on it. Desktop: the last `window`
   * event is taken likewise (its app starts `apps`, and the episode's first window event is then
   * no initial switch), unless the episode opens with a window event of its own.
   */
  context?: readonly CaptureEvent[];
}

const isPage = (e: CaptureEvent): e is NavigationEvent => e.type === 'navigation' && !(e.frame && e.frame.length > 0);

/**
 * Where an episode starts: the last top-level navigation, the last window (desktop) and the last
 * viewport event of `context` before the episode's `first` event; no page when its `opening`
 * event (the first other than markers and viewport events) loads one itself, no window when it
 * is a window event. The server picks an episode's context with it (what it seals and sends),
 * and buildTrajectory seeds the compiler with it, so the two agree.
 */
export function startOf(context: readonly CaptureEvent[], first: { seq: number; t: number }, opening: CaptureEvent | undefined): CompilerStart {
  let page: NavigationEvent | undefined;
  let viewport: ViewportEvent | undefined;
  let window: WindowEvent | undefined;
  for (const e of context) {
    if (e.seq >= first.seq || e.t > first.t) continue;
    if (isPage(e) && (!page || e.seq > page.seq)) page = e;
    else if (e.type === 'viewport' && (!viewport || e.seq > viewport.seq)) viewport = e;
    else if (e.type === 'window' && (!window || e.seq > window.seq)) window = e;
  }
  if (opening && isPage(opening) && opening.kind === 'load') page = undefined;
  if (opening?.type === 'window') window = undefined;
  return { ...(page ? { page } : {}), ...(viewport ? { viewport } : {}), ...(window ? { window } : {}) };
}

/** `Sign up — Acme 2` → `Xxxx xx — Xxxx 9`: the shape of a text, none of its words. */
function maskShape(text: string): string {
  return text.replace(/[\p{L}\p{N}\p{M}]/gu, (ch) => {
    if (/\p{M}/u.test(ch)) return '';
    const shape = /\p{Lu}/u.test(ch) ? 'X' : /\p{L}/u.test(ch) ? 'x' : '9';
    return shape.repeat(ch.length);
  });
}

const unchanged = (s: string): string => s;
/** Offsets are rounded to a microsecond, which hides floating-point noise of the subtraction. */
const round3 = (v: number): number => Math.round(v * 1000) / 1000;
const fieldKey = (t: Target): string => `${(t.frame ?? []).join('.')}|${t.selector}`;

/** True when a document replaced in frame `frame` (empty: the top document) held an element in `target`. */
function inReplacedDocument(frame: readonly number[], target: readonly number[]): boolean {
  return target.length >= frame.length && frame.every((f, i) => target[i] === f);
}

/**
 * Masked spans per kind, each counted once. An `input` event lists every span of the field's
 * value, so a secret typed key by key shows up in each of its input events; a span counts when
 * the number of spans of its kind in that field goes up. Keys typed outside any field (no
 * `input` events) count once per run of redacted keys of one kind on one target.
 */
class RedactionTally {
  private readonly total = new Map<string, number>();
  /** Per field in the current documents: spans per kind in its last value. */
  private readonly fields = new Map<string, { frame: readonly number[]; spans: Map<string, number> }>();
  /** Targets that received input events: their redacted keys are already counted through those. */
  private readonly withInput = new Set<string>();
  /** Per target: runs of redacted keys per kind, and the kind of the run still going on. */
  private readonly keyRuns = new Map<string, { open: string | null; runs: Map<string, number> }>();

  private add(kind: string, n: number): void {
    this.total.set(kind, (this.total.get(kind) ?? 0) + n);
  }

  input(e: InputEvent): void {
    const key = fieldKey(e.target);
    this.withInput.add(key);
    const spans = new Map<string, number>();
    for (const r of e.redactions ?? []) spans.set(r.kind, (spans.get(r.kind) ?? 0) + 1);
    const before = this.fields.get(key)?.spans;
    for (const [kind, n] of spans) {
      const had = before?.get(kind) ?? 0;
      if (n > had) this.add(kind, n - had);
    }
    this.fields.set(key, { frame: e.target.frame ?? [], spans });
  }

  key(e: KeyEvent): void {
    if (e.kind !== 'down') return;
    const key = e.target ? fieldKey(e.target) : '';
    let state = this.keyRuns.get(key);
    if (e.redacted) {
      if (!state) this.keyRuns.set(key, (state = { open: null, runs: new Map() }));
      if (state.open !== e.redacted.kind) state.runs.set(e.redacted.kind, (state.runs.get(e.redacted.kind) ?? 0) + 1);
      state.open = e.redacted.kind;
    } else if (state && e.char !== undefined) {
      // A plain character ends the run; caret and editing keys (Backspace, arrows) do not.
      state.open = null;
    }
  }

  /** A new document in `frame`: its fields start empty. */
  replaced(frame: readonly number[]): void {
    for (const [key, f] of this.fields) if (inReplacedDocument(frame, f.frame)) this.fields.delete(key);
  }

  counts(): Record<string, number> {
    for (const [target, { runs }] of this.keyRuns) {
      if (this.withInput.has(target)) continue;
      for (const [kind, n] of runs) this.add(kind, n);
    }
    this.keyRuns.clear();
    return Object.fromEntries([...this.total].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/** The fields touched in the documents still shown, with their last recorded state. */
class FinalFields {
  private readonly fields = new Map<string, FinalField>();

  input(e: InputEvent): void {
    const t = e.target;
    const field: FinalField = { selector: t.selector };
    if (t.role !== undefined) field.role = t.role;
    if (t.name !== undefined) field.name = t.name;
    if (t.frame && t.frame.length > 0) field.frame = [...t.frame];
    if (e.masked || t.masked) field.masked = true;
    else {
      if (e.value !== undefined) field.value = e.value;
      if (e.checked !== undefined) field.checked = e.checked;
    }
    this.fields.set(fieldKey(t), field);
  }

  /** A new document in `frame`: what was typed into the old one is no longer on the page. */
  replaced(frame: readonly number[]): void {
    for (const [key, f] of this.fields) if (inReplacedDocument(frame, f.frame ?? [])) this.fields.delete(key);
  }

  list(): FinalField[] {
    return [...this.fields.values()];
  }
}

/**
 * Builds the trajectory record of one episode from its raw events (in session order, as stored).
 * Steps are the actions the person made; navigations caused by an action are left out (see the
 * top of this file). `final` (web only) holds the last top-level URL and, for each field that got
 * an `input` event and is still on the page at the end (a new document drops the old one's
 * fields), its last recorded value, or `masked: true` for fields whose content is never read.
 * A value the page's script set is recorded too, as an `input` event with `inputType: 'sync'`
 * (a field cleared after Enter): the last one wins, like any other.
 */
export function buildTrajectory(events: Iterable<CaptureEvent>, options: BuildOptions): TrajectoryRecord {
  const rewrite = options.url ?? unchanged;
  const text = options.maskPageText === false ? unchanged : maskShape;
  const steps: Step[] = [];
  const redactions = new RedactionTally();
  const fields = new FinalFields();
  const apps: string[] = [];
  /** The episode's first event: seq numbers and times are made relative to it. */
  const first = { seq: 0, t: 0 };
  let last = { seq: -1, t: 0 };
  let count = 0;
  let screen: Screen | undefined;
  let finalUrl: string | undefined;
  let desktop = false;
  const useApp = (app: string): void => {
    if (!apps.includes(app)) apps.push(app);
  };

  const seq = (s: number): number => s - first.seq;
  const time = (t: number): number => round3(t - first.t);
  // An observation from the context (before the episode) is dated at the episode's start.
  const obsSeq = (s: number): number => Math.max(0, seq(s));
  const obsTime = (t: number): number => Math.max(0, time(t));

  const observation = (o: Observation): Observation =>
    o.kind === 'page'
      ? { ...o, seq: obsSeq(o.seq), t: obsTime(o.t), url: rewrite(o.url), title: text(o.title), viewport: { ...o.viewport }, scroll: { ...o.scroll } }
      : { ...o, seq: obsSeq(o.seq), t: obsTime(o.t), id: o.id === `frame-${o.seq}` ? `frame-${obsSeq(o.seq)}` : o.id, ...(o.box ? { box: { ...o.box } } : {}) };
  // A window's target is named by its title: page text.
  const windowName = (t: Target): Target => (t.tag === 'window' && t.name !== undefined ? { ...t, name: text(t.name) } : t);

  const take = (actions: readonly Action[]): void => {
    for (const a of actions) {
      if (!isPersonAction(a)) continue;
      const action: Action = { ...a, seq: { from: seq(a.seq.from), to: seq(a.seq.to) }, t: time(a.t) };
      delete action.observation;
      if (action.kind === 'navigate') {
        action.url = rewrite(action.url);
        action.title = text(action.title);
      } else if (action.kind === 'switch' && action.title !== undefined) action.title = text(action.title);
      if ('target' in action && action.target) action.target = windowName(action.target);
      if (action.kind === 'drag' && action.endTarget) action.endTarget = windowName(action.endTarget);
      if (action.kind === 'scroll' && action.container) action.container = windowName(action.container);
      const step: Step = { index: steps.length, action };
      if (a.observation) step.observation = observation(a.observation);
      steps.push(step);
    }
  };

  const navigated = (e: NavigationEvent): void => {
    const frame = e.frame ?? [];
    if (e.kind === 'load') {
      fields.replaced(frame);
      redactions.replaced(frame);
    }
    if (frame.length > 0) return;
    finalUrl = rewrite(e.url);
    useApp(originOf(finalUrl));
  };

  // The compiler starts at the episode's first event other than markers and viewport events
  // (those before it are buffered): whether the context's page is taken depends on that event.
  let compiler: Compiler | undefined;
  const buffered: CaptureEvent[] = [];
  const start = (opening: CaptureEvent | undefined): Compiler => {
    const from = startOf(options.context ?? [], first, opening);
    const c = new Compiler(options.compile, from);
    if (from.viewport) screen ??= { width: from.viewport.width, height: from.viewport.height, dpr: from.viewport.dpr };
    if (from.page) {
      finalUrl = rewrite(from.page.url);
      useApp(originOf(finalUrl));
    }
    if (from.window) {
      desktop = true;
      useApp(from.window.app);
    }
    for (const b of buffered.splice(0)) take(c.push(b));
    return c;
  };

  for (const e of events) {
    if (e.seq <= last.seq || e.t < last.t) {
      throw new Error(`buildTrajectory(${options.id}): events must be in session order, but event seq ${e.seq} (t ${e.t}) comes after seq ${last.seq} (t ${last.t})`);
    }
    if (count === 0) {
      first.seq = e.seq;
      first.t = e.t;
    }
    last = { seq: e.seq, t: e.t };
    count++;
    if (compiler) take(compiler.push(e));
    else if (e.type === 'marker' || e.type === 'viewport') buffered.push(e);
    else {
      compiler = start(e);
      take(compiler.push(e));
    }
    switch (e.type) {
      case 'viewport':
        screen ??= { width: e.width, height: e.height, dpr: e.dpr };
        break;
      case 'navigation':
        navigated(e);
        break;
      case 'input':
        fields.input(e);
        redactions.input(e);
        break;
      case 'key':
        redactions.key(e);
        break;
      case 'window':
        desktop = true;
        useApp(e.app);
        break;
      case 'frame':
        desktop = true;
        break;
    }
  }
  if (count === 0) throw new Error(`buildTrajectory(${options.id}): the episode has no events`);
  compiler ??= start(undefined);
  take(compiler.end());

  const counts: ActionCounts = {};
  for (const { action } of steps) counts[action.kind] = (counts[action.kind] ?? 0) + 1;
  const platform = options.platform ?? (desktop || steps.some((s) => s.observation?.kind === 'screenshot') ? 'desktop' : 'web');

  const record: TrajectoryRecord = {
    format: TRAJECTORY_FORMAT,
    version: TRAJECTORY_VERSION,
    id: options.id,
    subject: options.subject,
    task: options.task,
    platform,
    duration: time(last.t),
    apps,
    events: count,
    counts,
    redactions: redactions.counts(),
    steps,
  };
  if (screen) record.screen = screen;
  if (platform === 'web') {
    record.final = finalUrl === undefined ? { fields: fields.list() } : { url: finalUrl, fields: fields.list() };
  }
  return record;
}
