import type { CaptureEvent } from '@lockstep/schema';
import { startOf } from '@lockstep/trajectory';
import { readSessionEvents } from '../content/read.ts';
import { isPlace } from '../content/spans.ts';
import { shredRange } from '../content/shred-range.ts';
import { ApiFailure, notFound } from '../http/errors.ts';
import type { Lockstep } from '../lockstep.ts';
import type { EpisodeDecision, EpisodeReason, EpisodeRecord, RevocationReason, SessionRecord, Span } from '../store/types.ts';
import { newRecordId } from './ids.ts';

/**
 * Episodes: task-sized slices of a session. They are cut from the activity spans indexed at
 * ingest (content/spans.ts: times, counts and cut reasons, no content): where the subject was
 * idle for longer than the program's idleGapMs, where they moved to another app, and after a
 * pause or stop marker; and where the subject split or merged them (their decisions are kept
 * per session, so that re-cutting keeps them). Open episodes are a view that is re-cut as batches
 * arrive, keeping ids (and labels) of the episodes they overlap; released and deleted episodes
 * are frozen: their range never changes, and new activity inside a frozen range joins no other
 * episode.
 */

export const MIN_IDLE_GAP_MS = 60_000;
export const DEFAULT_IDLE_GAP_MS = 5 * 60_000;
export const MAX_IDLE_GAP_MS = 24 * 60 * 60_000;
export const MAX_LABEL_LENGTH = 500;

/** One episode as cut from the index. */
export interface CutEpisode {
  startT: number;
  endT: number;
  /** Why it starts where it does. */
  reason: EpisodeReason;
  /** Events in it; null when part of it was indexed before counts were kept. */
  events: number | null;
  /**
   * How many apps it moves through: the app it starts in (if any page was shown by then) and one
   * more for each app switch inside it (there are some only where its subject merged episodes);
   * an app left and come back to counts again. Null when part of it was indexed before counts.
   */
  apps: number | null;
}

/**
 * Episodes from the activity spans of a session (any order): a new one starts at a span with a
 * cut (app switch, marker), after a gap of more than `idleGapMs`, and where the subject split,
 * unless the subject joined there. Never crossing or overlapping a frozen range; the first span
 * after a frozen range starts an episode (reason `subject` when nothing else cuts there: the
 * subject's release closed the one before).
 */
export function cutEpisodes(
  spans: readonly Span[],
  idleGapMs: number,
  frozen: ReadonlyArray<readonly [number, number]> = [],
  decisions: readonly EpisodeDecision[] = [],
): CutEpisode[] {
  const overlapsFrozen = (s: Span) => frozen.some(([a, b]) => s.start <= b && s.end >= a);
  const frozenBetween = (a: number, b: number) => frozen.some(([x]) => x > a && x < b);
  const decided = new Map(decisions.map((d) => [d.t, d.kind]));
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: CutEpisode[] = [];
  let prevEnd: number | null = null;
  let paged = false;
  let unknown = false;
  for (const s of sorted) {
    paged ||= (s.pages ?? 0) > 0;
    unknown ||= s.pages === null;
    const gap = prevEnd === null ? null : s.start - prevEnd;
    prevEnd = prevEnd === null ? s.end : Math.max(prevEnd, s.end);
    if (overlapsFrozen(s)) continue;
    const decision = decided.get(s.start);
    // As the Segmenter ranks them: marker, idle, app; then the subject's own cut.
    const reason: EpisodeReason | null =
      gap === null ? 'start' : s.cut === 'marker' ? 'marker' : gap > idleGapMs ? 'idle' : s.cut === 'app' ? 'app' : decision === 'split' ? 'subject' : null;
    const last = out.at(-1);
    if (last && (reason === null || decision === 'join') && !frozenBetween(last.endT, s.start)) {
      last.endT = Math.max(last.endT, s.end);
      last.events = last.events === null || s.events === null ? null : last.events + s.events;
      // One more app at each switch inside it; the first one once a page is shown.
      if (s.cut === 'app' && last.apps) last.apps++;
      else if (!last.apps) last.apps = paged ? 1 : unknown ? null : 0;
      continue;
    }
    out.push({
      startT: s.start,
      endT: s.end,
      reason: reason ?? 'subject',
      events: s.events,
      apps: paged ? 1 : unknown ? null : 0,
    });
  }
  return out;
}

