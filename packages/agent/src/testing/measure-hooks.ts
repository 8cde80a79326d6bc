// Measures the CPU cost of the input hooks against a bare uiohook listener, both listening to
// the same synthetic input (10 keys/s and 60 Hz mouse moves, from xdotool) on a private Xvfb.
//   npx tsx packages/agent/src/testing/measure-hooks.ts [seconds=20]
// Roles (argv[2]): none = the driver; `bare` = a bare listener; `host` = startInputHooks.
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const role = process.argv[2];

/** CPU time (user + system, all threads) of a process so far, in ms. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks, 100 per second
}

if (role === 'bare') {
  const { uIOhook } = await import('uiohook-napi');
  let n = 0;
  uIOhook.on('input', () => void n++);
  uIOhook.start();
  process.send!({ ready: true });
  process.on('message', () => process.send!({ events: n }));
} else if (role === 'host') {
  const { startInputHooks } = await import('../hooks/host.ts');
  let n = 0;
  let batches = 0;
  const hooks = await startInputHooks({
    onInput: (e) => {
      n += e.length;
      batches++;
    },
    onExit: (info) => console.error(info.message),
  });
  process.send!({ ready: true, child: hooks.pid });
  process.on('message', () => process.send!({ events: n, batches }));
} else {
  const { XvfbSession } = await import('./xvfb.ts');
  const seconds = Number(role ?? 20);
  const x = await XvfbSession.start();
  try {
    const term = await x.xterm({ title: 'measure', cls: 'Measure', geometry: '80x24+10+10' });
    await x.focus(term.wid);
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const me = fileURLToPath(import.meta.url);
    const start = async (r: string) => {
      const p = fork(me, [r], { execArgv: ['--import', tsx], env: x.env });
      const ready = await new Promise<{ child?: number }>((res) => p.once('message', res));
      return { p, child: ready.child };
    };
    const bare = await start('bare');
    const host = await start('host');
    const ask = (p: typeof bare.p) => new Promise<{ events: number; batches?: number }>((res) => { p.once('message', res); p.send('count'); });
    await new Promise((r) => setTimeout(r, 3000)); // past start-up work
    const pids = { bare: bare.p.pid!, child: host.child!, parent: host.p.pid! };
    const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
    const t0 = Date.now();
    const moves: string[] = [];
    for (let i = 0; i < seconds * 60; i++) moves.push('mousemove', String(100 + (i % 300)), String(100 + (i % 200)), 'sleep', '0.0166');
    const keys = Array.from({ length: seconds * 10 }, () => 'a');
    await Promise.all(
      [spawn('xdotool', moves, { env: x.env, stdio: 'ignore' }), spawn('xdotool', ['key', '--delay', '100', ...keys], { env: x.env, stdio: 'ignore' })].map(
        (p) => new Promise((r) => p.once('exit', r)),
      ),
    );
    await new Promise((r) => setTimeout(r, 200));
    const wall = Date.now() - t0;
    const pct = (k: keyof typeof pids) => ((cpuMs(pids[k]) - before[k]!) / wall) * 100;
    const [b, h] = [pct('bare'), pct('child') + pct('parent')];
    const counts = [await ask(bare.p), await ask(host.p)];
    console.log(
      `${seconds} s: bare listener ${b.toFixed(2)}% (${counts[0]!.events} events); hooks ${h.toFixed(2)}% = child ${pct('child').toFixed(2)}% + parent ${pct('parent').toFixed(2)}% (${counts[1]!.events} events in ${counts[1]!.batches} batches); ratio ${(h / b).toFixed(2)}`,
    );
    bare.p.kill();
    host.p.kill();
  } finally {
    await x.stop();
  }
}
