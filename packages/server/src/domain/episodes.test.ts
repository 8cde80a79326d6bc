import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import { type TrajectoryRecord, toPlaywrightScript } from '@lockstep/trajectory';
import { ingestBatch } from '../content/ingest.ts';
import { ApiFailure } from '../http/errors.ts';
import type { EmbeddedLockstep } from '../lockstep.ts';
import type { EpisodeRecord, Span } from '../store/types.ts';
import { batch, sessionId } from '../testing/harness.ts';
import { exportedEpisodes, tempLockstep } from '../testing/fixtures.ts';
import { acceptConsent } from './consent.ts';
import { cutEpisodes, labelEpisode, pageContext, listEpisodes, mergeEpisodes, readEpisodeContent, releaseEpisode, splitEpisode } from './episodes.ts';
import { downloadLines } from './exports.ts';
import { createProgram } from './programs.ts';

let env: Awaited<ReturnType<typeof tempLockstep>>;
let lockstep: EmbeddedLockstep;
const now = Date.UTC(2026, 4, 2, 8);
beforeEach(async () => {
  env = await tempLockstep(() => now);
  lockstep = env.lockstep;
});
afterEach(() => env.cleanup());

const MAIL = 'https://mail.example.com';
const DOCS = 'https://docs.example.com';
const target = { tag: 'input', role: 'textbox', name: 'Search', selector: '#q' };
const nav = (seq: number, t: number, site: string, path = '/inbox'): CaptureEvent => ({ seq, t, type: 'navigation', kind: 'load', url: `${site}${path}`, title: 'Inbox' });
const typed = (seq: number, t: number, value = `typed ${seq}`): CaptureEvent => ({ seq, t, type: 'input', value, inputType: 'insertText', target });
const marker = (seq: number, t: number, kind: 'pause' | 'resume'): CaptureEvent => ({ seq, t, type: 'marker', kind, reason: 'user' });
const viewport = (seq: number, t: number): CaptureEvent => ({ seq, t, type: 'viewport', width: 1024, height: 700, dpr: 2, scrollX: 0, scrollY: 120 });

let n = 0;
/** A consented subject with a device in a program that cuts at idle gaps of a minute; `upload` sends one batch of a session. */
async function subject() {
  const program = await createProgram(lockstep, { name: 'p', purposes: ['agent-training'], modalities: ['input'], retentionDays: 30, idleGapMs: 60_000, notice: 'n' }, 'usr_admin000000000000000');
  const subjectId = `usr_episodes${String(++n).padStart(13, '0')}`;
  const deviceId = `dev_episodes${String(n).padStart(13, '0')}`;
  await lockstep.store.users.create({ id: subjectId, roles: ['subject'], label: null, createdAt: 1, deletedAt: null });
  await lockstep.store.devices.create({ id: deviceId, subjectId, programId: program.id, platform: 'browser', label: null, createdAt: 1, revokedAt: null });
  await acceptConsent(lockstep, subjectId, program.id, 1);
  const device = { id: deviceId, subjectId };
  const ses = sessionId();
  let seq = 0;
  const upload = async (events: CaptureEvent[], session = ses) => {
    const result = await ingestBatch(lockstep, { device, batch: batch(deviceId, session, seq++, events) });
    expect(result.outcome).toBe('stored');
  };
  const list = async () => (await listEpisodes(lockstep, subjectId)).sort((a, b) => a.startT - b.startT);
  return { subjectId, ses, upload, list };
}

const ranges = (list: EpisodeRecord[]) => list.map((e) => [e.startT, e.endT]);
const failure = async (p: Promise<unknown>) => {
  const error = await p.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiFailure);
  return { status: (error as ApiFailure).status, error: (error as ApiFailure).error };
};

