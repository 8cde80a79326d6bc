// Test helper: a private X server (Xvfb) with xterms driven by xdotool. Each session takes a free
// display number, waits until the server accepts connections, and kills everything it started on
// stop(). Tests that need a display start one of these or fail: they never skip.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const SOCKET_DIR = '/tmp/.X11-unix';

export interface Xterm {
  /** X window id of the xterm's top-level window. */
  wid: number;
  title: string;
  cls: string;
  process: ChildProcess;
}

export interface XvfbOptions {
  width?: number;
  height?: number;
}

/** Runs a program to completion with DISPLAY set; rejects with its stderr on a non-zero exit. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message} ${stderr}`.trim()));
      else resolve(stdout);
    });
  });
}

function freeDisplayNumber(from: number): number {
  for (let n = from; n < from + 500; n++) {
    if (!existsSync(`${SOCKET_DIR}/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) return n;
  }
  throw new Error('no free X display number between ' + from + ' and ' + (from + 499));
}

/** Starts Xvfb on `:n` and resolves once it is ready (it writes its display number to fd 3 then). */
function launch(n: number, width: number, height: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const args = [`:${n}`, '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset', '-displayfd', '3'];
    const proc = spawn('Xvfb', args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`Xvfb :${n} not ready after 10 s: ${stderr}`));
    }, 10_000);
    (proc.stdio[3] as NodeJS.ReadableStream).once('data', () => {
      clearTimeout(timer);
      if (!existsSync(`${SOCKET_DIR}/X${n}`)) {
        proc.kill('SIGKILL');
        reject(new Error(`Xvfb :${n} reported ready but ${SOCKET_DIR}/X${n} is missing`));
      } else resolve(proc);
    });
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start Xvfb (is the xvfb package installed?): ${e.message}`));
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb :${n} exited (${code ?? signal}) before it was ready: ${stderr.trim()}`));
    });
  });
}

// Whatever a test run leaves behind (a failed test, an uncaught error) goes when the process exits.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export class XvfbSession {
  private readonly xterms: Xterm[] = [];

  private constructor(
    readonly display: string,
    readonly width: number,
    readonly height: number,
    private readonly server: ChildProcess,
  ) {}

  /** Starts Xvfb on a free display (1280×800×24 by default). Throws, never skips, when it cannot. */
  static async start(opts: XvfbOptions = {}): Promise<XvfbSession> {
    const width = opts.width ?? 1280;
    const height = opts.height ?? 800;
    let lastError: unknown;
    // Another process may take the number between the check and the start: try a few.
    for (let attempt = 0; attempt < 5; attempt++) {
      const n = freeDisplayNumber(100 + Math.floor(Math.random() * 400));
      try {
        const server = await launch(n, width, height);
        live.add(server);
        server.once('exit', () => live.delete(server));
        return new XvfbSession(`:${n}`, width, height, server);
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError;
  }

  /** An environment for programs that should talk to this server. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DISPLAY: this.display };
  }

  /** xdotool with this display; resolves to its stdout. */
  xdotool(...args: string[]): Promise<string> {
    return run('xdotool', args, this.env);
  }

  /**
   * Opens an xterm with WM_CLASS class `cls` and title `title` running `command` (default
   * `cat`, which echoes what is typed and sets no title of its own), at `geometry` (columns x
   * rows+x+y), and resolves once its window is mapped. `args` go to xterm before `-e` (e.g.
   * `['-bg', 'red']`).
   */
  async xterm(opts: { title: string; cls: string; command?: string[]; geometry?: string; args?: string[] }): Promise<Xterm> {
    const args = ['-class', opts.cls, '-title', opts.title, ...(opts.args ?? [])];
    if (opts.geometry) args.push('-geometry', opts.geometry);
    args.push('-e', ...(opts.command ?? ['cat']));
    const proc = spawn('xterm', args, { env: this.env, stdio: 'ignore' });
    live.add(proc);
    proc.once('exit', () => live.delete(proc));
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code, signal) => reject(new Error(`xterm "${opts.title}" exited (${code ?? signal}) before its window appeared`))),
    );
    exited.catch(() => {});
    const found = await Promise.race([this.xdotool('search', '--sync', '--onlyvisible', '--limit', '1', '--name', `^${escapeRegex(opts.title)}$`), exited]);
    const wid = Number(found.trim().split('\n')[0]);
    if (!Number.isInteger(wid) || wid <= 0) throw new Error(`xdotool found no window named "${opts.title}": ${found}`);
    const xterm = { wid, title: opts.title, cls: opts.cls, process: proc };
    this.xterms.push(xterm);
    return xterm;
  }

  /** Gives `wid` the input focus and waits until the server reports it. */
  async focus(wid: number): Promise<void> {
    await this.xdotool('windowfocus', '--sync', String(wid));
  }

  /** Types `text` into the focused window, `delayMs` between keys. */
  async type(text: string, delayMs = 20): Promise<void> {
    await this.xdotool('type', '--delay', String(delayMs), text);
  }

  /** Presses a key combination, e.g. `ctrl+c`, `Return`, `shift+Tab`. */
  async key(...combos: string[]): Promise<void> {
    await this.xdotool('key', '--delay', '20', ...combos);
  }

  async mousemove(x: number, y: number): Promise<void> {
    await this.xdotool('mousemove', '--sync', String(x), String(y));
  }

  /** Moves the pointer to (x, y) and clicks `button` (1 left, 2 middle, 3 right). */
  async click(x: number, y: number, button = 1): Promise<void> {
    await this.xdotool('mousemove', '--sync', String(x), String(y), 'click', String(button));
  }

  /** Sets a window's title (WM_NAME and _NET_WM_NAME) from outside. */
  async setTitle(wid: number, title: string): Promise<void> {
    await this.xdotool('set_window', '--name', title, String(wid));
  }

  /** Kills every xterm and the server; waits for them to exit. */
  async stop(): Promise<void> {
    const procs = [...this.xterms.map((x) => x.process), this.server];
    this.xterms.length = 0;
    await Promise.all(procs.map((p) => kill(p)));
  }
}

function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => proc.kill('SIGKILL'), 3000);
    proc.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
