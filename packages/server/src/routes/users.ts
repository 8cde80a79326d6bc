import { createUser, issueDeviceCode } from '../accounts.ts';
import { notFound } from '../http/errors.ts';
import { authorize, caller } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { z } from 'zod';
import { DeviceId, SessionId, UserId } from '@lockstep/schema';
import { ProgramId } from '../domain/ids.ts';
import { loadProgram } from '../domain/programs.ts';
import { ROLES } from '../store/types.ts';
import { CreateUserBody, DeviceCodeCreated, EmptyBody, NoContent, Role, UserCreated, UserParams, UserView, bearer, errors } from './shapes.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export function userRoutes(app: App, deps: RouteDeps): void {
  app.post(
    '/v1/users',
    {
      config: { action: 'user.create' },
      schema: {
        summary: 'Create a user (admin)',
        description: 'Returns a one-time enrollment code for the new user.',
        tags: ['users'],
        security: bearer,
        body: CreateUserBody,
        response: { 201: UserCreated, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      await authorize(deps, request, { type: 'Server' });
      const { user, code } = await createUser(deps.lockstep, { roles: request.body.roles, label: request.body.label, createdBy: caller(request).id });
      return reply.code(201).send({ user: { id: user.id, roles: user.roles, label: user.label }, enrollmentCode: code.code, expiresAt: iso(code.expiresAt) });
    },
  );

  app.post(
    '/v1/users/:id/device-codes',
    {
      config: { action: 'device-code.create' },
      schema: {
        summary: 'Issue a device enrollment code for a subject (admin)',
        tags: ['users'],
        security: bearer,
        description: 'The device records for `program`; it captures only while the subject has accepted that program\'s current consent notice. Without a program, the device captures nothing.',
        params: UserParams,
        body: z.object({ program: ProgramId.optional() }).strict().nullish(),
        response: { 201: DeviceCodeCreated, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await deps.lockstep.store.users.get(request.params.id);
      if (!user || user.deletedAt !== null) throw notFound('user');
      await authorize(deps, request, { type: 'User', id: user.id, roles: user.roles });
      const programId = request.body?.program;
      if (programId) await loadProgram(deps.lockstep, programId);
      const code = await issueDeviceCode(deps.lockstep, { subjectId: user.id, createdBy: caller(request).id, programId });
      return reply.code(201).send({ enrollmentCode: code.code, expiresAt: iso(code.expiresAt), subject: user.id, ...(programId ? { program: programId } : {}) });
    },
  );

  app.get(
    '/v1/users',
    {
      config: { action: 'user.list' },
      schema: {
        summary: 'People, with device and session counts (admin, security); no content',
        tags: ['users'],
        security: bearer,
        response: { 200: z.object({ users: z.array(UserListed) }).strict(), ...errors(401, 403) },
      },
    },
    async (request) => {
      await authorize(deps, request, { type: 'Server' });
      const { store } = deps.lockstep;
      const users = await store.users.list();
      return {
        users: await Promise.all(
          users.map(async (u) => {
            const devices = await store.devices.listOf(u.id);
            const sessions = await store.sessions.list(u.id);
            return {
              id: u.id,
              roles: u.roles,
              label: u.label,
              createdAt: iso(u.createdAt),
              devices: devices.map((d) => ({ id: d.id, program: d.programId ?? null, platform: d.platform, createdAt: iso(d.createdAt), revoked: d.revokedAt !== null })),
              sessions: sessions.length,
              lastSessionAt: sessions[0] ? iso(sessions[0].createdAt) : null,
            };
          }),
        ),
      };
    },
  );

  app.put(
    '/v1/users/:id/roles',
    {
      config: { action: 'user.update' },
      schema: {
        summary: "Set a person's roles (admin; not your own)",
        tags: ['users'],
        security: bearer,
        params: UserParams,
        body: z.object({ roles: z.array(Role).min(1).max(ROLES.length) }).strict(),
        response: { 200: UserView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = await deps.lockstep.store.users.get(request.params.id);
      if (!user || user.deletedAt !== null) throw notFound('user');
      await authorize(deps, request, { type: 'User', id: user.id, roles: user.roles });
      const roles = [...new Set(request.body.roles)];
      await deps.lockstep.store.users.setRoles(user.id, roles);
      return { id: user.id, roles, label: user.label };
    },
  );

  app.post(
    '/v1/devices/:id/revoke',
    {
      config: { action: 'device.revoke' },
      schema: {
        summary: 'Revoke a device: its token stops working at once (admin, or its subject)',
        tags: ['users'],
        security: bearer,
        params: z.object({ id: DeviceId }).strict(),
        body: EmptyBody,
        response: { 204: NoContent, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const device = await deps.lockstep.store.devices.get(request.params.id);
      if (!device) throw notFound('device');
      await authorize(deps, request, { type: 'Device', id: device.id, subject: device.subjectId });
      await deps.lockstep.store.devices.revoke(device.id, deps.lockstep.clock());
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/users/:id/sessions',
    {
      config: { action: 'session.metadata' },
      schema: {
        summary: "A person's sessions: times and counts only (security)",
        tags: ['users'],
        security: bearer,
        params: UserParams,
        response: { 200: z.object({ sessions: z.array(SessionMetadata) }).strict(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = await deps.lockstep.store.users.get(request.params.id);
      if (!user) throw notFound('user');
      await authorize(deps, request, { type: 'User', id: user.id, roles: user.roles });
      const sessions = await deps.lockstep.store.sessions.list(user.id);
      return {
        sessions: sessions.map((s) => ({ id: s.id, device: s.deviceId, createdAt: iso(s.createdAt), firstT: s.firstT, lastT: s.lastT, eventCount: s.eventCount, batchCount: s.batchCount })),
      };
    },
  );
}

const UserListed = z
  .object({
    id: UserId,
    roles: z.array(Role),
    label: z.string().nullable(),
    createdAt: z.string(),
    devices: z.array(z.object({ id: DeviceId, program: z.string().nullable(), platform: z.enum(['browser', 'desktop']).nullable(), createdAt: z.string(), revoked: z.boolean() }).strict()),
    sessions: z.number().int(),
    lastSessionAt: z.string().nullable(),
  })
  .strict();

const SessionMetadata = z
  .object({
    id: SessionId,
    device: DeviceId,
    createdAt: z.string(),
    firstT: z.number().nullable(),
    lastT: z.number().nullable(),
    eventCount: z.number().int(),
    batchCount: z.number().int(),
  })
  .strict();
