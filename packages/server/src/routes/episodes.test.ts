import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import { type Enrolled, type TestServer, batch, createProgram, createUser, enrollAdmin, enrollDevice, sessionId, startTestServer } from '../testing/harness.ts';

let t: TestServer;
let subject: Enrolled;
let other: Enrolled;
let security: Enrolled;
let device: Enrolled;
beforeAll(async () => {
  t = await startTestServer();
  const admin = await enrollAdmin(t.api, t.server.bootstrapCode);
  [subject, other, security] = await Promise.all([createUser(t.api, admin.token), createUser(t.api, admin.token), createUser(t.api, admin.token, ['security'])]);
  const program = await createProgram(t.api, admin.token, { idleGapMs: 60_000 });
  device = await enrollDevice(t.api, admin.token, subject.id, { program });
});
afterAll(() => t.cleanup());

interface View {
  id: string;
  session: string;
  startT: number;
  endT: number;
  durationMs: number;
  events: number | null;
  apps: number | null;
  reason: string | null;
  status: string;
  task: string | null;
}

const target = { tag: 'input', role: 'textbox', name: 'Search', selector: '#q' };
const nav = (seq: number, t: number, site: string): CaptureEvent => ({ seq, t, type: 'navigation', kind: 'load', url: `${site}/start`, title: 'Start' });
const typed = (seq: number, t: number): CaptureEvent => ({ seq, t, type: 'input', value: `typed ${seq}`, inputType: 'insertText', target });

async function recorded(batches: CaptureEvent[][]): Promise<string> {
  const ses = sessionId();
  for (const [seq, events] of batches.entries()) expect((await t.api.call('POST', '/v1/batches', { token: device.token, body: batch(device.id, ses, seq, events) })).status).toBe(201);
  return ses;
}
const mine = async (ses: string) =>
  (await t.api.call<{ episodes: View[] }>('GET', '/v1/episodes', { token: subject.token })).body.episodes.filter((e) => e.session === ses).sort((a, b) => a.startT - b.startT);
const as = <T = View>(who: Enrolled, method: string, path: string, body?: unknown) => t.api.call<T>(method, path, { token: who.token, ...(body === undefined ? {} : { body }) });

describe('episodes over HTTP', () => {
  it('lists duration, events, apps and why each starts where it does', async () => {
    const ses = await recorded([
      [nav(0, 0, 'https://mail.example.com'), typed(1, 1000), typed(2, 2500)],
      [nav(3, 4000, 'https://docs.example.com'), typed(4, 5000)],
      [typed(5, 300_000)],
    ]);
    expect((await mine(ses)).map((e) => [e.startT, e.durationMs, e.events, e.apps, e.reason])).toEqual([
      [0, 2500, 3, 1, 'start'],
      [4000, 1000, 2, 1, 'app'],
      [300_000, 0, 1, 1, 'idle'],
    ]);
    // The last one starts on the page loaded before it: its subject reads that as its context.
    const last = (await mine(ses))[2]!;
    const read = await as<{ events: CaptureEvent[]; context: CaptureEvent[] }>(subject, 'GET', `/v1/episodes/${last.id}`);
    expect(read.body.events.map((e) => e.seq)).toEqual([5]);
    expect(read.body.context).toMatchObject([{ seq: 3, type: 'navigation', url: 'https://docs.example.com/start' }]);
  });

  it('splits and merges for the subject alone, and logs each decision', async () => {
    const ses = await recorded([[nav(0, 0, 'https://mail.example.com'), typed(1, 1000), typed(2, 2000), typed(3, 3000), typed(4, 4000)]]);
    const [whole] = await mine(ses);
    expect((await as(subject, 'PUT', `/v1/episodes/${whole!.id}/task`, { task: 'Write to the team' })).status).toBe(200);

    // Someone else may not; nothing changes.
    expect((await as(other, 'POST', `/v1/episodes/${whole!.id}/split`, { at: 2000 })).status).toBe(403);
    expect(await mine(ses)).toHaveLength(1);

    const split = await as<{ episodes: [View, View] }>(subject, 'POST', `/v1/episodes/${whole!.id}/split`, { at: 1500 });
    expect(split.status).toBe(200);
    expect(split.body.episodes.map((e) => [e.startT, e.endT, e.reason, e.task])).toEqual([
      [0, 1000, 'start', 'Write to the team'],
      [2000, 4000, 'subject', null],
    ]);
    expect(split.body.episodes[0]!.id).toBe(whole!.id);
    const second = split.body.episodes[1]!;

    // Outside the episode, or with an empty side: 400; a bad body: 400.
    expect((await as(subject, 'POST', `/v1/episodes/${second.id}/split`, { at: 2000 })).body).toMatchObject({ error: 'invalid-split', field: 'at' });
    expect((await as(subject, 'POST', `/v1/episodes/${second.id}/split`, { at: 'soon' })).status).toBe(400);
    expect((await as(other, 'POST', `/v1/episodes/${whole!.id}/merge`, { with: second.id })).status).toBe(403);

    const merged = await as(subject, 'POST', `/v1/episodes/${second.id}/merge`, { with: whole!.id });
    expect(merged.status).toBe(200);
    expect([merged.body.id, merged.body.startT, merged.body.endT, merged.body.events, merged.body.task]).toEqual([whole!.id, 0, 4000, 5, 'Write to the team']);
    expect((await as(subject, 'GET', `/v1/episodes/${second.id}`)).status).toBe(404);

    // Released: frozen.
    expect((await as(subject, 'POST', `/v1/episodes/${whole!.id}/release`)).status).toBe(200);
    expect((await as(subject, 'POST', `/v1/episodes/${whole!.id}/split`, { at: 2000 })).body).toMatchObject({ error: 'episode-frozen' });

    const log = async (action: string) =>
      (await as<{ entries: Array<{ actor: string; resource: string; decision: string }> }>(security, 'GET', `/v1/audit?limit=1000&action=${action}`)).body.entries.map((e) => [e.actor, e.resource, e.decision]);
    expect(await log('episode.split')).toEqual(
      expect.arrayContaining([
        [other.id, `Episode::${whole!.id}`, 'deny'],
        [subject.id, `Episode::${whole!.id}`, 'allow'],
      ]),
    );
    expect(await log('episode.merge')).toEqual(
      expect.arrayContaining([
        [other.id, `Episode::${whole!.id}`, 'deny'],
        [subject.id, `Episode::${second.id}`, 'allow'],
        [subject.id, `Episode::${whole!.id}`, 'allow'],
      ]),
    );
  });
});
