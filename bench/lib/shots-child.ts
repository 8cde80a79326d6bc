/**
 * Screenshot cost for bench/agent.ts, in a process of its own (so the event loop measured is the
 * shooter's, not the bench's with its server). Forked with DISPLAY set; for each
 * `{ measure: { wid, shots, variants } }` (the window focused by the parent) it captures the
 * focused window `shots` times per variant and answers `{ result }`; `{ tick: true }` after each
 * capture.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { WindowShooter } from '../../packages/agent/src/screenshot.ts';
import { WindowWatcher } from '../../packages/agent/src/window.ts';

export type ShotVariant = 'jpeg' | 'png' | 'jpeg-opaque' | 'png-opaque';
export type ShotsRequest = { measure: { wid: number; shots: number; variants: ShotVariant[] } } | { idle: number };

const r1 = (n: number) => Math.round(n * 10) / 10;
const r2 = (n: number) => Math.round(n * 100) / 100;
const pctl = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** The event loop's delay while `during` runs, ms. */
async function loopDelay(during: () => Promise<void>) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await during();
  h.disable();
  const ms = (ns: number) => r2(ns / 1e6);
  return { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), meanMs: ms(h.mean) };
}

/**
 * The shooter with X's padding byte (the 4th of each pixel, 0) set to 255 before encoding.
 * sharp takes that byte for alpha and premultiplies by it when it scales, so a window wider than
 * maxWidth comes out black; this variant shows what such a frame costs and weighs with content.
 */
function opaque(shooter: WindowShooter): WindowShooter {
  const s = shooter as unknown as { encode(pixels: Buffer, box: unknown, width: number): unknown };
  const encode = s.encode.bind(shooter);
  s.encode = (pixels, box, width) => {
    for (let i = 3; i < pixels.length; i += 4) pixels[i] = 255;
    return encode(pixels, box, width);
  };
  return shooter;
}

/** Whether an encoded frame is black all over (JPEG decodes black as 1). */
async function black(data: string): Promise<boolean> {
  const stats = await sharp(Buffer.from(data, 'base64')).stats();
  return stats.channels.every((c) => c.max <= 2);
}

const watcher = await WindowWatcher.open(process.env.DISPLAY, { pollMs: 0 });

async function measure(wid: number, shots: number, variants: ShotVariant[]) {
  const win = await watcher.refresh();
  if (win?.id !== wid) throw new Error(`window ${wid} is not the focused one (${win?.id})`);
  const out: Record<string, unknown> = { window: win.bounds };
  for (const variant of variants) {
    const format = variant.startsWith('png') ? 'png' : 'jpeg';
    const plain = new WindowShooter(watcher, { format, quality: 70 });
    const shooter = variant.endsWith('opaque') ? opaque(plain) : plain;
    for (let i = 0; i < 3; i++) await shooter.capture(win); // warm-up
    const ms: number[] = [];
    const bytes: number[] = [];
    let last: Awaited<ReturnType<WindowShooter['capture']>> | undefined;
    let cpu = 0;
    const delay = await loopDelay(async () => {
      const c0 = process.cpuUsage();
      for (let i = 0; i < shots; i++) {
        last = await shooter.capture(win);
        ms.push(last.ms);
        bytes.push(last.bytes);
        process.send!({ tick: true });
      }
      const c = process.cpuUsage(c0);
      cpu = (c.user + c.system) / 1000 / shots;
    });
    out[variant.replace('jpeg', 'jpegQ70')] = {
      image: `${last!.width}x${last!.height}`,
      allBlack: await black(last!.data),
      ms: { median: r1(pctl(ms, 50)), p95: r1(pctl(ms, 95)) },
      bytes: { median: pctl(bytes, 50), p95: pctl(bytes, 95) },
      processCpuMsPerCapture: r1(cpu),
      eventLoopDelayDuringCaptures: delay,
    };
  }
  return out;
}

process.on('message', (m: ShotsRequest) => {
  const job = 'idle' in m ? loopDelay(() => new Promise((r) => setTimeout(r, m.idle))) : measure(m.measure.wid, m.measure.shots, m.measure.variants);
  job.then(
    (result) => process.send!({ result }),
    (error: unknown) => process.send!({ error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => {
  watcher.close();
  process.exit(0);
});
process.send!({ ready: true });
