// The in-page recorder: wires the observers together in one document (every frame runs its
// own), buffers their events with page timestamps and hands them to the host through the
// `__lockstepEmit` binding. It also owns pause state, the badge and the pause shortcut.
import type { Target, UnsequencedEvent } from '@lockstep/schema';
import { createRedactor, createStreamRedactor } from '@lockstep/redact';
import type { Redactor, StreamRedactor } from '@lockstep/redact';
import type { Ctx, FieldRef, PageEvent, PauseReason } from './context.ts';
import { LOOSE_KEYS } from './context.ts';
import type { Off } from './dom.ts';
import { on } from './dom.ts';
import { pageOptions } from './options.ts';
import type { PageOptions } from './options.ts';
import { ZERO, frameOffset, framePathCache } from './frame.ts';
import { createTargetCache } from './target.ts';
import { Throttle } from './throttle.ts';
import { createBadge } from './badge.ts';
import { GLOBAL } from './protocol.ts';
import type { BatchInfo, HostReply, RecorderHandle } from './protocol.ts';
import { createTransport } from './transport.ts';
import type { Badge } from './badge.ts';
import { BLOCK_ATTR } from './privacy.ts';
import { observePointer } from './observers/pointer.ts';
import { observeWheel } from './observers/wheel.ts';
import { observeScroll } from './observers/scroll.ts';
import { observeKeyboard } from './observers/keyboard.ts';
import { observeInput } from './observers/input.ts';
import { observeFocus } from './observers/focus.ts';
import { observeNavigation } from './observers/navigation.ts';
import { observeViewport } from './observers/viewport.ts';
import { isPrintableKey } from './privacy.ts';

/** Most distinct strings (names, selectors, URLs) whose masked form is remembered. */
const STRING_CACHE = 512;
/**
 * Longest stretch (ms) of redaction work run at once in the page's main thread: in an idle
 * callback, or synchronously on blur and at the end of a quiet period (the rest waits for idle
 * time). A stop, navigation, pause or flush settles everything at once.
 */
const SLICE_MS = 4;
/** An idle callback is asked to come within this long (ms) even on a busy page. */
const IDLE_TIMEOUT_MS = 500;

/** Builds the page's redactor; null (and why) when it cannot be built. */
function buildRedactor(opts: PageOptions): { redactor: Redactor | null; reason?: string } {
  try {
    if (opts.redactionFault === 'create') throw new Error('injected fault');
    const redactor = createRedactor(opts.redaction ?? {});
    if (opts.redactionFault !== 'find') return { redactor };
    return {
      redactor: {
        find: () => {
          throw new Error('injected fault');
        },
        mask: (t) => t,
      },
    };
  } catch (err) {
    return { redactor: null, reason: `unavailable: ${err instanceof Error ? err.name : 'error'}`.slice(0, 64) };
  }
}

/** Strips text from an event: what the recorder sends once redaction cannot run. */
function withoutText(ev: UnsequencedEvent): void {
  if (ev.type === 'key') {
    if (isPrintableKey(ev.key)) {
      ev.key = 'Unidentified';
      delete ev.code;
      ev.masked = true;
    }
    delete ev.char;
    delete ev.redacted;
  } else if (ev.type === 'input' && ev.value !== undefined) {
    delete ev.value;
    delete ev.redactions;
    ev.masked = true;
  } else if (ev.type === 'navigation') {
    try {
      ev.url = `${new URL(ev.url).origin}/`;
    } catch {
      ev.url = 'about:blank';
    }
    ev.title = '';
  }
  if ('target' in ev && ev.target) delete ev.target.name;
}

/** True when a same-origin ancestor frame element sits inside a block: such frames record nothing. */
function insideBlockedFrame(): boolean {
  for (let w: Window = window; w !== w.parent; w = w.parent) {
    let fe: Element | null = null;
    try {
      fe = w.frameElement;
    } catch {
      return false;
    }
    if (!fe) return false;
    if (fe.closest(`[${BLOCK_ATTR}]`)) return true;
  }
  return false;
}

function isTop(): boolean {
  try {
    return window.top === window;
  } catch {
    return false;
  }
}

