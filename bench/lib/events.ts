import type { CaptureEvent, EventType, Target } from '@lockstep/schema';

/** Deterministic pseudo-random numbers, so that every run measures the same bytes. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TARGETS: Target[] = [
  { tag: 'input', role: 'textbox', name: 'User name', id: 'username', selector: '#username', box: { x: 24, y: 96, w: 320, h: 32 } },
  { tag: 'textarea', role: 'textbox', name: 'Message', id: 'message', selector: '#message', box: { x: 24, y: 212, w: 480, h: 120 } },
  { tag: 'button', role: 'button', name: 'Send', id: 'send', selector: '#send', box: { x: 24, y: 352, w: 96, h: 36 } },
  { tag: 'a', role: 'link', name: 'Quarterly report', selector: 'main > ul > li:nth-of-type(3) > a', box: { x: 40, y: 480, w: 180, h: 20 } },
];
const WORDS = ['the', 'report', 'numbers', 'customer', 'ticket', 'deploy', 'review', 'draft', 'invoice', 'schedule'];
const MODS = { alt: false, ctrl: false, meta: false, shift: false };

/** One event of the given type, shaped like what the web recorder emits on a form-heavy page. */
export function makeEvent(type: EventType, seq: number, t: number, r: () => number): CaptureEvent {
  const target = TARGETS[Math.floor(r() * TARGETS.length)]!;
  const x = Math.round(r() * 1280 * 10) / 10;
  const y = Math.round(r() * 720 * 10) / 10;
  switch (type) {
    case 'pointer':
      return r() < 0.9
        ? { seq, t, type, kind: 'move', x, y, buttons: 0, pointerType: 'mouse' }
        : { seq, t, type, kind: 'click', x, y, button: 0, buttons: 0, pointerType: 'mouse', mods: MODS, target };
    case 'wheel':
      return { seq, t, type, x, y, dx: 0, dy: r() < 0.5 ? 100 : -100, mode: 0, target };
    case 'scroll':
      return { seq, t, type, scrollX: 0, scrollY: Math.round(r() * 4000) };
    case 'key': {
      const ch = String.fromCharCode(97 + Math.floor(r() * 26));
      return { seq, t, type, kind: r() < 0.5 ? 'down' : 'up', key: ch, code: `Key${ch.toUpperCase()}`, char: ch, mods: MODS, target };
    }
    case 'input': {
      const n = 1 + Math.floor(r() * 6);
      const value = Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
      return { seq, t, type, value, inputType: 'insertText', target };
    }
    case 'focus':
      return { seq, t, type, kind: r() < 0.5 ? 'focus' : 'blur', target };
    case 'navigation':
      return { seq, t, type, kind: 'push', url: `https://intranet.example.org/tickets/${Math.floor(r() * 100000)}?tab=details`, title: 'Ticket details — Helpdesk' };
    case 'viewport':
      return { seq, t, type, width: 1280, height: 720, dpr: 1, scrollX: 0, scrollY: Math.round(r() * 4000) };
    case 'marker':
      return { seq, t, type, kind: r() < 0.5 ? 'pause' : 'resume', reason: 'shortcut' };
    case 'window':
      return { seq, t, type, app: 'xterm', title: `ticket-${Math.floor(r() * 1000)} — bash`, bounds: { x: 0, y: 0, w: 1280, h: 720 } };
    case 'frame':
      // A tiny stand-in image: the web mix never draws frames (MIX below), this keeps the switch whole.
      return { seq, t, type, format: 'png', width: 1, height: 1, box: { x: 0, y: 0, w: 1, h: 1 }, data: 'iVBORw0KGgo=' };
  }
}

/** The mix of a real recording: mostly mouse moves and keys, a few of everything else. */
const MIX: Array<[EventType, number]> = [
  ['pointer', 0.55],
  ['key', 0.25],
  ['input', 0.1],
  ['wheel', 0.03],
  ['scroll', 0.03],
  ['focus', 0.02],
  ['navigation', 0.01],
  ['viewport', 0.005],
  ['marker', 0.005],
];

export function* mixedEvents(count: number, seed = 1, only?: EventType): Generator<CaptureEvent> {
  const r = rng(seed);
  let t = 0;
  for (let seq = 0; seq < count; seq++) {
    t += Math.round(r() * 40 * 1000) / 1000;
    let type: EventType = only ?? 'pointer';
    if (!only) {
      let p = r();
      for (const [k, w] of MIX) {
        if ((p -= w) <= 0) {
          type = k;
          break;
        }
      }
    }
    yield makeEvent(type, seq, t, r);
  }
}

export function batches(events: Iterable<CaptureEvent>, size: number): CaptureEvent[][] {
  const out: CaptureEvent[][] = [];
  let cur: CaptureEvent[] = [];
  for (const e of events) {
    cur.push(e);
    if (cur.length === size) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length) out.push(cur);
  return out;
}