const sameCut = (a: EpisodeRecord, b: EpisodeRecord) => a.id === b.id && a.startT === b.startT && a.endT === b.endT && a.reason === b.reason && a.events === b.events && a.apps === b.apps;

/** Re-cuts the open episodes of a session from its spans and returns all its episodes. */
export async function syncEpisodes(lockstep: Lockstep, session: SessionRecord): Promise<EpisodeRecord[]> {
  const { store } = lockstep;
  if (session.deletedAt !== null) return store.episodes.ofSession(session.id);
  const device = await store.devices.get(session.deviceId);
  const programId = device?.programId;
  if (!programId) return [];
  const program = await store.programs.get(programId);
  if (!program) return [];
  const existing = await store.episodes.ofSession(session.id);
  const frozen = existing.filter((e) => e.status !== 'open');
  const open = existing.filter((e) => e.status === 'open');
  const [spans, decisions] = await Promise.all([store.episodes.spans(session.id), store.episodes.decisions(session.id)]);
  const cut = cutEpisodes(spans, program.idleGapMs, frozen.map((e) => [e.startT, e.endT] as const), decisions);
  const used = new Set<string>();
  const now = lockstep.clock();
  const next: EpisodeRecord[] = cut.map(({ startT, endT, reason, events, apps }) => {
    const match = open.find((e) => !used.has(e.id) && e.startT <= endT && e.endT >= startT);
    if (match) {
      used.add(match.id);
      return { ...match, startT, endT, reason, events, apps };
    }
    return {
      id: newRecordId('epi'),
      sessionId: session.id,
      subjectId: session.subjectId,
      programId,
      startT,
      endT,
      status: 'open',
      label: null,
      reason,
      events,
      apps,
      createdAt: now,
      releasedAt: null,
      deletedAt: null,
    };
  });
  const unchanged = next.length === open.length && next.every((e) => open.some((o) => sameCut(o, e)));
  if (!unchanged) await store.episodes.replaceOpen(session.id, next);
  return [...frozen, ...next].sort((a, b) => a.startT - b.startT);
}

/** The subject's episodes (not deleted), after re-cutting the open ones of every live session. */
export async function listEpisodes(lockstep: Lockstep, subjectId: string): Promise<EpisodeRecord[]> {
  for (const session of await lockstep.store.sessions.list(subjectId)) await syncEpisodes(lockstep, session);
  return lockstep.store.episodes.listOf(subjectId);
}

export async function loadEpisode(lockstep: Lockstep, id: string): Promise<EpisodeRecord> {
  const episode = await lockstep.store.episodes.get(id);
  if (!episode) throw notFound('episode');
  return episode;
}


/**
 * An episode's events, and its page context: the last top-level navigation and the last viewport
 * event before its first event, when it has any (an episode cut at an idle gap or a marker in the
 * middle of a page visit has no page until its next navigation; exports seed the page state with
 * them, see buildTrajectory's `context`).
 */
export interface EpisodeContent {
  events: CaptureEvent[];
  context: CaptureEvent[];
}

/**
 * The page context of a slice of a session that starts at time `startT`: the last top-level
 * navigation, the last window (desktop) and the last viewport event before it, in session order,
 * as buildTrajectory starts from them (`startOf` in @lockstep/trajectory). A slice that opens by
 * loading a page of its own (as one cut at an app switch does), or with a window event, gets no
 * page (window) from before it: it does not need one, and what the person left is not part of it.
 */
export function pageContext(sessionEvents: readonly CaptureEvent[], startT: number): CaptureEvent[] {
  let first: CaptureEvent | undefined;
  let opening: CaptureEvent | undefined;
  for (const e of sessionEvents) {
    if (e.t < startT) continue;
    if (!first || e.seq < first.seq) first = e;
    if (e.type !== 'marker' && e.type !== 'viewport' && (!opening || e.seq < opening.seq)) opening = e;
  }
  const before = sessionEvents.filter((e) => e.t < startT);
  const { page, window, viewport } = startOf(before, first ?? { seq: Infinity, t: startT }, opening);
  const context: CaptureEvent[] = [];
  for (const e of [page, window, viewport]) if (e) context.push(e);
  return context.sort((a, b) => a.seq - b.seq);
}

