// The in-page recorder: wires the observers together in one document (every frame runs its
// own), buffers their events with page timestamps and hands them to the host through the
// `__lockstepEmit` binding. It also owns pause state, the badge and the pause shortcut.
import type { UnsequencedEvent } from '@lockstep/schema';
import type { Ctx, PageEvent, PauseReason } from './context.ts';
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
  const transport = createTransport(opts, onReply);
  const push = transport.push;

  const releaseDeferred = (): void => {
    if (deferred.length === 0) return;
    const held = deferred;
    deferred = [];
    for (const ev of held) push(ev);
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
    emit: (ev: UnsequencedEvent, pt: number) => {
      if (stopped || (paused && ev.type !== 'marker')) return;
      if (deferred.length > 0) releaseDeferred();
      (ev as PageEvent).pt = pt;
      push(ev as PageEvent);
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

  const flush = (): BatchInfo => {
    if (!stopped && !paused) {
      releaseHolds();
      releaseDeferred();
    }
    transport.send();
    return transport.info();
  };

  if (top && opts.badge) badge = createBadge(() => ctx.togglePause('badge'));

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
    on(window, 'beforeunload', flush),
    on(window, 'pagehide', flush),
    on(document, 'visibilitychange', () => {
      if (document.visibilityState === 'hidden') flush();
    }),
  );

  function stop(): BatchInfo {
    if (stopped) return transport.info();
    const info = flush();
    stopped = true;
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
    flush,
    stop,
  });
  Object.defineProperty(window, GLOBAL, { value: handle, configurable: true, enumerable: false, writable: false });

  transport.hello();
  return handle;
}
