// The Target descriptor of an element (tag, role, name, id, selector, box, frame), with the
// privacy rules applied: inside a block only the block is described; masked elements are
// flagged and get no name taken from their content.
import type { Target } from '@lockstep/schema';
import { blockOf, isMasked } from './privacy.ts';
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


/** Describes `el` as is; `masked` suppresses names taken from content. */
export function describeElement(el: Element, env: TargetEnv = {}, masked = false): Target {
  const role = roleOf(el);
  const target: Target = { tag: el.localName.slice(0, 64) || 'unknown', selector: selectorOf(el) };
  if (role) target.role = role.slice(0, 64);
  const name = nameOf(el, role, masked);
  if (name) target.name = name;
  if (el.id && el.id.length <= 256) target.id = el.id;
  const r = el.getBoundingClientRect();
  const off = env.offset ?? ZERO;
  target.box = { x: px(r.left + off.x), y: px(r.top + off.y), w: px(r.width), h: px(r.height) };
  if (env.frame) target.frame = env.frame;
  if (masked) target.masked = true;
  return target;
}

/** The target to report for an event on `el`, privacy rules applied. */
export function targetOf(el: Element, env: TargetEnv = {}): Target {
  const block = blockOf(el);
  if (block) return describeElement(block, env, true);
  return describeElement(el, env, isMasked(el));
}
