import { z } from 'zod';
import { CaptureEvent, SessionId } from '@lockstep/schema';
import { deleteEpisode, labelEpisode, listEpisodes, loadEpisode, MAX_LABEL_LENGTH, mergeEpisodes, readEpisodeContent, releaseEpisode, splitEpisode } from '../domain/episodes.ts';
import { EpisodeId, ProgramId } from '../domain/ids.ts';
import { KeyDestroyedError } from '../crypto/keyring.ts';
import { notFound } from '../http/errors.ts';
import { authorize, caller, recordContentAccess } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import type { EpisodeRecord } from '../store/types.ts';
import { NoContent, bearer, errors } from './shapes.ts';

/** A subject's own episodes: list, read, label, split, merge, release, delete. */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const EpisodeView = z
  .object({
    id: EpisodeId,
    session: SessionId,
    program: ProgramId,
    startT: z.number().describe('t of its first event (ms since the session started)'),
    endT: z.number(),
    durationMs: z.number().describe('from its first event to its last'),
    events: z.number().int().nullable().describe('how many events it holds (null: not known for episodes cut before counts were kept)'),
    apps: z
      .number()
      .int()
      .nullable()
      .describe('how many apps (for the web: sites) it moves through: the one it starts in, and one more for each switch inside it (only merged episodes have those); which apps is not kept outside the content'),
    reason: z
      .enum(['start', 'idle', 'app', 'marker', 'subject'])
      .nullable()
      .describe('why it starts where it does: the session started, after an idle gap, on a switch to another app, after a pause or stop, or where you split it (or released the episode before it)'),
    status: z.enum(['open', 'released', 'deleted']),
    task: z.string().nullable().describe('the task, in your words'),
    releasedAt: z.string().nullable(),
  })
  .strict();
export const toEpisodeView = (e: EpisodeRecord): z.infer<typeof EpisodeView> => ({
  id: e.id,
  session: e.sessionId,
  program: e.programId,
  startT: e.startT,
  endT: e.endT,
  durationMs: Math.max(0, e.endT - e.startT),
  events: e.events,
  apps: e.apps,
  reason: e.reason,
  status: e.status,
  task: e.label,
  releasedAt: iso(e.releasedAt),
});

export const episodeResource = (e: EpisodeRecord, datasets: readonly string[] = []) => ({
  type: 'Episode' as const,
  id: e.id,
  subject: e.subjectId,
  session: e.sessionId,
  released: e.status === 'released',
  datasets,
});

const EpisodeParams = z.object({ id: EpisodeId }).strict();

