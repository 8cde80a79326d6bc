import { afterEach, describe, expect, it } from 'vitest';
import { exited, killChildServers, spawnChildServer as spawnServer } from '../testing/child-server.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Api, batch, createUser, enrollAdmin, enrollDevice, sessionId } from '../testing/harness.ts';
import { verifyAuditDir } from './offline.ts';

let dir: string | undefined;

afterEach(() => {
  killChildServers();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function contentAccesses(dataDir: string): Map<string, number> {
  const db = new Database(join(dataDir, 'audit.db'), { readonly: true });
  try {
    const rows = db
      .prepare<[], { resource: string; n: number }>("SELECT json_extract(CAST(body AS TEXT), '$.resource') AS resource, count(*) AS n FROM entries WHERE kind = 'content-access' GROUP BY 1")
      .all();
    return new Map(rows.map((r) => [r.resource, r.n]));
  } finally {
    db.close();
  }
}

describe('audit log through kill -9', () => {
  it('keeps a verifiable log holding an entry for every read that was answered', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lockstep-audit-crash-'));
    const dataDir = join(dir, 'data');
    const first = await spawnServer(dataDir);
    const api = new Api(first.url);
    const admin = await enrollAdmin(api, first.bootstrapCode);
    const subject = await createUser(api, admin.token);
    const device = await enrollDevice(api, admin.token, subject.id);
    const WORKERS = 6;
    const sessions = Array.from({ length: WORKERS }, () => sessionId());
    for (const s of sessions) {
      const res = await api.call('POST', '/v1/batches', { token: device.token, body: batch(device.id, s, 0) });
      expect(res.status).toBe(201);
    }

    // A burst of audited reads, one session per worker; count the ones answered with content.
    const answered = new Map<string, number>(sessions.map((s) => [`Session::${s}`, 0]));
    let total = 0;
    let killed = false;
    let failures = 0;
    const worker = async (session: string) => {
      for (;;) {
        try {
          const res = await api.call<{ events: unknown[] }>('GET', `/v1/sessions/${session}`, { token: subject.token });
          if (res.status !== 200) throw new Error(`unexpected ${res.status}`);
          expect(res.body.events.length).toBe(10);
        } catch (error) {
          if (!killed) throw error;
          failures++;
          return;
        }
        answered.set(`Session::${session}`, answered.get(`Session::${session}`)! + 1);
        if (++total >= 150 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(sessions.map(worker));
    await exited(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(failures).toBeGreaterThan(0); // the kill landed mid-burst

    // Offline, before any restart: a valid log, and every answered read is on it.
    const verified = verifyAuditDir(dataDir);
    expect(verified.firstBad).toBeUndefined();
    expect(verified.ok).toBe(true);
    const logged = contentAccesses(dataDir);
    for (const [resource, n] of answered) expect(logged.get(resource) ?? 0, resource).toBeGreaterThanOrEqual(n);

    // The server starts again on it and keeps appending to the same chain.
    const second = await spawnServer(dataDir);
    const read = await new Api(second.url).call('GET', `/v1/sessions/${sessions[0]!}`, { token: subject.token });
    expect(read.status).toBe(200);
    second.child.kill('SIGTERM');
    await exited(second.child);
    const after = verifyAuditDir(dataDir);
    expect(after.ok).toBe(true);
    expect(after.entries).toBeGreaterThan(verified.entries);
  });
});
