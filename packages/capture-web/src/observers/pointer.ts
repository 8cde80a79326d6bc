// Pointer events: sampled moves, buttons, clicks, context menus, and HTML5 drag and drop.
import type { PointerKind } from '@lockstep/schema';
import type { Ctx, Unseq } from '../context.ts';
import { eventElement, modifiers, on, px } from '../dom.ts';
import type { Off } from '../dom.ts';

type PointerType = 'mouse' | 'pen' | 'touch';

function pointerType(ev: Event): PointerType | undefined {
  const t = (ev as PointerEvent).pointerType;
  return t === 'mouse' || t === 'pen' || t === 'touch' ? t : undefined;
}

export function observePointer(ctx: Ctx): Off {
  // The latest move is kept as the event itself and read only when it is sampled, so that a
  // move that the sampling folds away costs no property reads and no allocation.
  let last: PointerEvent | null = null;
  const moves = ctx.throttle<number>(ctx.opts.mouseMoveSampleMs, (_key, pt) => {
    const m = last;
    if (!m) return;
    last = null;
    const off = ctx.offset();
    const ev: Unseq<'pointer'> = {
      type: 'pointer',
      kind: 'move',
      x: px(m.clientX + off.x),
      y: px(m.clientY + off.y),
    };
    const buttons = m.buttons & 31;
    if (buttons) ev.buttons = buttons;
    const type = pointerType(m);
    if (type) ev.pointerType = type;
    ctx.emit(ev, pt);
  });

  const onMove = (ev: PointerEvent): void => {
    if (ctx.paused || ctx.ignored(ev.target as Element | null)) return;
    last = ev;
    moves.hit(0, ctx.time(ev));
  };

  const onButton =
    (kind: PointerKind) =>
    (ev: MouseEvent): void => {
      if (ctx.paused) return;
      const el = eventElement(ev);
      if (ctx.ignored(el)) return;
      const off = ctx.offset();
      const out: Unseq<'pointer'> = {
        type: 'pointer',
        kind,
        x: px(ev.clientX + off.x),
        y: px(ev.clientY + off.y),
        mods: modifiers(ev),
        target: ctx.target(el),
      };
      if (kind !== 'dragstart' && kind !== 'dragend' && kind !== 'drop' && ev.button >= 0 && ev.button <= 4) out.button = ev.button;
      out.buttons = ev.buttons & 31;
      const type = pointerType(ev);
      if (type) out.pointerType = type;
      ctx.emit(out, ctx.time(ev));
    };

  const offs: Off[] = [on<PointerEvent>(window, 'pointermove', onMove)];
  const kinds: [string, PointerKind][] = [
    ['pointerdown', 'down'],
    ['pointerup', 'up'],
    ['click', 'click'],
    ['dblclick', 'dblclick'],
    ['contextmenu', 'contextmenu'],
    ['dragstart', 'dragstart'],
    ['dragend', 'dragend'],
    ['drop', 'drop'],
  ];
  for (const [type, kind] of kinds) offs.push(on<MouseEvent>(window, type, onButton(kind)));
  return () => {
    moves.cancel();
    for (const off of offs) off();
  };
}
