/**
 * Issue 5's acceptance checks for exports, end to end: a real `lockstep up`, two tasks recorded
 * in Chromium through the real recorder on the sample app (served on an IP-literal origin), the
 * subject's release, a dataset, a grant approved by a steward, then `lockstep export` as its
 * own process, its files checked byte by byte, read by DuckDB and ajv, replayed, and followed
 * on the revocation feed after the subject deletes one episode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { MASKED_STAND_INS } from '@lockstep/trajectory';
import { serveSamples } from '../../../../samples/serve.ts';
import { createClient } from '../client.ts';
import { addSubject, provision, type Provisioned } from '../provision.ts';
import { recordWeb } from '../record-web.ts';
import { LOCKSTEP_BIN, spawnServer, type SpawnedServer } from '../testing/spawn.ts';
import type { ExportManifest } from './run.ts';

const run = promisify(execFile);
const WORDS = ['harbor', 'lantern', 'meadow', 'copper', 'violet', 'summit', 'river', 'maple', 'ember', 'orchid', 'falcon', 'cedar'];
const word = () => WORDS[randomBytes(1)[0]! % WORDS.length]!;
const USER = `grace_${word()}_${word()}_${word()}`;
const EMAIL = `grace.${word()}.${word()}@corp-mail.example`;

interface Episode {
  id: string;
  session: string;
  status: string;
  task: string | null;
}

/** Every file under `dir`, recursively. */
function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Runs `lockstep ARGS` as its own process; a failure's error carries what it printed. */
async function cli(server: string, token: string, ...args: string[]) {
  try {
    return await run(process.execPath, [LOCKSTEP_BIN, ...args, '--server', server, '--token', token], { maxBuffer: 64 << 20, env: { ...process.env, LOCKSTEP_DEBUG: '' } });
  } catch (error) {
    const e = error as Error & { stderr?: string; stdout?: string };
    throw new Error(`lockstep ${args[0]} ${args[1] ?? ''} failed: ${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

describe('exports: de-identified, readable, replayable, revocable', () => {
  let dataDir: string;
  let out: string;
  let server: SpawnedServer;
  let samples: Awaited<ReturnType<typeof serveSamples>>;
  let who: Provisioned;
  let researcher: string;
  let grant: string;
  let episodes: Episode[];
  /** The recorded subject's token. */
  let owner: string;
  const secrets: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lockstep-export-'));
    out = mkdtempSync(join(tmpdir(), 'lockstep-export-out-'));
    server = await spawnServer(dataDir);
    samples = await serveSamples();
    expect(new URL(samples.url).hostname).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    who = await provision(server.url, server.bootstrapCode);
    const admin = createClient(server.url, who.admin);
    const anon = createClient(server.url);
    // The subject's e-mail address as their account label: it must never reach an export.
    const subject2 = await addSubject(server.url, who.admin, EMAIL);

    for (const [i, task] of ['fill the sign-up form', 'write a short note'].entries()) {
      await recordWeb({
        url: `${samples.url}signup/`,
        server: server.url,
        token: subject2.device.token,
        headless: true,
        script: async (page) => {
          await page.getByLabel('User name').click();
          await page.keyboard.type(`${USER}_${i}`, { delay: 3 });
          await page.getByLabel('Message').click();
          await page.keyboard.type(`Write to me at ${EMAIL} about ${task}.`, { delay: 3 });
          await page.getByRole('button', { name: 'Send' }).click();
          await page.waitForTimeout(300);
        },
      });
    }
    owner = subject2.subject.token;
    const me = createClient(server.url, owner);
    episodes = (await me.get<{ episodes: Episode[] }>('/v1/episodes')).episodes;
    expect(episodes).toHaveLength(2);
    for (const [i, e] of episodes.entries()) {
      await me.put(`/v1/episodes/${e.id}/task`, { task: i === 0 ? 'Sign up for the newsletter' : 'Send a note' });
      await me.post(`/v1/episodes/${e.id}/release`);
    }
    const { sessions } = await me.get<{ sessions: Array<Record<string, unknown>> }>('/v1/sessions');
    // The machine's host name, when it is distinctive enough to search for ("vm" is in many words).
    if (hostname().length >= 6) secrets.push(hostname());
    secrets.push(subject2.subject.id, subject2.device.id, EMAIL, new URL(samples.url).host, new URL(samples.url).hostname, ...episodes.map((e) => e.id), ...episodes.map((e) => e.session));
    for (const s of sessions) for (const v of Object.values(s)) if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) secrets.push(v, String(Date.parse(v)));

    const people: Record<string, string> = {};
    for (const role of ['researcher', 'steward']) {
      const u = await admin.post<{ user: { id: string }; enrollmentCode: string }>('/v1/users', { roles: [role], label: role });
      people[role] = (await anon.post<{ token: string }>('/v1/enroll', { code: u.enrollmentCode })).token;
    }
    researcher = people.researcher!;
    const r = createClient(server.url, researcher);
    const dataset = await r.post<{ id: string }>('/v1/datasets', { program: subject2.program, name: 'sign-up tasks' });
    const g = await r.post<{ id: string }>('/v1/grants', { dataset: dataset.id, purpose: 'agent-training', expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    await createClient(server.url, people.steward!).post(`/v1/grants/${g.id}/approve`);
    grant = g.id;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await samples?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  const exportTo = async (name: string) => {
    const dir = join(out, name);
    const { stdout } = await cli(server.url, researcher, 'export', '--grant', grant, '--out', dir, '--json');
    return { dir, result: JSON.parse(stdout) as { manifest: ExportManifest; card: { steps: number; episodes: number; actions: Record<string, { count: number }> } } };
  };

  let first: Awaited<ReturnType<typeof exportTo>>;
  let second: Awaited<ReturnType<typeof exportTo>>;

  it('writes every format, a card and a manifest whose hashes match the files', async () => {
    first = await exportTo('one');
    const names = filesOf(first.dir).map((f) => f.slice(first.dir.length + 1)).sort();
    expect(names).toEqual(expect.arrayContaining(['episodes.jsonl', 'steps.parquet', 'chat-anthropic.jsonl', 'chat-openai.jsonl', 'dataset-card.md', 'dataset-card.json', 'manifest.json', 'trajectory-v1.schema.json']));
    expect(names.filter((n) => n.startsWith('playwright/'))).toHaveLength(2);
    const manifest = JSON.parse(readFileSync(join(first.dir, 'manifest.json'), 'utf8')) as ExportManifest;
    expect(manifest.episodes).toHaveLength(2);
    for (const f of manifest.files) expect(statSync(join(first.dir, f.path)).size).toBe(f.bytes);
    expect(first.result.card.episodes).toBe(2);
  }, 60_000);

  it('carries no subject id, e-mail address, host name, device id, absolute time or IP address (every byte of every file)', () => {
    for (const file of filesOf(first.dir)) {
      const bytes = readFileSync(file);
      const text = bytes.toString('latin1');
      for (const s of secrets) expect(text.includes(s), `${file} contains ${s}`).toBe(false);
      // Any IPv4 address at all, and any e-mail address that is not a masked shape.
      expect(text.match(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g) ?? [], file).toEqual([]);
      // (The replay scripts fill masked fields with fixed stand-ins, such as a documentation address.)
      const standIns = new Set(Object.values(MASKED_STAND_INS));
      for (const m of text.match(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g) ?? []) if (!standIns.has(m)) expect(m.replace(/[x9X@.+_-]/g, ''), `${file}: ${m}`).toBe('');
    }
  });

  it('validates against the published JSON Schema, and DuckDB reads the Parquet as the card counts it', async () => {
    const schema = JSON.parse(readFileSync(join(first.dir, 'trajectory-v1.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const lines = readFileSync(join(first.dir, 'episodes.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(validate(JSON.parse(line)), JSON.stringify(validate.errors)).toBe(true);

    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const file = join(first.dir, 'steps.parquet').replaceAll("'", "''");
    const total = (await db.runAndReadAll(`select count(*)::integer as n from read_parquet('${file}')`)).getRowObjects()[0]!.n;
    expect(total).toBe(first.result.card.steps);
    const mix = Object.fromEntries((await db.runAndReadAll(`select kind::varchar as kind, count(*)::integer as n from read_parquet('${file}') group by kind`)).getRows().map(([k, n]) => [String(k), Number(n)]));
    expect(mix).toEqual(Object.fromEntries(Object.entries(first.result.card.actions).map(([k, v]) => [k, v.count])));
    db.closeSync();
  });

  it('gives another export of the same episodes other pseudonyms and other local ids', async () => {
    second = await exportTo('two');
    const records = (dir: string) => readFileSync(join(dir, 'episodes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; subject: string; task: string });
    const a = records(first.dir);
    const b = records(second.dir);
    expect(new Set(a.map((r) => r.subject)).size).toBe(1);
    expect(a[0]!.subject).not.toBe(b[0]!.subject);
    expect(a.map((r) => r.id).filter((id) => b.some((r) => r.id === id))).toEqual([]);
    expect(a.map((r) => r.task).sort()).toEqual(b.map((r) => r.task).sort());
  }, 60_000);

  it('replays an exported web episode from its Playwright script to the recorded final state', async () => {
    const record = JSON.parse(readFileSync(join(first.dir, 'episodes.jsonl'), 'utf8').split('\n')[0]!) as { id: string; apps: string[] };
    const alias = new URL(record.apps[0]!).host;
    expect(alias).toMatch(/^site-\d+\.invalid$/);
    const { stdout } = await cli(server.url, researcher, 'replay', `${join(first.dir, 'episodes.jsonl')}#${record.id}`, '--site', `${alias}=${samples.url}`, '--json');
    const result = JSON.parse(stdout) as { ok: boolean; fields: unknown[] };
    expect(result.ok, stdout).toBe(true);
    expect(result.fields.length).toBeGreaterThan(0);
  }, 90_000);

  it('puts a deleted episode on the signed revocation feed, and the next export leaves it out', async () => {
    const records = readFileSync(join(first.dir, 'episodes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; task: string });
    // Labelled in recording order above: the second is "Send a note".
    const victim = episodes[1]!;
    // The subject deletes the episode "Send a note".
    await createClient(server.url, owner).delete(`/v1/episodes/${victim.id}`);

    const { stdout } = await cli(server.url, researcher, 'export', 'revoked', '--manifest', join(first.dir, 'manifest.json'), '--json');
    const feed = JSON.parse(stdout) as { entries: Array<{ export: string; local: string; reason: string }>; keyPinned: boolean; extends: number | null };
    expect(feed.keyPinned).toBe(true);
    const local = records.find((r) => r.task === 'Send a note')!.id;
    expect(feed.entries.map((e) => [e.export, e.local, e.reason])).toEqual([[first.result.manifest.export, local, 'deleted']]);

    // A tampered key is refused: the command fails and shows no entries.
    const wrongKey = first.result.manifest.revocations.verifierKey.replace(/\+[^+]+$/, `+${Buffer.alloc(33, 1).toString('base64')}`);
    await expect(cli(server.url, researcher, 'export', 'revoked', '--manifest', join(first.dir, 'manifest.json'), '--key', wrongKey)).rejects.toThrow();

    const third = await exportTo('three');
    const left = readFileSync(join(third.dir, 'episodes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { task: string });
    expect(left.map((r) => r.task)).toEqual(['Sign up for the newsletter']);
  }, 90_000);
});
