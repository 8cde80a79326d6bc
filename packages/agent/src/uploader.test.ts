// The uploader against a real server (in this process, over HTTP), with real spools on disk and,
// for the crash cases, child processes killed with SIGKILL.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import { getRandomValues } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BatchReceipt, type CaptureEvent, newId } from '@lockstep/schema';
import { findPlaintext } from '@lockstep/server';
import { loadDeviceKey } from './devicekey.ts';
import { Spool } from './spool.ts';
import { type AgentTestServer, startAgentServer } from './testing/server.ts';
import { type SpoolUploaderOptions, SpoolUploader, type UploadProblem, type UploaderStatus, retryAfterMs } from './uploader.ts';

const CHILD = fileURLToPath(new URL('./testing/spool-child.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../', import.meta.url));

let srv: AgentTestServer;
beforeAll(async () => {
  srv = await startAgentServer();
});
afterAll(async () => {
  await srv.stop();
});

const dirs: string[] = [];
const spools: Spool[] = [];
const uploaders: SpoolUploader[] = [];
const children: ChildProcess[] = [];
const servers: AgentTestServer[] = [];
afterEach(async () => {
  await Promise.all(uploaders.splice(0).map((u) => u.stop()));
  for (const s of spools.splice(0)) s.close();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const newSession = () => newId('ses', (b) => getRandomValues(b));

/** An agent directory: the device key and the spool in it. */
function agentDir(): { dir: string; spoolPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-uploader-'));
  dirs.push(dir);
  return { dir, spoolPath: join(dir, 'spool.db') };
}

function openSpool(dir: string, opts: Partial<Parameters<typeof Spool.open>[1]> = {}): Spool {
  const spool = Spool.open(join(dir, 'spool.db'), { key: loadDeviceKey(dir), maxBytes: 64 << 20, ...opts });
  spools.push(spool);
  return spool;
}

function closeSpool(spool: Spool): void {
  spool.close();
  spools.splice(spools.indexOf(spool), 1);
}

/** Desktop-like events numbered from `from`; with `text`, the first is a typed value. */
function events(from: number, n: number, text?: string): CaptureEvent[] {
  const out: CaptureEvent[] = [];
  for (let i = from; i < from + n; i++) {
    if (text !== undefined && i === from) out.push({ seq: i, t: i * 15, type: 'input', value: text, inputType: 'insertText', target: { tag: 'input', role: 'textbox', name: 'Notes', selector: '#notes' } });
    else if (i % 4 === 1) out.push({ seq: i, t: i * 15, type: 'key', kind: 'down', key: 'a', code: 'KeyA', char: 'a', mods: { alt: false, ctrl: false, meta: false, shift: false } });
    else out.push({ seq: i, t: i * 15, type: 'pointer', kind: i % 4 === 0 ? 'click' : 'move', x: 40 + i, y: 60 + (i % 9), ...(i % 4 === 0 ? { button: 0 } : {}) });
  }
  return out;
}

interface Watch {
  uploader: SpoolUploader;
  states: UploaderStatus[];
  receipts: BatchReceipt[];
  problems: UploadProblem[];
}

function uploader(spool: Spool, server: AgentTestServer = srv, extra: Partial<SpoolUploaderOptions> = {}): Watch {
  const w: Omit<Watch, 'uploader'> = { states: [], receipts: [], problems: [] };
  const up = new SpoolUploader({
    spool,
    server: server.url,
    token: server.deviceToken,
    device: server.deviceId,
    retryBaseMs: 20,
    retryMaxMs: 200,
    onState: (s) => w.states.push(s),
    onReceipt: (r) => w.receipts.push(r),
    onError: (p) => w.problems.push(p),
    ...extra,
  });
  uploaders.push(up);
  return { uploader: up, ...w };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function spawnChild(args: string[]): { child: ChildProcess; lines: string[]; closed: Promise<void>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const rl = createInterface({ input: child.stdout! });
  rl.on('line', (l) => lines.push(l));
  const closed = new Promise<void>((resolve) => rl.once('close', () => resolve()));
  return { child, lines, closed, stderr: () => err };
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

describe('SpoolUploader against a real server', () => {
  it('delivers every spooled batch once, oldest first, and leaves no plaintext in the agent directory (a, f)', async () => {
    const { dir } = agentDir();
    const spool = openSpool(dir);
    const marker = 'Figures for the Lisbon office move';
    const sessions = [newSession(), newSession()];
    const sent = new Map<string, CaptureEvent[]>(sessions.map((s) => [s, []]));
    for (let seq = 0; seq < 12; seq++) {
      for (const session of sessions) {
        const evs = events(seq * 25, 25, `${marker}, draft ${seq}`);
        // Desktop events too: the window that input went to (the test program records xterm).
        if (seq === 0) evs[1] = { seq: 1, t: 15, type: 'window', app: 'xterm', title: 'notes.txt', bounds: { x: 0, y: 0, w: 800, h: 600 } };
        expect(spool.append({ session, seq, events: evs })).toBe('stored');
        sent.get(session)!.push(...evs);
      }
    }
    expect(findPlaintext(dir, [marker, 'Lisbon office'])).toEqual([]);

    const order: Array<[string, number]> = [];
    const w = uploader(spool, srv, {
      fetch: async (input, init) => {
        const b = JSON.parse(String(init?.body)) as { session: string; seq: number };
        order.push([b.session, b.seq]);
        return fetch(input, init);
      },
    });
    w.uploader.start();
    expect(await w.uploader.drain(20_000)).toBe(true);

    expect(w.problems).toEqual([]);
    expect(w.receipts).toHaveLength(24);
    expect(w.receipts.every((r) => !r.duplicate && r.events === 25)).toBe(true);
    // Oldest first: the order they were spooled in.
    expect(order).toEqual(Array.from({ length: 24 }, (_, i) => [sessions[i % 2], Math.floor(i / 2)]));
    expect(spool.stats()).toMatchObject({ batches: 0, bytes: 0, quarantined: 0 });
    expect(w.states.map((s) => s.state)).toContain('sending');
    expect(w.states.at(-1)).toEqual({ state: 'idle', pending: 0 });
    for (const session of sessions) expect(await srv.sessionEvents(session)).toEqual(sent.get(session));
    expect(findPlaintext(dir, [marker, 'Lisbon office'])).toEqual([]);
  });

  it('keeps several batches in flight when asked, still each stored once', async () => {
    const { dir } = agentDir();
    const spool = openSpool(dir);
    const session = newSession();
    for (let seq = 0; seq < 30; seq++) spool.append({ session, seq, events: events(seq * 10, 10) });
    let inFlight = 0;
    let most = 0;
    const counting: typeof fetch = async (input, init) => {
      most = Math.max(most, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const w = uploader(spool, srv, { inFlight: 4, fetch: counting });
    w.uploader.start();
    expect(await w.uploader.drain(20_000)).toBe(true);
    expect(most).toBe(4);
    expect(w.receipts.filter((r) => !r.duplicate)).toHaveLength(30);
    expect((await srv.sessionEvents(session)).map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('delivers, exactly once, every batch a SIGKILLed appender reported as stored (b)', { timeout: 60_000 }, async () => {
    const { dir, spoolPath } = agentDir();
    const session = newSession();
    const child = spawnChild(['append', spoolPath, dir, session, '20']);
    await until('the child to store 150 batches', () => child.lines.length >= 150 || child.child.exitCode !== null, 30_000);
    child.child.kill('SIGKILL');
    await exited(child.child);
    await child.closed;
    expect(child.stderr()).toBe('');
    expect(child.child.signalCode).toBe('SIGKILL');
    const reported = child.lines.map((l) => Number(/^stored (\d+) 20$/.exec(l)?.[1]));
    expect(reported).toEqual(reported.map((_, i) => i));

    const spool = openSpool(dir);
    const held = spool.pending(100_000);
    // Everything reported is there; at most the one append under way when the kill came is more.
    expect(held.map((b) => b.seq).slice(0, reported.length)).toEqual(reported);
    expect(held.length - reported.length).toBeLessThanOrEqual(1);
    const total = held.reduce((n, b) => n + b.events.length, 0);

    const w = uploader(spool);
    w.uploader.start();
    expect(await w.uploader.drain(30_000)).toBe(true);
    const stored = await srv.sessionEvents(session);
    expect(stored).toHaveLength(total);
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i));
    console.log(`[uploader] the appender was killed after reporting ${reported.length} batches; the spool held ${held.length}; the server has ${stored.length} events (${total} spooled)`);
  });

  it('sends again a batch the server stored just before a crash, and the server counts it once (c)', { timeout: 60_000 }, async () => {
    const { dir, spoolPath } = agentDir();
    const session = newSession();
    const spool = openSpool(dir);
    for (let seq = 0; seq < 3; seq++) spool.append({ session, seq, events: events(seq * 30, 30) });
    closeSpool(spool);

    // The child uploads and SIGKILLs itself right after the server's 201, before the ack.
    const child = spawnChild(['upload-once', spoolPath, dir, srv.url, srv.deviceToken, srv.deviceId]);
    await exited(child.child);
    await child.closed;
    expect(child.child.signalCode).toBe('SIGKILL');
    expect(child.lines).toEqual([`server-stored ${session} 0`]);
    expect(await srv.sessionEvents(session)).toHaveLength(30);

    const again = openSpool(dir);
    expect(again.stats().batches).toBe(3);
    const w = uploader(again);
    w.uploader.start();
    expect(await w.uploader.drain(20_000)).toBe(true);
    expect(w.receipts.map((r) => [r.seq, r.duplicate])).toEqual([
      [0, true],
      [1, false],
      [2, false],
    ]);
    expect((await srv.sessionEvents(session)).map((e) => e.seq)).toEqual(Array.from({ length: 90 }, (_, i) => i));
  });

  it('goes offline while the server is down, keeps spooling, and drains once it is back (d)', { timeout: 60_000 }, async () => {
    const own = await startAgentServer();
    servers.push(own);
    const { dir } = agentDir();
    const spool = openSpool(dir);
    const session = newSession();
    spool.append({ session, seq: 0, events: events(0, 10) });
    const w = uploader(spool, own);
    w.uploader.start();
    expect(await w.uploader.drain(10_000)).toBe(true);

    await own.down();
    spool.append({ session, seq: 1, events: events(10, 10) });
    w.uploader.kick();
    await until('offline', () => w.uploader.state.state === 'offline');
    expect(w.uploader.state.lastError).toMatch(/server unreachable \(ECONNREFUSED\)/);
    for (let seq = 2; seq < 8; seq++) {
      spool.append({ session, seq, events: events(seq * 10, 10) });
      w.uploader.kick();
    }
    await until('a few retries', () => w.problems.length >= 4);
    expect(w.problems.every((p) => p.kind === 'retry' && p.status === undefined)).toBe(true);
    expect(spool.stats().batches).toBe(7);
    expect(await w.uploader.drain(300)).toBe(false);

    await own.up();
    expect(await w.uploader.drain(10_000)).toBe(true);
    expect(w.uploader.state).toEqual({ state: 'idle', pending: 0 });
    expect(w.states.map((s) => s.state)).toEqual(expect.arrayContaining(['offline', 'sending', 'idle']));
    expect((await own.sessionEvents(session)).map((e) => e.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i));
  });

  it('backs off exponentially with jitter up to the cap, and honours Retry-After', async () => {
    const { dir } = agentDir();
    const spool = openSpool(dir);
    const session = newSession();
    spool.append({ session, seq: 0, events: events(0, 5) });
    const port = await closedPort();
    const attempts: number[] = [];
    const w = uploader(spool, { ...srv, url: `http://127.0.0.1:${port}` }, {
      retryBaseMs: 40,
      retryMaxMs: 320,
      fetch: async (input, init) => {
        attempts.push(Date.now());
        return fetch(input, init);
      },
    });
    w.uploader.start();
    await until('8 attempts', () => attempts.length >= 8, 15_000);
    await w.uploader.stop();
    expect(w.uploader.state.state).toBe('stopped');
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    // Gap n lies in [d/2, d] for d = min(320, 40·2^(n-1)) (plus timer slack).
    gaps.forEach((gap, i) => {
      const d = Math.min(320, 40 * 2 ** i);
      expect(gap).toBeGreaterThanOrEqual(d / 2 - 2);
      expect(gap).toBeLessThanOrEqual(d + 150);
    });
    expect(spool.stats().batches).toBe(1);

    // 429 with Retry-After: 1 → the next attempt waits at least a second, though the cap is 320 ms.
    const times: number[] = [];
    const up = uploader(spool, srv, {
      retryBaseMs: 40,
      retryMaxMs: 320,
      fetch: async (input, init) => {
        times.push(Date.now());
        if (times.length === 1) return new Response(JSON.stringify({ error: 'rate-limited', message: 'slow down' }), { status: 429, headers: { 'retry-after': '1' } });
        return fetch(input, init);
      },
    });
    up.uploader.start();
    expect(await up.uploader.drain(10_000)).toBe(true);
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(990);
    expect(up.problems.map((p) => [p.kind, p.status, p.message])).toEqual([['retry', 429, expect.stringContaining('HTTP 429: slow down')]]);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT'))).toBe(2000);
    expect(retryAfterMs('86400')).toBe(5 * 60_000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it("answers 'full' at maxBytes and still takes a reserved gap marker, which reaches the server (e)", async () => {
    const { dir } = agentDir();
    const size = (seq: number) => Buffer.byteLength(JSON.stringify(events(seq * 40, 40))) + 16;
    const spool = openSpool(dir, { maxBytes: size(0) + size(1) + size(2) + size(3) });
    const session = newSession();
    let seq = 0;
    while (spool.append({ session, seq, events: events(seq * 40, 40) }) === 'stored') seq++;
    expect(seq).toBe(4);
    expect(spool.append({ session, seq, events: events(seq * 40, 40) })).toBe('full');
    const gap: CaptureEvent = { seq: seq * 40, t: seq * 40 * 15, type: 'marker', kind: 'gap', reason: 'spool-full' };
    expect(spool.append({ session, seq, events: [gap] }, { reserve: true })).toBe('stored');
    expect(spool.stats().bytes).toBeGreaterThan(spool.stats().maxBytes);

    const w = uploader(spool);
    w.uploader.start();
    expect(await w.uploader.drain(10_000)).toBe(true);
    const stored = await srv.sessionEvents(session);
    expect(stored).toHaveLength(4 * 40 + 1);
    expect(stored.at(-1)).toEqual(gap);
    // Uploaded, the room is back.
    expect(spool.append({ session, seq: seq + 1, events: events(seq * 40 + 1, 40) })).toBe('stored');
  });

  it('quarantines a corrupt row and uploads the rest (g)', async () => {
    const { dir, spoolPath } = agentDir();
    const session = newSession();
    const first = openSpool(dir);
    for (let seq = 0; seq < 5; seq++) first.append({ session, seq, events: events(seq * 10, 10) });
    closeSpool(first);
    const db = new Database(spoolPath);
    db.prepare("UPDATE batches SET events = CAST(substr(events, 1, 20) || x'00' || substr(events, 22) AS BLOB) WHERE seq = 2").run();
    db.close();

    const quarantined: Array<{ seq: number; reason: string }> = [];
    const spool = openSpool(dir, { onQuarantine: (q) => quarantined.push({ seq: q.seq, reason: q.reason }) });
    const w = uploader(spool);
    w.uploader.start();
    expect(await w.uploader.drain(10_000)).toBe(true);
    expect(quarantined).toEqual([{ seq: 2, reason: expect.stringMatching(/^unreadable: /) }]);
    expect(spool.stats()).toMatchObject({ batches: 0, quarantined: 1 });
    expect((await srv.sessionEvents(session)).map((e) => e.seq)).toEqual([...Array.from({ length: 20 }, (_, i) => i), ...Array.from({ length: 20 }, (_, i) => 30 + i)]);
  });

  it('quarantines a batch the server refuses (409 conflict, 400 invalid) and goes on with the others', async () => {
    const { dir } = agentDir();
    const session = newSession();
    // Another spool already delivered batch 0 of this session with other content.
    const other = openSpool(agentDir().dir);
    other.append({ session, seq: 0, events: events(0, 5) });
    const o = uploader(other);
    o.uploader.start();
    expect(await o.uploader.drain(10_000)).toBe(true);

    const quarantined: number[] = [];
    const spool = openSpool(dir, { onQuarantine: (q) => quarantined.push(q.seq) });
    spool.append({ session, seq: 0, events: events(0, 6) });
    spool.append({ session, seq: 1, events: [{ seq: 6, t: 90, type: 'pointer', kind: 'hover', x: 1, y: 1 } as unknown as CaptureEvent] });
    spool.append({ session, seq: 2, events: events(7, 5) });
    const w = uploader(spool);
    w.uploader.start();
    expect(await w.uploader.drain(10_000)).toBe(true);
    expect(w.problems.map((p) => [p.kind, p.status, p.code, p.batch?.seq])).toEqual([
      ['quarantined', 409, 'conflict', 0],
      ['quarantined', 400, 'invalid_request', 1],
    ]);
    expect(w.problems[1]!.message).toMatch(/events\[0\]/);
    expect(quarantined).toEqual([0, 1]);
    expect(spool.stats()).toMatchObject({ batches: 0, quarantined: 2 });
    expect(spool.quarantined().map((q) => q.reason)).toEqual([expect.stringContaining('HTTP 409 conflict'), expect.stringContaining('HTTP 400')]);
    expect((await srv.sessionEvents(session)).map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 7, 8, 9, 10, 11]);
  });

  it('drops, and reports, batches of a session its subject deleted (410)', async () => {
    const { dir } = agentDir();
    const session = newSession();
    const spool = openSpool(dir);
    spool.append({ session, seq: 0, events: events(0, 5) });
    const w = uploader(spool);
    w.uploader.start();
    expect(await w.uploader.drain(10_000)).toBe(true);
    expect((await srv.api.call('DELETE', `/v1/sessions/${session}`, { token: srv.subjectToken })).status).toBe(204);

    spool.append({ session, seq: 1, events: events(5, 5) });
    const later = newSession();
    spool.append({ session: later, seq: 0, events: events(0, 5) });
    expect(await w.uploader.drain(10_000)).toBe(true);
    expect(w.problems.map((p) => [p.kind, p.status, p.batch?.seq])).toEqual([['gone', 410, 1]]);
    expect(spool.stats()).toMatchObject({ batches: 0, quarantined: 0 });
    expect(await srv.sessionEvents(session)).toEqual([]);
    expect(await srv.sessionEvents(later)).toHaveLength(5);
  });

  it('stops without consent, keeping the spool, and delivers everything once started again after consent', async () => {
    const own = await startAgentServer({ consent: false });
    servers.push(own);
    const { dir } = agentDir();
    const spool = openSpool(dir);
    const session = newSession();
    for (let seq = 0; seq < 3; seq++) spool.append({ session, seq, events: events(seq * 5, 5) });
    const w = uploader(spool, own);
    w.uploader.start();
    expect(await w.uploader.drain(10_000)).toBe(false);
    expect(w.uploader.state).toEqual({ state: 'stopped', pending: 3, lastError: expect.stringMatching(/consent is required; the spool keeps every batch/) });
    expect(w.problems.map((p) => [p.kind, p.status, p.code])).toEqual([['stopped', 403, 'consent-required']]);
    expect(spool.stats().batches).toBe(3);

    await own.consent();
    w.uploader.start();
    expect(await w.uploader.drain(10_000)).toBe(true);
    expect(await own.sessionEvents(session)).toHaveLength(15);
  });

  it('stops when the device is revoked (401), keeping the spool', async () => {
    const own = await startAgentServer();
    servers.push(own);
    const { dir } = agentDir();
    const spool = openSpool(dir);
    const session = newSession();
    spool.append({ session, seq: 0, events: events(0, 5) });
    const w = uploader(spool, own);
    w.uploader.start();
    expect(await w.uploader.drain(10_000)).toBe(true);
    expect((await own.api.call('POST', `/v1/devices/${own.deviceId}/revoke`, { token: own.adminToken, body: {} })).status).toBe(204);

    spool.append({ session, seq: 1, events: events(5, 5) });
    expect(await w.uploader.drain(10_000)).toBe(false);
    expect(w.uploader.state).toMatchObject({ state: 'stopped', pending: 1, lastError: expect.stringMatching(/device token was refused/) });
    expect(w.problems.map((p) => [p.kind, p.status])).toEqual([['stopped', 401]]);
    expect(spool.stats().batches).toBe(1);
  });

  it('does not acknowledge a 2xx that is not a receipt for the batch (a portal or proxy answering)', async () => {
    const { dir } = agentDir();
    const spool = openSpool(dir);
    const session = newSession();
    spool.append({ session, seq: 0, events: events(0, 5) });
    let calls = 0;
    const w = uploader(spool, srv, {
      fetch: async (input, init) => (++calls === 1 ? new Response('<html>Sign in to the Wi-Fi</html>', { status: 200, headers: { 'content-type': 'text/html' } }) : fetch(input, init)),
    });
    w.uploader.start();
    expect(await w.uploader.drain(10_000)).toBe(true);
    expect(calls).toBe(2);
    expect(w.problems.map((p) => [p.kind, p.status])).toEqual([['retry', 200]]);
    expect(await srv.sessionEvents(session)).toHaveLength(5);
  });
});

describe('batchBody', () => {
  it('is the envelope makeBatch builds, byte for byte once parsed', async () => {
    const { makeBatch } = await import('@lockstep/schema');
    const { batchBody } = await import('./uploader.ts');
    const events = [
      { seq: 0, t: 0, type: 'marker' as const, kind: 'start' as const },
      { seq: 1, t: 1.5, type: 'window' as const, app: 'XTerm', title: 'naïve "quoted" \u2028 title', bounds: { x: 0, y: 0, w: 1, h: 1 } },
    ];
    expect(JSON.parse(batchBody('dev_a', 'ses_b', 7, events))).toEqual(makeBatch('dev_a', 'ses_b', 7, events));
  });
});
