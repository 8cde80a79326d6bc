// Accessible name: a practical subset of W3C accname. Never the value of a text field, and no
// text taken from content when the element is masked.
import { cut } from './dom.ts';
import { BLOCK_ATTR, MASK_ATTR } from './privacy.ts';

export const MAX_NAME = 256;

/** Roles whose name comes from their text content. */
const CONTENT_ROLES = new Set([
  'button', 'link', 'heading', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option',
  'treeitem', 'switch', 'checkbox', 'radio', 'columnheader', 'rowheader', 'tooltip',
]);

const SKIP_TAGS = new Set(['script', 'style', 'template', 'noscript', 'select', 'textarea', 'input', 'iframe', 'object', 'svg', 'canvas', 'video', 'audio']);
const MAX_NODES = 400;

/** Visible-ish text of a subtree, without form fields' contents or masked/blocked parts. */
export function textOf(root: Element): string {
  let out = '';
  let visited = 0;
  const walk = (node: Node): void => {
    for (let child = node.firstChild; child && visited < MAX_NODES && out.length <= MAX_NAME * 2; child = child.nextSibling) {
      visited++;
      if (child.nodeType === 3) {
        out += child.nodeValue ?? '';
      } else if (child.nodeType === 1) {
        const el = child as Element;
        if (SKIP_TAGS.has(el.localName)) continue;
        if (el.hasAttribute('hidden') || el.getAttribute('aria-hidden') === 'true') continue;
        if (el.hasAttribute(MASK_ATTR) || el.hasAttribute(BLOCK_ATTR)) continue;
        if (el.localName === 'img') out += ` ${el.getAttribute('alt') ?? ''} `;
        else if (el.localName === 'br') out += ' ';
        else {
          out += ' ';
          walk(el);
          out += ' ';
        }
      }
    }
  };
  walk(root);
  return clean(out);
}

function clean(s: string | null | undefined): string {
  return s ? s.replace(/\s+/g, ' ').trim() : '';
}

function labelledBy(el: Element): string {
  const ids = el.getAttribute('aria-labelledby');
  if (!ids) return '';
  const root = el.getRootNode() as Document | ShadowRoot;
  const parts: string[] = [];
  for (const id of ids.trim().split(/\s+/)) {
    const ref = root.getElementById?.(id);
    if (!ref) continue;
    const text = ref.getAttribute('aria-label') ?? textOf(ref);
    if (text) parts.push(clean(text));
  }
  return parts.join(' ');
}

function fromLabels(el: Element): string {
  const labels = (el as HTMLInputElement).labels;
  if (!labels || labels.length === 0) return '';
  const parts: string[] = [];
  for (const label of Array.from(labels)) {
    const text = textOf(label);
    if (text) parts.push(text);
  }
  return parts.join(' ');
}

function buttonInputName(el: Element): string {
  const type = (el.getAttribute('type') ?? '').toLowerCase();
  // The value content attribute of a button-like input is its caption, not user data.
  const value = clean(el.getAttribute('value'));
  if (type === 'submit') return value || 'Submit';
  if (type === 'reset') return value || 'Reset';
  if (type === 'button') return value;
  if (type === 'image') return clean(el.getAttribute('alt')) || value || 'Submit';
  return '';
}

/** The accessible name of `el` with the given role, or undefined when it has none. */
export function nameOf(el: Element, role: string | undefined, masked: boolean): string | undefined {
  const tag = el.localName;
  const candidates: (() => string)[] = [
    () => labelledBy(el),
    () => clean(el.getAttribute('aria-label')),
    () => (tag === 'input' || tag === 'select' || tag === 'textarea' || tag === 'button' || tag === 'meter' || tag === 'progress' || tag === 'output' ? fromLabels(el) : ''),
    () => (tag === 'input' && !masked ? buttonInputName(el) : ''),
    () => (tag === 'img' || tag === 'area' ? clean(el.getAttribute('alt')) : ''),
    () => (!masked && role !== undefined && CONTENT_ROLES.has(role) ? textOf(el) : ''),
    () => clean(el.getAttribute('placeholder') ?? el.getAttribute('aria-placeholder')),
    () => clean(el.getAttribute('title')),
  ];
  for (const candidate of candidates) {
    const name = candidate();
    if (name) return cut(name, MAX_NAME);
  }
  return undefined;
}