describe('cutting episodes', () => {
  it('cuts at app switches and after a pause, with no idle gap, also at the first events of a batch', async () => {
    const s = await subject();
    await s.upload([nav(0, 0, MAIL), typed(1, 1000), typed(2, 2000)]);
    await s.upload([nav(3, 5000, DOCS), typed(4, 6000), marker(5, 7000, 'pause')]);
    await s.upload([marker(6, 7500, 'resume'), typed(7, 8000), typed(8, 9000)]);
    const list = await s.list();
    expect(ranges(list)).toEqual([[0, 2000], [5000, 7500], [8000, 9000]]);
    expect(list.map((e) => [e.reason, e.events, e.apps])).toEqual([
      ['start', 3, 1],
      ['app', 4, 1],
      ['marker', 2, 1],
    ]);
    // The index and the state handed on between batches name no site.
    const sealed = (await lockstep.store.sessions.segmentState(s.ses))!;
    expect(Buffer.from(sealed.ciphertext).toString('latin1')).not.toContain('example.com');
    expect(JSON.stringify(await lockstep.store.episodes.spans(s.ses))).not.toContain('example.com');
  });

  it('cuts from the index: idle gaps, cuts, the subject\'s decisions, frozen ranges', () => {
    const span = (start: number, end: number, cut: Span['cut'] = null, pages = 0): Span => ({ start, end, events: 2, pages, cut });
    const spans = [span(0, 100, null, 1), span(150, 200, 'app', 1), span(300, 400, 'marker'), span(100_000, 100_100), span(100_120, 100_200)];
    const cut = (decisions = [] as Parameters<typeof cutEpisodes>[3], frozen = [] as Array<[number, number]>) =>
      cutEpisodes(spans, 60_000, frozen, decisions).map((e) => [e.startT, e.endT, e.reason, e.events, e.apps]);
    expect(cut()).toEqual([
      [0, 100, 'start', 2, 1],
      [150, 200, 'app', 2, 1],
      [300, 400, 'marker', 2, 1],
      [100_000, 100_200, 'idle', 4, 1],
    ]);
    // Joined over an app switch (the apps add up) and an idle gap; split where nothing cut.
    expect(cut([{ t: 150, kind: 'join' }, { t: 100_000, kind: 'join' }, { t: 100_120, kind: 'split' }])).toEqual([
      [0, 200, 'start', 4, 2],
      [300, 100_100, 'marker', 4, 1],
      [100_120, 100_200, 'subject', 2, 1],
    ]);
    // Frozen ranges keep theirs; what follows one starts an episode.
    expect(cut([{ t: 150, kind: 'join' }], [[0, 100]])).toEqual([
      [150, 200, 'app', 2, 1],
      [300, 400, 'marker', 2, 1],
      [100_000, 100_200, 'idle', 4, 1],
    ]);
    // Spans indexed before counts were kept.
    expect(cutEpisodes([{ start: 0, end: 10, events: null, pages: null, cut: null }], 60_000)).toEqual([{ startT: 0, endT: 10, reason: 'start', events: null, apps: null }]);
  });
});

