// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the x11 types are an ambient declaration: every program that reaches this file needs them
/// <reference path="./x11.d.ts" />
// The active window, read over one persistent X11 connection.
//
// What is reported: the WM_CLASS class name exactly as the application sets it (`XTerm`, `Code`,
// `firefox`; compare case-insensitively), the title (_NET_WM_NAME as UTF-8, else WM_NAME), and
// the client window's bounds in screen pixels (inside its border, without window-manager
// frames). Process ids, host names (WM_CLIENT_MACHINE), commands and paths are never read.
//
// Which window: the one with the input focus, walked up to the top-level client window (the
// first ancestor carrying WM_CLASS; under a window manager the focus can sit on a sub-window, and
// the top-level child of the root can be the manager's frame around the client). Without a
// window manager the focus is often PointerRoot: input goes to the window under the pointer, so
// that one is reported.
import type { XClient, XDisplay, XError } from 'x11';
import { openDisplay } from './hooks/display.ts';

export interface Bounds {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ActiveWindow {
  /** X window id of the client window. */
  id: number;
  /** WM_CLASS class, as given by the application; '' when it sets none. */
  app: string;
  /** At most MAX_TITLE characters. */
  title: string;
  /** Screen pixels. */
  bounds: Bounds;
}

export const MAX_TITLE = 1024;
const POINTER_ROOT = 1;
const ANY_TYPE = 0;
const WM_NAME = 39;
const WM_CLASS = 67;

export interface WindowWatcherOptions {
  /** Poll interval in ms, default 200. 0: no polling, refresh() only. */
  pollMs?: number;
}

export class WindowWatcher {
  private readonly X: XClient;
  private readonly root: number;
  private win: ActiveWindow | null = null;
  private size: { width: number; height: number };
  private readonly listeners = new Set<(w: ActiveWindow | null) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private readonly pending = new Set<(e: Error) => void>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ActiveWindow | null> | undefined;
  private again: Promise<ActiveWindow | null> | undefined;
  private closedReason: string | undefined;
  /** The client window found for a focus window, so a steady focus costs no tree walk. */
  private clientOf = new Map<number, number>();
  private netWmName = 0;
  /** The focus window of the last read; for focus that follows the pointer, -1 - the top-level under it. */
  private lastFocus = 0;
  private utf8 = 0;

  private constructor(readonly display: XDisplay, pollMs: number) {
    this.X = display.client;
    const screen = display.screen[0]!;
    this.root = screen.root;
    this.size = { width: screen.pixel_width, height: screen.pixel_height };
    this.X.on('error', (e: Partial<XError>) => {
      // X errors of our requests reach their callbacks and stray ones (a window gone) are harmless;
      // an error without an X error code is the connection's own.
      if (typeof e.error !== 'number') this.lost(`the X connection failed: ${e.message ?? String(e)}`);
    });
    this.X.on('end', () => this.lost('the X server closed the connection'));
    if (pollMs > 0) {
      this.timer = setInterval(() => void this.refresh().catch(() => {}), pollMs);
      this.timer.unref();
    }
  }

  /** Connects to `display` (default $DISPLAY); rejects with NoDisplayError when there is none. */
  static async open(display?: string, opts: WindowWatcherOptions = {}): Promise<WindowWatcher> {
    const d = await openDisplay(display);
    const w = new WindowWatcher(d, opts.pollMs ?? 200);
    try {
      [w.netWmName, w.utf8] = await Promise.all([w.req<number>((cb) => w.X.InternAtom(false, '_NET_WM_NAME', cb)), w.req<number>((cb) => w.X.InternAtom(false, 'UTF8_STRING', cb))]);
      await w.refresh();
    } catch (e) {
      w.close();
      throw e;
    }
    return w;
  }

  /** The active window as last seen (at most one poll interval old). */
  current(): ActiveWindow | null {
    return this.win;
  }

  /** Screen size in pixels. */
  screen(): { width: number; height: number } {
    return { ...this.size };
  }

