import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentStatus, type ControlServer, MAX_PAUSE_MS, callAgent, readControlFile, startControl } from './control.ts';
import { enrollAgent, loadDevice } from './device.ts';
import { startAgentServer } from './testing/server.ts';

const status = (state: string): AgentStatus => ({
  state,
  summary: state === 'paused' ? 'Paused by you.' : 'Recording xterm — "build".',
  session: 'ses_x',
  startedAt: null,
  window: state === 'paused' ? null : { app: 'xterm', title: 'build <b>', credential: false },
  pausedUntil: null,
  stopped: [],
  events: 3,
  screenshots: false,
  program: null,
  allowList: { apps: ['xterm'], titles: [] },
  spool: { batches: 0, bytes: 0, maxBytes: 1 },
  upload: { state: 'idle', pending: 0 },
  server: 'http://127.0.0.1:1',
  device: 'dev_x',
});

describe('the control channel', () => {
  let dir: string;
  let control: ControlServer;
  let state = 'recording';
  const pauses: Array<number | undefined> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lockstep-control-'));
    control = await startControl(dir, {
      status: () => status(state),
      pause: (forMs) => {
        pauses.push(forMs);
        state = 'paused';
      },
      resume: () => (state = 'recording'),
    });
  });
  afterAll(async () => {
    await control.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes where it listens, readable by the owner only', () => {
    const file = readControlFile(dir)!;
    expect(file.port).toBe(control.port);
    expect(statSync(join(dir, 'control.json')).mode & 0o777).toBe(0o600);
  });

  it('answers nothing without the token, or to another Host name', async () => {
    const base = `http://127.0.0.1:${control.port}`;
    expect((await fetch(`${base}/status`)).status).toBe(401);
    expect((await fetch(`${base}/status`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/pause`, { method: 'POST' })).status).toBe(401);
    expect(pauses).toEqual([]);
    // A page on another site that resolves its name to 127.0.0.1 (DNS rebinding) sends its own Host.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: control.port, path: '/status', headers: { authorization: `Bearer ${control.token}`, host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(rebound).toBe(403);
  });

  it('pauses and resumes, refusing a bad duration and changing nothing then', async () => {
    await expect(callAgent(dir, 'POST', '/pause', { forMs: -5 })).rejects.toThrow(/forMs must be a number of milliseconds between 1 and/);
    await expect(callAgent(dir, 'POST', '/pause', { forMs: MAX_PAUSE_MS + 1 })).rejects.toThrow(/forMs/);
    expect(pauses).toEqual([]);
    expect((await callAgent(dir, 'POST', '/pause', { forMs: 60_000 })).state).toBe('paused');
    expect((await callAgent(dir, 'POST', '/pause', {})).state).toBe('paused');
    expect(pauses).toEqual([60_000, undefined]);
    expect((await callAgent(dir, 'POST', '/resume')).state).toBe('recording');
  });

  it('shows the same on its status page, escaped, and takes the token once into a cookie', async () => {
    const res = await fetch(`http://127.0.0.1:${control.port}/?token=${control.token}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Recording xterm');
    expect(html).toContain('build &#60;b&#62;');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const again = await fetch(`http://127.0.0.1:${control.port}/`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(again.status).toBe(200);
  });
});

describe('enrollment', () => {
  it('saves a desktop device credential (0600) from a device code, and refuses a used code and an unreachable server clearly', async () => {
    const server = await startAgentServer();
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-enroll-'));
    try {
      const code = await server.deviceCode();
      const enrolled = await enrollAgent(dir, server.url, code, 'test box');
      expect(loadDevice(dir)).toEqual({ server: server.url, id: enrolled.id, subject: server.subjectId, token: enrolled.token });
      expect(statSync(enrolled.path).mode & 0o777).toBe(0o600);
      await expect(enrollAgent(dir, server.url, code)).rejects.toThrow(/enrollment refused: this enrollment code is not valid/);
      await expect(enrollAgent(dir, 'http://127.0.0.1:9', 'whatever')).rejects.toThrow(/cannot reach the Lockstep server/);
      expect(() => loadDevice(join(dir, 'nowhere'))).toThrow(/not enrolled .*`lockstep agent enroll CODE/);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
