// Issue 6, end to end: a private X server (Xvfb) with real xterms driven by xdotool, a real
// Lockstep server, and the agent as the person would run it (`lockstep agent start`, a separate
// process), or in this process where the test needs its handle.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import { compile, describeActions } from '@lockstep/trajectory';
import { startAgent } from './agent.ts';
import { callAgent, readControlFile } from './control.ts';
import { loadDeviceKey } from './devicekey.ts';
import { Spool } from './spool.ts';
import { type AgentTestServer, startAgentServer } from './testing/server.ts';
import { XvfbSession } from './testing/xvfb.ts';

const CLI = fileURLToPath(new URL('../../cli/bin/lockstep.js', import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    // A probe that throws (an agent not answering yet, or the control file of a killed one) is asked again.
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** An agent directory enrolled as the server's desktop device. */
function agentDir(server: AgentTestServer): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-agent-'));
  writeFileSync(join(dir, 'device.json'), JSON.stringify({ server: server.url, id: server.deviceId, subject: server.subjectId, token: server.deviceToken }), { mode: 0o600 });
  return dir;
}

/** `lockstep agent start` in its own process. */
function startCli(dir: string, env: NodeJS.ProcessEnv): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [CLI, 'agent', 'start', '--dir', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

const text = (events: CaptureEvent[]) => JSON.stringify(events);
const keysBetween = (events: CaptureEvent[], from: number, to = Infinity) => events.filter((e) => e.type === 'key' && e.seq > from && e.seq < to);

describe('the desktop agent under Xvfb', () => {
  let x: XvfbSession;
  let server: AgentTestServer;

  beforeAll(async () => {
    x = await XvfbSession.start();
    server = await startAgentServer({ program: { desktopApps: ['xterm'], screenshots: true } });
  });
  afterAll(async () => {
    await x?.stop();
    await server?.stop();
  });

  it('records keys and clicks in an allowed xterm as the right events and actions, and only "away" for a window outside the allow-list', async () => {
    // Ctrl+C must not end the program in it (and close the window): cat with SIGINT ignored.
    const work = await x.xterm({ title: 'build shell', cls: 'XTerm', geometry: '80x24+0+0', command: ['sh', '-c', 'trap "" INT; exec cat'] });
    const other = await x.xterm({ title: 'private notes', cls: 'Notes', geometry: '80x24+600+300' });
    await x.focus(work.wid);
    const dir = agentDir(server);
    const agent = await startAgent({ dir, display: x.display });
    try {
      await until('recording', () => agent.status().state === 'recording');
      await x.type('ls -la');
      await x.key('Return');
      await x.click(100, 100);
      await x.focus(other.wid);
      await sleep(300);
      await x.type('my private diary');
      await x.click(700, 400);
      await x.focus(work.wid);
      await sleep(300);
      await x.key('ctrl+c');
      await sleep(300);
    } finally {
      await agent.stop();
    }
    const events = await server.sessionEvents(agent.session);
    if (process.env.LOCKSTEP_DEBUG) console.log(events.map((e) => JSON.stringify({ ...e, ...(e.type === 'frame' ? { data: e.data.length } : {}) })).join('\n'));
    expect(events.length).toBeGreaterThan(10);
    expect(events[0]).toMatchObject({ seq: 0, type: 'marker', kind: 'start' });
    // Nothing of the other window: not its keys, its title or its class.
    expect(text(events)).not.toMatch(/diary|private|Notes/);
    const windows = events.filter((e) => e.type === 'window');
    expect(windows.every((w) => w.type === 'window' && w.app === 'XTerm' && w.title === 'build shell')).toBe(true);
    const away = events.filter((e) => e.type === 'marker' && e.kind === 'away');
    expect(away).toHaveLength(1);
    // Between leaving and coming back there is nothing but the marker.
    const back = windows.find((w) => w.seq > away[0]!.seq)!;
    expect(events.filter((e) => e.seq > away[0]!.seq && e.seq < back.seq)).toEqual([]);
    const lines = describeActions(compile(events)).trimEnd().split('\n');
    expect(lines).toEqual([
      'switch XTerm "build shell" (initial)',
      'type "ls -la" into window "build shell" XTerm',
      'key enter',
      'click window "build shell" XTerm',
      'switch XTerm "build shell" (return)',
      'hotkey ctrl+c',
    ]);
    // A click is where xdotool put it, on the screen and normalised.
    const click = compile(events).find((a) => a.kind === 'click');
    expect(click && 'point' in click ? [click.point.x, click.point.y] : null).toEqual([100, 100]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps nothing typed in a credential prompt, and masks a secret typed in an allowed terminal', async () => {
    const prompt = await x.xterm({ title: '[sudo] password for ann:', cls: 'XTerm', geometry: '60x10+0+0' });
    const shell = await x.xterm({ title: 'deploy shell', cls: 'XTerm', geometry: '80x24+400+200' });
    const dir = agentDir(server);
    await x.focus(prompt.wid);
    const agent = await startAgent({ dir, display: x.display });
    const PASSWORD = 'Hunter-Orchid-Lamp';
    const EMAIL = 'ann.lindqvist@example.org';
    try {
      await until('recording', () => agent.status().state === 'recording');
      expect(agent.status().window).toMatchObject({ credential: true });
      await x.type(PASSWORD);
      await x.key('Return');
      await x.focus(shell.wid);
      await sleep(300);
      await x.type(`mail ${EMAIL}`);
      await x.key('Return');
      await sleep(2000); // the keystroke redactor settles a quiet field
    } finally {
      await agent.stop();
    }
    const events = await server.sessionEvents(agent.session);
    const promptWindow = events.find((e) => e.type === 'window' && e.credential)!;
    const shellWindow = events.find((e) => e.type === 'window' && e.title === 'deploy shell')!;
    expect(promptWindow).toBeDefined();
    // The prompt got no key event at all (not even its timing), nothing of the password anywhere.
    expect(keysBetween(events, promptWindow.seq, shellWindow.seq)).toEqual([]);
    const chars = events.flatMap((e) => (e.type === 'key' && e.kind === 'down' && e.char ? [e.char] : [])).join('');
    expect(text(events)).not.toContain(PASSWORD);
    expect(chars).not.toMatch(/Hunter|Orchid/);
    // The e-mail address is masked key by key; the rest of the line is kept.
    expect(text(events)).not.toContain('lindqvist');
    expect(chars).toContain('mail ');
    expect(events.some((e) => e.type === 'key' && e.redacted?.kind === 'email')).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('pauses within 100 ms of the command, and stops within 5 s of a program pause on the server', async () => {
    const term = await x.xterm({ title: 'pause shell', cls: 'XTerm', geometry: '80x24+0+0' });
    await x.focus(term.wid);
    const dir = agentDir(server);
    const cli = startCli(dir, x.env);
    try {
      await until('the agent to record', async () => (readControlFile(dir) ? (await callAgent(dir, 'GET', '/status')).state === 'recording' : false), 30_000);
      const { startedAt } = await callAgent(dir, 'GET', '/status');
      const t0 = Date.parse(startedAt!);
      // Typing goes on in the background while the pause command is given.
      const typing = x.type('a'.repeat(60), 25);
      await sleep(600);
      const asked = Date.now();
      const paused = await callAgent(dir, 'POST', '/pause', {});
      const answered = Date.now();
      expect(paused.state).toBe('paused');
      await typing;
      // The CLI says the same.
      const status = spawnSync(process.execPath, [CLI, 'agent', 'status', '--dir', dir], { env: x.env, encoding: 'utf8' });
      expect(status.stdout).toMatch(/Paused by you/);
      const resumed = spawnSync(process.execPath, [CLI, 'agent', 'resume', '--dir', dir], { env: x.env, encoding: 'utf8' });
      expect(resumed.status, resumed.stderr).toBe(0);
      await sleep(300);

      // The kill switch: the program is paused on the server while the person types.
      const typing2 = x.type('b'.repeat(200), 25);
      await sleep(500);
      const killedAt = Date.now();
      const res = await fetch(`${server.url}/v1/programs/${server.programId}/pause`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'incident drill' }),
      });
      expect(res.status).toBe(200);
      await typing2;
      await until('program pause to show', async () => (await callAgent(dir, 'GET', '/status')).state === 'program-paused', 6000);
      const session = (await callAgent(dir, 'GET', '/status')).session!;
      cli.proc.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      await fetch(`${server.url}/v1/programs/${server.programId}/resume`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}` } });

      const events = await server.sessionEvents(session);
      const userPause = events.find((e) => e.type === 'marker' && e.kind === 'pause' && e.reason === 'user')!;
      const killPause = events.find((e) => e.type === 'marker' && e.kind === 'pause' && e.reason === 'kill-switch')!;
      expect(userPause).toBeDefined();
      expect(killPause).toBeDefined();
      // Within 100 ms of the command, and no key kept after it.
      const pauseLatency = t0 + userPause.t - asked;
      expect(pauseLatency).toBeLessThan(100);
      expect(t0 + userPause.t).toBeLessThanOrEqual(answered + 1);
      const resume = events.find((e) => e.type === 'marker' && e.kind === 'resume' && e.seq > userPause.seq)!;
      expect(keysBetween(events, userPause.seq, resume.seq)).toEqual([]);
      expect(keysBetween(events, 0, userPause.seq).length).toBeGreaterThan(5);
      // Within 5 s of the server's pause, and nothing after it.
      expect(t0 + killPause.t - killedAt).toBeLessThan(5000);
      expect(keysBetween(events, killPause.seq)).toEqual([]);
      expect(keysBetween(events, resume.seq, killPause.seq).some((e) => e.type === 'key' && e.char === 'b')).toBe(true);
    } finally {
      cli.proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('after kill -9, uploads what was in the spool exactly once; with the server down, spools and drains when it is back', async () => {
    const term = await x.xterm({ title: 'crash shell', cls: 'XTerm', geometry: '80x24+0+0' });
    await x.focus(term.wid);
    const dir = agentDir(server);
    let first = startCli(dir, x.env);
    let session: string;
    try {
      await until('the agent to record', async () => (readControlFile(dir) ? (await callAgent(dir, 'GET', '/status')).state === 'recording' : false), 30_000);
      session = (await callAgent(dir, 'GET', '/status')).session!;
      await server.down();
      await x.type('echo offline work', 20);
      await x.key('Return');
      await sleep(2500); // settled and spooled
      const offline = await callAgent(dir, 'GET', '/status');
      expect(offline.state).toBe('recording');
      expect(offline.upload.state).toBe('offline');
      expect(offline.spool.batches).toBeGreaterThan(0);
      first.proc.kill('SIGKILL');
      await first.exited;
    } finally {
      first.proc.kill('SIGKILL');
    }
    // What the spool held at the kill is what must arrive, once.
    const spool = Spool.open(join(dir, 'spool.db'), { key: loadDeviceKey(dir), maxBytes: 1 << 30 });
    const held = spool.pending(10_000).filter((b) => b.session === session);
    spool.close();
    const heldEvents = held.flatMap((b) => b.events);
    expect(heldEvents.some((e) => e.type === 'key' && e.char === 'w')).toBe(true);

    await server.up();
    first = startCli(dir, x.env);
    try {
      await until('the spool to drain', async () => (readControlFile(dir) ? (await callAgent(dir, 'GET', '/status')).spool.batches === 0 : false), 30_000);
      first.proc.kill('SIGTERM');
      await first.exited;
    } finally {
      first.proc.kill('SIGKILL');
    }
    const arrived = await server.sessionEvents(session);
    const seqs = arrived.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    for (const e of heldEvents) expect(seqs).toContain(e.seq);
    expect(arrived.filter((e) => heldEvents.some((h) => h.seq === e.seq))).toEqual(heldEvents.sort((a, b) => a.seq - b.seq));
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the agent without a display', () => {
  it('says so clearly and exits non-zero, without a crash dump', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-agent-nodisplay-'));
    writeFileSync(join(dir, 'device.json'), JSON.stringify({ server: 'http://127.0.0.1:9', id: 'dev_x', subject: 'usr_x', token: 'not-used' }), { mode: 0o600 });
    try {
      for (const display of [undefined, ':93']) {
        const env = { ...process.env };
        delete env.DISPLAY;
        if (display) env.DISPLAY = display;
        const run = spawnSync(process.execPath, [CLI, 'agent', 'start', '--dir', dir], { env, encoding: 'utf8', cwd: dir, timeout: 30_000 });
        expect(run.status, run.stderr).toBe(3);
        expect(run.signal).toBeNull();
        expect(run.stderr).toMatch(/display/i);
        expect(run.stderr).not.toMatch(/Aborted|core dumped|at .*\.ts:\d+/);
        expect(readdirSync(dir).filter((f) => /^core|\.dmp$|report\..*\.json$/.test(f))).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
