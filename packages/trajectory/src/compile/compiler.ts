// The action compiler: a streaming state machine from raw capture events to actions. Push events
// in session order, get finished actions back in the order they started; end() closes whatever is
// still open. Memory is bounded by what is open at once (one press, one field, one scroll…), not
// by the session's length. The rules are listed in packages/trajectory/README.md.
//
// The desktop agent sends the same events with no targets, no input, focus or navigation events,
// screen pixels for coordinates, and three of its own: `window` (the focused window changed),
// `frame` (a screenshot of it) and the `away` and `gap` markers. The compiler turns on its desktop
// rules at the first `window` or `frame` event (see README, "Desktop").
import type { Box, CaptureEvent, FrameEvent, InputEvent, KeyEvent, NavigationEvent, PointerEvent, Redaction, Target, ViewportEvent, WheelEvent, WindowEvent } from '@lockstep/schema';
import { SYNC_INPUT_TYPE } from '@lockstep/schema';
import type { Action, ActionOf, Observation, Point, Screen } from '../actions.ts';
import { isPersonAction } from '../actions.ts';
import { isCaretKey, isChord, isModifierKey, keyName, modifierNames } from './keys.ts';
import { simplifyPath } from './simplify.ts';

export interface CompileOptions {
  /** A press that moves farther than this (CSS px) from where it started is a drag, not a click. */
  dragPx: number;
  /** Two clicks closer than this in time (ms)… */
  doubleClickMs: number;
  /** …and distance (CSS px) can make a double click. */
  doubleClickPx: number;
  /** Wheel events in the same direction with gaps below this (ms), the pointer still (see scrollMovePx), are one scroll. */
  scrollMergeMs: number;
  /** …and the pointer within this many CSS px of where the scroll started. */
  scrollMovePx: number;
  /** An idle gap between two actions of at least this (ms) becomes a `wait` (and, on the desktop, ends typing)… */
  waitMs: number;
  /** …unless it is this long (ms) or longer: the person was away (episodes are cut at such gaps). */
  waitMaxMs: number;
  /** The page counts as settled after this long (ms) without events. */
  settleMs: number;
  /** A navigation this soon (ms) after an action is that action's consequence. */
  causeMs: number;
  /** Drag paths are simplified to within this many CSS px. */
  simplifyPx: number;
  /** CSS px per line for wheel events in line mode (pages use the viewport height). */
  linePx: number;
}

export const DEFAULT_COMPILE_OPTIONS: Readonly<CompileOptions> = Object.freeze({
  dragPx: 8,
  doubleClickMs: 500,
  doubleClickPx: 8,
  scrollMergeMs: 800,
  scrollMovePx: 24,
  waitMs: 3000,
  waitMaxMs: 60_000,
  settleMs: 250,
  causeMs: 2000,
  simplifyPx: 3,
  linePx: 40,
});

const DEFAULT_SCREEN: Screen = { width: 1280, height: 720, dpr: 1 };

/**
 * The page state to start from, for events that begin in the middle of a page visit (an episode
 * cut at an idle gap or a marker): the last top-level navigation and the last viewport event
 * before them. The compiler takes them as its page state, as of the later of the two (the
 * observations of the first actions carry that event's seq and time), without an action for
 * them; the next navigation is then not the initial one.
 */
export interface CompilerStart {
  page?: NavigationEvent;
  viewport?: ViewportEvent;
  /** Desktop: the window that had focus (the episode's first window event is then no `initial` switch). */
  window?: WindowEvent;
}

interface PageState {
  url: string;
  title: string;
  viewport: Screen;
  scroll: { x: number; y: number };
  known: boolean;
}

interface RawPoint {
  x: number;
  y: number;
}

interface Press {
  down: PointerEvent;
  obs: Observation | undefined;
  /** Desktop: the window the press went to (the focused one, or the one it brought to the front). */
  win: WindowEvent | null;
  screen: Screen;
  path: RawPoint[];
  maxDist: number;
  last: PointerEvent;
  dragstart?: PointerEvent;
  drop?: PointerEvent;
  up?: PointerEvent;
}

interface PendingClick {
  from: number;
  to: number;
  t: number;
  end: number;
  down: PointerEvent;
  /** The click (or dblclick) event that named the target, once seen. */
  click?: PointerEvent;
  count: number;
  obs: Observation | undefined;
  screen: Screen;
  win: WindowEvent | null;
}

interface PendingKey {
  e: KeyEvent;
  obs: Observation | undefined;
  /** Desktop: the focused window when the key went down (keys have no target there). */
  win?: Target;
  name: string;
  count: number;
  lastSeq: number;
  lastT: number;
  /** Text input events this key caused on its own target. */
  inputs: InputEvent[];
  /** An input event showed this chord edits text (ctrl+backspace): it is typing. */
  typing: boolean;
  /** A chord whose input was a paste, cut, undo or format: the hotkey, with the field's new value. */
  edited: boolean;
}

interface Segment {
  /** `type` for text fields, `select` for selects, `loose` for keys typed outside any field. */
  kind: 'type' | 'select' | 'loose';
  key: string;
  target: Target | undefined;
  from: number;
  to: number;
  t: number;
  end: number;
  obs: Observation | undefined;
  prior: string;
  value: string;
  masked: boolean;
  redactions: Redaction[] | undefined;
  typed: boolean;
  /** Caret keys pressed after typing started: absorbed if more typing follows, else keys of their own. */
  held: PendingKey[];
  /** Loose typing: which characters of `value` were redacted keys. */
  looseRedacted?: ({ kind: string; family: 'secret' | 'pii' } | null)[];
  /** Desktop typing: where the caret is in `value` (code points); keys are inserted there. */
  caret?: number;
  /** Desktop typing: arrow keys since the last edit; absorbed by the next edit, else keys of their own. */
  moves?: PendingKey[];
  /** Desktop typing: time of the run's last key (an idle gap after it ends the run). */
  last?: number;
}