describe('the subject splits and merges', () => {
  it('splits at the first event at or after a time, and the split stays as batches arrive', async () => {
    const s = await oneVisit();
    const [whole] = await s.list();
    await labelEpisode(lockstep, whole!, 'Search for a flight');
    const [first, second] = await splitEpisode(lockstep, (await s.list())[0]!, 5500);
    expect([first.id, first.label, first.startT, first.endT, first.reason, first.events]).toEqual([whole!.id, 'Search for a flight', 0, 5000, 'start', 6]);
    expect([second.label, second.startT, second.endT, second.reason, second.events, second.apps]).toEqual([null, 6000, 10_000, 'subject', 5, 1]);
    // Both sides must hold events.
    for (const at of [0, -5, 10_001]) expect(await failure(splitEpisode(lockstep, first, at))).toMatchObject({ status: 400, error: 'invalid-split' });
    expect(await failure(splitEpisode(lockstep, second, 6000))).toMatchObject({ status: 400 });
    // More of the session arrives: the split is kept, and so are the ids.
    await s.upload([typed(11, 11_000), typed(12, 12_000)]);
    const after = await s.list();
    expect(after.map((e) => [e.id, e.startT, e.endT])).toEqual([
      [first.id, 0, 5000],
      [second.id, 6000, 12_000],
    ]);
    // Merged back, in either order: the earlier keeps its id and its label.
    const merged = await mergeEpisodes(lockstep, after[1]!, after[0]!);
    expect([merged.id, merged.label, merged.startT, merged.endT, merged.events, merged.reason]).toEqual([first.id, 'Search for a flight', 0, 12_000, 13, 'start']);
    await s.upload([typed(13, 13_000)]);
    expect(ranges(await s.list())).toEqual([[0, 13_000]]);
  });

  it('merges across an idle gap and an app switch; the later label is taken when the earlier has none', async () => {
    const s = await subject();
    await s.upload([nav(0, 0, MAIL), typed(1, 1000)]);
    await s.upload([typed(2, 200_000), nav(3, 201_000, DOCS), typed(4, 202_000)]);
    let list = await s.list();
    expect(list.map((e) => e.reason)).toEqual(['start', 'idle', 'app']);
    await labelEpisode(lockstep, list[1]!, 'Answer the mail');
    // Not next to each other.
    expect(await failure(mergeEpisodes(lockstep, list[0]!, list[2]!))).toMatchObject({ status: 409, error: 'not-adjacent' });
    expect(await failure(mergeEpisodes(lockstep, list[0]!, list[0]!))).toMatchObject({ status: 400 });
    const a = await mergeEpisodes(lockstep, list[0]!, list[1]!);
    expect([a.id, a.label, a.startT, a.endT]).toEqual([list[0]!.id, 'Answer the mail', 0, 200_000]);
    const b = await mergeEpisodes(lockstep, a, (await s.list())[1]!);
    expect([b.startT, b.endT, b.events, b.apps]).toEqual([0, 202_000, 5, 2]);
    list = await s.list();
    expect(list).toHaveLength(1);
    // Another session's episode is never merged in.
    const other = sessionId();
    await s.upload([nav(5, 0, MAIL), typed(6, 10)], other);
    const mine = (await s.list()).filter((e) => e.sessionId === other);
    expect(await failure(mergeEpisodes(lockstep, list[0]!, mine[0]!))).toMatchObject({ status: 409, error: 'not-adjacent' });
  });

  it('leaves released episodes alone: 409 episode-frozen', async () => {
    const s = await subject();
    await s.upload([nav(0, 0, MAIL), typed(1, 1000), typed(2, 2000)]);
    await s.upload([nav(3, 5000, DOCS), typed(4, 6000)]);
    const [a, b] = await s.list();
    const released = await releaseEpisode(lockstep, a!);
    expect(await failure(splitEpisode(lockstep, released, 1500))).toMatchObject({ status: 409, error: 'episode-frozen' });
    expect(await failure(mergeEpisodes(lockstep, released, b!))).toMatchObject({ status: 409, error: 'episode-frozen' });
    expect(await failure(mergeEpisodes(lockstep, b!, released))).toMatchObject({ status: 409, error: 'episode-frozen' });
    // Its range stays; the open one next to it can still be split.
    const [x, y] = await splitEpisode(lockstep, b!, 6000);
    expect(ranges([released, x, y])).toEqual([[0, 2000], [5000, 5000], [6000, 6000]]);
  });

  /** One page visit: a load and ten inputs a second apart. */
  async function oneVisit() {
    const s = await subject();
    await s.upload([nav(0, 0, MAIL), ...Array.from({ length: 10 }, (_, i) => typed(i + 1, (i + 1) * 1000))]);
    return s;
  }
});

