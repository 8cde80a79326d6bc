// The desktop recorder: raw input and window changes in, capture events out, with every rule of
// what may be kept applied before anything leaves it.
//
// * Capture runs only while nothing stops it: before consent to the program's current notice is
//   confirmed, while the person paused (command, hotkey, status page), while the program is
//   paused on the server (the kill switch), and while the spool is full. Input that arrives then
//   is dropped on the spot; the stream only gets a marker saying why it stopped.
// * Windows: only windows the program's allow-list names are recorded. Input that goes to any
//   other window is dropped, and the stream gets one `away` marker (no app, no title) until an
//   allowed window has the focus again (a `window` event).
// * Credential prompts (see policy.ts): no key event of any kind is kept while one has the focus
//   (not even its timing, which tells a password's length); clicks are.
// * Typed text goes through the keystroke-stream redactor of @lockstep/redact (one field per
//   window, reconstructed from keys alone), so secrets and personal data are masked before the
//   events reach the spool. If the redactor fails, no key content is kept from then on.
// * Screenshots (when the program asks): one of the active window once the screen has been quiet
//   for `settleMs` after input, so the last frame before an action is a settled one; taken and
//   encoded off the input path, and dropped if input came in meanwhile.
import type { CaptureEvent, Modifiers, UnsequencedEvent } from '@lockstep/schema';
import { createRedactor, createStreamRedactor, shapeOf, type Redactor, type StreamRedactor } from '@lockstep/redact';
import type { RawInput } from './hooks/host.ts';
import { type CaptureSettings, NOTHING, isAllowed, isCredentialPrompt } from './policy.ts';

/** The window input goes to, as window.ts reports it. */
export interface WindowInfo {
  id: number;
  app: string;
  title: string;
  bounds: { x: number; y: number; w: number; h: number };
}

/** Why capture is stopped: each is lifted on its own. */
export type StopReason = 'consent' | 'user' | 'shortcut' | 'kill-switch' | 'spool-full';

/** A key as the keymap gives it: DOM key and code, and the character it types (printable keys). */
export interface KeyInfo {
  key: string;
  code: string;
  char?: string;
}

export interface FrameShot {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  box: { x: number; y: number; w: number; h: number };
  data: string;
}

export interface RecorderOptions {
  /** Events leave here in session order, seq and t assigned, redaction done. */
  emit: (events: CaptureEvent[]) => void;
  /** uiohook keycode (+ shift) → key; undefined for keys it does not know (kept as `Unidentified`). */
  keyOf: (keycode: number, shift: boolean) => KeyInfo | undefined;
  screen: { width: number; height: number };
  /** Takes a screenshot of `win` (screenshots on); resolves null when it could not. */
  shoot?: (win: WindowInfo) => Promise<FrameShot | null>;
  /** Wall clock, ms. */
  now?: () => number;
  /** Quiet time after input before a frame is taken (default 500 ms). */
  settleMs?: number;
  /** Mouse moves with no button held are kept at most this often (default 33 ms). */
  moveEveryMs?: number;
  /** For tests: a redactor that is not built from the defaults. */
  redactor?: Redactor | null;
  /** Applied to window titles before they are kept (the agent masks the host and user names). */
  scrub?: (text: string) => string;
  /** The redactor failed: no key content is kept from now on. */
  onRedactionFailed?: (reason: string) => void;
  /** The state changed (for the status page). */
  onChange?: () => void;
}

/** The global pause shortcut: Alt+Shift+P, as in the browser recorder. */
const PAUSE_KEY = 'p';

type Pending = UnsequencedEvent & { t: number };

const round = (n: number): number => Math.round(n * 1000) / 1000;
const BUTTONS: Record<number, number> = { 1: 0, 2: 2, 3: 1, 4: 3, 5: 4 };

export interface RecorderStatus {
  /** Capture is on: input to an allowed window is being kept. */
  recording: boolean;
  stopped: StopReason[];
  /** The focused window is outside the allow-list (or unknown). */
  away: boolean;
  /** The focused window, when it is one being recorded. */
  window: { app: string; title: string; credential: boolean } | null;
  /** Session id is given by the agent; this is the count of events emitted so far. */
  events: number;
  redactionFailed: boolean;
  screenshots: boolean;
  /** Wall-clock ms of session time 0 (null before the session began). */
  startedAt: number | null;
}

