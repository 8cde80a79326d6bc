// What the hooks child sends its parent: events packed as a flat number array, STRIDE numbers
// each, so one IPC message carries a batch at little (de)serialisation cost.
import type { RawInput } from './host.ts';

export const STRIDE = 7;

// Slot 0 of each event.
export const KIND = ['keydown', 'keyup', 'mousemove', 'mousedown', 'mouseup', 'click', 'wheel'] as const;
export type Kind = (typeof KIND)[number];

// Modifier bits.
export const ALT = 1;
export const CTRL = 2;
export const META = 4;
export const SHIFT = 8;

/** Child → parent messages. `ev`: packed events; `ready`: the hook runs; `error`: it could not start. */
export type ChildMessage = { t: 'ready' } | { t: 'ev'; e: number[] } | { t: 'error'; message: string };
/** Parent → child. */
export type ParentMessage = { t: 'stop' };

/**
 * Layouts (slots 1–6):
 *   key:   keycode, 0, 0, 0, mods, time
 *   mouse: x, y, button, clicks, mods, time
 *   wheel: x, y, rotation, amount, direction (3 vertical, 4 horizontal), time
 */
export function unpack(e: readonly number[]): RawInput[] {
  const out: RawInput[] = [];
  for (let i = 0; i + STRIDE <= e.length; i += STRIDE) {
    const kind = KIND[e[i]!];
    const a = e[i + 1]!;
    const b = e[i + 2]!;
    const c = e[i + 3]!;
    const d = e[i + 4]!;
    const m = e[i + 5]!;
    const time = e[i + 6]!;
    switch (kind) {
      case 'keydown':
      case 'keyup':
        out.push({ kind, keycode: a, alt: (m & ALT) !== 0, ctrl: (m & CTRL) !== 0, meta: (m & META) !== 0, shift: (m & SHIFT) !== 0, time });
        break;
      case 'wheel':
        out.push({ kind, x: a, y: b, rotation: c, amount: d, direction: m === 4 ? 'horizontal' : 'vertical', time });
        break;
      case undefined:
        break;
      default:
        out.push({ kind, x: a, y: b, button: c, clicks: d, alt: (m & ALT) !== 0, ctrl: (m & CTRL) !== 0, meta: (m & META) !== 0, shift: (m & SHIFT) !== 0, time });
    }
  }
  return out;
}
