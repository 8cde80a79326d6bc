// Navigation: the document's load (URL and title, once the title is parsed), History API
// pushState/replaceState (wrapped), back/forward (popstate) and fragment changes (hashchange).
import type { Ctx, Unseq } from '../context.ts';
import { cut, on } from '../dom.ts';
import type { Off } from '../dom.ts';

type Kind = Unseq<'navigation'>['kind'];

export function observeNavigation(ctx: Ctx): Off {
  let lastUrl = location.href;

  const emit = (kind: Kind, pt: number): void => {
    lastUrl = location.href;
    if (ctx.paused) return;
    const ev: Unseq<'navigation'> = { type: 'navigation', kind, url: cut(location.href, 8192), title: cut(document.title, 1024) };
    const frame = ctx.frame();
    if (frame) ev.frame = frame;
    ctx.emit(ev, pt);
  };

  const offs: Off[] = [];
  const load = (): void => {
    // The initial about:blank of a new frame is noise.
    if (!ctx.top && location.href === 'about:blank') return;
    emit('load', ctx.time());
  };
  if (document.readyState === 'loading') {
    const off = on(document, 'DOMContentLoaded', () => {
      off();
      load();
    });
    offs.push(off);
  } else {
    load();
  }

  // Wrap the History API on the instance, so page code calling history.pushState reaches us.
  const wrap = (method: 'pushState' | 'replaceState', kind: Kind): Off => {
    const original = history[method];
    const wrapped = function (this: History, ...args: Parameters<History['pushState']>): void {
      original.apply(this, args);
      try {
        emit(kind, ctx.time());
      } catch {
        // never into the page
      }
    };
    history[method] = wrapped;
    return () => {
      if (history[method] === wrapped) history[method] = original;
    };
  };
  offs.push(wrap('pushState', 'push'), wrap('replaceState', 'replace'));

  offs.push(
    on<PopStateEvent>(window, 'popstate', (ev) => {
      // A change of the fragment alone is followed by hashchange, which records it.
      const before = lastUrl.split('#')[0];
      if (before === location.href.split('#')[0] && lastUrl !== location.href) return;
      emit('pop', ctx.time(ev));
    }),
    on<HashChangeEvent>(window, 'hashchange', (ev) => emit('hash', ctx.time(ev))),
  );
  return () => {
    for (const off of offs) off();
  };
}