export function episodeRoutes(app: App, deps: RouteDeps): void {
  const { lockstep } = deps;

  async function load(request: Parameters<typeof caller>[0], id: string): Promise<EpisodeRecord> {
    const episode = await loadEpisode(lockstep, id);
    await authorize(deps, request, episodeResource(episode));
    if (episode.status === 'deleted') throw notFound('episode');
    return episode;
  }

  app.get(
    '/v1/episodes',
    {
      config: { action: 'episode.list' },
      schema: {
        summary: 'Your episodes (sessions cut at idle gaps, app switches, pauses and where you split them), metadata only',
        tags: ['episodes'],
        security: bearer,
        response: { 200: z.object({ episodes: z.array(EpisodeView) }).strict(), ...errors(401, 403) },
      },
    },
    async (request) => {
      const me = caller(request);
      if (me.kind === 'user') await authorize(deps, request, { type: 'User', id: me.id, roles: me.roles });
      else await authorize(deps, request, { type: 'User', id: me.subject, roles: [] });
      return { episodes: (await listEpisodes(lockstep, me.id)).map(toEpisodeView) };
    },
  );

  app.get(
    '/v1/episodes/:id',
    {
      config: { action: 'episode.read' },
      schema: {
        summary: 'One of your episodes with its raw events',
        tags: ['episodes'],
        security: bearer,
        params: EpisodeParams,
        response: {
          200: z
            .object({
              episode: EpisodeView,
              events: z.array(CaptureEvent),
              context: z
                .array(CaptureEvent)
                .describe('the page it starts on when it starts in the middle of a page visit: the last page load and viewport event before it (empty when it loads its own, or was released before this was kept)'),
            })
            .strict(),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const episode = await load(request, request.params.id);
      let content;
      try {
        content = await readEpisodeContent(lockstep, episode);
      } catch (error) {
        if (error instanceof KeyDestroyedError) throw notFound('episode');
        throw error;
      }
      const { events, context } = content;
      await recordContentAccess(deps, request, { resource: episodeResource(episode), subject: episode.subjectId, detail: { events: events.length, context: context.length } });
      return { episode: toEpisodeView(episode), events, context };
    },
  );

  app.put(
    '/v1/episodes/:id/task',
    {
      config: { action: 'episode.label' },
      schema: {
        summary: 'Say what task an open episode shows (your words; null clears it)',
        tags: ['episodes'],
        security: bearer,
        params: EpisodeParams,
        body: z.object({ task: z.string().min(1).max(MAX_LABEL_LENGTH).nullable() }).strict(),
        response: { 200: EpisodeView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const episode = await load(request, request.params.id);
      return toEpisodeView(await labelEpisode(lockstep, episode, request.body.task));
    },
  );

  app.post(
    '/v1/episodes/:id/split',
    {
      config: { action: 'episode.split' },
      schema: {
        summary: 'Split an open episode in two',
        description:
          'Its first event at or after `at` (session time, ms, as startT and endT) starts a new episode, which has no task yet; the episode keeps its id and task for the part before. ' +
          '400 unless both parts hold events; 409 unless the episode is open. The split is kept as more of the session arrives.',
        tags: ['episodes'],
        security: bearer,
        params: EpisodeParams,
        body: z.object({ at: z.number().finite().describe('session time (ms) inside the episode') }).strict(),
        response: { 200: z.object({ episodes: z.tuple([EpisodeView, EpisodeView]) }).strict(), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const episode = await load(request, request.params.id);
      try {
        return { episodes: (await splitEpisode(lockstep, episode, request.body.at)).map(toEpisodeView) as [z.infer<typeof EpisodeView>, z.infer<typeof EpisodeView>] };
      } catch (error) {
        if (error instanceof KeyDestroyedError) throw notFound('episode');
        throw error;
      }
    },
  );

  app.post(
    '/v1/episodes/:id/merge',
    {
      config: { action: 'episode.merge' },
      schema: {
        summary: 'Merge an open episode with the open episode next to it',
        description:
          'Both must be open episodes of one session with no other episode between them (409 otherwise). The earlier one keeps its id and absorbs the later one; ' +
          'its task is kept, or the later one\'s when it has none. The merge is kept as more of the session arrives.',
        tags: ['episodes'],
        security: bearer,
        params: EpisodeParams,
        body: z.object({ with: EpisodeId.describe('the episode just before or just after it') }).strict(),
        response: { 200: EpisodeView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const episode = await load(request, request.params.id);
      const other = await load(request, request.body.with);
      return toEpisodeView(await mergeEpisodes(lockstep, episode, other));
    },
  );

  app.post(
    '/v1/episodes/:id/release',
    {
      config: { action: 'episode.release' },
      schema: {
        summary: 'Release an episode: it becomes immutable and may be put in datasets',
        description: 'Its events are sealed as a copy under a key of its own. Researchers still see it only de-identified, through an approved grant on a dataset that holds it.',
        tags: ['episodes'],
        security: bearer,
        params: EpisodeParams,
        body: z.object({}).strict().nullish(),
        response: { 200: EpisodeView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const episode = await load(request, request.params.id);
      try {
        return toEpisodeView(await releaseEpisode(lockstep, episode));
      } catch (error) {
        if (error instanceof KeyDestroyedError) throw notFound('episode');
        throw error;
      }
    },
  );

  app.delete(
    '/v1/episodes/:id',
    {
      config: { action: 'episode.delete' },
      schema: {
        summary: 'Delete an episode: its events are shredded, released copy included',
        tags: ['episodes'],
        security: bearer,
        params: EpisodeParams,
        response: { 204: NoContent, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const episode = await load(request, request.params.id);
      await deleteEpisode(lockstep, episode);
      return reply.code(204).send();
    },
  );
}
