import { authorize, caller } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { Me, bearer, errors } from './shapes.ts';

export function meRoutes(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/me',
    {
      config: { action: 'me.read' },
      schema: { summary: 'Who this token is', tags: ['users'], security: bearer, response: { 200: Me, ...errors(401, 403) } },
    },
    async (request) => {
      const me = caller(request);
      if (me.kind === 'user') {
        await authorize(deps, request, { type: 'User', id: me.id, roles: me.roles });
        return { kind: 'user' as const, id: me.id, roles: me.roles };
      }
      await authorize(deps, request, { type: 'Device', id: me.id, subject: me.subject });
      return { kind: 'device' as const, id: me.id, subject: me.subject };
    },
  );
}