interface OpenScroll {
  from: number;
  to: number;
  t: number;
  end: number;
  first: WheelEvent;
  key: string;
  dx: number;
  dy: number;
  obs: Observation | undefined;
  screen: Screen;
  /** The element that scrolled (from the scroll events that followed), when it was not the page. */
  container?: Target;
  win: WindowEvent | null;
}

const targetKey = (t: Target | undefined): string => (t ? `${(t.frame ?? []).join('.')}|${t.selector}` : '');
const isTextInput = (e: InputEvent): boolean => e.checked === undefined && e.target.tag !== 'select';
const HOTKEY_INPUT = /^(insertFromPaste|insertFromDrop|deleteByCut|deleteByDrag|historyUndo|historyRedo|format)/;
const BUTTONS = ['left', 'middle', 'right'] as const;

type Released = Action;

export class Compiler {
  private readonly o: CompileOptions;
  private page: PageState = { url: '', title: '', viewport: DEFAULT_SCREEN, scroll: { x: 0, y: 0 }, known: false };
  private settled: Observation | undefined;
  private lastSeq = -1;
  private lastT = 0;

  private press: Press | null = null;
  private clicks: PendingClick[] = [];
  /** The last drag, so that a click event closing it is absorbed. */
  private lastDragSeq = -1;
  private key: PendingKey | null = null;
  private modAlone: { e: KeyEvent; obs: Observation | undefined; win?: Target } | null = null;
  private segment: Segment | null = null;
  private scroll: OpenScroll | null = null;
  /** Last known value per field in this document (for `prior`). */
  private values = new Map<string, string>();

  private ready: Action[] = [];
  private cause: { seq: number; t: number } | null = null;
  /** When the last click, right click or drag ended (for input events no key explains). */
  private pointerCause: number | null = null;
  private navigated = false;
  private prevEnd: number | null = null;
  private prevTo = 0;

  // Desktop state.
  private desktop = false;
  /** The focused window, as the last `window` event gave it. */
  private window: WindowEvent | null = null;
  /** A window has been seen: the next switch is not the initial one. */
  private windowed = false;
  /** After an `away` marker: nothing but markers counts until the next `window` event, which is a return. */
  private away = false;
  /** The latest screenshot; `settled` holds the last one taken in a quiet moment. */
  private frame: FrameEvent | null = null;

  constructor(options: Partial<CompileOptions> = {}, start: CompilerStart = {}) {
    this.o = { ...DEFAULT_COMPILE_OPTIONS, ...options };
    const { page, viewport, window } = start;
    if (window) {
      this.desktop = true;
      this.window = window;
      this.windowed = true;
    }
    if (page) {
      this.page.url = page.url;
      this.page.title = page.title;
      this.page.known = true;
      this.navigated = true;
    }
    if (viewport) {
      this.page.viewport = { width: viewport.width, height: viewport.height, dpr: viewport.dpr };
      // A page loaded after the viewport event starts at the top.
      if (!(page && page.kind === 'load' && page.seq > viewport.seq)) this.page.scroll = { x: viewport.scrollX, y: viewport.scrollY };
    }
    const latest = [page, viewport, window].reduce<CaptureEvent | undefined>((a, e) => (e && (!a || e.seq > a.seq) ? e : a), undefined);
    if (latest) {
      this.lastSeq = latest.seq;
      this.lastT = latest.t;
    }
  }

  /** Feeds one event; returns the actions that are now final, in order. */
  push(e: CaptureEvent): Action[] {
    // Away in a window the program does not record: whatever comes before the next window event is not the person's recorded work.
    if (this.away && e.type !== 'marker' && e.type !== 'window' && e.type !== 'viewport') return [];
    if (e.type === 'frame') {
      // A screenshot is state, like a page: it leaves timing and what is open as they are.
      this.desktop = true;
      this.frame = e;
      return [];
    }
    if (e.type === 'pointer' && e.kind === 'move') {
      this.onMove(e);
      return [];
    }
    if (e.type === 'input' && e.inputType === SYNC_INPUT_TYPE) {
      // Page state, not something the person did: it leaves timing, clicks, keys and
      // observations as they are.
      this.onSync(e);
      return this.release(false);
    }
    let early: Action[] = [];
    if (this.page.known && e.t - this.lastT >= this.o.settleMs) this.settled = this.snapshot(this.lastSeq, this.lastT, true);
    // A screenshot is settled when it was taken in a quiet moment: after the last event before it, and settleMs before the next.
    if (this.frame && this.frame.seq > this.lastSeq && e.t - this.lastT >= this.o.settleMs) this.settled = this.screenshot(this.frame, true);
    // A modifier held through a click, a scroll or typing is that action's modifier, not a key press.
    if (this.modAlone && e.type !== 'key' && e.type !== 'focus' && e.type !== 'scroll' && e.type !== 'viewport') this.modAlone = null;
    if (this.clicks.length > 0 && !(e.type === 'pointer' && (e.kind === 'dblclick' || e.kind === 'click'))) {
      const last = this.clicks[this.clicks.length - 1]!;
      if (e.t - last.end > this.o.doubleClickMs && last.down.target?.tag !== 'select') this.flushClicks();
    }
    switch (e.type) {
      case 'pointer':
        this.onPointer(e);
        break;
      case 'wheel':
        this.onWheel(e);
        break;
      case 'scroll':
        if (!e.target) this.page.scroll = { x: e.scrollX, y: e.scrollY };
        else if (this.scroll && !this.scroll.container) this.scroll.container = e.target;
        break;
      case 'key':
        this.onKey(e);
        break;
      case 'input':
        this.onInput(e);
        break;
      case 'focus':
        if (this.segment && this.segment.kind !== 'loose' && targetKey(e.target) !== this.segment.key) this.closeSegment();
        else if (this.segment && e.kind === 'blur' && targetKey(e.target) === this.segment.key) this.closeSegment();
        break;
      case 'navigation':
        this.onNavigation(e);
        break;
      case 'viewport':
        this.page.viewport = { width: e.width, height: e.height, dpr: e.dpr };
        this.page.scroll = { x: e.scrollX, y: e.scrollY };
        break;
      case 'window':
        this.onWindow(e);
        break;
      case 'marker':
        this.closeAll();
        if (e.kind !== 'redaction-failed') {
          // What the marker closed ended before it: released now, so that no wait spans the marker.
          early = this.release(false);
          this.prevEnd = null;
        }
        if (e.kind === 'away' || e.kind === 'gap') {
          // Unrecorded time: no action causes what follows, and no screenshot from before shows what came after.
          this.cause = null;
          this.frame = null;
          this.settled = undefined;
          if (e.kind === 'away') this.away = true;
        }
        break;
    }
    this.lastSeq = e.seq;
    this.lastT = e.t;
    const out = this.release(false);
    return early.length > 0 ? [...early, ...out] : out;
  }