describe('the page context of an episode', () => {
  it('is sealed with the events on release; copies sealed before it are read as having none', async () => {
    const s = await subject();
    await s.upload([nav(0, 0, MAIL), viewport(1, 10), typed(2, 1000)]);
    await s.upload([typed(3, 200_000), typed(4, 201_000)]);
    const [first, second] = await s.list();
    expect((await readEpisodeContent(lockstep, second!)).context.map((e) => e.seq)).toEqual([0, 1]);
    const released = await releaseEpisode(lockstep, second!);
    const content = await readEpisodeContent(lockstep, released);
    expect(content.events.map((e) => e.seq)).toEqual([3, 4]);
    expect(content.context).toMatchObject([{ type: 'navigation', url: `${MAIL}/inbox` }, { type: 'viewport' }]);
    // A copy in the format of before: a plain array of events.
    const events = (await readEpisodeContent(lockstep, first!)).events;
    const sealed = await lockstep.keyring.sealEpisode(first!.subjectId, first!.id, Buffer.from(JSON.stringify(events)));
    expect(await lockstep.store.episodes.release(first!.id, now, sealed)).toBe(true);
    expect(await readEpisodeContent(lockstep, (await lockstep.store.episodes.get(first!.id))!)).toEqual({ events, context: [] });
  });

  it('leaves out the page the person left when the episode loads its own (an app switch)', async () => {
    const s = await subject();
    await s.upload([nav(0, 0, MAIL), viewport(1, 10), typed(2, 1000)]);
    await s.upload([marker(3, 1500, 'pause'), marker(4, 1600, 'resume'), nav(5, 2000, DOCS), typed(6, 3000)]);
    const [, next] = await s.list();
    expect([next!.startT, next!.reason]).toEqual([2000, 'marker']);
    expect((await readEpisodeContent(lockstep, next!)).context.map((e) => e.type)).toEqual(['viewport']);
  });

  it('lets an episode cut in the middle of a page visit export with an observation on its first step and a start URL', async () => {
    // Each session: a page load and typing, then more typing on the same page after an idle gap.
    const w = await exportedEpisodes(lockstep, now);
    const records: TrajectoryRecord[] = [];
    for await (const line of downloadLines(lockstep, w.exports[0]!.record, w.program, { beforeSend: async () => undefined })) records.push(JSON.parse(line) as TrajectoryRecord);
    const midPage = records.filter((r) => r.steps[0]?.action.kind !== 'navigate');
    expect(midPage.length).toBeGreaterThan(0);
    for (const record of midPage) {
      const [step] = record.steps;
      expect(step!.observation).toMatchObject({ kind: 'page', seq: 0, t: 0, settled: true });
      const url = step!.observation!.kind === 'page' ? step!.observation!.url : '';
      expect(url).toMatch(/^https:\/\/site-\d+\.invalid\/search\?q=1$/);
      expect(record.apps).toEqual([new URL(url).origin]);
      expect(record.final?.url).toBe(url);
      expect(toPlaywrightScript(record)).toContain(`await r.goto(${JSON.stringify(url)});`);
    }
  });
});

describe('pageContext', () => {
  const bounds = { x: 0, y: 0, w: 640, h: 480 };
  const desktop: CaptureEvent[] = [
    { seq: 0, t: 0, type: 'viewport', width: 1280, height: 800, dpr: 1, scrollX: 0, scrollY: 0 },
    { seq: 1, t: 10, type: 'window', app: 'xterm', title: 'build', bounds },
    { seq: 2, t: 20, type: 'window', app: 'code', title: 'main.ts', bounds },
    { seq: 3, t: 30, type: 'key', kind: 'down', key: 'a', code: 'KeyA', char: 'a', mods: { alt: false, ctrl: false, meta: false, shift: false } },
    { seq: 4, t: 400_000, type: 'key', kind: 'down', key: 'b', code: 'KeyB', char: 'b', mods: { alt: false, ctrl: false, meta: false, shift: false } },
    { seq: 5, t: 500_000, type: 'window', app: 'xterm', title: 'build', bounds },
  ];

  it('gives a desktop episode cut mid-window the last window and the screen', () => {
    expect(pageContext(desktop, 400_000).map((e) => e.seq)).toEqual([0, 2]);
  });

  it('gives none of the window before to an episode that opens on a window of its own', () => {
    expect(pageContext(desktop, 500_000).map((e) => e.seq)).toEqual([0]);
  });
});
