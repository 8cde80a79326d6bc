// Field changes: the new value on `input` and `change` (a `change` that repeats the last
// recorded value is skipped), `checked` for checkboxes and radios, and contenteditable text.
// Masked fields are never read: their events say only that something changed. A field edited
// while recording was paused holds text typed during the pause, so its value is withheld
// (as if masked) until the field is emptied.
import type { Ctx, Unseq } from '../context.ts';
import { eventElement, on } from '../dom.ts';
import type { Off } from '../dom.ts';

import { fieldOf, textFieldOf } from '../field.ts';

const MAX_VALUE = 1_000_000;

export function observeInput(ctx: Ctx): Off {
  const last = new WeakMap<Element, string | boolean>();
  const editedWhilePaused = new WeakSet<Element>();

  const handle = (ev: Event, isChange: boolean): void => {
    const src = eventElement(ev);
    if (ctx.ignored(src)) return;
    const field = fieldOf(src);
    if (!field) return;
    if (ctx.paused) {
      if (field.localName !== 'select') editedWhilePaused.add(field);
      return;
    }
    const pt = ctx.time(ev);
    const inputType = (ev as InputEvent).inputType;
    const out: Unseq<'input'> = { type: 'input', target: ctx.target(field) };
    if (inputType) out.inputType = inputType.slice(0, 64);
    if (out.target.masked) {
      // The target is flagged exactly when the field is masked (or inside a block).
      if (isChange) return; // a change of a masked field adds nothing to its input events
      out.masked = true;
      ctx.emit(out, pt);
      return;
    }
    const type = field.localName === 'input' ? (field as HTMLInputElement).type : '';
    let state: string | boolean;
    if (type === 'checkbox' || type === 'radio') {
      state = (field as HTMLInputElement).checked;
      out.checked = state;
    } else if (type === 'file') {
      // File names are personal data, and the value is only a fake path anyway.
      if (isChange) return;
      out.masked = true;
      ctx.emit(out, pt);
      return;
    } else {
      const value = field.localName === 'input' || field.localName === 'textarea' || field.localName === 'select' ? (field as HTMLInputElement).value : (field as HTMLElement).innerText;
      if (editedWhilePaused.has(field)) {
        if (value !== '') {
          if (isChange) return;
          out.masked = true;
          ctx.emit(out, pt);
          return;
        }
        editedWhilePaused.delete(field);
      }
      state = value.length > MAX_VALUE ? value.slice(0, MAX_VALUE) : value;
      out.value = state;
    }
    if (isChange && last.get(field) === state) return;
    last.set(field, state);
    // Free text goes through the field's redaction buffer; a select's value is masked as a string.
    ctx.emit(out, pt, textFieldOf(field) ?? undefined);
  };

  const offs = [on(document, 'input', (ev) => handle(ev, false)), on(document, 'change', (ev) => handle(ev, true))];
  return () => {
    for (const off of offs) off();
  };
}
