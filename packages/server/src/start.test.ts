import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, batch, enrollAdmin, enrollDevice, createUser, sessionId } from './testing/harness.ts';
import { startServer } from './start.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockstep-start-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const quiet = { logStream: { write: () => undefined } };

describe('startServer', () => {
  it('creates the data directory, listens, and closes', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const server = await startServer({ dataDir, ...quiet });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'keys', 'kek')).mode & 0o777).toBe(0o600);
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true });
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('issues a fresh bootstrap code each start, retiring the unused one, and keeps data across restarts', async () => {
    const dataDir = join(dir, 'data');
    const first = await startServer({ dataDir, ...quiet });
    const stale = first.bootstrapCode;
    const api1 = new Api(first.url);
    const admin = await enrollAdmin(api1, first.bootstrapCode);
    const subject = await createUser(api1, admin.token);
    const device = await enrollDevice(api1, admin.token, subject.id);
    const ses = sessionId();
    expect((await api1.call('POST', '/v1/batches', { token: device.token, body: batch(device.id, ses, 0) })).status).toBe(201);
    await first.close();

    const second = await startServer({ dataDir, ...quiet });
    const third = await (async () => {
      await second.close();
      return startServer({ dataDir, ...quiet });
    })();
    const api3 = new Api(third.url);
    expect(third.bootstrapCode).not.toBe(second.bootstrapCode);
    // The code of the second start was never used and is now void; the first was used already.
    expect((await api3.call('POST', '/v1/enroll', { body: { code: second.bootstrapCode } })).status).toBe(400);
    expect((await api3.call('POST', '/v1/enroll', { body: { code: stale } })).status).toBe(400);
    expect((await api3.call('POST', '/v1/enroll', { body: { code: third.bootstrapCode } })).status).toBe(201);
    // Tokens and content survived the restarts.
    expect((await api3.call('GET', '/v1/me', { token: admin.token })).status).toBe(200);
    const read = await api3.call<{ events: unknown[] }>('GET', `/v1/sessions/${ses}`, { token: subject.token });
    expect(read.body.events).toHaveLength(10);
    await third.close();
  });

  it('refuses to start when the key file is readable by others or the wrong size', async () => {
    const dataDir = join(dir, 'data');
    await (await startServer({ dataDir, ...quiet })).close();
    const kek = join(dataDir, 'keys', 'kek');
    chmodSync(kek, 0o640);
    await expect(startServer({ dataDir, ...quiet })).rejects.toThrow(/may be read by group or others.*chmod 600/);
    chmodSync(kek, 0o600);
    writeFileSync(kek, Buffer.alloc(16));
    await expect(startServer({ dataDir, ...quiet })).rejects.toThrow(/16 bytes/);
  });

  it('refuses to start with a different key file than the keys were wrapped under, or without it', async () => {
    const dataDir = join(dir, 'data');
    await (await startServer({ dataDir, ...quiet })).close();
    const kek = join(dataDir, 'keys', 'kek');
    writeFileSync(kek, Buffer.alloc(32, 9), { mode: 0o600 });
    await expect(startServer({ dataDir, ...quiet })).rejects.toThrow(/does not match the keyring/);
    rmSync(kek);
    await expect(startServer({ dataDir, ...quiet })).rejects.toThrow(/missing/);
  });
});
