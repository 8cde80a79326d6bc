/**
 * The desktop agent's cost (issue 6): CPU and memory per input event, screenshot cost, and a
 * two-hour soak.
 *
 * 1. CPU and memory, screenshots off. A private Xvfb with one allowed xterm (running `cat`)
 *    focused; a Lockstep server in this process (program: xterm windows, no screenshots,
 *    consent given); the agent run as a person runs it (`lockstep agent start`, its own process,
 *    TypeScript loaded through tsx, with its input-hook child). One generator process
 *    (lib/xinput.ts) sends input over XTEST: 10 keys a second (press + release) typing prose
 *    into the xterm, and mouse moves at 60 Hz, for LOCKSTEP_BENCH_AGENT_SECONDS (default 60).
 *    The same input is heard at the same time by the anchor, a bare uiohook-napi listener that
 *    counts events and drops them (plain node), and by the same listener loaded through tsx,
 *    which shows what the loader alone costs. CPU is user + system time from /proc/PID/stat,
 *    summed over each process and its descendants (for the agent: itself and the hook child),
 *    from just before the input to 4 s after it (the agent settles, spools and uploads what it
 *    got; the typing stops at a word boundary); RSS is sampled every 500 ms. Per 1,000 events
 *    means per 1,000 input events the bare listener received. A 5 s warm-up of the same input
 *    and 14 s of quiet come first (start-up work left out). Also measured on their own, after the run: the agent
 *    idle, and idle after typing stopped in the middle of a word (the keystroke redactor holds an
 *    open word).
 *    Targets: the agent under 3× the bare listener, and under 1% of one core.
 * 2. Screenshots: WindowShooter as the agent configures it (JPEG q70, or PNG; at most 960 px
 *    wide) on a focused xterm full of text, 80x24 (484x316 px) and 1900x1000 px: per capture
 *    (X GetImage, masking, scaling and encoding in sharp's threads) the time, bytes and process
 *    CPU, whether the frame came out black, and the event loop's delay while captures run back
 *    to back (perf_hooks monitorEventLoopDelay) against the loop idle: encoding is meant to be
 *    off the input path. In a process of its own (lib/shots-child.ts). The large window also
 *    runs with X's padding byte set opaque, as a check on the shooter: before it dropped that byte
 *    in a pass of its own, every frame it scaled down came out black.
 * 3. Soak (lib/soak-child.ts, its own process so its RSS is the pipeline's alone): two hours
 *    (LOCKSTEP_BENCH_AGENT_SOAK_MINUTES) of that input on a simulated clock through the real
 *    recorder, batcher, spool and uploader, to the server in this process (the uploader is let
 *    catch up at each simulated minute, as it does in real time). Per simulated minute:
 *    RSS and heap after a full GC, per-event latency of recorder.input(). Pass: the mean RSS and
 *    p50 of the last two minutes at most 10% above those of minutes 1–2 (a fall passes).
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { callAgent, readControlFile, type AgentStatus } from '../packages/agent/src/control.ts';
import { type AgentTestServer, startAgentServer } from '../packages/agent/src/testing/server.ts';
import { XvfbSession } from '../packages/agent/src/testing/xvfb.ts';
import type { ShotsRequest } from './lib/shots-child.ts';
import type { SoakConfig, SoakMessage, SoakMinute } from './lib/soak-child.ts';
import { progress } from './lib/progress.ts';

const SECONDS = Number(process.env.LOCKSTEP_BENCH_AGENT_SECONDS ?? 60);
const SOAK_MINUTES = Number(process.env.LOCKSTEP_BENCH_AGENT_SOAK_MINUTES ?? 120);
const SHOTS = Number(process.env.LOCKSTEP_BENCH_AGENT_SHOTS ?? 40);
const WARM_S = 5;
const IDLE_S = Math.min(10, SECONDS);
const TAIL_MS = 4000;

const CLI = fileURLToPath(new URL('../packages/cli/bin/lockstep.js', import.meta.url));
const require = createRequire(import.meta.url);
const TSX = pathToFileURL(require.resolve('tsx')).href;
const UIOHOOK = createRequire(fileURLToPath(new URL('../packages/agent/package.json', import.meta.url))).resolve('uiohook-napi');
const XINPUT = fileURLToPath(new URL('./lib/xinput.ts', import.meta.url));
const SOAK = fileURLToPath(new URL('./lib/soak-child.ts', import.meta.url));
const SHOTS_CHILD = fileURLToPath(new URL('./lib/shots-child.ts', import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r1 = (n: number) => Math.round(n * 10) / 10;
const r2 = (n: number) => Math.round(n * 100) / 100;
const r3 = (n: number) => Math.round(n * 1000) / 1000;
const mib = (bytes: number) => r1(bytes / 2 ** 20);

// ---- processes, from /proc ----

const TICK_MS = 10; // CLK_TCK is 100 on Linux
const PAGE = 4096;

/** CPU ms (user and system, all threads) and resident bytes of a process; null once it is gone. */
function stat(pid: number): { userMs: number; sysMs: number; rss: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(') ') + 2).split(' ');
    return { userMs: Number(f[11]) * TICK_MS, sysMs: Number(f[12]) * TICK_MS, rss: Number(f[21]) * PAGE };
  } catch {
    return null;
  }
}

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

