// Where this document sits: its path of frame indices from the top window, and the offset of
// its viewport inside the top viewport (through same-origin ancestors only).

export interface Offset {
  x: number;
  y: number;
}

export const ZERO: Readonly<Offset> = Object.freeze({ x: 0, y: 0 });

function indexIn(parent: Window, child: Window): number {
  const frames = parent.frames;
  for (let i = 0; i < frames.length; i++) if (frames[i] === child) return i;
  return -1;
}

/**
 * Indices into `parent.frames` from the top window down to `win`; undefined for the top
 * document. Works across origins: comparing WindowProxy objects is always allowed.
 */
export function framePath(win: Window = window): number[] | undefined {
  const path: number[] = [];
  for (let w = win; w !== w.parent && path.length < 16; w = w.parent) {
    const i = indexIn(w.parent, w);
    if (i < 0) return undefined;
    path.unshift(i);
  }
  return path.length > 0 ? path : undefined;
}

/** Caches a frame path and re-checks it cheaply (frames inserted earlier shift the indices). */
export function framePathCache(win: Window = window): () => number[] | undefined {
  let cached = framePath(win);
  return () => {
    if (!cached) return undefined;
    let w = win;
    for (let level = cached.length - 1; level >= 0; level--, w = w.parent) {
      if (w.parent.frames[cached[level] as number] !== w) {
        cached = framePath(win);
        break;
      }
    }
    return cached;
  };
}

/**
 * Offset of `win`'s viewport in the top viewport, in CSS px, summing each same-origin frame
 * element's content-box position. Stops at the first cross-origin ancestor (`complete` false).
 */
export function frameOffset(win: Window = window): Offset & { complete: boolean } {
  let x = 0;
  let y = 0;
  for (let w = win; w !== w.parent; w = w.parent) {
    let fe: Element | null = null;
    try {
      fe = w.frameElement;
    } catch {
      fe = null;
    }
    if (!fe) return { x, y, complete: false };
    const rect = fe.getBoundingClientRect();
    const style = fe.ownerDocument.defaultView?.getComputedStyle(fe);
    x += rect.left + fe.clientLeft + (style ? parseFloat(style.paddingLeft) || 0 : 0);
    y += rect.top + fe.clientTop + (style ? parseFloat(style.paddingTop) || 0 : 0);
  }
  return { x, y, complete: true };
}