  /** Closes everything still open and returns the remaining actions. */
  end(): Action[] {
    this.closeAll();
    return this.release(true);
  }

  // ── observations and coordinates ────────────────────────────────────────────────────────

  private snapshot(seq: number, t: number, settled: boolean): Observation {
    return { kind: 'page', seq, t, settled, url: this.page.url, title: this.page.title, viewport: { ...this.page.viewport }, scroll: { ...this.page.scroll } };
  }

  private screenshot(f: FrameEvent, settled: boolean): Observation {
    return { kind: 'screenshot', seq: f.seq, t: f.t, settled, id: `frame-${f.seq}`, width: f.width, height: f.height, box: { ...f.box } };
  }

  /** The last settled observation before the event being handled (none before the first page or screenshot). */
  private observe(): Observation | undefined {
    if (this.settled) return this.settled;
    if (this.frame) return this.screenshot(this.frame, false);
    if (!this.page.known) return undefined;
    return this.snapshot(this.lastSeq, this.lastT, false);
  }

  private point(p: RawPoint, screen: Screen = this.page.viewport): Point {
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    return { x: p.x, y: p.y, nx: round4(clamp(p.x / screen.width)), ny: round4(clamp(p.y / screen.height)) };
  }

  // ── output ordering ─────────────────────────────────────────────────────────────────────

  private finish(a: Action): void {
    // Insert by first event; actions finish out of order (a type closes after the key that ends it).
    let i = this.ready.length;
    while (i > 0 && this.ready[i - 1]!.seq.from > a.seq.from) i--;
    this.ready.splice(i, 0, a);
    if (a.kind === 'click' || a.kind === 'double_click' || a.kind === 'key' || a.kind === 'hotkey' || a.kind === 'select' || a.kind === 'type' || a.kind === 'drag' || a.kind === 'right_click') {
      const end = a.t + a.duration;
      if (!this.cause || end >= this.cause.t) this.cause = { seq: a.seq.from, t: end };
    }
    if (a.kind === 'click' || a.kind === 'double_click' || a.kind === 'right_click' || a.kind === 'drag') this.pointerCause = Math.max(this.pointerCause ?? 0, a.t + a.duration);
  }

  /** The first event of anything still open: finished actions after it must wait for it. */
  private watermark(): number {
    let w = Infinity;
    if (this.press) w = Math.min(w, this.press.down.seq);
    if (this.clicks.length > 0) w = Math.min(w, this.clicks[0]!.from);
    if (this.key) w = Math.min(w, this.key.e.seq);
    if (this.modAlone) w = Math.min(w, this.modAlone.e.seq);
    if (this.segment) w = Math.min(w, this.segment.from, ...this.segment.held.map((k) => k.e.seq));
    if (this.scroll) w = Math.min(w, this.scroll.from);
    return w;
  }

  private release(all: boolean): Released[] {
    if (this.ready.length === 0) return [];
    const w = all ? Infinity : this.watermark();
    let n = 0;
    while (n < this.ready.length && this.ready[n]!.seq.from < w) n++;
    if (n === 0) return [];
    const out: Action[] = [];
    for (const a of this.ready.splice(0, n)) {
      if (isPersonAction(a)) {
        if (this.prevEnd !== null && a.t - this.prevEnd >= this.o.waitMs && a.t - this.prevEnd < this.o.waitMaxMs) {
          const wait: ActionOf<'wait'> = { kind: 'wait', seq: { from: this.prevTo, to: this.prevTo }, t: this.prevEnd, duration: round1(a.t - this.prevEnd) };
          if (a.observation) wait.observation = a.observation;
          out.push(wait);
        }
        const end = a.t + a.duration;
        this.prevEnd = this.prevEnd === null ? end : Math.max(this.prevEnd, end);
        this.prevTo = Math.max(this.prevTo, a.seq.to);
      }
      out.push(a);
    }
    return out;
  }

  private closeAll(): void {
    this.resolveKey();
    this.flushModAlone();
    this.endPressNow();
    this.flushClicks();
    this.closeSegment();
    this.closeScroll();
  }

  // ── pointer ─────────────────────────────────────────────────────────────────────────────

  private onMove(e: PointerEvent): void {
    const p = this.press;
    // The desktop's moves may not say which buttons are held: while a press is open, one is.
    if (!p || (!e.buttons && !(this.desktop && e.buttons === undefined))) return;
    p.path.push({ x: e.x, y: e.y });
    p.last = e;
    p.maxDist = Math.max(p.maxDist, Math.hypot(e.x - p.down.x, e.y - p.down.y));
  }

