// Key events. On masked targets printable keys become `Unidentified` with no code or char,
// and modifier keys are not recorded. Also handles the pause shortcut (Alt+Shift+P): its own
// key events are never recorded, which is why Alt and Shift presses are held back until the
// next event shows they were not the start of the shortcut.
import type { Ctx, Unseq } from '../context.ts';
import { NO_MODIFIERS, cut, eventElement, modifiers, on } from '../dom.ts';
import type { Off } from '../dom.ts';
import { isPrintableKey, maskedKey } from '../privacy.ts';
import { textFieldOf } from '../field.ts';
import { LOOSE_KEYS } from '../context.ts';

export function isPauseShortcut(ev: KeyboardEvent): boolean {
  return ev.code === 'KeyP' && ev.altKey && ev.shiftKey && !ev.ctrlKey && !ev.metaKey;
}

export function observeKeyboard(ctx: Ctx): Off {
  const shortcut = ctx.opts.pauseShortcut;
  /** Codes whose keyup belongs to the shortcut. */
  const swallowUp = new Set<string>();
  /** After the shortcut, Alt and Shift releases (and repeats) are part of it too. */
  let swallowMods = false;

  const handle = (ev: KeyboardEvent, kind: 'down' | 'up'): void => {
    const key = ev.key;
    if (typeof key !== 'string' || key === '') return; // autofill sends key events without a key
    if (shortcut) {
      if (kind === 'down' && isPauseShortcut(ev)) {
        ev.preventDefault();
        ctx.dropDeferred();
        swallowUp.add(ev.code);
        swallowMods = true;
        ctx.togglePause('shortcut');
        return;
      }
      if (kind === 'up' && swallowUp.delete(ev.code)) return;
      if (swallowMods && (key === 'Alt' || key === 'Shift')) {
        if (kind === 'up' && !ev.altKey && !ev.shiftKey) swallowMods = false;
        return;
      }
      if (swallowMods && !ev.altKey && !ev.shiftKey) swallowMods = false;
    }
    if (ctx.paused) return;
    const el = eventElement(ev);
    if (ctx.ignored(el)) return;
    const pt = ctx.time(ev);
    // The target says whether the element is masked (blocks count as masked).
    const target = ctx.target(el);
    let out: Unseq<'key'>;
    if (target.masked) {
      const safe = maskedKey(key);
      if (safe === null) return;
      const printable = safe === 'Unidentified';
      // Modifier state would tell upper from lower case; it is kept only for named keys.
      out = { type: 'key', kind, key: safe, mods: printable ? NO_MODIFIERS : modifiers(ev), masked: true, target };
    } else {
      out = { type: 'key', kind, key: cut(key, 32), mods: modifiers(ev), target };
      if (ev.code) out.code = cut(ev.code, 32);
      if (kind === 'down' && isPrintableKey(key) && !ev.ctrlKey && !ev.metaKey) out.char = key;
    }
    if (ev.repeat) out.repeat = true;
    // Alt or Shift alone may be the start of the shortcut: hold it until we know.
    if (shortcut && kind === 'down' && (key === 'Alt' || key === 'Shift') && !ev.ctrlKey && !ev.metaKey) ctx.defer(out, pt);
    // Keys in a text field join its redaction buffer; keys elsewhere are buffered as typed text.
    else ctx.emit(out, pt, target.masked ? undefined : (textFieldOf(el) ?? LOOSE_KEYS));
  };

  const offs = [
    on<KeyboardEvent>(window, 'keydown', (ev) => handle(ev, 'down'), !shortcut),
    on<KeyboardEvent>(window, 'keyup', (ev) => handle(ev, 'up')),
  ];
  return () => {
    for (const off of offs) off();
  };
}
