import { FrameEvent } from '@lockstep/schema';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Frame, WindowShooter } from './screenshot.ts';
import { XvfbSession, type Xterm } from './testing/xvfb.ts';
import { type ActiveWindow, WindowWatcher } from './window.ts';

/** Decodes a frame to raw RGB. */
async function decode(f: Frame) {
  const { data, info } = await sharp(Buffer.from(f.data, 'base64')).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
  return { data, info, at };
}

describe('WindowShooter', () => {
  let x: XvfbSession;
  let red: Xterm;
  let blue: Xterm;
  let w: WindowWatcher;

  async function focused(t: Xterm): Promise<ActiveWindow> {
    await x.focus(t.wid);
    const win = await w.refresh();
    expect(win?.id).toBe(t.wid);
    return win!;
  }

  beforeAll(async () => {
    x = await XvfbSession.start();
    red = await x.xterm({ title: 'red', cls: 'Red', geometry: '80x24+40+40', args: ['-bg', 'red', '-fg', 'red'] });
    // Created later, so stacked above: it covers the lower right of the red one.
    blue = await x.xterm({ title: 'blue', cls: 'Blue', geometry: '40x10+400+250', args: ['-bg', 'blue', '-fg', 'blue'] });
    w = await WindowWatcher.open(x.display, { pollMs: 0 });
  });
  afterAll(async () => {
    w?.close();
    await x?.stop();
  });

  it('captures the active window only, as a JPEG of its size, with its bounds as box', async () => {
    const win = await focused(blue);
    const f = await new WindowShooter(w).capture(win);
    expect(f.format).toBe('jpeg');
    expect(f.box).toEqual(win.bounds);
    expect([f.width, f.height]).toEqual([win.bounds.w, win.bounds.h]);
    expect(f.width).toBeLessThan(w.screen().width);
    const img = await decode(f);
    const meta = await sharp(Buffer.from(f.data, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', win.bounds.w, win.bounds.h]);
    expect(f.bytes).toBe(Buffer.from(f.data, 'base64').length);
    // Blue stays blue (the X pixels are B, G, R, X).
    const [r, g, b] = img.at(Math.floor(f.width / 2), Math.floor(f.height / 2));
    expect(r).toBeLessThan(40);
    expect(g).toBeLessThan(40);
    expect(b).toBeGreaterThan(215);
    // It fits the schema's frame event as it is.
    expect(FrameEvent.safeParse({ seq: 0, t: 0, type: 'frame', format: f.format, width: f.width, height: f.height, box: f.box, data: f.data }).success).toBe(true);
  });

  it('blacks out the parts other windows cover, as PNG with exact colours', async () => {
    const win = await focused(red); // focused, but still below the blue one (no window manager raises it)
    const f = await new WindowShooter(w, { format: 'png' }).capture(win);
    expect(f.format).toBe('png');
    expect(f.box).toEqual(win.bounds);
    const img = await decode(f);
    expect(img.info.width).toBe(win.bounds.w);
    const blueBounds = (await w.req<{ destX: number; destY: number }>((cb) => w.display.client.TranslateCoordinates(blue.wid, w.display.screen[0]!.root, 0, 0, cb)));
    // Inside the covered part: black. Outside: red. Nowhere: blue.
    expect(img.at(blueBounds.destX - f.box.x + 5, blueBounds.destY - f.box.y + 5)).toEqual([0, 0, 0]);
    expect(img.at(f.width - 2, f.height - 2)).toEqual([0, 0, 0]);
    expect(img.at(f.width - 2, 10)).toEqual([255, 0, 0]);
    expect(img.at(10, f.height - 2)).toEqual([255, 0, 0]);
    let bluish = 0;
    let black = 0;
    for (let i = 0; i < img.data.length; i += 3) {
      if (img.data[i + 2]! > 100 && img.data[i]! < 100) bluish++;
      if (img.data[i]! + img.data[i + 1]! + img.data[i + 2]! === 0) black++;
    }
    expect(bluish).toBe(0);
    const overlapW = win.bounds.x + win.bounds.w - (blueBounds.destX - 1); // the blue window's border covers too
    const overlapH = win.bounds.y + win.bounds.h - (blueBounds.destY - 1);
    expect(black).toBeGreaterThanOrEqual(overlapW * overlapH - 2 * (overlapW + overlapH));
  });

  it('scales wide windows down to maxWidth, keeping the aspect', async () => {
    const win = await focused(red);
    const f = await new WindowShooter(w, { maxWidth: 200, quality: 50 }).capture(win);
    expect(f.width).toBe(200);
    expect(Math.abs(f.height - (win.bounds.h * 200) / win.bounds.w)).toBeLessThanOrEqual(1);
    const meta = await sharp(Buffer.from(f.data, 'base64')).metadata();
    expect([meta.width, meta.height]).toEqual([f.width, f.height]);
    expect(f.box).toEqual(win.bounds); // the box stays in screen pixels
    // Scaled, the window keeps its colours (X's unused fourth byte is not taken for alpha).
    const png = await decode(await new WindowShooter(w, { maxWidth: 200, format: 'png' }).capture(win));
    expect(png.at(195, 5)).toEqual([255, 0, 0]);
  });

  it('captures only the on-screen part of a window partly off screen', async () => {
    await x.xdotool('windowmove', '--sync', String(blue.wid), '-60', '700');
    try {
      const win = await focused(blue);
      expect(win.bounds.x).toBeLessThan(0);
      expect(win.bounds.y + win.bounds.h).toBeGreaterThan(800);
      const f = await new WindowShooter(w, { format: 'png' }).capture(win);
      expect(f.box).toEqual({ x: 0, y: win.bounds.y, w: win.bounds.w + win.bounds.x, h: 800 - win.bounds.y });
      expect([f.width, f.height]).toEqual([f.box.w, f.box.h]);
    } finally {
      await x.xdotool('windowmove', '--sync', String(blue.wid), '400', '250');
    }
  });

  it('rejects for a window that is gone, and keeps working', async () => {
    const t = await x.xterm({ title: 'brief', cls: 'Brief' });
    const win = await focused(t);
    t.process.kill();
    await new Promise((r) => t.process.once('exit', r));
    await w.display.client.sync();
    const shooter = new WindowShooter(w);
    await expect(shooter.capture(win)).rejects.toThrow();
    const f = await shooter.capture(await focused(red));
    expect(f.box.w).toBeGreaterThan(0);
  });

  it('keeps the event loop free while it scales and encodes (measured on a 640x400 xterm with text)', async () => {
    const text = await x.xterm({
      title: 'text',
      cls: 'Text',
      geometry: '+0+0',
      command: ['bash', '--norc', '--noprofile', '-c', 'for i in $(seq 1 40); do echo "line $i: the quick brown fox jumps over the lazy dog, 0123456789"; done; cat'],
    });
    await x.xdotool('windowsize', '--sync', String(text.wid), '640', '400');
    const win = await focused(text);
    expect([win.bounds.w, win.bounds.h]).toEqual([640, 400]);
    const shooter = new WindowShooter(w);
    await shooter.capture(win); // warm up
    const stats: Array<{ ms: number; bytes: number }> = [];
    let maxGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 1);
    try {
      for (let i = 0; i < 10; i++) stats.push(await shooter.capture(win));
    } finally {
      clearInterval(ticker);
    }
    const png = await new WindowShooter(w, { format: 'png' }).capture(win);
    const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1]!;
    console.log(
      `640x400 xterm: jpeg q70 median ${med(stats.map((s) => s.ms))} ms, ${med(stats.map((s) => s.bytes))} bytes; png ${png.ms} ms, ${png.bytes} bytes; longest event-loop gap ${maxGap.toFixed(1)} ms`,
    );
    expect(stats.every((s) => s.bytes > 2000)).toBe(true); // text, not a blank image
    expect(maxGap).toBeLessThan(50);

    // Too large for maxBytes: encoded again, smaller; hopeless: an error.
    const limit = Math.floor(stats[0]!.bytes / 2);
    const small = await new WindowShooter(w, { maxBytes: limit }).capture(win);
    expect(small.bytes).toBeLessThanOrEqual(limit);
    expect(small.width).toBeLessThan(640);
    expect(small.box).toEqual(win.bounds);
    await expect(new WindowShooter(w, { maxBytes: 100 }).capture(win)).rejects.toThrow(/does not fit in 100 bytes/);
  });
});
