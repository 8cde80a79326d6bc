import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keyFor } from '../keymap.ts';
import { XvfbSession, type Xterm } from '../testing/xvfb.ts';
import { type ExitInfo, type InputHooks, InputHooksError, NoDisplayError, type RawInput, startInputHooks } from './host.ts';

/** Whether a process runs (an exited child that nobody has reaped yet, a zombie, does not). */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
  } catch {
    return false;
  }
};

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

type KeyInput = Extract<RawInput, { keycode: number }>;
type MouseInput = Extract<RawInput, { button: number }>;
type WheelInput = Extract<RawInput, { kind: 'wheel' }>;
const isKey = (e: RawInput): e is KeyInput => e.kind === 'keydown' || e.kind === 'keyup';
const isMouse = (e: RawInput): e is MouseInput => 'button' in e;
const isWheel = (e: RawInput): e is WheelInput => e.kind === 'wheel';

/** What the key-downs typed, read back through the keymap with the reported Shift state. */
function typed(events: RawInput[]): string {
  let text = '';
  for (const e of events) if (e.kind === 'keydown') text += keyFor(e.keycode, e.shift).char ?? '';
  return text;
}

/** A display number nothing listens on. */
function unusedDisplay(): string {
  for (let n = 99; ; n++) if (!existsSync(`/tmp/.X11-unix/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) return `:${n}`;
}

describe('startInputHooks without a display', () => {
  const saved = process.env.DISPLAY;
  afterEach(() => {
    if (saved === undefined) delete process.env.DISPLAY;
    else process.env.DISPLAY = saved;
  });

  it('rejects with NoDisplayError when DISPLAY is not set', async () => {
    delete process.env.DISPLAY;
    const onExit = () => {
      throw new Error('no child should have been started');
    };
    const err = await startInputHooks({ onInput: () => {}, onExit }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoDisplayError);
    expect((err as Error).message).toMatch(/^no display: set DISPLAY to an X server \(DISPLAY is not set\); the agent records a desktop session and needs one$/);
  });

  it('rejects with NoDisplayError when the display does not answer', async () => {
    const display = unusedDisplay();
    process.env.DISPLAY = display;
    const err = await startInputHooks({ onInput: () => {}, onExit: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoDisplayError);
    expect((err as Error).message).toContain(`cannot open ${display}`);
    expect((err as Error).message).toContain('set DISPLAY');
    // The explicit option wins over the environment, and fails the same way.
    const err2 = await startInputHooks({ display: unusedDisplay(), onInput: () => {}, onExit: () => {} }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(NoDisplayError);
  });

  it('leaves a process that tried it exiting normally (uiohook was never loaded there)', async () => {
    // Loading uiohook without a display makes Node exit 1 at shutdown: a clean 0 proves it was not loaded.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const host = pathToFileURL(fileURLToPath(new URL('./host.ts', import.meta.url))).href;
    const script = `import { startInputHooks } from ${JSON.stringify(host)};
      for (const d of [undefined, ${JSON.stringify(unusedDisplay())}]) {
        if (d === undefined) delete process.env.DISPLAY; else process.env.DISPLAY = d;
        await startInputHooks({ onInput() {}, onExit() {} }).then(() => console.log('started?'), (e) => console.log(e.name));
      }`;
    const env = { ...process.env };
    delete env.DISPLAY;
    const child = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect({ code, out: out.trim().split('\n'), err }).toEqual({ code: 0, out: ['NoDisplayError', 'NoDisplayError'], err: '' });
  });
});

describe('startInputHooks under Xvfb', () => {
  let x: XvfbSession;
  let term: Xterm;
  const running: InputHooks[] = [];

  beforeAll(async () => {
    x = await XvfbSession.start();
    term = await x.xterm({ title: 'hooks test', cls: 'HooksTest', geometry: '80x24+0+0' });
    await x.focus(term.wid);
  });
  afterAll(async () => {
    await Promise.all(running.map((h) => h.stop()));
    await x?.stop();
  });

  async function start(extra: { onExit?: (i: ExitInfo) => void; display?: string } = {}) {
    const events: RawInput[] = [];
    const exits: ExitInfo[] = [];
    const hooks = await startInputHooks({
      display: extra.display ?? x.display,
      onInput: (batch) => events.push(...batch),
      onExit: (info) => {
        exits.push(info);
        extra.onExit?.(info);
      },
    });
    running.push(hooks);
    return { hooks, events, exits };
  }

  it('delivers typed keys in order, with keycodes and Shift that the keymap reads back', async () => {
    const before = Date.now();
    const { hooks, events, exits } = await start();
    expect(alive(hooks.pid)).toBe(true);
    const text = 'Hello, World! 42 "ok": a_b?';
    await x.type(text);
    await x.key('ctrl+c');
    await until('ctrl+c', () => events.some((e) => e.kind === 'keyup' && e.keycode === 0x2e && !e.shift));
    const keys = events.filter(isKey);
    expect(typed(keys.filter((e) => !(e.kind === 'keydown' && e.ctrl)))).toBe(text);
    // Every key goes down, then up, and a letter comes with its own Shift state.
    const downs = keys.filter((e) => e.kind === 'keydown');
    expect(keys.filter((e) => e.kind === 'keyup')).toHaveLength(downs.length);
    const h = downs.find((e) => e.keycode === 0x23)!;
    expect(h).toMatchObject({ shift: true, ctrl: false, alt: false, meta: false });
    // ctrl+c: Control down, then c with ctrl set.
    const ctrlC = downs.findIndex((e) => e.keycode === 0x2e && e.ctrl);
    expect(ctrlC).toBeGreaterThan(0);
    expect(downs[ctrlC - 1]!.keycode).toBe(0x1d);
    // Times are wall-clock ms, in order.
    for (let i = 1; i < events.length; i++) expect(events[i]!.time).toBeGreaterThanOrEqual(events[i - 1]!.time);
    expect(events[0]!.time).toBeGreaterThanOrEqual(before - 50);
    expect(events.at(-1)!.time).toBeLessThanOrEqual(Date.now());
    await hooks.stop();
    expect(alive(hooks.pid)).toBe(false);
    expect(exits).toEqual([]);
  });

  it('delivers moves, clicks (left and right) and wheel turns at their screen positions', async () => {
    const { hooks, events } = await start();
    await x.click(200, 150, 1);
    await x.click(260, 170, 3);
    await x.xdotool('mousemove', '--sync', '300', '120', 'click', '4', 'click', '5');
    await until('wheel down', () => events.filter((e) => e.kind === 'wheel').length === 2);
    const buttons = events.filter(isMouse).filter((e) => e.kind !== 'mousemove');
    expect(buttons.map((e) => [e.kind, e.x, e.y, e.button])).toEqual([
      ['mousedown', 200, 150, 1],
      ['mouseup', 200, 150, 1],
      ['click', 200, 150, 1],
      ['mousedown', 260, 170, 2], // uiohook numbers the right button 2
      ['mouseup', 260, 170, 2],
      ['click', 260, 170, 2],
    ]);
    const moves = events.filter(isMouse).filter((e) => e.kind === 'mousemove');
    expect(moves.map((e) => [e.x, e.y])).toEqual(expect.arrayContaining([[200, 150], [260, 170], [300, 120]]));
    const wheels = events.filter(isWheel);
    expect(wheels.map((e) => [e.x, e.y, e.rotation, e.direction])).toEqual([
      [300, 120, -1, 'vertical'],
      [300, 120, 1, 'vertical'],
    ]);
    // A move comes before the press at the same place.
    const firstDown = events.findIndex((e) => e.kind === 'mousedown');
    expect(events.slice(0, firstDown).filter(isMouse).some((e) => e.kind === 'mousemove' && e.x === 200 && e.y === 150)).toBe(true);
    await hooks.stop();
  });

  it('reports a child killed with SIGKILL through onExit, and the parent carries on', async () => {
    let reported: ExitInfo | undefined;
    const { hooks, exits } = await start({ onExit: (i) => (reported = i) });
    process.kill(hooks.pid, 'SIGKILL');
    await until('onExit', () => reported !== undefined);
    expect(reported).toEqual({ code: null, signal: 'SIGKILL', message: 'input hook process was killed by SIGKILL' });
    expect(exits).toHaveLength(1);
    await hooks.stop(); // already gone: resolves at once
    expect(alive(process.pid)).toBe(true);
  });

  it('reports an aborted child (SIGABRT, as uiohook does when X fails) through onExit', async () => {
    const { hooks, exits } = await start();
    process.kill(hooks.pid, 'SIGABRT');
    await until('onExit', () => exits.length === 1);
    expect(exits[0]).toMatchObject({ code: null, signal: 'SIGABRT' });
    expect(exits[0]!.message).toMatch(/^input hook process was killed by SIGABRT/);
  });

  it('reports the child ending when its X server goes away', async () => {
    const other = await XvfbSession.start();
    try {
      const { hooks, exits } = await start({ display: other.display });
      await other.stop();
      await until('onExit', () => exits.length === 1, 10_000);
      expect(exits[0]!.message).toMatch(/^input hook process (exited with code|aborted|was killed)/);
      expect(alive(hooks.pid)).toBe(false);
    } finally {
      await other.stop();
    }
  });

  it('does not call onExit after stop(), and the child is gone', async () => {
    const { hooks, exits } = await start();
    await hooks.stop();
    await hooks.stop();
    expect(alive(hooks.pid)).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(exits).toEqual([]);
  });

  it('stops the child when its parent dies (no orphan keeps listening)', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const host = pathToFileURL(fileURLToPath(new URL('./host.ts', import.meta.url))).href;
    const script = `import { startInputHooks } from ${JSON.stringify(host)};
      const h = await startInputHooks({ onInput() {}, onExit() {} });
      console.log(h.pid);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { env: x.env, stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (c: Buffer) => resolve(Number(c.toString().trim())));
      parent.once('exit', (code) => reject(new Error(`parent exited (${code}) early`)));
    });
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    const killed = Date.now();
    await until('the orphaned child to exit', () => !alive(pid), 5000);
    expect(Date.now() - killed).toBeLessThan(1000);
  });

  it('rejects with InputHooksError when the child cannot start in time', async () => {
    const err = await startInputHooks({ display: x.display, onInput: () => {}, onExit: () => {}, startTimeoutMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputHooksError);
    expect((err as Error).message).toMatch(/did not start within 1 ms/);
  });
});
