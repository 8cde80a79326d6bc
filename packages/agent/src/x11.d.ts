// Types for the parts of the `x11` package (sidorares/node-x11, pure-JS X11 protocol client) that
// the agent uses. Requests are callback-based; a callback that returns `true` marks its error handled.
declare module 'x11' {
  import type { EventEmitter } from 'node:events';

  export interface XError extends Error {
    error: number;
    seq: number;
    badParam?: number;
    majorOpcode?: number;
  }

  type Cb<T> = (err: XError | null | undefined, result: T) => unknown;

  export interface XScreen {
    root: number;
    pixel_width: number;
    pixel_height: number;
    root_depth: number;
  }

  export interface XDisplay {
    client: XClient;
    screen: XScreen[];
    /** 0 LSBFirst, 1 MSBFirst: the byte order of GetImage pixels. */
    image_byte_order: number;
    /** Pixmap formats by depth. */
    format: Record<number, { bits_per_pixel: number; scanline_pad: number }>;
    max_request_length?: number;
  }

  export interface XProperty {
    type: number;
    format: number;
    bytesAfter: number;
    data: Buffer;
  }

  export interface XClient extends EventEmitter {
    /** Atom cache, name → id. */
    atoms: Record<string, number>;
    /** Atom cache, id → name. */
    atom_names: Record<number, string>;
    GetInputFocus(cb: Cb<{ focus: number; revertTo: number }>): void;
    QueryTree(wid: number, cb: Cb<{ root: number; parent: number; children: number[] }>): void;
    QueryPointer(wid: number, cb: Cb<{ sameScreen: boolean; root: number; child: number; rootX: number; rootY: number; childX: number; childY: number; keyMask: number }>): void;
    InternAtom(onlyIfExists: boolean, name: string, cb: Cb<number>): void;
    GetProperty(del: number, wid: number, name: number, type: number, longOffset: number, longLength: number, cb: Cb<XProperty>): void;
    GetGeometry(drawable: number, cb: Cb<{ depth: number; windowid: number; xPos: number; yPos: number; width: number; height: number; borderWidth: number }>): void;
    GetWindowAttributes(wid: number, cb: Cb<{ mapState: number; overrideRedirect: boolean; klass: number; visual: number }>): void;
    TranslateCoordinates(src: number, dst: number, x: number, y: number, cb: Cb<{ sameScreen: boolean; child: number; destX: number; destY: number }>): void;
    GetImage(format: number, drawable: number, x: number, y: number, width: number, height: number, planeMask: number, cb: Cb<{ depth: number; visualId: number; data: Buffer }>): void;
    // Used by tests to stand in for a window manager.
    AllocID(): number;
    CreateWindow(wid: number, parent: number, x: number, y: number, width: number, height: number, borderWidth?: number, depth?: number, klass?: number, visual?: number, values?: Record<string, number>): void;
    ReparentWindow(wid: number, parent: number, x: number, y: number): void;
    MapWindow(wid: number): void;
    DestroyWindow(wid: number): void;
    /** 0 None, 1 PointerRoot, or a window; `revertTo` 0 None, 1 PointerRoot, 2 Parent. */
    SetInputFocus(wid: number, revertTo: number, cb?: (err: XError | null) => unknown): void;
    ChangeProperty(mode: number, wid: number, name: number, type: number, format: number, data: Buffer | string | number | number[]): void;
    /** Round trip: resolves once the server has processed every request sent so far. */
    sync(): Promise<void>;
    terminate(): void;
  }

  export interface CreateClientOptions {
    display?: string;
    disableBigRequests?: boolean;
    shm?: boolean | 'off';
  }

  export function createClient(opts: CreateClientOptions, cb: (err: Error | undefined | null, display: XDisplay) => void): XClient;

  const x11: { createClient: typeof createClient };
  export default x11;
}
