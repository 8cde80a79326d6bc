// Scroll positions, throttled per scrolled node with a trailing edge so the final position is
// always recorded. Page scroll has no target in the top document; in a frame it is reported
// against the frame's scrolling element so that the frame path is kept.
import type { Ctx, Unseq } from '../context.ts';
import { on } from '../dom.ts';
import type { Off } from '../dom.ts';

export function observeScroll(ctx: Ctx): Off {
  const scrolls = ctx.throttle<Node>(ctx.opts.scrollThrottleMs, (node, pt) => {
    let ev: Unseq<'scroll'>;
    if (node.nodeType === 9) {
      ev = { type: 'scroll', scrollX: window.scrollX, scrollY: window.scrollY };
      const root = document.scrollingElement ?? document.documentElement;
      if (!ctx.top && root) ev.target = ctx.target(root);
    } else {
      const el = node as Element;
      if (!el.isConnected) return;
      ev = { type: 'scroll', scrollX: el.scrollLeft, scrollY: el.scrollTop, target: ctx.target(el) };
    }
    ctx.emit(ev, pt);
  });

  const onScroll = (ev: Event): void => {
    if (ctx.paused) return;
    const node = ev.target as Node | null;
    if (!node) return;
    if (node.nodeType === 1 && ctx.ignored(node as Element)) return;
    // Scrolling the root element is scrolling the page.
    const key = node === document.scrollingElement || node === document.documentElement ? document : node;
    scrolls.hit(key, ctx.time(ev));
  };

  const off = on(document, 'scroll', onScroll);
  return () => {
    scrolls.cancel();
    off();
  };
}