  /** Calls `cb` when the active window's id, app or title changes. Returns an unsubscribe function. */
  onChange(cb: (w: ActiveWindow | null) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Calls `cb` once if the connection to the X server is lost (not after close()). */
  onClose(cb: (reason: string) => void): () => void {
    this.closeListeners.add(cb);
    return () => this.closeListeners.delete(cb);
  }

  /**
   * Reads the active window now (call it on a key or click). A call made while a read is running
   * waits for a fresh one after it, so the answer never predates the call.
   */
  refresh(): Promise<ActiveWindow | null> {
    if (this.closedReason) return Promise.reject(new Error(`window watcher closed: ${this.closedReason}`));
    if (!this.running) return this.start();
    this.again ??= this.running.catch(() => null).then(() => {
      this.again = undefined;
      return this.start();
    });
    return this.again;
  }

  close(): void {
    this.stop('closed');
    this.X.terminate();
  }

  private start(): Promise<ActiveWindow | null> {
    const p = this.read().then(
      (w) => {
        this.running = undefined;
        this.update(w);
        return w;
      },
      (e: unknown) => {
        this.running = undefined;
        throw e;
      },
    );
    this.running = p;
    return p;
  }

  private update(w: ActiveWindow | null) {
    const old = this.win;
    this.win = w;
    if (old?.id === w?.id && old?.app === w?.app && old?.title === w?.title) return;
    for (const cb of this.listeners) cb(w);
  }

  /**
   * Whether the input focus moved since the last read: one X round trip (two when focus follows
   * the pointer), against the four or more of a read. Title changes are left to the poll.
   */
  async focusMoved(): Promise<boolean> {
    if (this.closedReason) return false;
    const { focus } = await this.req<{ focus: number }>((cb) => this.X.GetInputFocus(cb));
    if (focus !== POINTER_ROOT && focus !== this.root) return focus !== this.lastFocus;
    const ptr = await this.req<{ child: number }>((cb) => this.X.QueryPointer(this.root, cb));
    return -1 - ptr.child !== this.lastFocus;
  }

  private async read(): Promise<ActiveWindow | null> {
    const [focus, rootGeom] = await Promise.all([this.req<{ focus: number }>((cb) => this.X.GetInputFocus(cb)), this.req<{ width: number; height: number }>((cb) => this.X.GetGeometry(this.root, cb))]);
    this.size = { width: rootGeom.width, height: rootGeom.height };
    let client: number | null;
    this.lastFocus = focus.focus;
    if (focus.focus === 0) return null;
    if (focus.focus === POINTER_ROOT || focus.focus === this.root) {
      const ptr = await this.req<{ child: number }>((cb) => this.X.QueryPointer(this.root, cb));
      this.lastFocus = -1 - ptr.child;
      client = ptr.child ? await this.clientFor(ptr.child) : null;
    } else {
      client = await this.clientFor(focus.focus);
    }
    if (client === null) return null;
    try {
      return await this.describe(client);
    } catch (e) {
      // The window went away between the two reads: forget it and report no window.
      if (isBadWindow(e)) {
        this.clientOf.clear();
        return null;
      }
      throw e;
    }
  }

  /** The client window for a focus window: the first ancestor with WM_CLASS, else one inside its top-level. */
  private async clientFor(focus: number): Promise<number | null> {
    const known = this.clientOf.get(focus);
    if (known !== undefined) return known;
    let client: number | null = null;
    try {
      let w = focus;
      for (;;) {
        if (await this.hasClass(w)) {
          client = w;
          break;
        }
        const tree = await this.req<{ parent: number }>((cb) => this.X.QueryTree(w, cb));
        if (tree.parent === this.root || tree.parent === 0) {
          client = await this.findClientBelow(w);
          break;
        }
        w = tree.parent;
      }
    } catch (e) {
      if (isBadWindow(e)) return null;
      throw e;
    }
    if (client !== null) {
      if (this.clientOf.size > 256) this.clientOf.clear();
      this.clientOf.set(focus, client);
    }
    return client;
  }

  /** Breadth-first search under a top-level window (a window manager's frame) for a window with WM_CLASS. */
  private async findClientBelow(top: number): Promise<number | null> {
    let level = [top];
    for (let depth = 0; depth < 4 && level.length > 0; depth++) {
      const trees = await Promise.all(level.map((w) => this.req<{ children: number[] }>((cb) => this.X.QueryTree(w, cb))));
      level = trees.flatMap((t) => t.children);
      const classes = await Promise.all(level.map((w) => this.hasClass(w)));
      const i = classes.indexOf(true);
      if (i >= 0) return level[i]!;
    }
    // No client window inside: report the top-level itself (its app will be '').
    return top;
  }

  private async hasClass(w: number): Promise<boolean> {
    const p = await this.req<{ data: Buffer }>((cb) => this.X.GetProperty(0, w, WM_CLASS, ANY_TYPE, 0, 64, cb));
    return p.data.length > 0;
  }

  private async describe(id: number): Promise<ActiveWindow> {
    const [cls, net, name, geom, pos] = await Promise.all([
      this.req<{ data: Buffer }>((cb) => this.X.GetProperty(0, id, WM_CLASS, ANY_TYPE, 0, 64, cb)),
      this.req<{ data: Buffer; type: number }>((cb) => this.X.GetProperty(0, id, this.netWmName, this.utf8, 0, MAX_TITLE, cb)),
      this.req<{ data: Buffer; type: number }>((cb) => this.X.GetProperty(0, id, WM_NAME, ANY_TYPE, 0, MAX_TITLE, cb)),
      this.req<{ width: number; height: number }>((cb) => this.X.GetGeometry(id, cb)),
      this.req<{ destX: number; destY: number }>((cb) => this.X.TranslateCoordinates(id, this.root, 0, 0, cb)),
    ]);
    const title = net.data.length > 0 ? net.data.toString('utf8') : legacyTitle(name.data);
    return {
      id,
      app: appName(cls.data),
      title: title.slice(0, MAX_TITLE),
      bounds: { x: pos.destX, y: pos.destY, w: geom.width, h: geom.height },
    };
  }

  /** One request as a promise; rejected as well if the connection is lost meanwhile. */
  req<T>(send: (cb: (err: XError | null | undefined, result: T) => unknown) => void): Promise<T> {
    if (this.closedReason) return Promise.reject(new Error(`X connection closed: ${this.closedReason}`));
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      send((err, result) => {
        this.pending.delete(reject);
        if (err) reject(err);
        else resolve(result);
        return true;
      });
    });
  }

