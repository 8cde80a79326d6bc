/**
 * The agent's capture pipeline alone, in its own process, for the soak of bench/agent.ts:
 * DesktopRecorder (the agent's keymap, the default redactor) → SpoolBatcher → an encrypted Spool
 * in a temporary directory → SpoolUploader to the server the parent runs. Forked with
 * `--expose-gc`; the parent sends `{ server, token, device, dir, minutes }`.
 *
 * Input is generated on a simulated clock (the recorder's `now`, and each event's `time`):
 * 10 keys a second typing prose (typing.ts), mouse moves at 60 Hz, a click every 30 s, the focus
 * going back and forth between two allowed xterms every 3 minutes, and the batcher flushed every
 * second, as the agent flushes it. The simulation runs as fast as it can, giving the event loop a
 * turn every 200 simulated ms, so the uploader (and the recorder's deferred redaction work) run
 * for real. At the end of each simulated minute the uploader is given the time to catch up (as it
 * does in real time, where it sends about one batch a second): otherwise two hours squeezed into
 * seconds would pile a backlog into the spool that no real session has, and the SQLite cache it
 * warms would be counted as the pipeline's growth.
 *
 * After every simulated minute the heap is collected and the process reports RSS, heap used,
 * the wall time of each `recorder.input()` call that minute (one event per call; the batcher's
 * take() and any batch it writes happen inside it), p50/p99 for all events and for keys alone,
 * the flushes' p50/p99, and the spool's size.
 */