export function installRecorder(rawOptions?: Partial<PageOptions>): RecorderHandle | undefined {
  const w = window as unknown as Record<string, unknown>;
  if (w[GLOBAL]) return w[GLOBAL] as RecorderHandle;
  const opts = pageOptions(rawOptions);
  const top = isTop();
  if (!top && insideBlockedFrame()) return undefined;

  const origin = performance.timeOrigin;
  const framePath = framePathCache();
  const targets = createTargetCache();
  let deferred: PageEvent[] = [];
  let paused = false;
  let stopped = false;
  let synced = false;
  let badge: Badge | undefined;
  const holds = new Set<() => void>();

  const onReply = (reply: HostReply | undefined): void => {
    if (reply?.stopped) {
      stop();
      return;
    }
    // The first answer tells a new document whether the recording is paused. Later answers
    // are not used for that: one could cross a pause made here in the meantime.
    if (!synced) {
      synced = true;
      if (reply?.paused && !paused) setPaused(true, 'host', true);
    }
  };
  // Redaction: free text goes through a per-field stream buffer (see @lockstep/redact's
  // stream.ts) before it reaches the transport; URLs, titles and element names are masked as
  // strings. If the redactor cannot be built or throws, text capture stops (fail closed).
  const now = (): number => origin + performance.now();
  let stream: StreamRedactor<PageEvent> | null = null;
  let textOff = false;
  let redactor: Redactor | null = null;
  const strings = new Map<string, string>();
  const maskString = (text: string): string => {
    if (text === '' || !redactor) return text;
    const hit = strings.get(text);
    if (hit !== undefined) return hit;
    const masked = redactor.mask(text);
    if (strings.size >= STRING_CACHE) strings.clear();
    strings.set(text, masked);
    return masked;
  };

  const transport = createTransport(opts, onReply, () => (stream && stream.held > 0 ? (stream.oldest() ?? undefined) : undefined));
  let checkTimer: ReturnType<typeof setTimeout> | undefined;
  let checkAt = Infinity;
  // Detection runs in idle time while fields are held (see stream.ts), in slices of SLICE_MS,
  // so that a settle has little left to do; requestIdleCallback where there is one.
  const ric = (globalThis as { requestIdleCallback?: (cb: (d: IdleDeadline) => void, o?: { timeout: number }) => number }).requestIdleCallback;
  let idleQueued = false;
  const idleWork = (deadline?: IdleDeadline): void => {
    idleQueued = false;
    if (!stream || stopped) return;
    const t0 = performance.now();
    const left = deadline ? () => Math.min(deadline.timeRemaining(), SLICE_MS - (performance.now() - t0)) : () => SLICE_MS - (performance.now() - t0);
    try {
      stream.work(left);
    } catch {
      // never into the page
    }
    idle();
    schedule();
  };
  const idle = (): void => {
    if (idleQueued || !stream || stopped || !stream.pending) return;
    idleQueued = true;
    if (ric) ric.call(globalThis, idleWork, { timeout: IDLE_TIMEOUT_MS });
    else setTimeout(idleWork, 20);
  };

  const schedule = (): void => {
    idle();
    const next = stream?.nextCheck();
    if (next === undefined || next >= checkAt) return;
    clearTimeout(checkTimer);
    checkAt = next;
    checkTimer = setTimeout(() => {
      checkAt = Infinity;
      checkTimer = undefined;
      try {
        stream?.tick();
      } catch {
        // never into the page
      }
      schedule();
    }, Math.max(10, next - now() + 5));
  };

  const redactionFailed = (reason: string): void => {
    if (textOff) return;
    textOff = true;
    redactor = null;
    strings.clear();
    badge?.failed();
    transport.push({ type: 'marker', kind: 'redaction-failed', reason: reason.slice(0, 64), pt: now() });
    transport.send();
  };

  /** Masks the strings of an event that are not a field's text (URL, title, names, selects). */
  const maskStrings = (ev: UnsequencedEvent, value: boolean): void => {
    if (ev.type === 'navigation') {
      ev.url = maskString(ev.url);
      ev.title = maskString(ev.title);
    } else if (value && ev.type === 'input' && ev.value !== undefined) {
      ev.value = maskString(ev.value);
    }
    const target = 'target' in ev ? (ev.target as Target | undefined) : undefined;
    if (target) {
      if (target.name) target.name = maskString(target.name);
      if (target.id) target.id = maskString(target.id);
      target.selector = maskString(target.selector) || target.selector;
    }
  };

  /** Every event goes through here on its way to the transport. */
  const push = (ev: PageEvent, field?: FieldRef): void => {
    if (textOff || !stream) {
      withoutText(ev);
      transport.push(ev);
      return;
    }
    try {
      // A text field's value is the stream's to mask; a select's value is masked as a string.
      maskStrings(ev, field === undefined);
    } catch {
      redactionFailed('unavailable: find threw');
      withoutText(ev);
      transport.push(ev);
      return;
    }
    const wasHolding = stream.held > 0;
    if (field === undefined) stream.push(ev);
    else stream.push(ev, field === LOOSE_KEYS ? { field, keysOnly: true } : { field });
    if (ev.type === 'focus') {
      if (ev.kind === 'blur' && field) stream.leave(field);
      stream.leave(LOOSE_KEYS);
    }
    if (!wasHolding && stream.held > 0) transport.notice();
    schedule();
  };

  const releaseDeferred = (): void => {
    if (deferred.length === 0) return;
    const held = deferred;
    deferred = [];
    for (const ev of held) push(ev);
  };

  /**
   * Settles every field buffer and lets everything it holds go. `final` at the end of the
   * text (stop, navigation, pause: nothing typed later is recorded with it); otherwise (the host's
   * flush, the page hidden) a half-typed token at the end of a field goes masked as `unsettled`.
   */
  const releaseStream = (final: boolean): void => {
    try {
      stream?.flush({ final });
    } catch {
      // never into the page
    }
  };

  const releaseHolds = (): void => {
    for (const release of holds) {
      try {
        release();
      } catch {
        // keep going
      }
    }
  };

  const setPaused = (next: boolean, reason: PauseReason, silent: boolean): BatchInfo => {
    if (stopped || next === paused) return transport.info();
    if (next) {
      // What happened before the pause is still recorded.
      releaseHolds();
      releaseDeferred();
      releaseStream(true);
    }
    paused = next;
    badge?.set(paused);
    if (!silent) push({ type: 'marker', kind: next ? 'pause' : 'resume', reason, pt: origin + performance.now() });
    transport.send();
    return transport.info();
  };

  const ctx: Ctx = {
    opts,
    top,
    get paused() {
      return paused;
    },
    frame: framePath,
    offset: top ? () => ZERO : () => frameOffset(),
    time: (ev) => origin + (ev ? ev.timeStamp : performance.now()),
    ignored: (el): el is null => el === null || (badge !== undefined && el === badge.host),
    target: (el) => targets.targetOf(el, { frame: framePath(), offset: ctx.offset() }),
    emit: (ev: UnsequencedEvent, pt: number, field?: FieldRef) => {
      if (stopped || (paused && ev.type !== 'marker')) return;
      if (deferred.length > 0) releaseDeferred();
      (ev as PageEvent).pt = pt;
      push(ev as PageEvent, field);
    },
    defer: (ev, pt) => {
      if (stopped || paused) return;
      (ev as PageEvent).pt = pt;
      deferred.push(ev as PageEvent);
    },
    dropDeferred: () => {
      deferred = [];
    },
    throttle: <K>(ms: number, fire: (key: K, pt: number) => void) => {
      const t = new Throttle<K>(ms, fire);
      holds.add(() => t.flush());
      return t;
    },
    hold: (release) => {
      holds.add(release);
      return () => holds.delete(release);
    },
    togglePause: (reason) => {
      setPaused(!paused, reason, false);
    },
  };

  const flush = (final = false): BatchInfo => {
    if (!stopped && !paused) {
      releaseHolds();
      releaseDeferred();
    }
    if (!stopped) releaseStream(final);
    transport.send();
    return transport.info();
  };

  if (top && opts.badge) badge = createBadge(() => ctx.togglePause('badge'));

  const built = buildRedactor(opts);
  if (built.redactor) {
    redactor = built.redactor;
    stream = createStreamRedactor<PageEvent>({
      redactor: built.redactor,
      style: opts.redaction?.style ?? 'shape',
      release: (ev) => transport.push(ev),
      onFailure: (reason) => redactionFailed(`find threw: ${reason}`),
      now,
      sliceMs: SLICE_MS,
    });
  } else {
    redactionFailed(built.reason ?? 'unavailable');
  }

  const offs: Off[] = [];
  for (const observe of [observeViewport, observeNavigation, observePointer, observeWheel, observeScroll, observeKeyboard, observeInput, observeFocus]) {
    try {
      offs.push(observe(ctx));
    } catch {
      // One failing observer must not stop the others.
    }
  }
  // beforeunload is the last moment a batch reliably reaches the host: by pagehide the
  // document's context is being torn down and binding calls are lost.
  offs.push(
    on(window, 'beforeunload', () => flush(true)),
    on(window, 'pagehide', () => flush(true)),
    on(document, 'visibilitychange', () => {
      if (document.visibilityState === 'hidden') flush(false);
    }),
  );

  function stop(): BatchInfo {
    if (stopped) return transport.info();
    const info = flush(true);
    stopped = true;
    clearTimeout(checkTimer);
    transport.close();
    for (const off of offs) off();
    holds.clear();
    targets.disconnect();
    badge?.remove();
    if (w[GLOBAL] === handle) delete w[GLOBAL];
    return info;
  }

  const handle: RecorderHandle = Object.freeze({
    get paused() {
      return paused;
    },
    pause: (reason: PauseReason = 'host', silent = false) => setPaused(true, reason, silent),
    resume: (reason: PauseReason = 'host', silent = false) => setPaused(false, reason, silent),
    flush: () => flush(false),
    stop,
  });
  Object.defineProperty(window, GLOBAL, { value: handle, configurable: true, enumerable: false, writable: false });

  transport.hello();
  return handle;
}
