import { afterEach, describe, expect, it } from 'vitest';
import { exited, killChildServers, spawnChildServer as spawnServer } from './child-server.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, batch, createUser, enrollAdmin, enrollDevice, events, sessionId } from './harness.ts';

let dir: string | undefined;

afterEach(() => {
  killChildServers();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

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
