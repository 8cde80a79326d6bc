// The input-hook process. It loads uiohook-napi (which can abort the process it runs in when
// the X server goes away) and forwards what it sees to the parent in small packed batches.
// Started by host.ts only after the parent has checked that the display answers.
import { EventType, uIOhook, type UiohookKeyboardEvent, type UiohookMouseEvent, type UiohookWheelEvent } from 'uiohook-napi';
import { ALT, CTRL, type ChildMessage, META, type ParentMessage, SHIFT } from './wire.ts';

// Waking a Node process costs about as much as handling an event, so events go to the parent in
// batches at most BATCH_MS (argv[2]) apart; a mouse press goes at once. A batch is sent when an
// event arrives and the last one went BATCH_MS ago or more (so an event after a pause is not
// delayed), and the timer only fires after the last event of a burst: the child wakes about as
// often as a bare listener, the parent at most about 1000 / BATCH_MS times a second.
const BATCH_MS = Number(process.argv[2] ?? 40);

const send = (m: ChildMessage, cb?: () => void) => {
  if (process.connected) process.send!(m, undefined, undefined, cb);
  else cb?.();
};

// uiohook's `time` is the X server's timestamp (ms since the server started). Map it onto the
// wall clock with the smallest delay seen, so intervals keep the server's precision and no event
// is stamped later than it was received. A jump (server reset, wrap-around) restarts the map.
let offset = Number.NaN;
let last = 0;
function wallTime(serverTime: number): number {
  const now = Date.now();
  const candidate = now - serverTime;
  if (!(candidate >= offset) || candidate - offset > 1000) offset = candidate;
  const t = serverTime + offset;
  last = t > last ? t : last;
  return last;
}

let batch: number[] = [];
let timer: NodeJS.Timeout | undefined;
let lastFlush = 0;
function flush(cb?: () => void) {
  if (timer) clearTimeout(timer);
  timer = undefined;
  lastFlush = Date.now();
  if (batch.length === 0) return cb?.();
  const e = batch;
  batch = [];
  send({ t: 'ev', e }, cb);
}

const mods = (e: UiohookKeyboardEvent | UiohookMouseEvent | UiohookWheelEvent) =>
  (e.altKey ? ALT : 0) | (e.ctrlKey ? CTRL : 0) | (e.metaKey ? META : 0) | (e.shiftKey ? SHIFT : 0);

uIOhook.on('input', (e) => {
  const time = wallTime(e.time);
  switch (e.type) {
    case EventType.EVENT_KEY_PRESSED:
      batch.push(0, e.keycode, 0, 0, 0, mods(e), time);
      break;
    case EventType.EVENT_KEY_RELEASED:
      batch.push(1, e.keycode, 0, 0, 0, mods(e), time);
      break;
    case EventType.EVENT_MOUSE_MOVED: // also while dragging
      batch.push(2, e.x, e.y, Number(e.button), e.clicks, mods(e), time);
      break;
    case EventType.EVENT_MOUSE_PRESSED:
      batch.push(3, e.x, e.y, Number(e.button), e.clicks, mods(e), time);
      break;
    case EventType.EVENT_MOUSE_RELEASED:
      batch.push(4, e.x, e.y, Number(e.button), e.clicks, mods(e), time);
      break;
    case EventType.EVENT_MOUSE_CLICKED:
      batch.push(5, e.x, e.y, Number(e.button), e.clicks, mods(e), time);
      break;
    case EventType.EVENT_MOUSE_WHEEL:
      batch.push(6, e.x, e.y, e.rotation, e.amount, e.direction, time);
      break;
  }
  const urgent = e.type === EventType.EVENT_MOUSE_PRESSED;
  if (urgent || time - lastFlush >= BATCH_MS) flush();
  else timer ??= setTimeout(flush, BATCH_MS);
});

function shutdown(code: number) {
  try {
    uIOhook.stop();
  } catch {
    // stopping a hook that failed is not worth reporting
  }
  flush(() => process.exit(code));
}

process.on('message', (m: ParentMessage) => {
  if (m.t === 'stop') shutdown(0);
});
// The parent went away (or closed the channel): nobody is listening, so stop.
process.on('disconnect', () => shutdown(0));

try {
  uIOhook.start();
  send({ t: 'ready' });
} catch (e) {
  send({ t: 'error', message: e instanceof Error ? e.message : String(e) }, () => process.exit(1));
}