  private onPointer(e: PointerEvent): void {
    switch (e.kind) {
      case 'down': {
        this.resolveKey();
        this.closeScroll();
        this.closeSegment();
        if (this.press) this.endPressNow();
        const last = this.clicks[this.clicks.length - 1];
        if (last && (e.button !== last.down.button || Math.hypot(e.x - last.down.x, e.y - last.down.y) > this.o.doubleClickPx || e.t - last.end > this.o.doubleClickMs)) this.flushClicks();
        this.press = { down: e, obs: this.observe(), screen: { ...this.page.viewport }, path: [{ x: e.x, y: e.y }], maxDist: 0, last: e, win: this.window };
        break;
      }
      case 'up':
        if (this.press && !this.press.dragstart) {
          this.press.up = e;
          this.press.path.push({ x: e.x, y: e.y });
          this.press.maxDist = Math.max(this.press.maxDist, Math.hypot(e.x - this.press.down.x, e.y - this.press.down.y));
          this.endPress();
        } else if (this.press?.dragstart) {
          this.press.up = e;
          this.endPress();
        }
        break;
      case 'click': {
        const last = this.clicks[this.clicks.length - 1];
        if (last && !last.click && last.count === 1) {
          last.click = e;
          last.to = e.seq;
          last.end = e.t;
        } else if (last && last.count === 2 && !last.click) {
          last.click = e;
          if (this.desktop) {
            // The desktop has no dblclick event: the second press's click closes the double click.
            last.to = e.seq;
            last.end = e.t;
          }
        }
        // Otherwise: a click closing a drag, a label's forwarded click, or a click made with the
        // keyboard (Enter or Space on a button): the press or the key is the action.
        break;
      }
      case 'dblclick': {
        const n = this.clicks.length;
        if (n >= 2) {
          const first = this.clicks[n - 2]!;
          const second = this.clicks[n - 1]!;
          if (first.count === 1 && second.count === 1) {
            this.clicks.splice(n - 2, 2, { ...first, to: e.seq, end: e.t, click: e, count: 2 });
          }
        }
        break;
      }
      case 'contextmenu':
        // Part of the right-button press (before or after its up), or of a key (ContextMenu, Shift+F10).
        break;
      case 'dragstart':
        if (this.press) {
          this.press.dragstart = e;
          this.press.path.push({ x: e.x, y: e.y });
        } else {
          this.press = { down: e, obs: this.observe(), screen: { ...this.page.viewport }, path: [{ x: e.x, y: e.y }], maxDist: 0, last: e, dragstart: e, win: this.window };
        }
        break;
      case 'drop':
        if (this.press?.dragstart) {
          this.press.drop = e;
          this.press.path.push({ x: e.x, y: e.y });
        }
        break;
      case 'dragend':
        if (this.press?.dragstart) {
          this.press.last = e;
          this.endPress();
        }
        break;
    }
  }

  /** A press ends without its up (a new press, a marker, the end of the session). */
  private endPressNow(): void {
    if (this.press) this.endPress();
  }

  private endPress(): void {
    const p = this.press;
    if (!p) return;
    this.press = null;
    const button = p.down.button ?? 0;
    const endEvent = p.drop ?? p.up ?? p.last;
    const lastSeq = Math.max(p.down.seq, endEvent.seq, p.last.seq, p.up?.seq ?? 0);
    const mods = p.down.mods ? modifierNames(p.down.mods) : [];
    if (p.dragstart || p.maxDist > this.o.dragPx) {
      this.flushClicks();
      const endPoint = p.drop ? { x: p.drop.x, y: p.drop.y } : p.up ? { x: p.up.x, y: p.up.y } : p.path[p.path.length - 1]!;
      const raw = p.path.length >= 2 ? [...p.path] : [{ x: p.down.x, y: p.down.y }, endPoint];
      raw[raw.length - 1] = endPoint;
      const path = simplifyPath(raw, this.o.simplifyPx).map((q) => this.point(q, p.screen));
      const drag: ActionOf<'drag'> = {
        kind: 'drag',
        seq: { from: p.down.seq, to: lastSeq },
        t: p.down.t,
        duration: round1(endEvent.t - p.down.t),
        point: this.point(p.down, p.screen),
        screen: p.screen,
        via: p.dragstart ? 'html5' : 'pointer',
        button: BUTTONS[button] ?? 'left',
        end: this.point(endPoint, p.screen),
        path,
      };
      if (p.obs) drag.observation = p.obs;
      const source = p.dragstart?.target ?? p.down.target ?? windowTarget(p.win, p.down);
      if (source) drag.target = source;
      const endTarget = p.drop?.target ?? p.up?.target ?? windowTarget(p.win, endPoint) ?? windowTarget(this.window, endPoint);
      if (endTarget) drag.endTarget = endTarget;
      if (mods.length > 0) drag.mods = mods;
      this.lastDragSeq = lastSeq;
      this.finish(drag);
      return;
    }
    if (button === 2) {
      this.flushClicks();
      const a: ActionOf<'right_click'> = {
        kind: 'right_click',
        seq: { from: p.down.seq, to: lastSeq },
        t: p.down.t,
        duration: round1(endEvent.t - p.down.t),
        point: this.point(p.down, p.screen),
        screen: p.screen,
      };
      if (p.obs) a.observation = p.obs;
      const target = p.down.target ?? windowTarget(p.win, p.down);
      if (target) a.target = target;
      if (mods.length > 0) a.mods = mods;
      this.finish(a);
      return;
    }
    const last = this.clicks[this.clicks.length - 1];
    if (this.desktop && last && last.count === 1) {
      // No dblclick event on the desktop: a second press this close (checked at its down) makes the double click.
      this.clicks[this.clicks.length - 1] = { ...last, to: lastSeq, end: endEvent.t, count: 2, click: undefined };
      return;
    }
    this.clicks.push({ from: p.down.seq, to: lastSeq, t: p.down.t, end: endEvent.t, down: p.down, count: 1, obs: p.obs, screen: p.screen, win: p.win });
  }