/**
 * The sealed copy of a released episode: `{ events, context }`. Episodes released before the
 * context was kept hold the plain array of their events (read as having no context).
 */
function parseSealed(json: string): EpisodeContent {
  const parsed = JSON.parse(json) as CaptureEvent[] | Partial<EpisodeContent>;
  if (Array.isArray(parsed)) return { events: parsed, context: [] };
  return { events: parsed.events ?? [], context: parsed.context ?? [] };
}

/** An episode's events and page context: its sealed copy once released, else the slice of its session. Times as recorded. */
export async function readEpisodeContent(lockstep: Lockstep, episode: EpisodeRecord): Promise<EpisodeContent> {
  if (episode.status === 'deleted') throw notFound('episode');
  if (episode.status === 'released') {
    const sealed = await lockstep.store.episodes.content(episode.id);
    if (!sealed) throw notFound('episode');
    const plain = await lockstep.keyring.openEpisode(episode.subjectId, episode.id, sealed.nonce, sealed.ciphertext);
    try {
      return parseSealed(plain.toString('utf8'));
    } finally {
      plain.fill(0);
    }
  }
  const session = await lockstep.store.sessions.get(episode.sessionId);
  if (!session || session.deletedAt !== null) throw notFound('episode');
  const all = await readSessionEvents(lockstep, session);
  return { events: all.filter((e) => e.t >= episode.startT && e.t <= episode.endT), context: pageContext(all, episode.startT) };
}

/** The events of an episode: its sealed copy once released, else the slice of its session. Times as recorded. */
export async function readEpisodeEvents(lockstep: Lockstep, episode: EpisodeRecord): Promise<CaptureEvent[]> {
  return (await readEpisodeContent(lockstep, episode)).events;
}

const frozenError = (episode: EpisodeRecord, what: string) =>
  new ApiFailure(409, 'episode-frozen', `this episode is ${episode.status}; only open episodes can be ${what}`);

export async function labelEpisode(lockstep: Lockstep, episode: EpisodeRecord, label: string | null): Promise<EpisodeRecord> {
  if (episode.status !== 'open') throw frozenError(episode, 'labelled');
  await lockstep.store.episodes.setLabel(episode.id, label);
  return { ...episode, label };
}

async function liveSession(lockstep: Lockstep, episode: EpisodeRecord): Promise<SessionRecord> {
  const session = await lockstep.store.sessions.get(episode.sessionId);
  if (!session || session.deletedAt !== null) throw notFound('episode');
  return session;
}

/**
 * The subject splits an open episode at session time `at`: its first event at or after `at`
 * starts a new episode (reason `subject`, no label); the episode keeps its id and label for the
 * part before. 400 unless both parts hold events. The decision is kept, so the cut survives
 * re-cutting as batches arrive. Returns both parts.
 */
export async function splitEpisode(lockstep: Lockstep, episode: EpisodeRecord, at: number): Promise<[EpisodeRecord, EpisodeRecord]> {
  if (episode.status !== 'open') throw frozenError(episode, 'split');
  const empty = () => new ApiFailure(400, 'invalid-split', `at: must be inside the episode, after its first event (t ${episode.startT}) and at or before its last (t ${episode.endT}), so that both parts hold events`, 'at');
  if (!(at > episode.startT && at <= episode.endT)) throw empty();
  const session = await liveSession(lockstep, episode);
  const { events } = await readEpisodeContent(lockstep, episode);
  let t = Infinity;
  let prevT = -Infinity;
  for (const e of events) {
    if (e.t >= at) t = Math.min(t, e.t);
    else prevT = Math.max(prevT, e.t);
  }
  if (!Number.isFinite(t) || !Number.isFinite(prevT)) throw empty();
  // The index's spans around the cut are split in two, with the counts either side.
  const spans = (await lockstep.store.episodes.spans(session.id))
    .filter((s) => s.start < t && t <= s.end)
    .map((s) => {
      const before = events.filter((e) => e.t >= s.start && e.t < t);
      return { batchSeq: s.batchSeq, start: s.start, end: s.end, before: { events: before.length, pages: before.filter(isPlace).length } };
    });
  events.length = 0;
  await lockstep.store.episodes.split(session.id, { t, prevT, spans }, lockstep.clock());
  const all = await syncEpisodes(lockstep, session);
  const first = all.find((e) => e.id === episode.id);
  const second = all.find((e) => e.status === 'open' && e.startT === t);
  if (!first || !second) throw new ApiFailure(409, 'episode-changed', 'this episode changed while being split; list your episodes again');
  return [first, second];
}

