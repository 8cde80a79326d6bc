import { afterEach, describe, expect, it } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Api, batch, createUser, enrollAdmin, enrollDevice, events, sessionId } from './harness.ts';

const runner = fileURLToPath(new URL('./run-server.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const children: ChildProcess[] = [];
let dir: string | undefined;

afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.length = 0;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts the server in a child process and waits for its {url, bootstrapCode} line. */
async function spawnServer(dataDir: string): Promise<{ child: ChildProcess; url: string; bootstrapCode: string }> {
  // `--import tsx` resolves from the working directory: run from the package, whose ancestors hold it.
  const child = spawn(process.execPath, ['--import', 'tsx', runner, dataDir], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited (${String(code)}) before it was ready: ${stderr}`)));
  });
  const { url, bootstrapCode } = JSON.parse(first) as { url: string; bootstrapCode: string };
  return { child, url, bootstrapCode };
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('crash durability', () => {
  it('keeps every acknowledged batch through kill -9 mid-stream', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lockstep-crash-'));
    const dataDir = join(dir, 'data');
    const first = await spawnServer(dataDir);
    const api = new Api(first.url);
    const admin = await enrollAdmin(api, first.bootstrapCode);
    const subject = await createUser(api, admin.token);
    const device = await enrollDevice(api, admin.token, subject.id);

    const sessions = [sessionId(), sessionId()];
    const acked: Array<{ session: string; seq: number; events: ReturnType<typeof events> }> = [];
    let next = 0;
    let killed = false;
    let failures = 0;
    const worker = async () => {
      while (!killed || failures === 0) {
        const n = next++;
        const session = sessions[n % 2]!;
        const seq = Math.floor(n / 2);
        const evs = events(seq * 10, 10, { value: `batch ${session} ${seq}` });
        try {
          const res = await api.call('POST', '/v1/batches', { token: device.token, body: batch(device.id, session, seq, evs) });
          if (res.status === 201) acked.push({ session, seq, events: evs });
          else throw new Error(`unexpected ${res.status}`);
        } catch (error) {
          if (!killed) throw error;
          failures++;
          return;
        }
        if (acked.length >= 60 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    await exited(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(60);
    expect(failures).toBeGreaterThan(0); // the kill really landed mid-stream

    const second = await spawnServer(dataDir);
    const api2 = new Api(second.url);
    for (const session of sessions) {
      const read = await api2.call<{ events: Array<{ seq: number; value?: string }> }>('GET', `/v1/sessions/${session}`, { token: subject.token });
      expect(read.status).toBe(200);
      const stored = new Set(read.body.events.map((e) => JSON.stringify(e)));
      const mine = acked.filter((a) => a.session === session);
      for (const a of mine) for (const e of a.events) expect(stored.has(JSON.stringify(e)), `batch ${a.seq} of ${session}`).toBe(true);
      // Nothing is stored twice.
      expect(stored.size).toBe(read.body.events.length);
    }
    second.child.kill('SIGTERM');
    await exited(second.child);
  });
});
