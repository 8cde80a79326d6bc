import { enroll } from '../accounts.ts';
import { ApiFailure } from '../http/errors.ts';
import { authorize } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { EnrollBody, Enrolled, errors } from './shapes.ts';

export function enrollRoutes(app: App, deps: RouteDeps): void {
  app.post(
    '/v1/enroll',
    {
      config: { action: 'enroll', public: true },
      schema: {
        summary: 'Redeem a one-time enrollment code for a token',
        description: 'A user code yields a user token; a device code enrolls a new device and yields its token. The token is shown once.',
        tags: ['enrollment'],
        body: EnrollBody,
        response: { 201: Enrolled, ...errors(400, 403) },
      },
    },
    async (request, reply) => {
      await authorize(deps, request, { type: 'Server' });
      const enrolled = await enroll(deps.lockstep, request.body);
      // Unknown, used and expired codes get the same answer.
      if (!enrolled) throw new ApiFailure(400, 'invalid_code', 'this enrollment code is not valid: it may be mistyped, already used or expired', 'code');
      return reply.code(201).send(enrolled);
    },
  );
}
