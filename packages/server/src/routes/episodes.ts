import { z } from 'zod';
import { CaptureEvent, SessionId } from '@lockstep/schema';
import { deleteEpisode, labelEpisode, listEpisodes, loadEpisode, MAX_LABEL_LENGTH, readEpisodeEvents, releaseEpisode } from '../domain/episodes.ts';
import { EpisodeId, ProgramId } from '../domain/ids.ts';
import { KeyDestroyedError } from '../crypto/keyring.ts';
import { notFound } from '../http/errors.ts';
import { authorize, caller, recordContentAccess } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import type { EpisodeRecord } from '../store/types.ts';
import { NoContent, bearer, errors } from './shapes.ts';

/** A subject's own episodes: list, read, label, release, delete. */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const EpisodeView = z
  .object({
    id: EpisodeId,
    session: SessionId,
    program: ProgramId,
    startT: z.number().describe('t of its first event (ms since the session started)'),
    endT: z.number(),
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
        summary: 'Your episodes (sessions cut at idle gaps), metadata only',
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
        response: { 200: z.object({ episode: EpisodeView, events: z.array(CaptureEvent) }).strict(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const episode = await load(request, request.params.id);
      let events;
      try {
        events = await readEpisodeEvents(lockstep, episode);
      } catch (error) {
        if (error instanceof KeyDestroyedError) throw notFound('episode');
        throw error;
      }
      await recordContentAccess(deps, request, { resource: episodeResource(episode), subject: episode.subjectId, detail: { events: events.length } });
      return { episode: toEpisodeView(episode), events };
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
