// Wheel events. A burst of wheel events on one element, with the same unit and modifiers, is
// folded into one event per `scrollThrottleMs` whose deltas are the sums, so trackpads do not
// flood the buffer and no scroll distance is lost.
import type { Ctx, Unseq } from '../context.ts';
import { eventElement, modifiers, on, px } from '../dom.ts';
import type { Off } from '../dom.ts';

export function observeWheel(ctx: Ctx): Off {
  let pending: Unseq<'wheel'> | null = null;
  let pendingEl: Element | null = null;
  let pendingPt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const release = (): void => {
    clearTimeout(timer);
    timer = undefined;
    const ev = pending;
    pending = null;
    pendingEl = null;
    if (ev) ctx.emit(ev, pendingPt);
  };

  const onWheel = (ev: WheelEvent): void => {
    if (ctx.paused) return;
    const el = eventElement(ev);
    if (ctx.ignored(el)) return;
    const m = pending?.mods;
    // Ctrl+wheel zooms: a change of element, unit or modifiers starts a new event.
    if (pending && (el !== pendingEl || ev.deltaMode !== pending.mode || !m || m.ctrl !== ev.ctrlKey || m.shift !== ev.shiftKey || m.alt !== ev.altKey || m.meta !== ev.metaKey)) release();
    if (!pending) {
      const off = ctx.offset();
      pending = { type: 'wheel', x: px(ev.clientX + off.x), y: px(ev.clientY + off.y), dx: 0, dy: 0, mode: ev.deltaMode, mods: modifiers(ev), target: ctx.target(el) };
      pendingEl = el;
      pendingPt = ctx.time(ev);
      timer = setTimeout(() => {
        try {
          release();
        } catch {
          // never into the page
        }
      }, ctx.opts.scrollThrottleMs);
    }
    pending.dx += ev.deltaX;
    pending.dy += ev.deltaY;
  };

  const offs = [on<WheelEvent>(window, 'wheel', onWheel), ctx.hold(release)];
  return () => {
    clearTimeout(timer);
    pending = null;
    for (const off of offs) off();
  };
}
