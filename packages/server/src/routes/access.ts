import { z } from 'zod';
import { authorize, caller } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { bearer, errors } from './shapes.ts';

/**
 * The access view: every authorization decision and content access the audit log holds about
 * the caller's data — who (user id and roles; never a token), when, which action on what, under
 * which purpose and grant (or break-glass request, brk_…), allowed or denied. Denied attempts by
 * others are shown (they are worth knowing about); the caller's own actions and their devices'
 * uploads are shown too, marked `you`. Newest first.
 */

export const AccessEntry = z
  .object({
    seq: z.number().int(),
    time: z.string(),
    actor: z.string().describe('usr_… or dev_… (anonymous for callers without a token)'),
    actorRoles: z.array(z.string()),
    you: z.boolean().describe('you, or one of your devices'),
    action: z.string(),
    resource: z.string(),
    purpose: z.string().nullable(),
    grant: z.string().nullable().describe('grt_… for a grant, brk_… for a break-glass request'),
    decision: z.enum(['allow', 'deny']),
    kind: z.enum(['decision', 'content-access']).describe('content-access: content was returned'),
  })
  .strict();

export function accessRoutes(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/me/access',
    {
      config: { action: 'access.read' },
      schema: {
        summary: 'Who accessed your data: when, what, under which purpose and grant',
        tags: ['access'],
        security: bearer,
        querystring: z
          .object({
            limit: z.coerce.number().int().min(1).max(1000).default(200),
            before: z.coerce.number().int().min(0).optional().describe('exclusive seq cursor'),
          })
          .strict(),
        response: { 200: z.object({ entries: z.array(AccessEntry), next: z.number().int().nullable() }).strict(), ...errors(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const me = caller(request);
      if (me.kind !== 'user') {
        await authorize(deps, request, { type: 'User', id: me.subject, roles: [] });
        return { entries: [], next: null };
      }
      await authorize(deps, request, { type: 'User', id: me.id, roles: me.roles });
      const mine = new Set([me.id, ...(await deps.lockstep.store.devices.listOf(me.id)).map((d) => d.id)]);
      const { limit, before } = request.query;
      const records = deps.lockstep.audit.forSubject(me.id, before === undefined ? { limit } : { limit, before });
      return {
        entries: records.map((r) => ({
          seq: r.seq,
          time: new Date(r.time).toISOString(),
          actor: r.actor,
          actorRoles: r.actorRoles ?? [],
          you: mine.has(r.actor),
          action: r.action,
          resource: r.resource,
          purpose: r.purpose ?? null,
          grant: r.grant ?? null,
          decision: r.decision,
          kind: r.kind,
        })),
        next: records.length === limit ? (records.at(-1)?.seq ?? null) : null,
      };
    },
  );
}
