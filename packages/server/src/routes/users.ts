import { createUser, issueDeviceCode } from '../accounts.ts';
import { notFound } from '../http/errors.ts';
import { authorize, caller } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { CreateUserBody, DeviceCodeCreated, EmptyBody, UserCreated, UserParams, bearer, errors } from './shapes.ts';

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
      authorize(deps.authorizer, request, { type: 'Server' });
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
        params: UserParams,
        body: EmptyBody,
        response: { 201: DeviceCodeCreated, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await deps.lockstep.store.users.get(request.params.id);
      if (!user || user.deletedAt !== null) throw notFound('user');
      authorize(deps.authorizer, request, { type: 'User', id: user.id, roles: user.roles });
      const code = await issueDeviceCode(deps.lockstep, { subjectId: user.id, createdBy: caller(request).id });
      return reply.code(201).send({ enrollmentCode: code.code, expiresAt: iso(code.expiresAt), subject: user.id });
    },
  );
}
