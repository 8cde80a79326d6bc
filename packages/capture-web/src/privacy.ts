// Privacy rules. They are always on: there is no option to turn them off.
//
// A *masked* element is one whose content Lockstep never reads: key events carry no character,
// input events no value, and its target no name taken from content. A *block* hides everything
// inside it: events there are reported against the block element itself, masked.
import { closestComposed } from './dom.ts';

export const MASK_ATTR = 'data-lockstep-mask';
export const BLOCK_ATTR = 'data-lockstep-block';

const SECRET_AUTOCOMPLETE = new Set(['one-time-code', 'current-password', 'new-password']);

/** An element once seen as masked stays masked (a "show password" toggle must not unmask it). */
const maskedOnce = new WeakSet<Element>();

/** True when an autocomplete attribute value names a secret (card data, passwords, one-time codes). */
export function isSecretAutocomplete(value: string | null): boolean {
  if (!value) return false;
  for (const token of value.toLowerCase().split(/\s+/)) {
    if (token.startsWith('cc-') || SECRET_AUTOCOMPLETE.has(token)) return true;
  }
  return false;
}

/** The nearest enclosing element (itself included) marked with data-lockstep-block, across shadow roots. */
export function blockOf(el: Element): Element | null {
  return closestComposed(el, `[${BLOCK_ATTR}]`);
}

/**
 * Whether the element's content must never be read. Looks only at attributes and the element's
 * place in the tree, never at `.value`.
 */
export function isMasked(el: Element): boolean {
  if (maskedOnce.has(el)) return true;
  const tag = el.localName;
  const masked =
    (tag === 'input' && (el.getAttribute('type') ?? '').toLowerCase() === 'password') ||
    isSecretAutocomplete(el.getAttribute('autocomplete')) ||
    closestComposed(el, `[${MASK_ATTR}],[${BLOCK_ATTR}]`) !== null;
  if (masked) maskedOnce.add(el);
  return masked;
}

/** A key that produces a character (one code point), as opposed to named keys like Enter or ArrowLeft. */
export function isPrintableKey(key: string): boolean {
  if (key.length === 1) return true;
  if (key.length !== 2) return false;
  const hi = key.charCodeAt(0);
  return hi >= 0xd800 && hi <= 0xdbff;
}

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'Fn', 'FnLock', 'Hyper', 'Super', 'Symbol', 'SymbolLock', 'NumLock', 'OS']);

export function isModifierKey(key: string): boolean {
  return MODIFIER_KEYS.has(key);
}

/**
 * What a key event on a masked target may say about its key: named keys stay, printable keys
 * become `Unidentified`. Modifier keys return null (they would tell upper from lower case) and
 * are not recorded at all.
 */
export function maskedKey(key: string): string | null {
  if (isModifierKey(key)) return null;
  return isPrintableKey(key) ? 'Unidentified' : key;
}