  private flushClicks(): void {
    const clicks = this.clicks;
    if (clicks.length === 0) return;
    this.clicks = [];
    for (let i = 0; i < clicks.length; i++) {
      const c = clicks[i]!;
      // A double click and one more click right after it: a triple click.
      const next = clicks[i + 1];
      const triple = c.count === 2 && next && next.count === 1 && next.t - c.end <= this.o.doubleClickMs;
      const ev = c.click ?? c.down;
      const base = {
        seq: { from: c.from, to: triple ? next.to : c.to },
        t: c.t,
        duration: round1((triple ? next.end : c.end) - c.t),
        point: this.point(ev, c.screen),
        screen: c.screen,
      };
      const target = ev.target ?? c.down.target ?? windowTarget(c.win, ev);
      const mods = c.down.mods ? modifierNames(c.down.mods) : [];
      let a: Action;
      if (c.count === 2 && !triple) a = { kind: 'double_click', ...base };
      else {
        const button = c.down.button === 1 ? 'middle' : 'left';
        a = { kind: 'click', ...base, button };
        if (triple) a.count = 3;
      }
      if (c.obs) a.observation = c.obs;
      if (target) a.target = target;
      if (mods.length > 0) a.mods = mods;
      if (triple) i++;
      this.finish(a);
    }
  }

  // ── wheel ───────────────────────────────────────────────────────────────────────────────

  private onWheel(e: WheelEvent): void {
    this.resolveKey();
    this.flushClicks();
    const scale = e.mode === 1 ? this.o.linePx : e.mode === 2 ? this.page.viewport.height : 1;
    const dx = e.dx * scale;
    const dy = e.dy * scale;
    const key = e.mods ? modifierNames(e.mods).join('+') : '';
    const s = this.scroll;
    const still = s !== null && Math.hypot(e.x - s.first.x, e.y - s.first.y) <= this.o.scrollMovePx;
    if (s && still && s.key === key && e.t - s.end <= this.o.scrollMergeMs && direction(dx, dy) === direction(s.dx, s.dy)) {
      s.dx += dx;
      s.dy += dy;
      s.to = e.seq;
      s.end = e.t;
      return;
    }
    this.closeScroll();
    this.scroll = { from: e.seq, to: e.seq, t: e.t, end: e.t, first: e, key, dx, dy, obs: this.observe(), screen: { ...this.page.viewport }, win: this.window };
  }

  private closeScroll(): void {
    const s = this.scroll;
    if (!s) return;
    this.scroll = null;
    const a: ActionOf<'scroll'> = {
      kind: 'scroll',
      seq: { from: s.from, to: s.to },
      t: s.t,
      duration: round1(s.end - s.t),
      point: this.point(s.first, s.screen),
      screen: s.screen,
      direction: direction(s.dx, s.dy),
      dx: round1(s.dx),
      dy: round1(s.dy),
    };
    if (s.obs) a.observation = s.obs;
    const target = s.first.target ?? windowTarget(s.win, s.first);
    if (target) a.target = target;
    if (s.container) a.container = s.container;
    const mods = s.first.mods ? modifierNames(s.first.mods) : [];
    if (mods.length > 0) a.mods = mods;
    this.finish(a);
  }

  // ── keys ────────────────────────────────────────────────────────────────────────────────

  private onKey(e: KeyEvent): void {
    if (isModifierKey(e.key)) {
      const name = keyName(e);
      if (e.kind === 'down' && !e.repeat) {
        if (!this.key) this.modAlone = { e, obs: this.observe(), win: this.focused() };
      } else if (e.kind === 'up' && this.modAlone && keyName(this.modAlone.e) === name) {
        this.flushModAlone(true);
      }
      return;
    }
    this.modAlone = null;
    if (e.kind === 'down') {
      const k = this.key;
      if (e.repeat && k && k.e.key === e.key && k.inputs.length === 0) {
        k.count++;
        k.lastSeq = e.seq;
        k.lastT = e.t;
        return;
      }
      this.resolveKey();
      this.flushClicks();
      this.closeScroll();
      this.key = { e, obs: this.observe(), win: this.focused(), name: keyName(e), count: 1, lastSeq: e.seq, lastT: e.t, inputs: [], typing: false, edited: false };
      return;
    }
    if (this.key && (this.key.e.key === e.key || (e.code !== undefined && this.key.e.code === e.code))) {
      this.key.lastSeq = Math.max(this.key.lastSeq, e.seq);
      this.resolveKey();
    }
  }

  private flushModAlone(emit = false): void {
    const m = this.modAlone;
    this.modAlone = null;
    if (!m || !emit) return;
    const a: ActionOf<'key'> = { kind: 'key', seq: { from: m.e.seq, to: m.e.seq }, t: m.e.t, duration: 0, key: keyName(m.e) };
    if (m.obs) a.observation = m.obs;
    const target = m.e.target ?? m.win;
    if (target) a.target = target;
    this.finish(a);
  }

  /** Decides what the pending key was, once its effects (input events) have been seen. */
  private resolveKey(): void {
    const k = this.key;
    if (!k) return;
    this.key = null;
    const e = k.e;
    const chord = isChord(e.mods);
    if (k.typing) return; // typed into a field: the segment has it
    if (chord) {
      this.closeSegment();
      this.hotkey(k);
      return;
    }
    if (this.desktop) {
      if (this.desktopKey(k)) return;
      this.closeSegment();
      if (e.mods.shift && k.name !== 'shift') this.hotkey(k);
      else this.keyPress(k);
      return;
    }
    const printable = e.char !== undefined || (e.masked === true && e.key === 'Unidentified') || (e.redacted !== undefined && [...e.key].length === 1);
    if (printable) {
      this.looseChar(k);
      return;
    }
    const seg = this.segment;
    if (seg && seg.kind === 'type' && seg.typed && seg.key === targetKey(e.target) && isCaretKey(k.name) && !e.mods.shift) {
      seg.held.push(k);
      return;
    }
    if (seg?.kind === 'loose' && k.name === 'backspace' && !e.mods.shift) {
      const chars = [...seg.value];
      chars.pop();
      seg.value = chars.join('');
      seg.looseRedacted?.pop();
      seg.to = k.lastSeq;
      seg.end = k.lastT;
      return;
    }
    this.closeSegment();
    if (e.mods.shift && k.name !== 'shift') this.hotkey(k);
    else this.keyPress(k);
  }

