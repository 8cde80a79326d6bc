// Which element holds the text an event edits: a form field, or the root of a contenteditable
// region. The redaction stream keeps one buffer per such element.

/** The element whose value changed: a form field, or the root of a contenteditable region. */
export function fieldOf(el: Element): Element | null {
  const tag = el.localName;
  if (tag === 'input' || tag === 'textarea' || tag === 'select') return el;
  if (!(el as HTMLElement).isContentEditable) return null;
  let host: Element = el;
  while (host.parentElement && host.parentElement.isContentEditable) host = host.parentElement;
  return host;
}

const NOT_TEXT = new Set(['checkbox', 'radio', 'file', 'button', 'submit', 'reset', 'image', 'range', 'color', 'hidden']);

/** The field when it holds free text (text-like inputs, textareas, contenteditable); null otherwise. */
export function textFieldOf(el: Element): Element | null {
  const field = fieldOf(el);
  if (!field || field.localName === 'select') return null;
  if (field.localName === 'input' && NOT_TEXT.has((field as HTMLInputElement).type)) return null;
  return field;
}
