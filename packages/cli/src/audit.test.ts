import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { createClient } from './client.ts';
import { LOCKSTEP_BIN, spawnServer, type SpawnedServer } from './testing/spawn.ts';

const exec = promisify(execFile);

async function lockstep(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [LOCKSTEP_BIN, ...args], { env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('lockstep audit --help', () => {
  it.each(['audit', 'audit verify', 'audit checkpoint', 'audit key', 'audit prove'])('%s has --help', async (cmd) => {
    const r = await lockstep([...cmd.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lockstep audit/m);
  });
});

describe('lockstep audit on a data directory', () => {
  let dir: string;
  let data: string;
  let server: SpawnedServer | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lockstep-cli-audit-'));
    data = join(dir, 'data');
    server = await spawnServer(data);
    // Some audited traffic: an admin, a security member, their reads.
    const anonymous = createClient(server.url);
    const admin = await anonymous.post<{ token: string }>('/v1/enroll', { code: server.bootstrapCode });
    const asAdmin = createClient(server.url, admin.token);
    const created = await asAdmin.post<{ enrollmentCode: string }>('/v1/users', { roles: ['security'] });
    const security = await anonymous.post<{ token: string }>('/v1/enroll', { code: created.enrollmentCode });
    for (let i = 0; i < 5; i++) await asAdmin.get('/v1/me');
    writeFileSync(join(dir, 'security-token'), security.token);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies, prints the checkpoint and the key, while the server runs (read-only, no lock)', async () => {
    const ok = await lockstep(['audit', 'verify', '--data', data]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^verified \d+ entries, root [A-Za-z0-9+/]{43}=; \d+ stored checkpoints check out\n$/);
    const key = await lockstep(['audit', 'key', '--data', data]);
    expect(key.stdout).toMatch(/^lockstep\/audit\/[0-9a-f]{12}\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\n$/);
    const checkpoint = await lockstep(['audit', 'checkpoint', '--data', data]);
    expect(checkpoint.stdout).toMatch(/^lockstep\/audit\/[0-9a-f]{12}\n\d+\n[A-Za-z0-9+/]{43}=\n\n\u2014 lockstep\/audit\/[0-9a-f]{12} \S+\n$/);
  });

  it('prints the checkpoint from the server, with the same key', async () => {
    const token = (await import('node:fs')).readFileSync(join(dir, 'security-token'), 'utf8');
    const remote = await lockstep(['audit', 'checkpoint', '--server', server!.url, '--token', token, '--json']);
    expect(remote.code).toBe(0);
    const view = JSON.parse(remote.stdout) as { checkpoint: string; verifierKey: string };
    expect(view.checkpoint).toMatch(/^lockstep\/audit\//);
    const key = await lockstep(['audit', 'key', '--data', data]);
    expect(view.verifierKey).toBe(key.stdout.trim());
  });

  it('an untouched log extends a saved checkpoint; a changed or deleted entry is named', async () => {
    await server!.stop();
    server = undefined;
    const saved = join(dir, 'saved.checkpoint');
    writeFileSync(saved, (await lockstep(['audit', 'checkpoint', '--data', data])).stdout);
    const savedSize = Number((await import('node:fs')).readFileSync(saved, 'utf8').split('\n')[1]);
    expect(savedSize).toBeGreaterThan(5);

    // Unchanged: the log extends the saved checkpoint, and prove says so.
    expect((await lockstep(['audit', 'verify', '--data', data, '--checkpoint', saved])).code).toBe(0);
    const proved = await lockstep(['audit', 'prove', '--data', data, '--from', saved, '--to', saved]);
    expect(proved.stdout).toMatch(/^consistent: /);

    const db = new Database(join(data, 'audit.db'));
    db.prepare("UPDATE entries SET action = 'me.read', actor = 'usr_nobody' WHERE seq = 3").run();
    db.close();
    const bad = await lockstep(['audit', 'verify', '--data', data]);
    expect(bad.code).toBe(1);
    // The query columns no longer say what the hashed bytes say.
    expect(bad.stderr).toBe('lockstep: audit log verification failed: entry 3: contents changed (its actor column differs from its hashed bytes)\n');

    const gone = new Database(join(data, 'audit.db'));
    gone.prepare('DELETE FROM entries WHERE seq = 3').run();
    gone.close();
    expect((await lockstep(['audit', 'verify', '--data', data])).stderr).toContain('entry 3 missing');

    const missing = await lockstep(['audit', 'verify', '--data', join(dir, 'nowhere')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^lockstep: .*audit\.db does not exist/);
  });
});