  private keyPress(k: PendingKey): void {
    const a: ActionOf<'key'> = { kind: 'key', seq: { from: k.e.seq, to: k.lastSeq }, t: k.e.t, duration: round1(k.lastT - k.e.t), key: k.name };
    if (k.count > 1) a.count = k.count;
    if (k.obs) a.observation = k.obs;
    const target = k.e.target ?? k.win;
    if (target) a.target = target;
    this.finish(a);
  }

  private hotkey(k: PendingKey): void {
    const keys = [...modifierNames(k.e.mods, k.name), k.name];
    if (keys.length < 2) {
      this.keyPress(k);
      return;
    }
    const a: ActionOf<'hotkey'> = { kind: 'hotkey', seq: { from: k.e.seq, to: k.lastSeq }, t: k.e.t, duration: round1(k.lastT - k.e.t), keys, combo: keys.join('+') };
    const command = k.e.mods.ctrl && !k.e.mods.meta ? 'ctrl' : k.e.mods.meta && !k.e.mods.ctrl ? 'meta' : undefined;
    if (command) a.command = command;
    if (k.count > 1) a.count = k.count;
    if (k.obs) a.observation = k.obs;
    const target = k.e.target ?? k.win;
    if (target) a.target = target;
    this.finish(a);
  }

  /** A printable key that no field took: typed text outside a field (a single one is a key press). */
  private looseChar(k: PendingKey, masked = k.e.masked === true): void {
    const e = k.e;
    const key = `loose|${targetKey(e.target)}`;
    if (this.segment && this.segment.key !== key) this.closeSegment();
    let seg = this.segment;
    if (!seg) {
      seg = this.segment = { kind: 'loose', key, target: e.target ?? k.win, from: e.seq, to: k.lastSeq, t: e.t, end: k.lastT, obs: k.obs, prior: '', value: '', masked: false, redactions: undefined, typed: true, held: [], looseRedacted: [] };
      if (this.desktop) Object.assign(seg, { caret: 0, moves: [], last: k.lastT });
      seg.held.push(k); // kept in case it stays a single key press
    }
    if (masked) seg.masked = true;
    const ch = masked ? '' : (e.char ?? (e.redacted && [...e.key].length === 1 ? e.key : ''));
    for (let i = 0; i < Math.max(1, k.count); i++) {
      if (seg.caret === undefined) {
        seg.value += ch;
        for (const _c of ch) seg.looseRedacted!.push(e.redacted ?? null);
      } else {
        const chars = [...ch];
        seg.value = spliceChars(seg.value, seg.caret, 0, chars);
        seg.looseRedacted!.splice(seg.caret, 0, ...chars.map(() => e.redacted ?? null));
        seg.caret += chars.length;
      }
    }
    seg.to = k.lastSeq;
    seg.end = k.lastT;
    if (seg.last !== undefined) seg.last = k.lastT;
    if (seg.moves) seg.moves = [];
    if (seg.held[0] !== k) seg.held = [];
  }

  /**
   * Desktop typing: printable keys and the corrections of a run of typing in one window. There is
   * no field value to read, so the text is rebuilt from the keys with a caret: characters are
   * inserted at it, Backspace and Delete remove around it, Left and Right move it. A correction
   * that reaches past the run's own text (text typed before it, which is unknown) ends the run
   * and is a key; so are Home, End, Up, Down and the page keys, which go where the run cannot
   * follow. In a masked run (a credential prompt) corrections are absorbed: nothing is known to
   * correct. True when the key joined the run.
   */
  private desktopKey(k: PendingKey): boolean {
    const e = k.e;
    let seg = this.segment?.kind === 'loose' ? this.segment : null;
    // Typing ends at an idle gap: without focus events, a long pause is where one run of typing ends.
    if (seg && e.t - (seg.last ?? seg.end) >= this.o.waitMs) {
      this.closeSegment();
      seg = null;
    }
    // In a credential prompt nothing typed is read, whatever the key event carries.
    const credential = k.win?.masked === true;
    const masked = e.masked === true || credential;
    const printable = e.char !== undefined || (e.masked === true && e.key === 'Unidentified') || (e.redacted !== undefined && [...e.key].length === 1) || (credential && [...e.key].length === 1);
    if (printable) {
      this.looseChar(k, masked);
      return true;
    }
    if (!seg || seg.caret === undefined || e.mods.shift || !['left', 'right', 'backspace', 'delete'].includes(k.name)) return false;
    const n = Math.max(1, k.count);
    const len = [...seg.value].length;
    if (!seg.masked) {
      if (k.name === 'backspace' || k.name === 'left' ? seg.caret < n : len - seg.caret < n) return false;
      if (k.name === 'backspace') {
        seg.value = spliceChars(seg.value, seg.caret - n, n);
        seg.looseRedacted!.splice(seg.caret - n, n);
        seg.caret -= n;
      } else if (k.name === 'delete') {
        seg.value = spliceChars(seg.value, seg.caret, n);
        seg.looseRedacted!.splice(seg.caret, n);
      } else {
        seg.caret += k.name === 'left' ? -n : n;
        seg.moves!.push(k);
      }
    }
    seg.last = k.lastT;
    if (k.name === 'backspace' || k.name === 'delete' || seg.masked) {
      // An edit: the arrows before it were corrections inside the run.
      seg.moves = [];
      seg.to = k.lastSeq;
      seg.end = k.lastT;
    }
    return true;
  }

