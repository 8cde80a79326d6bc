// Viewport size, device pixel ratio and page scroll offsets: at start and after resizes
// (throttled). Top document only: a frame's viewport is a box in its parent.
import type { Ctx } from '../context.ts';
import { on } from '../dom.ts';
import type { Off } from '../dom.ts';

export function observeViewport(ctx: Ctx): Off {
  if (!ctx.top) return () => {};
  const emit = (pt: number): void => {
    const width = window.innerWidth;
    const height = window.innerHeight;
    if (!(width > 0 && height > 0)) return;
    ctx.emit({ type: 'viewport', width, height, dpr: window.devicePixelRatio || 1, scrollX: window.scrollX, scrollY: window.scrollY }, pt);
  };
  const resizes = ctx.throttle<number>(ctx.opts.scrollThrottleMs, (_key, pt) => {
    if (!ctx.paused) emit(pt);
  });
  if (!ctx.paused) emit(ctx.time());
  const off = on(window, 'resize', (ev) => {
    if (!ctx.paused) resizes.hit(0, ctx.time(ev));
  });
  return () => {
    resizes.cancel();
    off();
  };
}
