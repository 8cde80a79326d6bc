// Small DOM helpers shared by the in-page modules.
import type { Modifiers } from '@lockstep/schema';

export type Off = () => void;

const PASSIVE: AddEventListenerOptions = { capture: true, passive: true };
const ACTIVE: AddEventListenerOptions = { capture: true, passive: false };

/**
 * Adds a capture-phase listener whose errors never reach the page. Passive unless the handler
 * must be able to call preventDefault (only the pause shortcut does).
 */
export function on<E extends Event = Event>(target: EventTarget, type: string, fn: (ev: E) => void, passive = true): Off {
  const handler = (ev: Event): void => {
    try {
      fn(ev as E);
    } catch {
      // A recorder bug must never break the page.
    }
  };
  const opts = passive ? PASSIVE : ACTIVE;
  target.addEventListener(type, handler, opts);
  return () => target.removeEventListener(type, handler, opts);
}

/** The element an event really happened on: the first node of the composed path (inside open shadow roots). */
export function eventElement(ev: Event): Element | null {
  const target = ev.target as Node | null;
  // An element that hosts no open shadow root is not a retargeted target: it is the first node
  // of the composed path, which then need not be built (composedPath() allocates it).
  if (target && target.nodeType === 1 && !(target as Element).shadowRoot) return target as Element;
  const first = (ev.composedPath()[0] ?? ev.target) as Node | null;
  if (!first) return null;
  if (first.nodeType === 1) return first as Element;
  return first.nodeType === 3 ? first.parentElement : null;
}

/** Like Element.closest, but continues through shadow root boundaries. */
export function closestComposed(el: Element, selector: string): Element | null {
  for (let cur: Element | null = el; cur; ) {
    const hit = cur.closest(selector);
    if (hit) return hit;
    const root = cur.getRootNode();
    cur = root.nodeType === 11 ? (root as ShadowRoot).host : null;
  }
  return null;
}

export function modifiers(ev: MouseEvent | KeyboardEvent | WheelEvent): Modifiers {
  return { alt: ev.altKey, ctrl: ev.ctrlKey, meta: ev.metaKey, shift: ev.shiftKey };
}

export const NO_MODIFIERS: Modifiers = Object.freeze({ alt: false, ctrl: false, meta: false, shift: false }) as Modifiers;

/** Cuts a string to at most `max` UTF-16 units without splitting a surrogate pair. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const code = s.charCodeAt(max - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** Rounds CSS pixels to 1/100 px: enough precision, shorter JSON. */
export function px(n: number): number {
  return Math.round(n * 100) / 100;
}
