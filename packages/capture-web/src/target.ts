// The Target descriptor of an element (tag, role, name, id, selector, box, frame), with the
// privacy rules applied: inside a block only the block is described; masked elements are
// flagged and get no name taken from their content.
import type { Target } from '@lockstep/schema';
import { BLOCK_ATTR, MASK_ATTR, blockOf, isMasked } from './privacy.ts';
import { roleOf } from './role.ts';
import { nameOf } from './name.ts';
import { selectorOf } from './selector.ts';
import { px } from './dom.ts';
import type { Offset } from './frame.ts';
import { ZERO } from './frame.ts';

export interface TargetEnv {
  /** Frame path of this document (undefined in the top document). */
  frame?: number[] | undefined;
  /** Offset of this document's viewport in the top viewport. */
  offset?: Offset;
}


/** The parts of a descriptor that do not depend on layout: tag, selector, role, name, id. */
function describeStatic(el: Element, masked: boolean): Target {
  const role = roleOf(el);
  const target: Target = { tag: el.localName.slice(0, 64) || 'unknown', selector: selectorOf(el) };
  if (role) target.role = role.slice(0, 64);
  const name = nameOf(el, role, masked);
  if (name) target.name = name;
  if (el.id && el.id.length <= 256) target.id = el.id;
  return target;
}

/** Adds the box (measured now), the frame path and the masked flag to a static descriptor. */
function complete(target: Target, el: Element, env: TargetEnv, masked: boolean): Target {
  const r = el.getBoundingClientRect();
  const off = env.offset ?? ZERO;
  target.box = { x: px(r.left + off.x), y: px(r.top + off.y), w: px(r.width), h: px(r.height) };
  if (env.frame) target.frame = env.frame;
  if (masked) target.masked = true;
  return target;
}

/** Describes `el` as is; `masked` suppresses names taken from content. */
export function describeElement(el: Element, env: TargetEnv = {}, masked = false): Target {
  return complete(describeStatic(el, masked), el, env, masked);
}

/** The target to report for an event on `el`, privacy rules applied. */
export function targetOf(el: Element, env: TargetEnv = {}): Target {
  const block = blockOf(el);
  if (block) return describeElement(block, env, true);
  return describeElement(el, env, isMasked(el));
}

/**
 * Attributes that any part of a descriptor reads (role, name, selector, privacy). A change of
 * any other attribute (class, style, …) cannot change a descriptor.
 */
const DESCRIPTOR_ATTRS = [
  'id', 'name', 'role', 'type', 'list', 'href', 'multiple', 'size', 'alt', 'value', 'title', 'placeholder', 'for',
  'aria-label', 'aria-labelledby', 'aria-hidden', 'aria-placeholder', 'hidden', 'contenteditable', 'autocomplete',
  'data-testid', 'data-test-id', 'data-test', 'data-cy', MASK_ATTR, BLOCK_ATTR,
];

interface Entry {
  gen: number;
  /** The element described: `el` itself, or the block it sits in. */
  described: Element;
  masked: boolean;
  /** Tag, selector, role, name and id. */
  base: Target;
}

export interface TargetCache {
  /** Same result as targetOf(), with everything but the box reused until the DOM changes. */
  targetOf(el: Element, env?: TargetEnv): Target;
  disconnect(): void;
}

/**
 * targetOf() for repeated events on the same elements (typing, clicking): the descriptor minus
 * its box is kept per element and reused until a mutation anywhere in the document could have
 * changed it (tree changes, text changes, or a change of an attribute that descriptors read).
 * Pending mutation records are taken synchronously on every lookup, so a change made just
 * before an event is never missed. The box is measured on every call. Elements in shadow roots
 * (whose mutations the document observer does not see) are described afresh every time.
 */
export function createTargetCache(doc: Document = document): TargetCache {
  let gen = 0;
  let entries = new WeakMap<Element, Entry>();
  let observer: MutationObserver | undefined;
  try {
    observer = new MutationObserver(() => {
      gen++;
    });
    observer.observe(doc, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: DESCRIPTOR_ATTRS });
  } catch {
    observer = undefined;
  }

  return {
    targetOf(el, env = {}) {
      if (!observer || el.getRootNode() !== doc || doc.designMode === 'on') return targetOf(el, env);
      if (observer.takeRecords().length > 0) gen++;
      const hit = entries.get(el);
      if (hit && hit.gen === gen) return complete({ ...hit.base }, hit.described, env, hit.masked);
      const block = blockOf(el);
      const described = block ?? el;
      const masked = block ? true : isMasked(el);
      const base = describeStatic(described, masked);
      entries.set(el, { gen, described, masked, base });
      return complete({ ...base }, described, env, masked);
    },
    disconnect() {
      observer?.disconnect();
      observer = undefined;
      entries = new WeakMap();
    },
  };
}