export class DesktopRecorder {
  private readonly o: Required<Omit<RecorderOptions, 'shoot' | 'redactor' | 'onRedactionFailed' | 'onChange' | 'scrub'>> & RecorderOptions;
  private readonly redactor: Redactor | null;
  private readonly stopped = new Set<StopReason>(['consent']);
  private settings: CaptureSettings = NOTHING;
  private win: WindowInfo | null = null;
  private allowed = false;
  private credential = false;
  private awayMarked = false;
  private started = false;
  private ended = false;
  private t0 = 0;
  private lastT = 0;
  private seq = 0;
  private emitted = 0;
  private buttons = 0;
  private lastMove = -Infinity;
  private readonly mods: Modifiers = { alt: false, ctrl: false, meta: false, shift: false };
  /** Key-downs swallowed as the pause shortcut: their key-ups are swallowed too. */
  private readonly swallowed = new Set<number>();
  private readonly stream: StreamRedactor<Pending> | null;
  private redactionFailed = false;
  /**
   * The keystroke redactor's field: the run of typing since the window got the focus, a line was
   * entered or the mouse was pressed (the caret may have moved). Fields are retired at those
   * points and forgotten once settled, so that hours of typing in one terminal keep only the
   * current line.
   */
  private field = 1;
  private lineEnded = false;
  private retired: number[] = [];
  private out: CaptureEvent[] = [];
  private checkTimer: NodeJS.Timeout | undefined;
  private workQueued = false;
  private frameTimer: NodeJS.Timeout | undefined;
  /** Bumped by every input: a frame taken before the latest input is not a settled one. */
  private inputGen = 0;
  private lastFrameGen = -1;

  constructor(options: RecorderOptions) {
    this.o = { now: Date.now, settleMs: 500, moveEveryMs: 33, ...options };
    let redactor: Redactor | null;
    try {
      redactor = options.redactor === undefined ? createRedactor({}) : options.redactor;
    } catch {
      redactor = null;
    }
    this.stream = redactor
      ? createStreamRedactor<Pending>({
          redactor,
          style: 'shape',
          release: (ev) => this.release(ev),
          onFailure: (reason) => this.failRedaction(`find threw: ${reason}`),
          now: () => this.o.now(),
        })
      : null;
    if (!redactor) this.redactionFailed = true;
    this.redactor = redactor;
  }

  /**
   * A window title as it may be kept: secrets and personal data in it masked (a mail client shows
   * an address, a shell a token it echoed), then the agent's own scrubbing (host and user names).
   * Without a working redactor only the title's shape is kept.
   */
  private title(raw: string): string {
    let text = raw.slice(0, 1024);
    try {
      if (this.redactionFailed || !this.redactor) text = shapeOf(text);
      else text = this.redactor.mask(text);
    } catch {
      text = shapeOf(text);
    }
    return (this.o.scrub ?? ((t: string) => t))(text).slice(0, 1024);
  }

  /** Whether input is being kept right now. */
  get recording(): boolean {
    return this.stopped.size === 0 && !this.ended;
  }

  status(): RecorderStatus {
    const shown = this.recording && this.allowed && this.win;
    return {
      recording: this.recording,
      stopped: [...this.stopped],
      away: !this.allowed,
      // The status is the person's own, on their own machine: the title as it is, unmasked.
      window: shown && this.win ? { app: this.win.app, title: this.win.title, credential: this.credential } : null,
      events: this.emitted,
      redactionFailed: this.redactionFailed,
      screenshots: this.settings.screenshots,
      startedAt: this.started ? this.t0 : null,
    };
  }

  /** The program's settings changed (device state). */
  configure(settings: CaptureSettings): void {
    const changed = JSON.stringify(settings) !== JSON.stringify(this.settings);
    this.settings = settings;
    if (changed && this.win) this.focus(this.win, true);
  }

  /** Stops capture for `reason` (no-op if it already is). */
  stop(reason: StopReason): void {
    if (this.stopped.has(reason) || this.ended) return;
    const wasRecording = this.recording;
    this.stopped.add(reason);
    if (wasRecording) {
      this.stream?.flush({ final: true });
      this.clearFrame();
      const t = this.time();
      if (reason === 'spool-full') this.push({ type: 'marker', kind: 'gap', reason: 'spool-full', t });
      else this.push({ type: 'marker', kind: 'pause', reason, t });
      this.drain();
    }
    this.o.onChange?.();
  }

  /** Lifts `reason`; capture resumes once nothing else stops it. */
  resume(reason: StopReason): void {
    if (!this.stopped.delete(reason) || this.ended) return;
    if (this.recording) {
      if (!this.started) this.begin();
      else if (reason !== 'spool-full') this.push({ type: 'marker', kind: 'resume', reason, t: this.time() });
      this.awayMarked = false;
      if (this.win) this.focus(this.win, true);
      else this.markAway();
      this.drain();
    }
    this.o.onChange?.();
  }

  isStopped(reason: StopReason): boolean {
    return this.stopped.has(reason);
  }

