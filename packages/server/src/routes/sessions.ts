import { z } from 'zod';
import { CaptureEvent } from '@lockstep/schema';
import { ContentUnreadableError, readSessionEvents } from '../content/read.ts';
import { deleteSession } from '../content/remove.ts';
import { KeyDestroyedError } from '../crypto/keyring.ts';
import { ApiFailure, notFound } from '../http/errors.ts';
import { authorize, caller, recordContentAccess } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import type { SessionRecord } from '../store/types.ts';
import { NoContent, SessionParams, SessionSummary, bearer, errors, toSummary } from './shapes.ts';

const sessionResource = (s: SessionRecord) => ({ type: 'Session' as const, id: s.id, subject: s.subjectId, device: s.deviceId });

export function sessionRoutes(app: App, deps: RouteDeps): void {
  const { lockstep } = deps;

  /** The session, if the caller may act on it; deleted sessions are not found, whoever asks. */
  async function loadSession(request: Parameters<typeof authorize>[1], id: string): Promise<{ session: SessionRecord; policies: string[] }> {
    const session = await lockstep.store.sessions.get(id);
    if (!session) throw notFound('session');
    const decision = await authorize(deps, request, sessionResource(session));
    if (session.deletedAt !== null) throw notFound('session');
    return { session, policies: decision.reasons };
  }

  app.get(
    '/v1/sessions',
    {
      config: { action: 'session.list' },
      schema: {
        summary: "The caller's own sessions (metadata only)",
        tags: ['sessions'],
        security: bearer,
        response: { 200: z.object({ sessions: z.array(SessionSummary) }).strict(), ...errors(401, 403) },
      },
    },
    async (request) => {
      const me = caller(request);
      if (me.kind === 'user') await authorize(deps, request, { type: 'User', id: me.id, roles: me.roles });
      else await authorize(deps, request, { type: 'User', id: me.subject, roles: [] });
      const sessions = await lockstep.store.sessions.list(me.id);
      return { sessions: sessions.map(toSummary) };
    },
  );

  app.get(
    '/v1/sessions/:id',
    {
      config: { action: 'session.read' },
      schema: {
        summary: 'One of your sessions, with its events decrypted',
        tags: ['sessions'],
        security: bearer,
        params: SessionParams,
        response: { 200: z.object({ session: SessionSummary, events: z.array(CaptureEvent) }).strict(), ...errors(400, 401, 403, 404, 500) },
      },
    },
    async (request) => {
      const { session, policies } = await loadSession(request, request.params.id);
      let events;
      try {
        events = await readSessionEvents(lockstep, session);
      } catch (error) {
        if (error instanceof KeyDestroyedError) throw notFound('session');
        if (error instanceof ContentUnreadableError) throw new ApiFailure(500, 'content_unreadable', 'the stored content of this session failed its integrity check');
        throw error;
      }
      // Decrypted: on the log before it leaves (503 and nothing sent if it cannot be logged).
      await recordContentAccess(deps, request, { resource: sessionResource(session), subject: session.subjectId, policies, detail: { events: events.length } });
      return { session: toSummary(session), events };
    },
  );

  app.delete(
    '/v1/sessions/:id',
    {
      config: { action: 'session.delete' },
      schema: {
        summary: 'Delete one of your sessions (its key is destroyed)',
        tags: ['sessions'],
        security: bearer,
        params: SessionParams,
        response: { 204: NoContent, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { session } = await loadSession(request, request.params.id);
      await deleteSession(lockstep, session.id);
      return reply.code(204).send();
    },
  );
}
