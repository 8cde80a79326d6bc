// Field changes: the new value on `input` and `change` (a `change` that repeats the last
// recorded value is skipped), `checked` for checkboxes and radios, and contenteditable text.
// Masked fields are never read: their events say only that something changed. A field edited
// while recording was paused holds text typed during the pause, so its value is withheld
// (as if masked) until the field is emptied.
//
// Sync. A value set by the page's script (`field.value = ''` after Enter adds an item, a
// rename cancelled with Escape) fires no DOM event. So when a text field (a text-like input, a
// textarea, a contenteditable region) loses focus, and when the recorder releases what it
// holds (pause, stop, navigation, a flush), its current value is compared with the last value
// recorded for it (or, for an input or textarea never recorded, the value it had when it got
// focus); if it differs, an `input` event with `inputType: 'sync'` and the current value is
// recorded. It is page state, not typing. A `change` of a text field with a value no input
// event reported is the same thing (the browser fires it at blur when the value differs from
// the one at focus), and is recorded the same way. At a release every text field recorded or
// focused in this document (the latest MAX_TOUCHED still in it) is checked, focused or not, so
// a value set by script after the person left the field (a form reset) is caught at the next
// pause or stop, though not when it happened. Known gaps: a field never recorded and never
// focused; and masked fields, whose content is never read, so no sync is recorded for them.
// A sync value is a new value of the field: it goes through the field's redaction buffer like
// every other value.
import type { Ctx, Unseq } from '../context.ts';
import { eventElement, on } from '../dom.ts';
import type { Off } from '../dom.ts';

import { fieldOf, textFieldOf } from '../field.ts';
import { blockOf, isMasked } from '../privacy.ts';

const MAX_VALUE = 1_000_000;
/**
 * The `inputType` of an event that reports a value the page set without an input event: the
 * schema's SYNC_INPUT_TYPE (spelled out here: the page bundle imports only types from the schema).
 */
export const SYNC_INPUT_TYPE = 'sync';
/** Most text fields checked for a sync at a release (the most recently recorded or focused). */
const MAX_TOUCHED = 64;

/** True when the field's content must not be read (masked, or inside a block): attributes only. */
const unreadable = (field: Element): boolean => isMasked(field) || blockOf(field) !== null;

/** A form field's value, or a contenteditable region's text. */
function valueOf(field: Element): string {
  const tag = field.localName;
  return tag === 'input' || tag === 'textarea' || tag === 'select' ? (field as HTMLInputElement).value : (field as HTMLElement).innerText;
}

export function observeInput(ctx: Ctx): Off {
  const last = new WeakMap<Element, string | boolean>();
  /** Value of a text input or textarea when it got focus, while nothing of it was recorded. */
  const atFocus = new WeakMap<Element, string>();
  /** Text fields recorded or focused, oldest first (for syncs at a release). */
  const touched = new Set<Element>();
  /** The text field that has focus (kept when it stops being editable: a renamed card). */
  let current: Element | null = null;
  const editedWhilePaused = new WeakSet<Element>();

  const touch = (field: Element): void => {
    touched.delete(field);
    touched.add(field);
    if (touched.size > MAX_TOUCHED) touched.delete(touched.values().next().value!);
  };

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
      const value = valueOf(field);
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
    const text = textFieldOf(field);
    if (isChange) {
      const prev = last.has(field) ? last.get(field) : atFocus.get(field);
      if (last.get(field) === state) return;
      // A text field's `change` with a value no input event reported: the page's script set it
      // (a change fires when the value differs from the one at focus). That is a sync too.
      if (text && typeof prev === 'string') out.inputType = SYNC_INPUT_TYPE;
    }
    last.set(field, state);
    // Free text goes through the field's redaction buffer; a select's value is masked as a string.
    if (text) touch(text);
    ctx.emit(out, pt, text ?? undefined);
  };

  /** Records the text field's value if the page changed it since it was last recorded (or focused). */
  const sync = (field: Element, pt: number): void => {
    if (ctx.paused || !field.isConnected) return;
    const prev = last.has(field) ? last.get(field) : atFocus.get(field);
    if (typeof prev !== 'string' || unreadable(field)) return; // nothing to compare with; or never read
    let value = valueOf(field);
    if (editedWhilePaused.has(field)) {
      if (value !== '') return; // holds text typed during a pause: withheld
      editedWhilePaused.delete(field);
    }
    if (value.length > MAX_VALUE) value = value.slice(0, MAX_VALUE);
    if (value === prev) return;
    const target = ctx.target(field);
    if (target.masked) return;
    last.set(field, value);
    // The field itself is its redaction buffer's key (as for its input events), even if it is
    // no longer editable: the value is redacted as a new value of that field.
    ctx.emit({ type: 'input', inputType: SYNC_INPUT_TYPE, value, target }, pt, field);
  };

  const onFocus = (ev: Event): void => {
    const el = eventElement(ev);
    if (ctx.ignored(el)) return;
    const field = textFieldOf(el);
    current = field;
    if (!field || ctx.paused) return;
    touch(field);
    // The value at focus is a baseline only for inputs and textareas (cheap to read); a
    // contenteditable region is compared with its recorded text only.
    if (!last.has(field) && (field.localName === 'input' || field.localName === 'textarea') && !unreadable(field)) atFocus.set(field, valueOf(field));
  };

  // Runs before the focus observer's blur (the recorder installs this observer first), so the
  // sync is recorded before the blur that settles the field's redaction buffer.
  const onBlur = (ev: Event): void => {
    const field = current;
    current = null;
    if (field) sync(field, ctx.time(ev));
  };

  const release = (): void => {
    const pt = ctx.time();
    for (const field of [...touched]) {
      if (!field.isConnected) touched.delete(field);
      else sync(field, pt);
    }
  };

  const offs = [
    on(document, 'input', (ev) => handle(ev, false)),
    on(document, 'change', (ev) => handle(ev, true)),
    on(document, 'focusin', onFocus),
    on(document, 'focusout', onBlur),
    ctx.hold(release),
  ];
  return () => {
    for (const off of offs) off();
  };
}
