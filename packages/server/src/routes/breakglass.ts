import { z } from 'zod';
import { CaptureEvent, SessionId, UserId } from '@lockstep/schema';
import { readSessionEvents } from '../content/read.ts';
import { KeyDestroyedError } from '../crypto/keyring.ts';
import { approveBreakGlass, breakGlassRef, loadBreakGlass, MAX_BREAK_GLASS_MS, requestBreakGlass } from '../domain/breakglass.ts';
import { BreakGlassId } from '../domain/ids.ts';
import { ApiFailure, notFound } from '../http/errors.ts';
import { authorize, caller, recordContentAccess } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { breakGlassContext } from '../policy/authorize.ts';
import type { BreakGlassRecord } from '../store/types.ts';
import { SessionSummary, bearer, errors, toSummary } from './shapes.ts';

/** Break-glass: two-person-approved, time-boxed raw reads of one subject's sessions, on that subject's access view. */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const BreakGlassView = z
  .object({
    id: BreakGlassId,
    subject: UserId,
    requester: UserId,
    reason: z.string(),
    sessions: z.array(SessionId).describe('empty: all of the subject\'s sessions'),
    status: z.enum(['requested', 'approved', 'denied', 'closed', 'expired']),
    stewardApprover: UserId.nullable(),
    securityApprover: UserId.nullable(),
    createdAt: z.string(),
    approvedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
  })
  .strict();
const toView = (b: BreakGlassRecord, now: number): z.infer<typeof BreakGlassView> => ({
  id: b.id,
  subject: b.subjectId,
  requester: b.requesterId,
  reason: b.reason,
  sessions: b.sessions,
  status: b.status === 'approved' && b.expiresAt !== null && now >= b.expiresAt ? 'expired' : b.status,
  stewardApprover: b.stewardApprover,
  securityApprover: b.securityApprover,
  createdAt: iso(b.createdAt)!,
  approvedAt: iso(b.approvedAt),
  expiresAt: iso(b.expiresAt),
});

export function breakGlassRoutes(app: App, deps: RouteDeps): void {
  const { lockstep } = deps;
  const user = (request: Parameters<typeof caller>[0]) => {
    const who = caller(request);
    if (who.kind !== 'user') throw new ApiFailure(403, 'forbidden', 'devices take no part in break-glass');
    return who;
  };

  app.post(
    '/v1/break-glass',
    {
      config: { action: 'breakglass.request' },
      schema: {
        summary: "Request raw access to one subject's sessions for an investigation (security, steward)",
        description: 'Needs one steward and one security member to approve, neither being you nor the subject; lasts at most 24 hours from the second approval. The subject sees it, and every read under it, in their access view.',
        tags: ['break-glass'],
        security: bearer,
        body: z
          .object({
            subject: UserId,
            reason: z.string().min(10).max(2000),
            sessions: z.array(SessionId).max(1000).optional(),
            durationMs: z.number().int().min(60_000).max(MAX_BREAK_GLASS_MS).optional(),
          })
          .strict(),
        response: { 201: BreakGlassView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const subject = await lockstep.store.users.get(request.body.subject);
      if (!subject || subject.deletedAt !== null) throw notFound('user');
      await authorize(deps, request, { type: 'User', id: subject.id, roles: subject.roles }, { purpose: 'break-glass' });
      const record = await requestBreakGlass(lockstep, { subjectId: subject.id, reason: request.body.reason, sessions: request.body.sessions, durationMs: request.body.durationMs }, user(request).id);
      return reply.code(201).send(toView(record, lockstep.clock()));
    },
  );

  app.get(
    '/v1/break-glass',
    {
      config: { action: 'breakglass.list' },
      schema: { summary: 'Break-glass requests (security, steward)', tags: ['break-glass'], security: bearer, response: { 200: z.object({ requests: z.array(BreakGlassView) }).strict(), ...errors(401, 403) } },
    },
    async (request) => {
      await authorize(deps, request, { type: 'Server' });
      const now = lockstep.clock();
      return { requests: (await lockstep.store.breakGlass.list()).map((b) => toView(b, now)) };
    },
  );

  app.post(
    '/v1/break-glass/:id/approve',
    {
      config: { action: 'breakglass.approve' },
      schema: {
        summary: 'Approve a break-glass request (a steward, or a security member; not the requester or the subject)',
        tags: ['break-glass'],
        security: bearer,
        params: z.object({ id: BreakGlassId }).strict(),
        body: z.object({}).strict().nullish(),
        response: { 200: BreakGlassView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const record = await loadBreakGlass(lockstep, request.params.id);
      await authorize(deps, request, breakGlassRef(record), { grant: record.id, purpose: 'break-glass' });
      return toView(await approveBreakGlass(lockstep, record, user(request)), lockstep.clock());
    },
  );

  app.get(
    '/v1/break-glass/:id/sessions/:session',
    {
      config: { action: 'breakglass.read' },
      schema: {
        summary: "Read one of the subject's sessions, raw, under an approved break-glass request (its requester)",
        tags: ['break-glass'],
        security: bearer,
        params: z.object({ id: BreakGlassId, session: SessionId }).strict(),
        response: { 200: z.object({ session: SessionSummary, events: z.array(CaptureEvent) }).strict(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const record = await loadBreakGlass(lockstep, request.params.id);
      const session = await lockstep.store.sessions.get(request.params.session);
      if (!session) throw notFound('session');
      const resource = { type: 'Session' as const, id: session.id, subject: session.subjectId, device: session.deviceId };
      const decision = await authorize(deps, request, resource, { grant: record.id, purpose: 'break-glass', ...breakGlassContext(breakGlassRef(record)) });
      if (session.deletedAt !== null) throw notFound('session');
      let events;
      try {
        events = await readSessionEvents(lockstep, session);
      } catch (error) {
        if (error instanceof KeyDestroyedError) throw notFound('session');
        throw error;
      }
      await recordContentAccess(deps, request, { resource, subject: session.subjectId, grant: record.id, purpose: 'break-glass', policies: decision.reasons, detail: { events: events.length, raw: true } });
      return { session: toSummary(session), events };
    },
  );
}