import { webcrypto, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { newId } from '@lockstep/schema';
import { SpoolBatcher } from '../../packages/agent/src/batcher.ts';
import type { RawInput } from '../../packages/agent/src/hooks/host.ts';
import { keyFor } from '../../packages/agent/src/keymap.ts';
import { DesktopRecorder, type WindowInfo } from '../../packages/agent/src/recorder.ts';
import { Spool } from '../../packages/agent/src/spool.ts';
import { SpoolUploader } from '../../packages/agent/src/uploader.ts';
import { PROSE } from './typing.ts';

export interface SoakConfig {
  server: string;
  token: string;
  device: string;
  dir: string;
  minutes: number;
}

export interface SoakMinute {
  minute: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** Per-event wall time of recorder.input(), µs. */
  p50Us: number;
  p99Us: number;
  maxUs: number;
  /** recorder.input() calls that took over 1 ms. */
  over1ms: number;
  keyP50Us: number;
  keyP99Us: number;
  flushP50Us: number;
  flushP99Us: number;
  events: number;
  spoolBatches: number;
  spoolMiB: number;
  uploadedBatches: number;
  /** Wall seconds since the simulation started. */
  wallS: number;
}

export type SoakMessage =
  | { minute: SoakMinute }
  | {
      end: {
        session: string;
        inputEvents: number;
        emittedEvents: number;
        batchesWritten: number;
        uploadedBatches: number;
        uploadedEvents: number;
        remasked: Record<string, number>;
        uploadErrors: string[];
        simWallS: number;
        drainS: number;
        drained: boolean;
        spoolLeft: number;
        peakSpool: { batches: number; MiB: number };
      };
    };

const MOVE_MS = 1000 / 60;
const KEY_MS = 100;
const HOLD_MS = 40;
const CLICK_EVERY_MS = 30_000;
const SWITCH_EVERY_MS = 180_000;
/** The simulation's step: input is fed and the event loop given a turn this often (simulated ms). */
const STEP_MS = 200;
/** The batcher is flushed this often, as the agent does (agent.ts, flushMs). */
const FLUSH_MS = 1000;
const MINUTE = 60_000;

const gc = runInNewContext('gc') as () => void;
const send = (m: SoakMessage) => new Promise<void>((resolve) => process.send!(m, undefined, undefined, () => resolve()));
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = xs.sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const us = (ms: number) => Math.round(ms * 10_000) / 10;
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

/** uiohook keycode of each character (US layout), read back from the agent's own keymap. */
function keycodes(): Map<string, number> {
  const map = new Map<string, number>([['\n', 0x1c]]);
  for (let k = 0; k < 0x100; k++) {
    const c = keyFor(k, false).char;
    if (c !== undefined && !map.has(c)) map.set(c, k);
  }
  return map;
}

async function soak(cfg: SoakConfig): Promise<void> {
  const codes = keycodes();
  const windows: WindowInfo[] = [
    { id: 0x400001, app: 'XTerm', title: 'report shell', bounds: { x: 0, y: 0, w: 964, h: 604 } },
    { id: 0x600001, app: 'XTerm', title: 'ledger shell', bounds: { x: 400, y: 200, w: 964, h: 604 } },
  ];
  const spool = Spool.open(join(cfg.dir, 'spool.db'), { key: randomBytes(32), maxBytes: 256 * 2 ** 20 });
  let uploadedBatches = 0;
  let uploadedEvents = 0;
  const remasked: Record<string, number> = {};
  const uploadErrors: string[] = [];
  const uploader = new SpoolUploader({
    spool,
    server: cfg.server,
    token: cfg.token,
    device: cfg.device,
    onReceipt: (r) => {
      uploadedBatches++;
      uploadedEvents += r.events;
      for (const [kind, n] of Object.entries(r.remasked ?? {})) remasked[kind] = (remasked[kind] ?? 0) + n;
    },
    onError: (p) => {
      if (uploadErrors.length < 10) uploadErrors.push(p.message);
    },
  });
  const session = newId('ses', (b) => webcrypto.getRandomValues(b));
  // The simulated clock: wall ms, starting now.
  const t0 = Date.now();
  let now = t0;
  const recorder: DesktopRecorder = new DesktopRecorder({ emit: (events) => batcher.take(events), keyOf: keyFor, screen: { width: 1920, height: 1080 }, now: () => now });
  const batcher = new SpoolBatcher({ spool, session, written: () => uploader.kick(), full: () => recorder.stop('spool-full'), room: () => recorder.resume('spool-full') });
  recorder.configure({ apps: ['xterm'], titles: [], screenshots: false });
  recorder.resume('consent');
  recorder.focus(windows[0]!);
  uploader.start();

  const mods = { alt: false, ctrl: false, meta: false, shift: false };
  let nextMove = 0;
  let nextKey = 0;
  let nextClick = CLICK_EVERY_MS / 2;
  let nextSwitch = SWITCH_EVERY_MS;
  let typed = 0;
  let moves = 0;
  let win = 0;
  let inputEvents = 0;
  let lat: number[] = [];
  let keyLat: number[] = [];
  let flushLat: number[] = [];
  let peak = { batches: 0, bytes: 0 };
  const wall0 = performance.now();

  const feed = (e: RawInput) => {
    now = t0 + e.time;
    const ev = { ...e, time: now };
    const a = performance.now();
    recorder.input([ev]);
    const d = performance.now() - a;
    lat.push(d);
    if (e.kind === 'keydown' || e.kind === 'keyup') keyLat.push(d);
    inputEvents++;
  };
  const mouse = (kind: 'mousemove' | 'mousedown' | 'mouseup' | 'click', time: number, x: number, y: number, button = 0): RawInput => ({
    kind,
    x,
    y,
    button,
    clicks: kind === 'mousemove' ? 0 : 1,
    ...mods,
    time,
  });

  const end = cfg.minutes * MINUTE;
  for (let chunk = 0; chunk * STEP_MS < end; chunk++) {
    const from = chunk * STEP_MS;
    const to = from + STEP_MS;
    // This chunk's input, in time order.
    const batch: RawInput[] = [];
    for (; nextMove < to; nextMove += MOVE_MS, moves++) {
      const b = windows[win]!.bounds;
      batch.push(mouse('mousemove', Math.round(nextMove), b.x + 20 + ((moves * 3) % (b.w - 40)), b.y + 20 + ((moves * 2) % (b.h - 40))));
    }
    for (; nextKey < to; nextKey += KEY_MS) {
      const code = codes.get(PROSE[typed++ % PROSE.length]!)!;
      batch.push({ kind: 'keydown', keycode: code, ...mods, time: nextKey }, { kind: 'keyup', keycode: code, ...mods, time: nextKey + HOLD_MS });
    }
    if (nextClick < to) {
      const b = windows[win]!.bounds;
      const [x, y] = [b.x + 100, b.y + 100];
      batch.push(mouse('mousedown', nextClick, x, y, 1), mouse('mouseup', nextClick + 80, x, y, 1), mouse('click', nextClick + 80, x, y, 1));
      nextClick += CLICK_EVERY_MS;
    }
    batch.sort((a, b) => a.time - b.time);
    for (const e of batch) {
      if (nextSwitch <= e.time) {
        now = t0 + nextSwitch;
        win = 1 - win;
        recorder.focus(windows[win]!);
        nextSwitch += SWITCH_EVERY_MS;
      }
      feed(e);
    }
    now = t0 + to;
    if (to % FLUSH_MS === 0) {
      const a = performance.now();
      batcher.flush();
      batcher.checkRoom();
      flushLat.push(performance.now() - a);
    }
    const s = spool.stats();
    if (s.bytes > peak.bytes) peak = { batches: s.batches, bytes: s.bytes };
    await new Promise((r) => setImmediate(r));

    if (to % MINUTE === 0) {
      await uploader.drain(60_000);
      gc();
      const m = process.memoryUsage();
      const st = spool.stats();
      await send({
        minute: {
          minute: to / MINUTE,
          rssMiB: mib(m.rss),
          heapUsedMiB: mib(m.heapUsed),
          p50Us: us(pct(lat, 50)),
          p99Us: us(pct(lat, 99)),
          maxUs: us(lat.reduce((a, b) => Math.max(a, b), 0)),
          over1ms: lat.filter((d) => d > 1).length,
          keyP50Us: us(pct(keyLat, 50)),
          keyP99Us: us(pct(keyLat, 99)),
          flushP50Us: us(pct(flushLat, 50)),
          flushP99Us: us(pct(flushLat, 99)),
          events: lat.length,
          spoolBatches: st.batches,
          spoolMiB: mib(st.bytes),
          uploadedBatches,
          wallS: Math.round((performance.now() - wall0) / 100) / 10,
        },
      });
      lat = [];
      keyLat = [];
      flushLat = [];
    }
  }
  const simWallS = (performance.now() - wall0) / 1000;
  recorder.end();
  batcher.flush();
  const d0 = performance.now();
  const drained = await uploader.drain(30 * MINUTE);
  const drainS = (performance.now() - d0) / 1000;
  await uploader.stop();
  const spoolLeft = spool.stats().batches;
  spool.close();
  await send({
    end: {
      session,
      inputEvents,
      emittedEvents: recorder.status().events,
      batchesWritten: batcher.batches,
      uploadedBatches,
      uploadedEvents,
      remasked,
      uploadErrors,
      simWallS: Math.round(simWallS * 10) / 10,
      drainS: Math.round(drainS * 10) / 10,
      drained,
      spoolLeft,
      peakSpool: { batches: peak.batches, MiB: mib(peak.bytes) },
    },
  });
}

process.once('message', (cfg: SoakConfig) => {
  soak(cfg).then(
    () => process.disconnect(),
    (error: unknown) => {
      process.stderr.write(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
});