  private stop(reason: string) {
    if (this.closedReason) return false;
    this.closedReason = reason;
    clearInterval(this.timer);
    const err = new Error(`X connection closed: ${reason}`);
    for (const reject of this.pending) reject(err);
    this.pending.clear();
    return true;
  }

  private lost(reason: string) {
    if (!this.stop(reason)) return;
    this.update(null);
    for (const cb of this.closeListeners) cb(reason);
  }
}

/** WM_CLASS holds "instance\0class\0"; the class names the application. */
function appName(data: Buffer): string {
  const [instance = '', cls = ''] = data.toString('latin1').split('\0');
  return (cls || instance).slice(0, 128);
}

/**
 * WM_NAME is meant to be Latin-1 (STRING) or COMPOUND_TEXT, but many programs store UTF-8 bytes
 * in it. Bytes that decode as UTF-8 are taken as UTF-8 (Latin-1 text almost never does), others
 * as Latin-1.
 */
function legacyTitle(data: Buffer): string {
  try {
    return strictUtf8.decode(data);
  } catch {
    return data.toString('latin1');
  }
}
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isBadWindow(e: unknown): boolean {
  // 3 BadWindow, 9 BadDrawable, 8 BadMatch (the window is not viewable any more).
  const code = (e as { error?: number } | null)?.error;
  return code === 3 || code === 9 || code === 8;
}