/**
 * The subject merges two adjacent open episodes of one session (in either order) into the
 * earlier one, which keeps its id; the label is the earlier one's, else the later one's. The
 * decision is kept, so the merge survives re-cutting as batches arrive.
 */
export async function mergeEpisodes(lockstep: Lockstep, a: EpisodeRecord, b: EpisodeRecord): Promise<EpisodeRecord> {
  for (const e of [a, b]) if (e.status !== 'open') throw frozenError(e, 'merged');
  if (a.id === b.id) throw new ApiFailure(400, 'invalid-merge', 'with: an episode cannot be merged with itself', 'with');
  if (a.sessionId !== b.sessionId) throw new ApiFailure(409, 'not-adjacent', 'only episodes of one session are merged, and these are of two', 'with');
  const session = await liveSession(lockstep, a);
  const all = await syncEpisodes(lockstep, session);
  const [x, y] = [all.find((e) => e.id === a.id), all.find((e) => e.id === b.id)];
  if (!x || !y) throw new ApiFailure(409, 'episode-changed', 'these episodes changed; list your episodes again');
  for (const e of [x, y]) if (e.status !== 'open') throw frozenError(e, 'merged');
  const [first, second] = x.startT <= y.startT ? [x, y] : [y, x];
  if (all[all.indexOf(first) + 1] !== second) throw new ApiFailure(409, 'not-adjacent', 'only episodes next to each other are merged: another episode lies between these two');
  await lockstep.store.episodes.join(session.id, second.startT, lockstep.clock());
  const merged = (await syncEpisodes(lockstep, session)).find((e) => e.id === first.id);
  if (!merged || merged.endT < second.endT) throw new ApiFailure(409, 'episode-changed', 'these episodes changed while being merged; list your episodes again');
  const label = first.label ?? second.label;
  if (merged.label !== label) {
    await lockstep.store.episodes.setLabel(merged.id, label);
    merged.label = label;
  }
  return merged;
}

/**
 * Releases an open episode: its events, with its page context, are sealed as a copy under a
 * key of its own (wrapped by the KEK), which makes it immutable and lets it outlive the subject
 * key if the subject keeps it when withdrawing.
 */
export async function releaseEpisode(lockstep: Lockstep, episode: EpisodeRecord): Promise<EpisodeRecord> {
  if (episode.status !== 'open') throw new ApiFailure(409, 'episode-frozen', `this episode is already ${episode.status}`);
  const content = await readEpisodeContent(lockstep, episode);
  const plain = Buffer.from(JSON.stringify(content), 'utf8');
  let sealed;
  try {
    sealed = await lockstep.keyring.sealEpisode(episode.subjectId, episode.id, plain);
  } finally {
    plain.fill(0);
  }
  const now = lockstep.clock();
  if (!(await lockstep.store.episodes.release(episode.id, now, sealed))) {
    await lockstep.keyring.destroyEpisode(episode.id);
    throw new ApiFailure(409, 'episode-frozen', 'this episode changed while being released; list your episodes again');
  }
  return { ...episode, status: 'released', releasedAt: now };
}

/**
 * Deletes an episode: its released copy and key are destroyed, it leaves every dataset, and (by
 * default) its events are shredded from the session too (see shredRange). Exports that hold it
 * get an entry on the revocation feed (written by the store with the deletion), giving `reason`:
 * 'withdrawn' when the subject withdrew consent, else 'deleted'.
 */
export async function deleteEpisode(lockstep: Lockstep, episode: EpisodeRecord, options: { rewriteSession?: boolean; reason?: RevocationReason } = {}): Promise<void> {
  if (episode.status === 'deleted') throw notFound('episode');
  await lockstep.store.episodes.remove(episode.id, lockstep.clock(), options.reason ?? 'deleted');
  await lockstep.keyring.destroyEpisode(episode.id);
  if (options.rewriteSession === false) return;
  const session = await lockstep.store.sessions.get(episode.sessionId);
  if (session && session.deletedAt === null) await shredRange(lockstep, session, episode.startT, episode.endT);
}
