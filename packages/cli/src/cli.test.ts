import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { makeBatch, newId } from '@lockstep/schema';
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

describe('lockstep --help', () => {
  const commands = [
    [], ['up'], ['demo'], ['enroll'], ['users'], ['users', 'add'], ['users', 'list'], ['users', 'roles'], ['device-code'], ['device-revoke'], ['record'], ['record', 'web'],
    ['sessions'], ['sessions', 'list'], ['sessions', 'show'], ['sessions', 'delete'],
    ['programs'], ['programs', 'add'], ['programs', 'list'], ['programs', 'notice'], ['programs', 'desktop'], ['programs', 'pause'], ['programs', 'resume'],
    ['consent'], ['consent', 'accept'], ['consent', 'withdraw'], ['consent', 'show'],
    ['episodes'], ['episodes', 'list'], ['episodes', 'show'], ['episodes', 'label'], ['episodes', 'split'], ['episodes', 'merge'], ['episodes', 'release'], ['episodes', 'delete'],
    ['datasets'], ['datasets', 'add'], ['datasets', 'list'],
    ['grants'], ['grants', 'request'], ['grants', 'approve'], ['grants', 'deny'], ['grants', 'revoke'], ['grants', 'list'], ['grants', 'read'],
    ['break-glass'], ['break-glass', 'request'], ['break-glass', 'approve'], ['break-glass', 'read'], ['break-glass', 'list'],
    ['access'], ['policy'], ['policy', 'check'], ['policy', 'matrix'],
  ];
  it.each(commands.map((c) => [c.join(' ') || '(root)', c]))('%s has --help', async (_name, cmd) => {
    const r = await lockstep([...(cmd as string[]), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lockstep/m);
  });

  it('names the problem with a bad option', async () => {
    const r = await lockstep(['up', '--port', 'eighty']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('is not a TCP port');
  });
});

describe('lockstep up, enroll and sessions', () => {
  let dir: string;
  let server: SpawnedServer;
  const env = () => ({ LOCKSTEP_CONFIG: join(dir, 'config', 'credentials.json'), LOCKSTEP_SERVER: server.url, LOCKSTEP_TOKEN: '' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lockstep-cli-'));
    server = await spawnServer(join(dir, 'data'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the data directory and a key file only its owner can read', () => {
    expect(statSync(join(dir, 'data')).isDirectory()).toBe(true);
    expect(statSync(join(dir, 'data', 'keys', 'kek')).mode & 0o077).toBe(0);
  });

  it('enrolls an admin, a person and a device, and the person lists and reads their sessions', async () => {
    const admin = await lockstep(['enroll', server.bootstrapCode], env());
    expect(admin.stdout).toMatch(/enrolled as usr_\S+ \(admin\)/);
    const credFile = env().LOCKSTEP_CONFIG;
    expect(statSync(credFile).mode & 0o077).toBe(0);

    const add = await lockstep(['users', 'add', '--role', 'subject', '--device-code'], env());
    expect(add.code).toBe(0);
    const personCode = /person enrollment code: (\S+)/.exec(add.stdout)![1]!;
    const deviceCode = /device enrollment code: (\S+)/.exec(add.stdout)![1]!;

    // the person enrolls on their own machine (another config file)
    const personEnv = { ...env(), LOCKSTEP_CONFIG: join(dir, 'person', 'credentials.json') };
    expect((await lockstep(['enroll', personCode], personEnv)).stdout).toMatch(/\(subject\)/);
    expect((await lockstep(['enroll', deviceCode], personEnv)).stdout).toMatch(/device dev_\S+ enrolled/);
    // Consent first: the person accepts the program's notice before anything is captured.
    const accepted = await lockstep(['consent', 'accept'], personEnv);
    expect(accepted.stdout).toContain('accepted');
    const creds = JSON.parse(readFileSync(personEnv.LOCKSTEP_CONFIG, 'utf8'))[server.url] as { device: { token: string; id: string } };

    const session = newId('ses', (b) => new Uint8Array(randomBytes(b.length)));
    await createClient(server.url, creds.device.token).post(
      '/v1/batches',
      makeBatch(creds.device.id, session, 0, [
        { seq: 0, t: 0, type: 'marker', kind: 'start' },
        { seq: 1, t: 10, type: 'navigation', kind: 'load', url: 'https://example.org/a', title: 'A' },
      ]),
    );
    const list = await lockstep(['sessions', 'list'], personEnv);
    expect(list.stdout).toContain(session);
    expect(list.stdout).toContain('https://example.org');
    const show = await lockstep(['sessions', 'show', session, '--json'], personEnv);
    expect(JSON.parse(show.stdout).events).toHaveLength(2);

    // More of the same page: one episode, which the person splits (seconds from its start) and merges back.
    await createClient(server.url, creds.device.token).post(
      '/v1/batches',
      makeBatch(creds.device.id, session, 1, [
        { seq: 2, t: 1000, type: 'scroll', scrollX: 0, scrollY: 100 },
        { seq: 3, t: 2000, type: 'scroll', scrollX: 0, scrollY: 200 },
      ]),
    );
    const episodes = await lockstep(['episodes', 'list'], personEnv);
    expect(episodes.stdout).toMatch(/^id\s+session\s+status\s+duration\s+events\s+apps\s+cut\s+task$/m);
    expect(episodes.stdout).toMatch(new RegExp(`epi_\\S+\\s+${session}\\s+open\\s+2\\.0 s\\s+4\\s+1\\s+start\\s+-`));
    const epi = /(epi_\S+)/.exec(episodes.stdout)![1]!;
    expect((await lockstep(['episodes', 'split', epi, '--at', 'soon'], personEnv)).stderr).toContain('is not a number of seconds');
    const split = await lockstep(['episodes', 'split', epi, '--at', '1.5', '--json'], personEnv);
    const parts = (JSON.parse(split.stdout) as { episodes: Array<{ id: string; startT: number; endT: number; reason: string }> }).episodes;
    expect(parts.map((e) => [e.startT, e.endT, e.reason])).toEqual([[0, 1000], [2000, 2000]].map(([a, b], i) => [a, b, i === 0 ? 'start' : 'subject']));
    const merged = await lockstep(['episodes', 'merge', epi, parts[1]!.id], personEnv);
    expect(merged.stdout).toContain(`merged into ${epi}`);
    expect(merged.stdout).toMatch(/2\.0 s\s+4\s+1\s+start/);

    // the admin cannot read it, and is told why
    const denied = await lockstep(['sessions', 'show', session], env());
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('(403)');

    const del = await lockstep(['sessions', 'delete', session], personEnv);
    expect(del.stdout).toContain(`deleted ${session}`);
    expect((await lockstep(['sessions', 'show', session], personEnv)).stderr).toContain('(404)');
  });

  it('sets what the desktop agent records, and pauses and resumes a program (the kill switch)', async () => {
    const added = await lockstep(['programs', 'add', 'desktop work', '--purpose', 'evaluation', '--notice', 'We record your terminal.', '--json'], env());
    const id = (JSON.parse(added.stdout) as { id: string }).id;
    const shown = await lockstep(['programs', 'desktop', id], env());
    expect(shown.stdout).toContain('apps: (none: nothing on the desktop is recorded)');
    const set = await lockstep(['programs', 'desktop', id, '--apps', 'XTerm, code', '--titles', 'ticket-*', '--screenshots'], env());
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/apps: xterm, code\n\s+titles: ticket-\*\n\s+screenshots: on/);
    const off = await lockstep(['programs', 'desktop', id, '--no-screenshots', '--json'], env());
    expect(JSON.parse(off.stdout)).toEqual({ desktopApps: ['xterm', 'code'], desktopTitles: ['ticket-*'], screenshots: false });
    const bad = await lockstep(['programs', 'desktop', id, '--titles', '*'], env());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('desktopTitles[0]');

    expect((await lockstep(['programs', 'pause', id], env())).stderr).toContain("required option '--reason <text>'");
    const paused = await lockstep(['programs', 'pause', id, '--reason', 'incident drill'], env());
    expect(paused.stdout).toMatch(new RegExp(`capture of ${id} is paused since \\S+ \\(by usr_\\S+: incident drill\\)`));
    expect((await lockstep(['programs', 'list'], env())).stdout).toMatch(new RegExp(`${id}.*since 20`));
    expect((await lockstep(['programs', 'resume', id], env())).stdout).toContain(`capture of ${id} runs again`);
    expect((await lockstep(['programs', 'list', '--json'], env())).stdout).toContain('"paused": null');
  });

  it('says what to do when there is no credential or no server', async () => {
    const none = await lockstep(['sessions', 'list'], { ...env(), LOCKSTEP_CONFIG: join(dir, 'nobody.json') });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('lockstep enroll CODE');
    const down = await lockstep(['sessions', 'list', '--server', 'http://127.0.0.1:9', '--token', 'lsu_x'], env());
    expect(down.stderr).toContain('cannot reach the Lockstep server');
    const badUrl = await lockstep(['record', 'web', 'not a url', '--token', 'lsd_x'], env());
    expect(badUrl.stderr).toContain('is not a URL');
  });

  it('refuses a second server on a data directory that is in use', async () => {
    const r = await lockstep(['up', '--data', join(dir, 'data'), '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is in use by another Lockstep server');
    expect(r.stdout).not.toContain('listening on');
  });

  it('refuses to start with policies that grant researchers raw access, naming the promise', async () => {
    const policies = join(dir, 'bad-policies');
    mkdirSync(policies);
    const { readPolicySources } = await import('@lockstep/server');
    writeFileSync(
      join(policies, 'policies.cedar'),
      `${readPolicySources().policies}\n@id("researchers-read-raw") permit (principal is Lockstep::User, action == Lockstep::Action::"breakglass.read", resource is Lockstep::Session) when { principal.roles.contains("researcher") };\n`,
    );
    const r = await lockstep(['up', '--data', join(dir, 'data-bad'), '--port', '0', '--policies', policies]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('researcher-never-reads-raw');
    expect(r.stderr).toMatch(/ALLOWED breakglass\.read/);
    expect(r.stdout).not.toContain('listening on');
    const check = await lockstep(['policy', 'check', '--policies', policies]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('BROKEN promise "researcher-never-reads-raw"');
  });

  it('stops cleanly on SIGTERM', async () => {
    const other = await spawnServer(join(dir, 'data2'));
    expect(await other.stop()).toBe(0);
    expect(other.output()).toContain('SIGTERM: stopping');
  });
});

describe('lockstep demo', () => {
  it('records, stores and reads back a task without leaking the password', async () => {
    const r = await lockstep(['demo']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('admin reading the session: HTTP 403');
    expect(r.stdout).toContain('the password typed: not in the events, not on disk, not in the log');
    expect(r.stdout).toMatch(/typing\s+12 keys → "ada\.lovelace"/);
    expect(r.stdout).toMatch(/typing\s+\d+ keys → value withheld\s+textbox "Password"/);
    expect(r.stdout).toContain('the API key typed into the message: masked on the device before upload');
    expect(r.stdout).toMatch(/Deploy key: xxx_Xx9xX9xXx9Xx9Xx9Xx9Xx9Xx9Xx9Xx9Xx9Xx/);
    expect(r.stdout).toMatch(/usr_\S+ \(admin\)\s+session\.read\s+DENIED/);
    // The researcher's export: de-identified, and on the subject's access view.
    expect(r.stdout).toMatch(/1 episode, \d+ steps →/);
    expect(r.stdout).toContain("the subject's id in the export: absent; the password: absent");
    expect(r.stdout).toMatch(/type "ada\.lovelace" into textbox "User name"/);
    expect(r.stdout).toMatch(/usr_\S+ \(researcher\)\s+export\.download\s+allowed/);
  });
});