  /** Desktop: the focused window as a target (keys go to it). */
  private focused(): Target | undefined {
    return this.desktop && this.window ? windowTarget(this.window) : undefined;
  }

  // ── desktop windows ─────────────────────────────────────────────────────────────────────

  /**
   * The focused window changed. Another window (another app, or the same app at another place)
   * is a `switch`; a new title of the same window is state only. Typing, a pending key and a
   * scroll end at a switch; a press still open (the click that brought the window forward) stays
   * open, and the window becomes its target when the press is inside it and was outside the
   * window that had focus.
   */
  private onWindow(e: WindowEvent): void {
    this.desktop = true;
    const prev = this.window;
    this.window = e;
    // A press outside the window that had focus went to this one (it brought it forward).
    for (const p of [this.press, ...this.clicks]) if (p && inside(e.bounds, p.down) && !(p.win && inside(p.win.bounds, p.down))) p.win = e;
    const returning = this.away;
    this.away = false;
    if (!returning && prev && prev.app === e.app && sameBox(prev.bounds, e.bounds)) return;
    this.resolveKey();
    this.flushModAlone();
    this.closeSegment();
    this.closeScroll();
    let cause: ActionOf<'switch'>['cause'];
    let causeSeq: number | undefined;
    const by = this.press?.down.seq ?? this.clicks[this.clicks.length - 1]?.from ?? (this.cause && e.t - this.cause.t <= this.o.causeMs ? this.cause.seq : undefined);
    if (returning) cause = 'return';
    else if (!this.windowed) cause = 'initial';
    else if (by !== undefined) {
      cause = 'action';
      causeSeq = by;
      this.cause = null;
    } else cause = 'direct';
    this.windowed = true;
    const a: ActionOf<'switch'> = { kind: 'switch', seq: { from: e.seq, to: e.seq }, t: e.t, duration: 0, app: e.app, title: e.title, cause };
    if (causeSeq !== undefined) a.causeSeq = causeSeq;
    const obs = this.observe();
    if (obs) a.observation = obs;
    this.finish(a);
  }

  // ── field input ─────────────────────────────────────────────────────────────────────────

  private onInput(e: InputEvent): void {
    const key = targetKey(e.target);
    const k = this.key && targetKey(this.key.e.target) === key ? this.key : null;
    if (!isTextInput(e) && e.target.tag !== 'select') {
      // A checkbox or radio changed: the click or key that did it is the action.
      return;
    }
    if (e.target.tag === 'select') {
      this.onSelect(e, k);
      return;
    }
    if (k && isChord(k.e.mods) && (!e.inputType || HOTKEY_INPUT.test(e.inputType))) {
      // Paste, cut, undo, formatting: the hotkey is the action; the field's new value is the baseline.
      k.edited = true;
      if (this.segment?.key === key) this.closeSegment();
      if (e.value !== undefined) this.values.set(key, e.value);
      return;
    }
    if (!k && !(this.segment?.key === key && this.segment.typed) && this.pointerCause && e.t - this.pointerCause <= this.o.causeMs) {
      // No key typed this: a menu item, a suggestion or a drop just clicked did. The click is
      // the action; the field's new value is the baseline for typing that follows.
      if (this.segment?.key === key) this.closeSegment();
      if (e.value !== undefined) this.values.set(key, e.value);
      return;
    }
    if (this.segment && this.segment.key !== key) this.closeSegment();
    let seg = this.segment;
    if (!seg) {
      const obs = k ? k.obs : this.observe();
      const from = k ? k.e.seq : e.seq;
      const t = k ? k.e.t : e.t;
      seg = this.segment = { kind: 'type', key, target: e.target, from, to: e.seq, t, end: e.t, obs, prior: this.values.get(key) ?? '', value: '', masked: false, redactions: undefined, typed: false, held: [] };
    }
    if (k) k.typing = true;
    seg.typed = true;
    seg.held = []; // caret keys between typing are corrections
    seg.target = e.target;
    seg.to = e.seq;
    seg.end = e.t;
    if (e.masked || e.value === undefined) {
      seg.masked = true;
      seg.value = '';
      seg.redactions = undefined;
    } else {
      seg.masked = false;
      seg.value = e.value;
      seg.redactions = e.redactions;
      this.values.set(key, e.value);
    }
  }

  /**
   * A value the page set without an input event (see SYNC_INPUT_TYPE): never typing and never
   * a click's consequence. It ends typing still open in that field (the page changed the text
   * under it) and is the `prior` of typing that follows.
   */
  private onSync(e: InputEvent): void {
    if (!isTextInput(e)) return;
    const key = targetKey(e.target);
    if (this.segment?.key === key) this.closeSegment();
    if (e.masked || e.value === undefined) this.values.delete(key);
    else this.values.set(key, e.value);
  }

  private onSelect(e: InputEvent, k: PendingKey | null): void {
    const key = targetKey(e.target);
    if (this.segment && this.segment.key !== key) this.closeSegment();
    // A click that opened this select is part of choosing.
    let from = e.seq;
    let t = e.t;
    let obs = this.observe();
    const last = this.clicks[this.clicks.length - 1];
    if (last && targetKey(last.click?.target ?? last.down.target) === key) {
      this.clicks.pop();
      this.flushClicks();
      from = last.from;
      t = last.t;
      obs = last.obs;
    }
    if (k) {
      k.typing = true;
      if (k.e.seq < from) {
        from = k.e.seq;
        t = k.e.t;
        obs = k.obs;
      }
    }
    let seg = this.segment;
    if (!seg) seg = this.segment = { kind: 'select', key, target: e.target, from, to: e.seq, t, end: e.t, obs, prior: '', value: '', masked: false, redactions: undefined, typed: true, held: [] };
    seg.to = e.seq;
    seg.end = e.t;
    seg.target = e.target;
    seg.masked = e.masked === true || e.value === undefined;
    seg.value = e.value ?? '';
  }

