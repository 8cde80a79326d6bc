// Screenshots of the active window only, never of the whole screen.
//
// The pixels come from X11 GetImage on the window itself, limited to the part of it that is on
// screen. Without a compositor, parts covered by other windows would show those windows, so
// every viewable top-level window stacked above it is blacked out first. sharp scales and
// encodes in its own thread pool: the event loop is only busy for the X reply and the masking.
import { MAX_FRAME_BYTES } from '@lockstep/schema';
import sharp from 'sharp';
import type { Bounds, ActiveWindow, WindowWatcher } from './window.ts';

export interface Frame {
  format: 'jpeg' | 'png';
  /** Size of the encoded image. */
  width: number;
  height: number;
  /** The captured part of the window, in screen pixels (its bounds when fully on screen). */
  box: Bounds;
  /** The encoded image, base64. */
  data: string;
  /** Encoded size in bytes. */
  bytes: number;
  /** Time taken, from the request to the encoded image. */
  ms: number;
}

export interface WindowShooterOptions {
  /** Images wider than this are scaled down (aspect kept), default 960. */
  maxWidth?: number;
  /** Default 'jpeg'. */
  format?: 'jpeg' | 'png';
  /** JPEG quality 1–100, default 70. */
  quality?: number;
  /** Largest encoded image; a larger one is encoded again at half the width (up to 3 times). Default: the schema's MAX_FRAME_BYTES. */
  maxBytes?: number;
}

const Z_PIXMAP = 2;
const VIEWABLE = 2;
const INPUT_OUTPUT = 1;

export class WindowShooter {
  private readonly maxWidth: number;
  private readonly format: 'jpeg' | 'png';
  private readonly quality: number;
  private readonly maxBytes: number;

  /** Shares the watcher's X connection. */
  constructor(
    private readonly watcher: WindowWatcher,
    opts: WindowShooterOptions = {},
  ) {
    this.maxWidth = opts.maxWidth ?? 960;
    this.format = opts.format ?? 'jpeg';
    this.quality = opts.quality ?? 70;
    this.maxBytes = opts.maxBytes ?? MAX_FRAME_BYTES;
  }

  /** Captures `win` as it is now (its current geometry is read again). */
  async capture(win: ActiveWindow): Promise<Frame> {
    const started = performance.now();
    const X = this.watcher.display.client;
    const root = this.watcher.display.screen[0]!.root;
    const req = this.watcher.req.bind(this.watcher);

    const [geom, pos, rootGeom, top] = await Promise.all([
      req<{ width: number; height: number }>((cb) => X.GetGeometry(win.id, cb)),
      req<{ destX: number; destY: number }>((cb) => X.TranslateCoordinates(win.id, root, 0, 0, cb)),
      req<{ width: number; height: number }>((cb) => X.GetGeometry(root, cb)),
      this.topLevel(win.id, root),
    ]);
    const x0 = Math.max(0, pos.destX);
    const y0 = Math.max(0, pos.destY);
    const x1 = Math.min(rootGeom.width, pos.destX + geom.width);
    const y1 = Math.min(rootGeom.height, pos.destY + geom.height);
    if (x1 <= x0 || y1 <= y0) throw new Error(`window ${win.id} is not on screen`);
    const box = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };

    const [image, covers] = await Promise.all([
      req<{ depth: number; data: Buffer }>((cb) => X.GetImage(Z_PIXMAP, win.id, x0 - pos.destX, y0 - pos.destY, box.w, box.h, 0xffffffff, cb)),
      this.coveringRects(top, root, box),
    ]);
    const bpp = this.watcher.display.format[image.depth]?.bits_per_pixel;
    if (bpp !== 32 || this.watcher.display.image_byte_order !== 0) {
      throw new Error(`unsupported pixel format: depth ${image.depth}, ${bpp} bits per pixel, byte order ${this.watcher.display.image_byte_order}`);
    }
    const pixels = image.data;
    if (pixels.length < box.w * box.h * 4) throw new Error(`short image: ${pixels.length} bytes for ${box.w}x${box.h}`);
    for (const r of covers) blackOut(pixels, box.w, r);

