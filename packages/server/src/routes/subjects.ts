import { eraseSubject } from '../content/remove.ts';
import { notFound } from '../http/errors.ts';
import { authorize } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { NoContent, UserParams, bearer, errors } from './shapes.ts';

export function subjectRoutes(app: App, deps: RouteDeps): void {
  app.delete(
    '/v1/subjects/:id',
    {
      config: { action: 'subject.erase' },
      schema: {
        summary: 'Erase a person (themself, or an admin)',
        description: 'Destroys their keys (crypto-shredding), deletes their content, revokes their devices and tokens. Repeating it is harmless.',
        tags: ['subjects'],
        security: bearer,
        params: UserParams,
        response: { 204: NoContent, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await deps.lockstep.store.users.get(request.params.id);
      if (!user) throw notFound('user');
      await authorize(deps, request, { type: 'User', id: user.id, roles: user.roles });
      await eraseSubject(deps.lockstep, user.id);
      return reply.code(204).send();
    },
  );
}
