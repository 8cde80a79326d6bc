import type { XDisplay } from 'x11';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoDisplayError, openDisplay } from './hooks/display.ts';
import { XvfbSession, type Xterm } from './testing/xvfb.ts';
import { type ActiveWindow, WindowWatcher } from './window.ts';

const POINTER_ROOT = 1;

async function until<T>(what: string, get: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Position and size of a window as xdotool sees them (outer corner, inside size). */
async function xdotoolGeometry(x: XvfbSession, wid: number) {
  const out = await x.xdotool('getwindowgeometry', '--shell', String(wid));
  const v = Object.fromEntries(out.trim().split('\n').map((l) => l.split('=') as [string, string]));
  return { x: Number(v.X), y: Number(v.Y), w: Number(v.WIDTH), h: Number(v.HEIGHT) };
}

describe('WindowWatcher', () => {
  let x: XvfbSession;
  let a: Xterm;
  let b: Xterm;
  let shell: Xterm;
  let w: WindowWatcher;
  let probe: XDisplay; // a second connection, standing in for a window manager
  const changes: Array<ActiveWindow | null> = [];

  beforeAll(async () => {
    x = await XvfbSession.start();
    a = await x.xterm({ title: 'alpha notes', cls: 'AlphaApp', geometry: '60x20+20+30' });
    b = await x.xterm({ title: 'beta mail', cls: 'BetaApp', geometry: '70x22+600+300' });
    shell = await x.xterm({ title: 'shell', cls: 'ShellApp', geometry: '60x10+20+500', command: ['bash', '--norc', '--noprofile'] });
    probe = await openDisplay(x.display);
    w = await WindowWatcher.open(x.display, { pollMs: 100 });
    w.onChange((win) => changes.push(win));
  });
  afterAll(async () => {
    w?.close();
    probe?.client.terminate();
    await x?.stop();
  });

  it('reports the screen size', () => {
    expect(w.screen()).toEqual({ width: 1280, height: 800 });
  });

  it('follows the window under the pointer while the focus is PointerRoot (no window manager)', async () => {
    probe.client.SetInputFocus(POINTER_ROOT, POINTER_ROOT);
    await probe.client.sync();
    await x.mousemove(100, 100);
    expect((await w.refresh())?.app).toBe('AlphaApp');
    await x.mousemove(700, 400);
    expect((await w.refresh())?.app).toBe('BetaApp');
    await x.mousemove(1200, 50); // bare root: nothing
    expect(await w.refresh()).toBeNull();
  });

  it('reports each xterm with its class, title and bounds as the focus moves between them', async () => {
    await x.focus(a.wid);
    const first = await w.refresh();
    const geoA = await xdotoolGeometry(x, a.wid);
    expect(first).toEqual({ id: a.wid, app: 'AlphaApp', title: 'alpha notes', bounds: { x: expect.any(Number), y: expect.any(Number), w: geoA.w, h: geoA.h } });
    // Bounds are the inside of the window, in screen pixels: the outer corner plus the border.
    expect(first!.bounds.x - geoA.x).toBe(first!.bounds.y - geoA.y);
    expect(first!.bounds.x - geoA.x).toBeGreaterThanOrEqual(0);
    expect(first!.bounds.x - geoA.x).toBeLessThanOrEqual(2);
    expect(Object.keys(first!).sort()).toEqual(['app', 'bounds', 'id', 'title']); // nothing else leaves
    expect(w.current()).toEqual(first);

    await x.focus(b.wid);
    expect(await w.refresh()).toMatchObject({ id: b.wid, app: 'BetaApp', title: 'beta mail' });
    await x.focus(a.wid);
    await w.refresh();
    expect(changes.slice(-3).map((c) => c?.app)).toEqual(['AlphaApp', 'BetaApp', 'AlphaApp']);
  });

  it('tells cheaply whether the focus moved since the last read (explicit focus, and focus under the pointer)', async () => {
    await x.focus(a.wid);
    await w.refresh();
    expect(await w.focusMoved()).toBe(false);
    await x.focus(b.wid);
    expect(await w.focusMoved()).toBe(true);
    await w.refresh();
    expect(await w.focusMoved()).toBe(false);
    probe.client.SetInputFocus(POINTER_ROOT, POINTER_ROOT);
    await probe.client.sync();
    await x.mousemove(100, 100);
    expect(await w.focusMoved()).toBe(true);
    await w.refresh();
    expect(await w.focusMoved()).toBe(false);
    await x.mousemove(700, 400);
    expect(await w.focusMoved()).toBe(true);
    await x.focus(a.wid);
    await w.refresh();
  });

  it('notices a focus change by polling, without refresh()', async () => {
    await x.focus(a.wid);
    await w.refresh();
    const n = changes.length;
    await x.focus(b.wid);
    const seen = await until('a polled change', () => (changes.length > n ? changes.at(-1) : undefined), 2000);
    expect(seen).toMatchObject({ id: b.wid, app: 'BetaApp' });
  });

  it('reports a title change (UTF-8) of the same window, and only changes', async () => {
    await x.focus(b.wid);
    await w.refresh();
    const n = changes.length;
    await w.refresh();
    await w.refresh();
    expect(changes.length).toBe(n); // nothing changed: no call
    await x.setTitle(b.wid, 'Café ☕ — draft');
    const win = await w.refresh();
    expect(win).toMatchObject({ id: b.wid, app: 'BetaApp', title: 'Café ☕ — draft' });
    expect(changes.slice(n)).toEqual([win]);
  });

  it('prefers _NET_WM_NAME (UTF-8) and reads a Latin-1 WM_NAME as Latin-1', async () => {
    const X = probe.client;
    const intern = (name: string) => w.req<number>((cb) => X.InternAtom(false, name, cb));
    const [netWmName, utf8] = [await intern('_NET_WM_NAME'), await intern('UTF8_STRING')];
    const STRING = 31;
    const WM_NAME = 39;
    await x.focus(a.wid);
    X.ChangeProperty(0, a.wid, WM_NAME, STRING, 8, Buffer.from('caf\xe9 latin', 'latin1'));
    await X.sync();
    expect((await w.refresh())?.title).toBe('café latin');
    X.ChangeProperty(0, a.wid, netWmName, utf8, 8, Buffer.from('Ünïcode — 日本', 'utf8'));
    await X.sync();
    expect((await w.refresh())?.title).toBe('Ünïcode — 日本');
    X.ChangeProperty(0, a.wid, netWmName, utf8, 8, Buffer.from('x'.repeat(5000), 'utf8'));
    await X.sync();
    expect((await w.refresh())?.title).toBe('x'.repeat(1024)); // capped like the schema's window title
    X.ChangeProperty(0, a.wid, netWmName, utf8, 8, Buffer.from('alpha notes', 'utf8'));
    X.ChangeProperty(0, a.wid, WM_NAME, STRING, 8, Buffer.from('alpha notes', 'latin1'));
    await X.sync();
    expect((await w.refresh())?.title).toBe('alpha notes');
  });

  it('does not report a move as a change, but current() has the new bounds', async () => {
    await x.focus(b.wid);
    const before = (await w.refresh())!;
    const n = changes.length;
    await x.xdotool('windowmove', '--sync', String(b.wid), '650', '320');
    const after = (await w.refresh())!;
    expect(after.bounds.x - before.bounds.x).toBe(50);
    expect(after.bounds.y - before.bounds.y).toBe(20);
    expect(w.current()!.bounds).toEqual(after.bounds);
    expect(changes.length).toBe(n);
  });

  it('reports a title the program sets itself (an escape sequence typed into bash)', async () => {
    await x.focus(shell.wid);
    expect((await w.refresh())?.title).toBe('shell');
    await x.type("printf '\\033]0;new title\\007'\n");
    const win = await until('the new title', () => (w.current()?.title === 'new title' ? w.current() : undefined));
    expect(win).toMatchObject({ id: shell.wid, app: 'ShellApp', title: 'new title' });
  });

  it('walks up from a focused sub-window to the client window', async () => {
    const tree = await w.req<{ children: number[] }>((cb) => probe.client.QueryTree(a.wid, cb));
    expect(tree.children.length).toBeGreaterThan(0); // xterm's VT100 widget
    probe.client.SetInputFocus(tree.children[0]!, POINTER_ROOT);
    await probe.client.sync();
    expect(await w.refresh()).toMatchObject({ id: a.wid, app: 'AlphaApp', title: 'alpha notes' });
  });

  it('finds the client inside a window-manager frame, with bounds in screen pixels', async () => {
    const X = probe.client;
    const root = probe.screen[0]!.root;
    const frame = X.AllocID();
    X.CreateWindow(frame, root, 300, 200, 600, 400, 0, 0, 0, 0, { backgroundPixel: 0 });
    X.MapWindow(frame);
    X.ReparentWindow(b.wid, frame, 7, 25);
    X.MapWindow(b.wid);
    await X.sync();
    try {
      const border = (await w.req<{ borderWidth: number }>((cb) => X.GetGeometry(b.wid, cb))).borderWidth;
      // Focus on the client itself.
      X.SetInputFocus(b.wid, POINTER_ROOT);
      await X.sync();
      const win = await w.refresh();
      expect(win).toMatchObject({ id: b.wid, app: 'BetaApp', bounds: { x: 300 + 7 + border, y: 200 + 25 + border } });
      // Focus on the frame (no WM_CLASS): the client is found inside it.
      X.SetInputFocus(frame, POINTER_ROOT);
      await X.sync();
      expect(await w.refresh()).toMatchObject({ id: b.wid, app: 'BetaApp' });
    } finally {
      X.ReparentWindow(b.wid, root, 600, 300);
      X.MapWindow(b.wid);
      X.DestroyWindow(frame);
      await X.sync();
    }
  });

  it('reports no window when the focus is None', async () => {
    probe.client.SetInputFocus(0, 0);
    await probe.client.sync();
    expect(await w.refresh()).toBeNull();
    expect(w.current()).toBeNull();
    expect(changes.at(-1)).toBeNull();
  });

  it('serves concurrent refreshes, the later ones after the focus change they follow', async () => {
    await x.focus(a.wid);
    const first = w.refresh();
    await x.focus(b.wid);
    const [r1, r2, r3] = await Promise.all([first, w.refresh(), w.refresh()]);
    expect(r1?.id).toBeDefined();
    expect(r2?.id).toBe(b.wid);
    expect(r3?.id).toBe(b.wid);
  });

  it('rejects with NoDisplayError without a display', async () => {
    const saved = process.env.DISPLAY;
    delete process.env.DISPLAY;
    try {
      await expect(WindowWatcher.open()).rejects.toBeInstanceOf(NoDisplayError);
      await expect(WindowWatcher.open(':0.nothing-here')).rejects.toBeInstanceOf(NoDisplayError);
    } finally {
      if (saved !== undefined) process.env.DISPLAY = saved;
    }
  });

  it('tells its listeners when the X server goes away, and refuses to refresh after close()', async () => {
    const other = await XvfbSession.start();
    try {
      const t = await other.xterm({ title: 'short lived', cls: 'Gone' });
      await other.focus(t.wid);
      const watcher = await WindowWatcher.open(other.display);
      expect(watcher.current()?.app).toBe('Gone');
      const seen: Array<ActiveWindow | null> = [];
      let reason: string | undefined;
      watcher.onChange((win) => seen.push(win));
      watcher.onClose((r) => (reason = r));
      await other.stop();
      await until('onClose', () => reason);
      expect(reason).toMatch(/closed the connection/);
      expect(watcher.current()).toBeNull();
      expect(seen).toEqual([null]);
      await expect(watcher.refresh()).rejects.toThrow(/closed/);
      watcher.close();
    } finally {
      await other.stop();
    }

    const again = await WindowWatcher.open(x.display);
    again.close();
    await expect(again.refresh()).rejects.toThrow(/closed/);
  });
});
