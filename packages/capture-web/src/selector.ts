// A stable CSS selector for an element: a unique, hand-written-looking #id, then [data-testid],
// then tag[name], else a short child path with :nth-of-type. Every candidate is checked for
// uniqueness in the element's root (document or shadow root). Elements inside shadow roots get
// the host's selector, then ` >> `, then their selector inside the root (Playwright's syntax).

const MAX_SELECTOR = 1024;
const MAX_DEPTH = 12;
const TEST_ATTRS = ['data-testid', 'data-test-id', 'data-test', 'data-cy'];
const GENERATED_PREFIX = /^(ember|ext-gen|yui_|ui-id-|mui-|headlessui-|radix-|react-aria|react-select|rc_|rc-|__|ng-|vaadin-|gwt-|j_id|jsx-)/i;

/** Heuristic: ids made by frameworks or counters, which change between page loads. */
export function looksGenerated(id: string): boolean {
  if (id.length > 64 || id.includes(':')) return true;
  if (GENERATED_PREFIX.test(id)) return true;
  if (/\d{4,}/.test(id)) return true;
  if (/[0-9a-f]{8}-[0-9a-f]{4}/i.test(id)) return true;
  // A long token mixing letters and several digits, like "a8f3k2j9x1".
  return id.split(/[-_.]/).some((part) => part.length >= 6 && /[a-z]/i.test(part) && (part.match(/\d/g)?.length ?? 0) >= 2);
}

/** A CSS string literal. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&').replace(/\n/g, '\\a ').replace(/\r/g, '\\d ')}"`;
}

function unique(root: Document | ShadowRoot, selector: string, el: Element): boolean {
  try {
    const hits = root.querySelectorAll(selector);
    return hits.length === 1 && hits[0] === el;
  } catch {
    return false;
  }
}

function step(el: Element): string {
  const tag = CSS.escape(el.localName);
  // Top-level elements of a shadow root have no parentElement but do have siblings.
  const parent = (el.parentElement ?? el.parentNode) as ParentNode | null;
  if (!parent) return tag;
  let index = 0;
  let count = 0;
  for (let sib = parent.firstElementChild; sib; sib = sib.nextElementSibling) {
    if (sib.localName === el.localName) {
      count++;
      if (sib === el) index = count;
    }
  }
  return count > 1 ? `${tag}:nth-of-type(${index})` : tag;
}

/** A selector for `el` that is unique within its own root. */
function selectorInRoot(el: Element, root: Document | ShadowRoot): string {
  const tag = CSS.escape(el.localName);
  const id = el.id;
  if (id && !looksGenerated(id)) {
    const sel = `#${CSS.escape(id)}`;
    if (unique(root, sel, el)) return sel;
  }
  for (const attr of TEST_ATTRS) {
    const v = el.getAttribute(attr);
    if (v) {
      const sel = `[${attr}=${quote(v)}]`;
      if (unique(root, sel, el)) return sel;
    }
  }
  const name = el.getAttribute('name');
  if (name) {
    const sel = `${tag}[name=${quote(name)}]`;
    if (unique(root, sel, el)) return sel;
  }
  // A child path upwards until it is unique; an ancestor with a usable id anchors it.
  let path = step(el);
  let cur: Element | null = el;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (unique(root, path, el)) return path;
    cur = cur.parentElement;
    if (!cur) break;
    const anchorId = cur.id && !looksGenerated(cur.id) ? `#${CSS.escape(cur.id)}` : '';
    if (anchorId && unique(root, anchorId, cur)) {
      path = `${anchorId} > ${path}`;
      if (unique(root, path, el)) return path;
      continue;
    }
    path = `${step(cur)} > ${path}`;
  }
  return path;
}

const cache = new WeakMap<Element, string>();

export function selectorOf(el: Element): string {
  const cached = cache.get(el);
  // Re-check cheaply: a cached path stops matching when siblings move.
  if (cached && el.isConnected && matchesSelf(el, cached)) return cached;
  let sel = '';
  for (let cur: Element | null = el; cur; ) {
    const root = cur.getRootNode() as Document | ShadowRoot;
    const part = selectorInRoot(cur, root);
    sel = sel ? `${part} >> ${sel}` : part;
    cur = root.nodeType === 11 ? (root as ShadowRoot).host : null;
  }
  if (sel.length > MAX_SELECTOR) sel = CSS.escape(el.localName);
  cache.set(el, sel);
  return sel;
}

function matchesSelf(el: Element, selector: string): boolean {
  const last = selector.lastIndexOf(' >> ');
  try {
    return el.matches(last < 0 ? selector : selector.slice(last + 4));
  } catch {
    return false;
  }
}
