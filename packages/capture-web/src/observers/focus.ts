// Focus moves, from focusin/focusout (which, unlike focus/blur, reach the document).
import type { Ctx } from '../context.ts';
import { eventElement, on } from '../dom.ts';
import type { Off } from '../dom.ts';
import { textFieldOf } from '../field.ts';

export function observeFocus(ctx: Ctx): Off {
  const handle = (ev: FocusEvent, kind: 'focus' | 'blur'): void => {
    if (ctx.paused) return;
    const el = eventElement(ev);
    if (ctx.ignored(el)) return;
    ctx.emit({ type: 'focus', kind, target: ctx.target(el) }, ctx.time(ev), textFieldOf(el) ?? undefined);
  };
  const offs = [on<FocusEvent>(document, 'focusin', (ev) => handle(ev, 'focus')), on<FocusEvent>(document, 'focusout', (ev) => handle(ev, 'blur'))];
  return () => {
    for (const off of offs) off();
  };
}