    // Pixels are B, G, R, X: drop X, swap B and R, scale, encode — all in sharp's threads.
    let width = Math.min(box.w, this.maxWidth);
    let encoded = await this.encode(pixels, box, width);
    for (let i = 0; i < 3 && encoded.data.length > this.maxBytes; i++) {
      width = Math.max(1, Math.round(width / 2));
      encoded = await this.encode(pixels, box, width);
    }
    if (encoded.data.length > this.maxBytes) throw new Error(`screenshot of ${box.w}x${box.h} does not fit in ${this.maxBytes} bytes`);
    const { data, info } = encoded;
    return {
      format: this.format,
      width: info.width,
      height: info.height,
      box,
      data: data.toString('base64'),
      bytes: data.length,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
  }

  private async encode(pixels: Buffer, box: Bounds, width: number) {
    // X leaves the 4th byte 0; sharp takes it for alpha and would premultiply by it when it
    // resizes (a black image), whatever removeAlpha() says, as that runs after the resize. So the
    // channel goes in a pass of its own first (in sharp's threads, like the rest).
    let img = sharp(pixels, { raw: { width: box.w, height: box.h, channels: 4 } })
      .removeAlpha()
      .recomb([
        [0, 0, 1],
        [0, 1, 0],
        [1, 0, 0],
      ]);
    if (width < box.w) {
      const rgb = await img.raw().toBuffer();
      img = sharp(rgb, { raw: { width: box.w, height: box.h, channels: 3 } }).resize({ width });
    }
    img = this.format === 'png' ? img.png() : img.jpeg({ quality: this.quality });
    return img.toBuffer({ resolveWithObject: true });
  }

  /** Nothing to release: the connection is the watcher's. Kept so callers can treat it as a resource. */
  close(): void {}

  /** The child of the root that holds `id` (the window itself without a window manager). */
  private async topLevel(id: number, root: number): Promise<number> {
    let w = id;
    for (let i = 0; i < 16; i++) {
      const tree = await this.watcher.req<{ parent: number }>((cb) => this.watcher.display.client.QueryTree(w, cb));
      if (tree.parent === root || tree.parent === 0) return w;
      w = tree.parent;
    }
    return w;
  }

  /** Parts of `box` (relative to it) covered by viewable windows stacked above `top`. */
  private async coveringRects(top: number, root: number, box: Bounds): Promise<Bounds[]> {
    const X = this.watcher.display.client;
    const req = this.watcher.req.bind(this.watcher);
    const tree = await req<{ children: number[] }>((cb) => X.QueryTree(root, cb));
    const above = tree.children.slice(tree.children.indexOf(top) + 1);
    const found = await Promise.all(
      above.map(async (w) => {
        try {
          const [attrs, g] = await Promise.all([
            req<{ mapState: number; klass: number }>((cb) => X.GetWindowAttributes(w, cb)),
            req<{ xPos: number; yPos: number; width: number; height: number; borderWidth: number }>((cb) => X.GetGeometry(w, cb)),
          ]);
          if (attrs.mapState !== VIEWABLE || attrs.klass !== INPUT_OUTPUT) return null;
          const outer = { x: g.xPos, y: g.yPos, w: g.width + 2 * g.borderWidth, h: g.height + 2 * g.borderWidth };
          return intersect(outer, box);
        } catch {
          return null; // gone meanwhile
        }
      }),
    );
    return found.filter((r): r is Bounds => r !== null);
  }
}

/** The part of `r` inside `box`, relative to `box`; null when they do not overlap. */
function intersect(r: Bounds, box: Bounds): Bounds | null {
  const x0 = Math.max(r.x, box.x);
  const y0 = Math.max(r.y, box.y);
  const x1 = Math.min(r.x + r.w, box.x + box.w);
  const y1 = Math.min(r.y + r.h, box.y + box.h);
  return x1 > x0 && y1 > y0 ? { x: x0 - box.x, y: y0 - box.y, w: x1 - x0, h: y1 - y0 } : null;
}

function blackOut(pixels: Buffer, width: number, r: Bounds) {
  for (let y = r.y; y < r.y + r.h; y++) pixels.fill(0, (y * width + r.x) * 4, (y * width + r.x + r.w) * 4);
}