  /** The focused window changed (or was re-read): `force` emits it even if it is the same one. */
  focus(win: WindowInfo | null, force = false): void {
    const same = win && this.win && win.id === this.win.id && win.app === this.win.app && win.title === this.win.title;
    const previous = this.win;
    this.win = win;
    if (same && !force) return;
    if (previous) this.newField();
    this.allowed = win !== null && isAllowed(this.settings, win.app, win.title);
    this.credential = win !== null && isCredentialPrompt(win.app, win.title);
    this.o.onChange?.();
    if (!this.recording) return;
    if (!this.allowed || !win) {
      this.clearFrame();
      this.markAway();
    } else {
      this.awayMarked = false;
      this.push({
        type: 'window',
        app: win.app.slice(0, 128),
        title: this.title(win.title),
        bounds: { ...win.bounds },
        ...(this.credential ? { credential: true as const } : {}),
        t: this.time(),
      });
      this.scheduleFrame();
    }
    this.drain();
  }

  /** Raw input from the hooks, in order. */
  input(events: readonly RawInput[]): void {
    for (const e of events) this.one(e);
    this.drain();
  }

  /** Ends the recording: settles everything and emits a stop marker. */
  end(): void {
    if (this.ended) return;
    if (this.started && this.recording) {
      this.stream?.flush({ final: true });
      this.push({ type: 'marker', kind: 'stop', reason: 'user', t: this.time() });
    }
    this.ended = true;
    this.clearFrame();
    clearTimeout(this.checkTimer);
    this.drain();
  }

  private begin(): void {
    this.started = true;
    this.t0 = this.o.now();
    this.lastT = 0;
    this.push({ type: 'marker', kind: 'start', t: 0 });
    this.push({ type: 'viewport', width: this.o.screen.width, height: this.o.screen.height, dpr: 1, scrollX: 0, scrollY: 0, t: 0 });
  }

  /** Ends the current field (settled now, forgotten once released) and starts another. */
  private newField(): void {
    this.lineEnded = false;
    if (!this.stream) return;
    this.stream.leave(this.field);
    this.retired.push(this.field++);
    this.retired = this.retired.filter((f) => !this.stream!.forget(f));
  }

  private markAway(): void {
    if (this.awayMarked) return;
    this.awayMarked = true;
    this.stream?.flush({ final: true });
    this.push({ type: 'marker', kind: 'away', t: this.time() });
  }

  /** Session time of now (or of `at`, wall ms), never going back. */
  private time(at?: number): number {
    const raw = (at ?? this.o.now()) - this.t0;
    this.lastT = round(Math.max(this.lastT, raw));
    return this.lastT;
  }

  private one(e: RawInput): void {
    if (e.kind === 'keydown' || e.kind === 'keyup') {
      this.mods.alt = e.alt;
      this.mods.ctrl = e.ctrl;
      this.mods.meta = e.meta;
      this.mods.shift = e.shift;
    }
    const key = e.kind === 'keydown' || e.kind === 'keyup' ? this.o.keyOf(e.keycode, e.shift) : undefined;
    // The pause shortcut works whatever the state (it is how a person resumes), and is never recorded.
    if (e.kind === 'keydown' && key?.key.toLowerCase() === PAUSE_KEY && e.alt && e.shift && !e.ctrl && !e.meta) {
      this.swallowed.add(e.keycode);
      if (this.stopped.has('shortcut')) this.resume('shortcut');
      else this.stop('shortcut');
      return;
    }
    if (e.kind === 'keyup' && this.swallowed.delete(e.keycode)) return;
    if (e.kind === 'mousedown') {
      this.buttons |= 1 << (BUTTONS[e.button] ?? 0);
      this.lineEnded = true;
    }
    if (e.kind === 'mouseup') this.buttons &= ~(1 << (BUTTONS[e.button] ?? 0));
    if (!this.recording || !this.allowed || !this.win) return;
    const t = this.time(e.time);
    if (e.kind !== 'mousemove') this.inputGen++;
    switch (e.kind) {
      case 'keydown':
      case 'keyup': {
        if (this.credential) return;
        const k = key ?? { key: 'Unidentified', code: `Keycode${e.keycode}`.slice(0, 32) };
        const ev: Pending = { type: 'key', kind: e.kind === 'keydown' ? 'down' : 'up', key: k.key, code: k.code, mods: { ...this.mods }, t };
        if (k.char !== undefined && !e.ctrl && !e.meta && !(e.alt && !e.shift)) ev.char = k.char;
        if (this.redactionFailed || !this.stream) {
          if (k.key.length === 1) {
            ev.key = 'Unidentified';
            delete ev.code;
            ev.masked = true;
          }
          delete ev.char;
          this.push(ev);
        } else this.push(ev, true);
        break;
      }
      case 'mousemove': {
        const every = this.buttons ? 0 : this.o.moveEveryMs;
        if (t - this.lastMove < every) return;
        this.lastMove = t;
        this.push({ type: 'pointer', kind: 'move', x: e.x, y: e.y, buttons: this.buttons, pointerType: 'mouse', t });
        return; // a move alone does not unsettle the screen enough to wait for another frame
      }
      case 'mousedown':
      case 'mouseup':
      case 'click': {
        const button = BUTTONS[e.button] ?? 0;
        const mods = { alt: e.alt, ctrl: e.ctrl, meta: e.meta, shift: e.shift };
        const anyMod = mods.alt || mods.ctrl || mods.meta || mods.shift;
        const kind = e.kind === 'mousedown' ? 'down' : e.kind === 'mouseup' ? 'up' : button === 2 ? 'contextmenu' : 'click';
        this.push({ type: 'pointer', kind, x: e.x, y: e.y, button, buttons: this.buttons, pointerType: 'mouse', ...(anyMod ? { mods } : {}), t });
        if (e.kind === 'click' && e.clicks === 2 && button === 0) {
          this.push({ type: 'pointer', kind: 'dblclick', x: e.x, y: e.y, button, buttons: this.buttons, pointerType: 'mouse', ...(anyMod ? { mods } : {}), t });
        }
        break;
      }
      case 'wheel': {
        // uiohook: rotation > 0 scrolls down (or right), in units of `amount` lines.
        const lines = e.rotation * (e.amount || 1);
        const vertical = e.direction === 'vertical';
        this.push({ type: 'wheel', x: e.x, y: e.y, dx: vertical ? 0 : lines, dy: vertical ? lines : 0, mode: 1, t });
        break;
      }
    }
    this.scheduleFrame();
  }

