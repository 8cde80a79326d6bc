/**
 * The walking skeleton's acceptance checks, end to end: a real `lockstep up` process, the real
 * recording browser (Chromium) on the sample app, and the HTTP API as a client sees it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeBatch, newId, type CaptureEvent } from '@lockstep/schema';
import { serveSamples } from '../../../samples/serve.ts';
import { ApiRequestError, createClient } from './client.ts';
import { addSubject, provision, type Provisioned } from './provision.ts';
import { recordWeb } from './record-web.ts';
import { byteForms, findPlaintext } from '@lockstep/server';
import { spawnServer, type SpawnedServer } from './testing/spawn.ts';

const PASSWORD = 'Zq7!wombat-Kettle93';
// Unique per run, yet ordinary text: random hex would rightly be masked as a possible secret.
const WORDS = ['harbor', 'lantern', 'meadow', 'copper', 'violet', 'summit', 'river', 'maple', 'ember', 'orchid', 'falcon', 'cedar', 'pebble', 'willow', 'thistle', 'quartz'];
const UNIQUE = `ada_${Array.from(randomBytes(5), (b) => WORDS[b % WORDS.length]).join('_')}`;
const rand = (b: Uint8Array) => new Uint8Array(randomBytes(b.length));

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ApiRequestError) return err.status;
    throw err;
  }
}

describe('recording a web task end to end', () => {
  let dataDir: string;
  let server: SpawnedServer;
  let samples: Awaited<ReturnType<typeof serveSamples>>;
  let who: Provisioned;
  let session: string;
  let recorded: CaptureEvent[];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lockstep-accept-'));
    server = await spawnServer(dataDir);
    samples = await serveSamples();
    who = await provision(server.url, server.bootstrapCode);
    const result = await recordWeb({
      url: `${samples.url}signup/`,
      server: server.url,
      token: who.device.token,
      headless: true,
      script: async (page) => {
        await page.getByLabel('User name').click();
        await page.keyboard.type(UNIQUE, { delay: 5 });
        await page.getByLabel('Password').click();
        await page.keyboard.type(PASSWORD, { delay: 5 });
        await page.getByLabel('Message').click();
        await page.keyboard.type('See you at the review.', { delay: 5 });
      },
    });
    session = result.session;
    recorded = result.events;
  });

  afterAll(async () => {
    await server?.stop();
    await samples?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives the owner the events back in order, with the right targets', async () => {
    const me = createClient(server.url, who.subject.token);
    const { events } = await me.get<{ events: CaptureEvent[] }>(`/v1/sessions/${session}`);
    expect(events.length).toBe(recorded.length);
    expect(events.map((e) => e.seq)).toEqual(recorded.map((e) => e.seq));
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.seq).toBeGreaterThan(events[i - 1]!.seq);
      expect(events[i]!.t).toBeGreaterThanOrEqual(events[i - 1]!.t);
    }
    const inputs = events.filter((e): e is Extract<CaptureEvent, { type: 'input' }> => e.type === 'input');
    const user = inputs.filter((e) => e.target.selector === '#username');
    expect(user.at(-1)?.value).toBe(UNIQUE);
    expect(user[0]?.target).toMatchObject({ tag: 'input', role: 'textbox', name: 'User name' });
    const message = inputs.filter((e) => e.target.selector === '#message');
    expect(message.at(-1)?.value).toBe('See you at the review.');
    const password = inputs.filter((e) => e.target.selector === '#password');
    expect(password.length).toBeGreaterThan(0);
    for (const e of password) expect(e).toMatchObject({ masked: true, target: { masked: true } });
    for (const e of password) expect(e.value).toBeUndefined();
    // the typing order is the order of the fields
    const firstOf = (sel: string) => events.findIndex((e) => e.type === 'key' && e.target?.selector === sel);
    expect(firstOf('#username')).toBeLessThan(firstOf('#password'));
    expect(firstOf('#password')).toBeLessThan(firstOf('#message'));
  });

  it('never lets the password out: not in events, not on disk, not in the server log', async () => {
    const me = createClient(server.url, who.subject.token);
    const read = JSON.stringify(await me.get(`/v1/sessions/${session}`));
    for (const text of [read, JSON.stringify(recorded), server.output()]) {
      expect(text).not.toContain(PASSWORD);
      for (let i = 0; i + 4 <= PASSWORD.length; i++) expect(text).not.toContain(PASSWORD.slice(i, i + 4));
      for (const [form, bytes] of byteForms(PASSWORD)) expect(Buffer.from(text).includes(bytes), form).toBe(false);
    }
    expect(findPlaintext(dataDir, [PASSWORD])).toEqual([]);
  });

  it('keeps no content in plaintext on disk, yet its owner reads it back', async () => {
    expect(findPlaintext(dataDir, [UNIQUE, 'See you at the review.'])).toEqual([]);
    const me = createClient(server.url, who.subject.token);
    expect(JSON.stringify(await me.get(`/v1/sessions/${session}`))).toContain(UNIQUE);
  });

  it('answers 403 to another subject, 401 without a credential, 400 to a malformed batch', async () => {
    const other = await addSubject(server.url, who.admin, 'other');
    const them = createClient(server.url, other.subject.token);
    expect(await status(them.get(`/v1/sessions/${session}`))).toBe(403);
    expect(await status(them.delete(`/v1/sessions/${session}`))).toBe(403);
    expect(await status(createClient(server.url).get(`/v1/sessions/${session}`))).toBe(401);
    expect(await status(createClient(server.url).get('/v1/sessions'))).toBe(401);
    expect(await status(createClient(server.url, who.admin).get(`/v1/sessions/${session}`))).toBe(403);

    const bad = newId('ses', rand);
    const good: CaptureEvent = { seq: 0, t: 0, type: 'marker', kind: 'start' };
    const broken = { seq: 1, t: 1, type: 'pointer', kind: 'click', x: 1, y: 2, target: { tag: 'a', selector: 42 } };
    const batch = makeBatch(who.device.id, bad, 0, [good, broken as unknown as CaptureEvent]);
    const dev = createClient(server.url, who.device.token);
    const err = await dev.post('/v1/batches', batch).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect((err as ApiRequestError).status).toBe(400);
    expect((err as ApiRequestError).field).toBe('events[1].target.selector');
    expect((err as ApiRequestError).message).toContain('events[1].target.selector');
    const me = createClient(server.url, who.subject.token);
    const { sessions } = await me.get<{ sessions: Array<{ id: string }> }>('/v1/sessions');
    expect(sessions.map((s) => s.id)).not.toContain(bad);
  });

  it('stops recording with a clear error when the subject has not accepted the current notice', async () => {
    const admin = createClient(server.url, who.admin);
    const program = await admin.post<{ id: string }>('/v1/programs', {
      name: 'needs consent',
      purposes: ['evaluation'],
      modalities: ['pointer', 'key', 'input', 'navigation'],
      retentionDays: 30,
      notice: 'We would like to record how you use the sample apps.',
    });
    const code = await admin.post<{ enrollmentCode: string }>(`/v1/users/${who.subject.id}/device-codes`, { program: program.id });
    const device = await createClient(server.url).post<{ token: string }>('/v1/enroll', { code: code.enrollmentCode, platform: 'browser' });
    const lines: string[] = [];
    let typed = 0;
    const started = Date.now();
    const attempt = recordWeb({
      url: `${samples.url}signup/`,
      server: server.url,
      token: device.token,
      headless: true,
      log: (line) => lines.push(line),
      // A person who would go on typing: the refusal must end the recording, not the script.
      script: async (page) => {
        await page.getByLabel('Message').click();
        for (; typed < 400 && !page.isClosed(); typed++) await page.keyboard.type('a', { delay: 20 }).catch(() => undefined);
      },
    });
    await expect(attempt).rejects.toThrow(/capture was refused .*consent accept/);
    expect(typed).toBeLessThan(400);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(lines.join('\n')).toMatch(/recording stopped: capture is refused/);
    // Nothing of it was stored.
    const { sessions } = await createClient(server.url, who.subject.token).get<{ sessions: Array<{ device: string }> }>('/v1/sessions');
    expect(sessions.filter((x) => x.device !== who.device.id)).toEqual([]);
  });

  it('stores the same batch once', async () => {
    const s = newId('ses', rand);
    const batch = makeBatch(who.device.id, s, 0, [{ seq: 0, t: 0, type: 'marker', kind: 'start' }, { seq: 1, t: 5, type: 'marker', kind: 'stop' }]);
    const dev = createClient(server.url, who.device.token);
    expect(await dev.post<{ duplicate: boolean }>('/v1/batches', batch)).toMatchObject({ duplicate: false });
    expect(await dev.post<{ duplicate: boolean }>('/v1/batches', batch)).toMatchObject({ duplicate: true });
    const me = createClient(server.url, who.subject.token);
    const read = await me.get<{ events: CaptureEvent[]; session: { eventCount: number; batchCount: number } }>(`/v1/sessions/${s}`);
    expect(read.events).toHaveLength(2);
    expect(read.session).toMatchObject({ eventCount: 2, batchCount: 1 });
  });

  it('makes a deleted session unreadable', async () => {
    const me = createClient(server.url, who.subject.token);
    await me.delete(`/v1/sessions/${session}`);
    expect(await status(me.get(`/v1/sessions/${session}`))).toBe(404);
    const { sessions } = await me.get<{ sessions: Array<{ id: string }> }>('/v1/sessions');
    expect(sessions.map((x) => x.id)).not.toContain(session);
  });
});

describe('crash safety of `lockstep up`', () => {
  it('loses nothing acknowledged when killed with SIGKILL between batches', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lockstep-kill-'));
    try {
      let server = await spawnServer(dataDir);
      const who = await provision(server.url, server.bootstrapCode);
      const s = newId('ses', rand);
      const acked: number[] = [];
      const dev = createClient(server.url, who.device.token);
      const sent = (async () => {
        for (let seq = 0; seq < 400; seq++) {
          const events: CaptureEvent[] = Array.from({ length: 20 }, (_, i) => ({ seq: seq * 20 + i, t: seq * 20 + i, type: 'input', value: `batch ${seq} event ${i}`, target: { tag: 'input', selector: '#f' } }));
          try {
            await dev.post('/v1/batches', makeBatch(who.device.id, s, seq, events));
            acked.push(seq);
          } catch {
            return;
          }
        }
      })();
      while (acked.length < 25) await new Promise((r) => setTimeout(r, 5));
      await server.kill();
      await sent;
      expect(acked.length).toBeLessThan(400);
      server = await spawnServer(dataDir);
      try {
        const me = createClient(server.url, who.subject.token);
        const read = await me.get<{ events: CaptureEvent[] }>(`/v1/sessions/${s}`);
        const stored = new Set(read.events.map((e) => Math.floor(e.seq / 20)));
        for (const seq of acked) expect(stored.has(seq), `acknowledged batch ${seq} is missing`).toBe(true);
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
