import type { CaptureEvent } from '@lockstep/schema';
import { readSessionEvents } from '../content/read.ts';
import { shredRange } from '../content/shred-range.ts';
import { ApiFailure, notFound } from '../http/errors.ts';
import type { Lockstep } from '../lockstep.ts';
import type { EpisodeRecord, RevocationReason, SessionRecord, Span } from '../store/types.ts';
import { newRecordId } from './ids.ts';

/**
 * Episodes: task-sized slices of a session, cut where the subject was idle for longer than the
 * program's idleGapMs. Cutting uses the activity spans indexed at ingest (event times only, no
 * content). Open episodes are a view that is re-cut as batches arrive, keeping ids (and labels)
 * of the episodes they overlap; released and deleted episodes are frozen: their range never
 * changes, and new activity inside a frozen range joins no other episode.
 */

export const MIN_IDLE_GAP_MS = 60_000;
export const DEFAULT_IDLE_GAP_MS = 5 * 60_000;
export const MAX_IDLE_GAP_MS = 24 * 60 * 60_000;
export const MAX_LABEL_LENGTH = 500;

/** Ranges [start, end] of episodes from activity spans, never crossing or overlapping a frozen range. */
export function cutEpisodes(spans: readonly Span[], idleGapMs: number, frozen: ReadonlyArray<readonly [number, number]> = []): Array<[number, number]> {
  const overlapsFrozen = (s: readonly [number, number]) => frozen.some(([a, b]) => s[0] <= b && s[1] >= a);
  const frozenBetween = (a: number, b: number) => frozen.some(([x]) => x > a && x < b);
  const sorted = spans.filter((s) => !overlapsFrozen(s)).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const last = out.at(-1);
    if (last && start - last[1] <= idleGapMs && !frozenBetween(last[1], start)) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

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
  const ranges = cutEpisodes(await store.episodes.spans(session.id), program.idleGapMs, frozen.map((e) => [e.startT, e.endT] as const));
  const used = new Set<string>();
  const now = lockstep.clock();
  const next: EpisodeRecord[] = ranges.map(([startT, endT]) => {
    const match = open.find((e) => !used.has(e.id) && e.startT <= endT && e.endT >= startT);
    if (match) {
      used.add(match.id);
      return { ...match, startT, endT };
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
      createdAt: now,
      releasedAt: null,
      deletedAt: null,
    };
  });
  const unchanged = next.length === open.length && next.every((e) => open.some((o) => o.id === e.id && o.startT === e.startT && o.endT === e.endT));
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

/** The events of an episode: its sealed copy once released, else the slice of its session. Times as recorded. */
export async function readEpisodeEvents(lockstep: Lockstep, episode: EpisodeRecord): Promise<CaptureEvent[]> {
  if (episode.status === 'deleted') throw notFound('episode');
  if (episode.status === 'released') {
    const sealed = await lockstep.store.episodes.content(episode.id);
    if (!sealed) throw notFound('episode');
    const plain = await lockstep.keyring.openEpisode(episode.subjectId, episode.id, sealed.nonce, sealed.ciphertext);
    try {
      return JSON.parse(plain.toString('utf8')) as CaptureEvent[];
    } finally {
      plain.fill(0);
    }
  }
  const session = await lockstep.store.sessions.get(episode.sessionId);
  if (!session || session.deletedAt !== null) throw notFound('episode');
  const events = await readSessionEvents(lockstep, session);
  return events.filter((e) => e.t >= episode.startT && e.t <= episode.endT);
}

export async function labelEpisode(lockstep: Lockstep, episode: EpisodeRecord, label: string | null): Promise<EpisodeRecord> {
  if (episode.status !== 'open') throw new ApiFailure(409, 'episode-frozen', `this episode is ${episode.status}; only open episodes can be labelled`);
  await lockstep.store.episodes.setLabel(episode.id, label);
  return { ...episode, label };
}

/**
 * Releases an open episode: its events are sealed as a copy under a key of its own (wrapped by
 * the KEK), which makes it immutable and lets it outlive the subject key if the subject keeps it
 * when withdrawing.
 */
export async function releaseEpisode(lockstep: Lockstep, episode: EpisodeRecord): Promise<EpisodeRecord> {
  if (episode.status !== 'open') throw new ApiFailure(409, 'episode-frozen', `this episode is already ${episode.status}`);
  const events = await readEpisodeEvents(lockstep, episode);
  const plain = Buffer.from(JSON.stringify(events), 'utf8');
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