  /** Into the redactor (keys of the focused window's field) or straight on, in order. */
  private push(ev: Pending, typed = false): void {
    if (!this.stream) {
      this.release(ev);
      return;
    }
    if (typed) {
      if (this.lineEnded && ev.type === 'key' && ev.kind === 'down') this.newField();
      this.stream.push(ev, { field: this.field, keysOnly: true });
      if (ev.type === 'key' && ev.kind === 'down' && ev.key === 'Enter') this.lineEnded = true;
    } else this.stream.push(ev);
    this.schedule();
  }

  private release(ev: Pending): void {
    const { t, ...rest } = ev;
    this.out.push({ ...rest, seq: this.seq++, t } as CaptureEvent);
  }

  private drain(): void {
    if (this.retired.length > 0 && this.stream) this.retired = this.retired.filter((f) => !this.stream!.forget(f));
    if (this.out.length === 0) return;
    const events = this.out;
    this.out = [];
    this.emitted += events.length;
    this.o.emit(events);
  }

  private failRedaction(reason: string): void {
    if (this.redactionFailed) return;
    this.redactionFailed = true;
    this.push({ type: 'marker', kind: 'redaction-failed', reason: reason.slice(0, 64), t: this.time() });
    this.o.onRedactionFailed?.(reason);
  }

  /** Quiet-period settles and idle-time detection of the keystroke stream. */
  private schedule(): void {
    const stream = this.stream;
    if (!stream) return;
    if (stream.pending && !this.workQueued) {
      this.workQueued = true;
      setImmediate(() => {
        this.workQueued = false;
        const until = performance.now() + 4;
        stream.work(() => until - performance.now());
        this.drain();
        this.schedule();
      });
    }
    const next = stream.nextCheck();
    clearTimeout(this.checkTimer);
    if (next === undefined) return;
    this.checkTimer = setTimeout(() => {
      stream.tick();
      this.drain();
      this.schedule();
    }, Math.max(0, next - this.o.now()));
    this.checkTimer.unref?.();
  }

  private clearFrame(): void {
    clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
  }

  private scheduleFrame(): void {
    if (!this.settings.screenshots || !this.o.shoot || this.credential) return;
    this.clearFrame();
    this.frameTimer = setTimeout(() => void this.takeFrame(), this.o.settleMs);
    this.frameTimer.unref?.();
  }

  private async takeFrame(): Promise<void> {
    const win = this.win;
    const gen = this.inputGen;
    if (!win || !this.recording || !this.allowed || this.credential || gen === this.lastFrameGen) return;
    let shot: FrameShot | null;
    try {
      shot = await this.o.shoot!(win);
    } catch {
      shot = null;
    }
    // Not settled any more (input came, the window changed or capture stopped): no frame.
    if (!shot || gen !== this.inputGen || this.win !== win || !this.recording || !this.allowed) return;
    this.lastFrameGen = gen;
    this.push({ type: 'frame', format: shot.format, width: shot.width, height: shot.height, box: shot.box, data: shot.data, t: this.time() });
    this.drain();
  }
}