/** A process and all its descendants. */
const tree = (pid: number): number[] => [pid, ...children(pid).flatMap(tree)];

function label(pid: number, root: number): string {
  if (pid === root) return 'main';
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    // gone
  }
  if (cmd.includes('hooks/child.ts')) return 'hook child';
  if (cmd.includes('esbuild')) return 'esbuild (tsx)';
  return cmd.slice(0, 60);
}

interface Part {
  userMs: number;
  sysMs: number;
  meanRssMiB: number;
}

/** CPU and memory of a process tree over a measured stretch. */
class Watch {
  private cpu0 = new Map<number, { userMs: number; sysMs: number }>();
  private rss = new Map<string, number>();
  private rssSum = 0;
  private samples = 0;
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(readonly root: number) {}

  begin(): void {
    this.cpu0 = new Map(tree(this.root).map((p) => [p, stat(p) ?? { userMs: 0, sysMs: 0 }]));
    this.rss = new Map();
    this.rssSum = 0;
    this.samples = 0;
    this.peak = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), 500);
  }

  private sample(): void {
    let sum = 0;
    for (const p of tree(this.root)) {
      const rss = stat(p)?.rss ?? 0;
      const name = label(p, this.root);
      this.rss.set(name, (this.rss.get(name) ?? 0) + rss);
      sum += rss;
    }
    this.rssSum += sum;
    this.samples++;
    this.peak = Math.max(this.peak, sum);
  }

  /** CPU ms of the tree since begin() (and per process), RSS peak and mean. */
  end(): { cpuMs: number; parts: Record<string, Part>; peakRss: number; meanRss: number } {
    clearInterval(this.timer);
    this.sample();
    const parts: Record<string, Part> = {};
    let cpuMs = 0;
    for (const p of new Set([...this.cpu0.keys(), ...tree(this.root)])) {
      const now = stat(p);
      if (!now) continue; // gone meanwhile: its time is lost (none went in practice)
      const was = this.cpu0.get(p) ?? { userMs: 0, sysMs: 0 };
      const name = label(p, this.root);
      const part = (parts[name] ??= { userMs: 0, sysMs: 0, meanRssMiB: mib((this.rss.get(name) ?? 0) / this.samples) });
      part.userMs += now.userMs - was.userMs;
      part.sysMs += now.sysMs - was.sysMs;
      cpuMs += now.userMs - was.userMs + now.sysMs - was.sysMs;
    }
    return { cpuMs, parts, peakRss: this.peak, meanRss: this.rssSum / this.samples };
  }
}

/** Ends a child: SIGTERM, then SIGKILL after `graceMs`. */
async function end(p: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = once(p, 'exit');
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const stop = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > stop) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// ---- 1. CPU and memory ----

/** The anchor: counts uiohook events by type and drops them; answers `count` over IPC. */
const BARE = `const { uIOhook } = require(${JSON.stringify(UIOHOOK)});
const n = {};
uIOhook.on('input', (e) => { n[e.type] = (n[e.type] || 0) + 1; });
uIOhook.start();
process.on('message', () => process.send({ n }));
process.on('disconnect', () => { uIOhook.stop(); process.exit(0); });
process.send({ ready: true });
`;

interface Listener {
  proc: ChildProcess;
  count(): Promise<number>;
}

