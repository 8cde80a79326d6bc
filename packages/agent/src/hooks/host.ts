// Global keyboard and mouse input. uiohook-napi runs in a child process (child.ts): without a
// working display it aborts the process that loaded it, uncatchably, so the parent first checks
// that the display answers and then only ever sees the child exit, which it reports.
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { displayName, openDisplay } from './display.ts';
import { type ChildMessage, type ParentMessage, unpack } from './wire.ts';

export { NoDisplayError } from './display.ts';

/**
 * One input event as uiohook reports it. `time` is ms on the wall clock (Date.now() basis).
 * `button`: 1 left, 2 right, 3 middle (uiohook's numbering), 0 for plain moves.
 * `keycode`: uiohook's virtual code (UiohookKey); see keymap.ts.
 */
export type RawInput =
  | { kind: 'keydown' | 'keyup'; keycode: number; alt: boolean; ctrl: boolean; meta: boolean; shift: boolean; time: number }
  | { kind: 'mousemove' | 'mousedown' | 'mouseup' | 'click'; x: number; y: number; button: number; clicks: number; alt: boolean; ctrl: boolean; meta: boolean; shift: boolean; time: number }
  | { kind: 'wheel'; x: number; y: number; rotation: number; direction: 'vertical' | 'horizontal'; amount: number; time: number };

/** The hook process could not start (it exited or failed before it was ready). */
export class InputHooksError extends Error {
  override name = 'InputHooksError';
  constructor(
    message: string,
    readonly code: number | null = null,
    readonly signal: string | null = null,
  ) {
    super(message);
  }
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  message: string;
}

export interface InputHooks {
  /** Stops the hook and waits for the child to exit (onExit is not called for this exit). */
  stop(): Promise<void>;
  readonly pid: number;
}

export interface InputHooksOptions {
  /** X display, default $DISPLAY. */
  display?: string;
  /** Events in the order they happened, in batches (see batchMs). */
  onInput: (events: RawInput[]) => void;
  /** The child exited without being asked to (crash, abort, kill). Not called after stop(). */
  onExit: (info: ExitInfo) => void;
  /**
   * Events reach onInput at most this many ms late (default 40), and at once after a quiet spell
   * or for a mouse press. Fewer, larger batches cost less CPU (see child.ts).
   */
  batchMs?: number;
  /** Ms to wait for the hook to start, default 10 000. */
  startTimeoutMs?: number;
}

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
// `--import tsx` would resolve from the working directory; resolve the loader from here instead.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const STDERR_KEEP = 2000;

function describe(code: number | null, signal: string | null, stderr: string): string {
  const how = signal ? `was killed by ${signal}` : code === 134 ? 'aborted (exit 134)' : `exited with code ${code}`;
  const tail = [...new Set(stderr.replace(/\r/g, '').trim().split('\n'))].slice(-3).join(' | ');
  return `input hook process ${how}${tail ? `: ${tail}` : ''}`;
}

/**
 * Starts global input hooks on `display` in a child process. Rejects with NoDisplayError when
 * there is no display or it does not answer (no child is started then), with InputHooksError
 * when the child fails to start. Once resolved, an unexpected exit of the child is reported
 * through `onExit`; it never throws into, or exits, this process.
 */
export async function startInputHooks(opts: InputHooksOptions): Promise<InputHooks> {
  const display = displayName(opts.display);
  const d = await openDisplay(display);
  d.client.terminate();

  const child: ChildProcess = fork(CHILD, [String(opts.batchMs ?? 40)], {
    execArgv: ['--import', TSX],
    env: { ...process.env, DISPLAY: display },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-STDERR_KEEP);
  });
  // A failed send (the child just died) is reported through 'exit'.
  child.on('error', () => {});

  let ready = false;
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new InputHooksError(`input hook process did not start within ${opts.startTimeoutMs ?? 10_000} ms`));
    }, opts.startTimeoutMs ?? 10_000);
    child.on('message', (m: ChildMessage) => {
      if (m.t === 'ev') {
        opts.onInput(unpack(m.e));
      } else if (m.t === 'ready') {
        ready = true;
        clearTimeout(timer);
        resolve();
      } else if (m.t === 'error') {
        stderr += `\n${m.message}`;
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const message = describe(code, signal, stderr);
      if (!ready) reject(new InputHooksError(message, code, signal));
      else if (!stopping) opts.onExit({ code, signal, message });
    });
  });

  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      const force = setTimeout(() => child.kill('SIGKILL'), 2000);
      if (child.connected) child.send({ t: 'stop' } satisfies ParentMessage);
      else child.kill('SIGTERM');
      await exited;
      clearTimeout(force);
    },
  };
}
