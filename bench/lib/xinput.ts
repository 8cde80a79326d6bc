/**
 * Synthetic desktop input for bench/agent.ts: one long-lived process that talks XTEST on its own
 * X connection (no xdotool per event). Forked with DISPLAY set; the parent sends
 * `{ run: seconds, box, midWord? }` and gets `{ done: { keys, moves, ms } }` back once every
 * request of the run has reached the server.
 *
 * Keys: 10 a second, each a press and, 40 ms later, a release, typing the prose of typing.ts
 * (no Shift, no Ctrl). Moves: 60 a second, absolute, inside `box`, each to a new position (the
 * same position twice makes no event).
 */
import x11, { type XClient } from 'x11';
import { PROSE as TEXT } from './typing.ts';

const KEYS_PER_S = 10;
const MOVES_PER_S = 60;
const HOLD_MS = 40;
const KEY_PRESS = 2;
const KEY_RELEASE = 3;
const MOTION = 6;

interface XTest {
  FakeInput(type: number, detail: number, time: number, root: number, x: number, y: number): void;
}
interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
type Msg = { run: number; box: Box; midWord?: boolean };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connect(): Promise<{ X: XClient; root: number; min: number; max: number }> {
  return new Promise((resolve, reject) => {
    const client = x11.createClient({ display: process.env.DISPLAY! }, (err, d) => {
      if (err) return reject(err);
      const raw = d as unknown as { min_keycode: number; max_keycode: number };
      resolve({ X: d.client, root: d.screen[0]!.root, min: raw.min_keycode, max: raw.max_keycode });
    });
    client.on('error', (e: Error) => {
      process.stderr.write(`xinput: ${e.message}\n`);
    });
  });
}

const { X, root, min, max } = await connect();
const ext = X as unknown as {
  require(name: 'xtest', cb: (err: Error | null, ext: XTest) => void): void;
  GetKeyboardMapping(start: number, count: number, cb: (err: Error | null, rows: number[][]) => void): void;
};
const test = await new Promise<XTest>((resolve, reject) => ext.require('xtest', (err, t) => (err ? reject(err) : resolve(t))));
const rows = await new Promise<number[][]>((resolve, reject) => ext.GetKeyboardMapping(min, max - min + 1, (err, r) => (err ? reject(err) : resolve(r))));

/** Keysym of a character (Latin-1 letters and punctuation are their own code; Return is 0xff0d). */
const keysym = (c: string) => (c === '\n' ? 0xff0d : c.charCodeAt(0));
const keycodes = new Map<string, number>();
for (const c of new Set(TEXT)) {
  const i = rows.findIndex((r) => r[0] === keysym(c));
  if (i < 0) throw new Error(`no keycode types ${JSON.stringify(c)} without Shift`);
  keycodes.set(c, min + i);
}

/** Every request sent so far has been handled by the server. */
const roundTrip = () => new Promise<void>((resolve) => X.GetInputFocus(() => resolve()));
/** Back and forth over [0, span]. */
const zigzag = (n: number, span: number) => {
  const m = n % (2 * span);
  return m <= span ? m : 2 * span - m;
};

let typed = 0;
let moved = 0;

/**
 * Plays `seconds` of input. Typing then goes on until the text is at a word boundary (the last
 * key a space or Return) or, with `midWord`, inside a word (the last key and the next one letters).
 */
async function play(seconds: number, box: Box, midWord: boolean): Promise<{ keys: number; moves: number; ms: number }> {
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const isLetter = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';
  const stopHere = () => {
    const last = TEXT[(typed + TEXT.length - 1) % TEXT.length];
    return midWord ? isLetter(last) && isLetter(TEXT[typed % TEXT.length]) : last === ' ' || last === '\n';
  };
  let nextMove = t0;
  let nextKey = t0;
  let release: { at: number; code: number } | null = null;
  let keys = 0;
  let moves = 0;
  for (;;) {
    const now = performance.now();
    const typing = now < end || !stopHere();
    if (!typing && !release) break;
    if (now < end && now >= nextMove) {
      const x = box.x + 10 + zigzag(moved * 3, box.w - 20);
      const y = box.y + 10 + zigzag(moved * 2 + 7, box.h - 20);
      test.FakeInput(MOTION, 0, 0, root, x, y);
      moved++;
      moves++;
      // Fell behind (a stall): go on from now rather than burst.
      nextMove = Math.max(nextMove + 1000 / MOVES_PER_S, now - 50);
    }
    if (typing && now >= nextKey && !release) {
      const code = keycodes.get(TEXT[typed % TEXT.length]!)!;
      test.FakeInput(KEY_PRESS, code, 0, 0, 0, 0);
      typed++;
      keys++;
      release = { at: now + HOLD_MS, code };
      nextKey = Math.max(nextKey + 1000 / KEYS_PER_S, now - 50);
    }
    if (release && now >= release.at) {
      test.FakeInput(KEY_RELEASE, release.code, 0, 0, 0, 0);
      release = null;
    }
    const next = Math.min(now < end ? nextMove : Infinity, typing ? nextKey : Infinity, release?.at ?? Infinity);
    if (next === Infinity) break; // (cannot happen: typing has a next key, a release its time)
    await sleep(Math.max(0, next - performance.now()));
  }
  await roundTrip();
  return { keys, moves, ms: performance.now() - t0 };
}

process.on('message', (m: Msg) => {
  void play(m.run, m.box, m.midWord === true).then((done) => process.send!({ done }));
});
process.on('disconnect', () => {
  X.terminate();
  process.exit(0);
});
process.send!({ ready: true });
