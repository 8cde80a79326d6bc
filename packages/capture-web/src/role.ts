// ARIA role of an element: its explicit `role`, or the implicit role of common HTML elements.

const BY_TAG: Record<string, string> = {
  button: 'button',
  textarea: 'textbox',
  option: 'option',
  h1: 'heading',
  h2: 'heading',
  h3: 'heading',
  h4: 'heading',
  h5: 'heading',
  h6: 'heading',
  ul: 'list',
  ol: 'list',
  menu: 'list',
  li: 'listitem',
  nav: 'navigation',
  main: 'main',
  aside: 'complementary',
  dialog: 'dialog',
  table: 'table',
  tr: 'row',
  td: 'cell',
  th: 'columnheader',
  progress: 'progressbar',
  meter: 'meter',
  hr: 'separator',
  fieldset: 'group',
  details: 'group',
  summary: 'button',
  output: 'status',
  article: 'article',
  optgroup: 'group',
};

const BY_INPUT_TYPE: Record<string, string> = {
  '': 'textbox',
  text: 'textbox',
  email: 'textbox',
  tel: 'textbox',
  url: 'textbox',
  password: 'textbox',
  search: 'searchbox',
  number: 'spinbutton',
  range: 'slider',
  checkbox: 'checkbox',
  radio: 'radio',
  button: 'button',
  submit: 'button',
  reset: 'button',
  image: 'button',
};

function inputRole(el: Element): string | undefined {
  const type = (el.getAttribute('type') ?? '').toLowerCase();
  const role = type in BY_INPUT_TYPE ? BY_INPUT_TYPE[type] : 'textbox';
  // A text-like field with a datalist suggests values: a combobox.
  if (el.hasAttribute('list') && (role === 'textbox' || role === 'searchbox')) return 'combobox';
  return type === 'hidden' || type === 'file' || type === 'color' || type.startsWith('date') || type === 'time' || type === 'month' || type === 'week'
    ? undefined
    : role;
}

export function roleOf(el: Element): string | undefined {
  const explicit = el.getAttribute('role')?.trim().split(/\s+/)[0];
  if (explicit) return explicit.toLowerCase();
  const tag = el.localName;
  switch (tag) {
    case 'input':
      return inputRole(el);
    case 'a':
    case 'area':
      return el.hasAttribute('href') ? 'link' : undefined;
    case 'select': {
      const size = Number(el.getAttribute('size') ?? '0');
      return el.hasAttribute('multiple') || size > 1 ? 'listbox' : 'combobox';
    }
    case 'img':
      return el.getAttribute('alt') === '' ? 'presentation' : 'img';
    case 'section':
      return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') ? 'region' : undefined;
    case 'form':
      return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') || el.hasAttribute('name') ? 'form' : undefined;
    case 'header':
      return el.closest('article, aside, main, nav, section') ? undefined : 'banner';
    case 'footer':
      return el.closest('article, aside, main, nav, section') ? undefined : 'contentinfo';
  }
  if (tag in BY_TAG) return BY_TAG[tag];
  if ((el as HTMLElement).isContentEditable && !(el.parentElement as HTMLElement | null)?.isContentEditable) return 'textbox';
  return undefined;
}