  private closeSegment(): void {
    const seg = this.segment;
    if (!seg) return;
    this.segment = null;
    const base = { seq: { from: seg.from, to: seg.to }, t: seg.t, duration: round1(seg.end - seg.t) };
    if (seg.kind === 'select') {
      const a: ActionOf<'select'> = { kind: 'select', ...base };
      if (seg.obs) a.observation = seg.obs;
      if (seg.target) a.target = seg.target;
      if (seg.masked) a.masked = true;
      else a.value = seg.value;
      this.finish(a);
      return;
    }
    if (seg.kind === 'loose' && seg.held.length === 1 && !seg.masked && [...seg.value].length === 1 && !seg.looseRedacted?.[0]) {
      // One printable key outside any field: a key press ("press n"), not typing.
      const k = seg.held[0]!;
      this.keyPress(k);
      for (const m of seg.moves ?? []) this.keyPress(m);
      return;
    }
    if (seg.typed) {
      const a: ActionOf<'type'> = { kind: 'type', ...base };
      if (seg.obs) a.observation = seg.obs;
      if (seg.target) a.target = seg.target;
      if (seg.masked) a.masked = true;
      else {
        a.text = seg.value;
        if (seg.kind === 'type' && seg.prior !== '' && seg.prior !== seg.value) a.prior = seg.prior;
        const redactions = seg.kind === 'loose' ? looseRedactions(seg.value, seg.looseRedacted ?? []) : seg.redactions;
        if (redactions && redactions.length > 0) a.redactions = redactions;
      }
      this.finish(a);
    }
    // Caret keys after the last typing: keys of their own.
    if (seg.kind === 'type') for (const k of seg.held) this.keyPress(k);
    for (const m of seg.moves ?? []) this.keyPress(m);
  }

  // ── navigation ──────────────────────────────────────────────────────────────────────────

  private onNavigation(e: NavigationEvent): void {
    if (e.frame && e.frame.length > 0) return; // a frame's document is part of the page's state
    this.resolveKey();
    this.flushClicks();
    this.closeScroll();
    this.closeSegment();
    let cause: ActionOf<'navigate'>['cause'];
    let causeSeq: number | undefined;
    if (this.cause && e.t - this.cause.t <= this.o.causeMs) {
      cause = 'action';
      causeSeq = this.cause.seq;
      this.cause = null;
    } else if (!this.navigated) cause = 'initial';
    else if (e.kind === 'pop') cause = 'history';
    else if (e.kind === 'load') cause = 'direct';
    else cause = 'script';
    this.navigated = true;
    const a: ActionOf<'navigate'> = { kind: 'navigate', seq: { from: e.seq, to: e.seq }, t: e.t, duration: 0, via: e.kind, url: e.url, title: e.title, cause };
    if (causeSeq !== undefined) a.causeSeq = causeSeq;
    const obs = this.observe();
    if (obs) a.observation = obs;
    this.finish(a);
    if (e.kind === 'load') {
      this.values.clear();
      this.page.scroll = { x: 0, y: 0 };
    }
    this.page.url = e.url;
    this.page.title = e.title;
    this.page.known = true;
  }
}

/**
 * A window as the target of what went to it (the desktop has no elements): tag and role
 * `window`, name = its title, selector = its app class, box = its bounds on screen; masked for a
 * credential prompt. With a point, only when the point is inside the window (a click elsewhere,
 * on a title bar or a window the program does not record, has no target).
 */
function windowTarget(w: WindowEvent | null, p?: { x: number; y: number }): Target | undefined {
  if (!w || (p && !inside(w.bounds, p))) return undefined;
  const t: Target = { tag: 'window', role: 'window', selector: w.app, box: { ...w.bounds } };
  if (w.title !== '') t.name = w.title.slice(0, 256);
  if (w.credential) t.masked = true;
  return t;
}

const inside = (b: Box, p: { x: number; y: number }): boolean => p.x >= b.x && p.y >= b.y && p.x <= b.x + b.w && p.y <= b.y + b.h;
const sameBox = (a: Box, b: Box): boolean => a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;

/** `text` with `remove` code points at `at` replaced by `insert`. */
function spliceChars(text: string, at: number, remove: number, insert: readonly string[] = []): string {
  const chars = [...text];
  chars.splice(at, remove, ...insert);
  return chars.join('');
}

function direction(dx: number, dy: number): 'up' | 'down' | 'left' | 'right' {
  if (Math.abs(dx) > Math.abs(dy)) return dx < 0 ? 'left' : 'right';
  return dy < 0 ? 'up' : 'down';
}

function looseRedactions(value: string, marks: readonly ({ kind: string; family: 'secret' | 'pii' } | null)[]): Redaction[] {
  const out: Redaction[] = [];
  const n = Math.min(value.length, marks.length);
  for (let i = 0; i < n; i++) {
    const m = marks[i];
    if (!m) continue;
    const prev = out[out.length - 1];
    if (prev && prev.end === i && prev.kind === m.kind && prev.family === m.family) prev.end = i + 1;
    else out.push({ start: i, end: i + 1, kind: m.kind, family: m.family });
  }
  return out;
}

const round1 = (v: number): number => Math.round(v * 10) / 10;
const round4 = (v: number): number => Math.round(v * 10_000) / 10_000;

/** Compiles a whole recording at once. */
export function compile(events: Iterable<CaptureEvent>, options: Partial<CompileOptions> = {}): Action[] {
  const c = new Compiler(options);
  const out: Action[] = [];
  for (const e of events) for (const a of c.push(e)) out.push(a);
  for (const a of c.end()) out.push(a);
  return out;
}