async function listener(file: string, env: NodeJS.ProcessEnv, viaTsx: boolean): Promise<Listener> {
  const proc = spawn(process.execPath, [...(viaTsx ? ['--import', TSX] : []), file], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await once(proc, 'message');
  const count = async () => {
    const reply = once(proc, 'message') as Promise<[{ n: Record<string, number> }]>;
    proc.send('count');
    return Object.values((await reply)[0].n).reduce((a, b) => a + b, 0);
  };
  return { proc, count };
}

interface Usage {
  cpuMs: number;
  msPer1000Events: number;
  pctOfCore: number;
  peakRssMiB: number;
  meanRssMiB: number;
}

function usage(m: ReturnType<Watch['end']>, events: number, wallMs: number): Usage {
  return {
    cpuMs: m.cpuMs,
    msPer1000Events: r2((m.cpuMs / events) * 1000),
    pctOfCore: r3((m.cpuMs / wallMs) * 100),
    peakRssMiB: mib(m.peakRss),
    meanRssMiB: mib(m.meanRss),
  };
}

async function cpuRun(x: XvfbSession, server: AgentTestServer, tmp: string) {
  const term = await x.xterm({ title: 'bench shell', cls: 'XTerm', geometry: '80x24+0+0', command: ['sh', '-c', 'trap "" INT; exec cat'] });
  await x.focus(term.wid);
  const box = { x: 0, y: 0, w: 484, h: 316 };

  const dir = join(tmp, 'agent');
  const bareJs = join(tmp, 'bare.cjs');
  const bareTs = join(tmp, 'bare.cts');
  writeFileSync(bareJs, BARE);
  writeFileSync(bareTs, BARE);
  const procs: ChildProcess[] = [];
  let agentLog = '';
  try {
    const bare = await listener(bareJs, x.env, false);
    procs.push(bare.proc);
    const bareTsx = await listener(bareTs, x.env, true);
    procs.push(bareTsx.proc);

    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'device.json'), JSON.stringify({ server: server.url, id: server.deviceId, subject: server.subjectId, token: server.deviceToken }), { mode: 0o600 });
    const agent = spawn(process.execPath, [CLI, 'agent', 'start', '--dir', dir], { env: x.env, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(agent);
    agent.stdout!.on('data', (d: Buffer) => (agentLog += d.toString()));
    agent.stderr!.on('data', (d: Buffer) => (agentLog += d.toString()));
    const status = () => callAgent(dir, 'GET', '/status');
    await until('the agent to record', async () => (readControlFile(dir) && (await status()).state === 'recording' ? true : undefined), 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; agent output: ${agentLog.trim()}`);
    });

    const gen = fork(XINPUT, [], { execArgv: ['--import', TSX], env: x.env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    procs.push(gen);
    await once(gen, 'message');
    const play = async (seconds: number, midWord = false) => {
      const reply = once(gen, 'message') as Promise<[{ done: { keys: number; moves: number; ms: number } }]>;
      gen.send({ run: seconds, box, midWord });
      return (await reply)[0].done;
    };

    // The agent keeps busy for some seconds after its first input (compiling what it ran):
    // left out with the warm-up.
    process.stderr.write('warm-up…\n');
    await play(WARM_S);
    await sleep(TAIL_MS + 10_000);

    const watches = { agent: new Watch(agent.pid!), bare: new Watch(bare.proc.pid!), bareTsx: new Watch(bareTsx.proc.pid!) };
    const all = Object.values(watches);

    /** % of one core per process tree over `ms` without input. */
    const idleFor = async (ms: number) => {
      for (const w of all) w.begin();
      const t0 = performance.now();
      await sleep(ms);
      const took = performance.now() - t0;
      return Object.fromEntries(Object.entries(watches).map(([k, w]) => [k, r3((w.end().cpuMs / took) * 100)]));
    };

    const counts0 = [await bare.count(), await bareTsx.count()];
    const captured0 = (await status()).events;
    for (const w of all) w.begin();
    const t = performance.now();
    const bar = progress('agent cpu', SECONDS);
    const ticker = setInterval(() => bar.tick(), 1000);
    const sent = await play(SECONDS);
    clearInterval(ticker);
    bar.done();
    await sleep(TAIL_MS);
    const wallMs = performance.now() - t;
    const m = { agent: watches.agent.end(), bare: watches.bare.end(), bareTsx: watches.bareTsx.end() };
    const delivered = (await bare.count()) - counts0[0]!;
    const deliveredTsx = (await bareTsx.count()) - counts0[1]!;
    const after: AgentStatus = await status();
    if (after.state !== 'recording') throw new Error(`the agent stopped recording during the run (${after.state}): ${agentLog.trim()}`);

    // Idle, after the run: the agent polls the focused window and the device state without input.
    process.stderr.write(`idle ${IDLE_S} s…\n`);
    const idle = await idleFor(IDLE_S * 1000);
    // A pause in the middle of a word: the keystroke redactor holds the open word until it is
    // quiet and closed, or for at most 30 s; this measures the agent meanwhile.
    process.stderr.write(`idle ${IDLE_S} s after a stop in the middle of a word…\n`);
    await play(1, true);
    await sleep(TAIL_MS);
    const idleMidWord = await idleFor(IDLE_S * 1000);

    const agentUse = usage(m.agent, delivered, wallMs);
    const bareUse = usage(m.bare, delivered, wallMs);
    const tsxUse = usage(m.bareTsx, delivered, wallMs);
    const ratio = r2(m.agent.cpuMs / m.bare.cpuMs);
    return {
      seconds: SECONDS,
      measuredWallS: r1(wallMs / 1000),
      input: {
        sent: { keyEvents: sent.keys * 2, moves: sent.moves, perSecond: r1(((sent.keys * 2 + sent.moves) / sent.ms) * 1000) },
        deliveredToBare: delivered,
        deliveredToBareUnderTsx: deliveredTsx,
        capturedByAgent: after.events - captured0,
        agentUpload: after.upload,
      },
      agent: { ...agentUse, byProcess: m.agent.parts },
      hookChildToBare: r2(((m.agent.parts['hook child']?.userMs ?? 0) + (m.agent.parts['hook child']?.sysMs ?? 0)) / m.bare.cpuMs),
      bare: { ...bareUse, byProcess: m.bare.parts },
      bareUnderTsx: { ...tsxUse, byProcess: m.bareTsx.parts },
      idlePctOfCore: idle,
      idleAfterStopMidWordPctOfCore: idleMidWord,
      ratio,
      checks: { ratioBelow3: ratio < 3, belowOnePctOfCore: agentUse.pctOfCore < 1 },
    };
  } finally {
    for (const p of procs.reverse()) await end(p);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- 2. Screenshots ----

const WORDS = 'report ledger region total draft sheet summary build deploy review merge branch commit status update config server client cache index query table column value'.split(' ');

/** Lines of words, 30 to 300 characters, the same every run. */
function screenText(lines: number): string {
  let seed = 7;
  const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const len = 30 + Math.floor(rand() * 270);
    let line = `${String(i + 1).padStart(4)}  `;
    while (line.length < len) line += `${WORDS[Math.floor(rand() * WORDS.length)]} `;
    out.push(line.trimEnd());
  }
  return `${out.join('\n')}\n`;
}

async function shotRun(x: XvfbSession, tmp: string) {
  const file = join(tmp, 'screen.txt');
  writeFileSync(file, screenText(120));
  const cmd = ['sh', '-c', `cat "$0"; exec cat`, file];
  const child = fork(SHOTS_CHILD, [], { execArgv: ['--import', TSX], env: x.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const bar = progress('screenshots', 6 * SHOTS);
  try {
    await once(child, 'message');
    const ask = (m: ShotsRequest) =>
      new Promise<unknown>((resolve, reject) => {
        const on = (r: { tick?: true; result?: unknown; error?: string }) => {
          if (r.tick) return bar.tick();
          child.off('message', on);
          if (r.error) reject(new Error(r.error));
          else resolve(r.result);
        };
        child.on('message', on);
        child.send(m);
      });
    const eventLoopDelayIdle = await ask({ idle: 2000 });
    // The large one first: the small one then opens on top of it.
    const large = await x.xterm({ title: 'shot large', cls: 'XTerm', geometry: '316x76+0+0', command: cmd });
    await x.xdotool('windowsize', '--sync', String(large.wid), '1900', '1000');
    await x.focus(large.wid);
    await sleep(300);
    const big = await ask({ measure: { wid: large.wid, shots: SHOTS, variants: ['jpeg', 'png', 'jpeg-opaque', 'png-opaque'] } });
    const small = await x.xterm({ title: 'shot small', cls: 'XTerm', geometry: '80x24+0+0', command: cmd });
    await x.focus(small.wid);
    await sleep(300);
    const little = await ask({ measure: { wid: small.wid, shots: SHOTS, variants: ['jpeg', 'png'] } });
    return { captures: SHOTS, maxWidth: 960, eventLoopDelayIdle, '1900x1000': big, '80x24': little };
  } finally {
    bar.done();
    await end(child);
  }
}

// ---- 3. Soak ----

async function soakRun(server: AgentTestServer, tmp: string) {
  const dir = join(tmp, 'soak');
  const child = fork(SOAK, [], { execArgv: ['--import', TSX, '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const series: SoakMinute[] = [];
  let result: Extract<SoakMessage, { end: unknown }>['end'] | undefined;
  const bar = progress('agent soak (simulated minutes)', SOAK_MINUTES);
  try {
    const exited = once(child, 'exit');
    child.on('message', (m: SoakMessage) => {
      if ('minute' in m) {
        series.push(m.minute);
        bar.tick();
        const s = m.minute;
        if (!process.stderr.isTTY && s.minute % 10 === 0) {
          process.stderr.write(`soak ${s.minute} min: rss ${s.rssMiB} MiB, heap ${s.heapUsedMiB} MiB, p50 ${s.p50Us} µs, p99 ${s.p99Us} µs, spool ${s.spoolBatches} batches (${s.wallS} s)\n`);
        }
      } else result = m.end;
    });
    child.send({ server: server.url, token: server.deviceToken, device: server.deviceId, dir, minutes: SOAK_MINUTES } satisfies SoakConfig);
    const [code] = (await exited) as [number | null];
    if (code !== 0 || !result) throw new Error(`the soak process exited with ${code}`);
  } finally {
    bar.done();
    await end(child);
  }
  if (series.length < 4) throw new Error('the soak needs at least 4 simulated minutes');
  type Key = 'rssMiB' | 'p50Us' | 'keyP50Us' | 'heapUsedMiB';
  const mean = (xs: SoakMinute[], k: Key) => xs.reduce((s, m) => s + m[k], 0) / xs.length;
  const last = series.slice(-2);
  const compare = (from: SoakMinute[], k: Key) => ({ start: r2(mean(from, k)), end: r2(mean(last, k)), ratio: r3(mean(last, k) / mean(from, k)) });
  const versus = (from: SoakMinute[]) => ({ rssMiB: compare(from, 'rssMiB'), p50Us: compare(from, 'p50Us'), keyP50Us: compare(from, 'keyP50Us'), heapUsedMiB: compare(from, 'heapUsedMiB') });
  const comparison = versus(series.slice(0, 2));
  // Minutes 10–11 as well: by then the process is past its start (JIT, caches, allocator).
  const settled = series.length >= 14 ? versus(series.slice(9, 11)) : undefined;
  return {
    simulatedMinutes: SOAK_MINUTES,
    comparison,
    ...(settled ? { comparisonFromMinute10: settled } : {}),
    checks: { rssWithin10Pct: comparison.rssMiB.ratio <= 1.1, p50Within10Pct: comparison.p50Us.ratio <= 1.1 },
    series: series.filter((m, i) => m.minute === 1 || m.minute % 10 === 0 || i === series.length - 1),
    run: result,
  };
}

/** The commit measured, and whether the agent's sources differ from it. */
function revision(): { commit: string; agentSourcesModified: boolean } | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' }).trim();
    return { commit: git('rev-parse', '--short', 'HEAD'), agentSourcesModified: git('status', '--porcelain', 'packages/agent', 'packages/redact').length > 0 };
  } catch {
    return undefined;
  }
}

export async function run() {
  const tmp = mkdtempSync(join(tmpdir(), 'lockstep-bench-agent-'));
  const load = loadavg().map(r2);
  let x: XvfbSession | undefined;
  let server: AgentTestServer | undefined;
  try {
    x = await XvfbSession.start({ width: 1920, height: 1080 });
    server = await startAgentServer({ program: { desktopApps: ['xterm'], screenshots: false } });
    const cpu = await cpuRun(x, server, tmp);
    const loadAfterCpu = loadavg().map(r2);
    const screenshots = await shotRun(x, tmp);
    await x.stop();
    x = undefined;
    const soak = await soakRun(server, tmp);
    const checks = { cpuRatioBelow3: cpu.checks.ratioBelow3, cpuBelowOnePctOfCore: cpu.checks.belowOnePctOfCore, soakRss: soak.checks.rssWithin10Pct, soakP50: soak.checks.p50Within10Pct };
    return {
      name: 'agent',
      description: 'desktop agent: CPU and RSS per 1,000 input events (screenshots off) against a bare uiohook-napi listener on the same input, screenshot cost, and a two-hour soak on a simulated clock',
      params: { seconds: SECONDS, warmupSeconds: WARM_S, idleSeconds: IDLE_S, input: '10 keys/s (press + release) + 60 mouse moves/s over XTEST', shots: SHOTS, soakMinutes: SOAK_MINUTES, loadAverage: { atStart: load, afterCpuRun: loadAfterCpu }, revision: revision() },
      results: { cpu, screenshots, soak },
      anchor: { name: 'bare uiohook-napi listener', msPer1000Events: cpu.bare.msPer1000Events, pctOfCore: cpu.bare.pctOfCore, peakRssMiB: cpu.bare.peakRssMiB, meanRssMiB: cpu.bare.meanRssMiB },
      ratio: cpu.ratio,
      target: { ratioBelow: 3, pctOfCoreBelow: 1, soakGrowthAtMost: 1.1 },
      checks,
      pass: Object.values(checks).every(Boolean),
    };
  } finally {
    await x?.stop();
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
