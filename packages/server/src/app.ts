import Fastify, { LogController } from 'fastify';
import swagger from '@fastify/swagger';
import { type ZodTypeProvider, jsonSchemaTransform, serializerCompiler } from 'fastify-type-provider-zod';
import { EVENT_SCHEMA_VERSION } from '@lockstep/schema';
import { errorHandler, notFoundHandler } from './http/errors.ts';
import { useJsonParser } from './http/json.ts';
import { authenticateRequests, requireRouteActions } from './http/guard.ts';
import { type LogStream, logRequests, loggerOptions } from './http/logging.ts';
import type { App, RouteDeps } from './http/types.ts';
import { validatorCompiler } from './http/validation.ts';
import type { Lockstep } from './lockstep.ts';
import { type Authorizer, defaultAuthorizer, loadAuthorizer } from './policy/authorize.ts';
import { accessRoutes } from './routes/access.ts';
import { auditRoutes } from './routes/audit.ts';
import { breakGlassRoutes } from './routes/breakglass.ts';
import { episodeRoutes } from './routes/episodes.ts';
import { grantRoutes } from './routes/grants.ts';
import { programRoutes } from './routes/programs.ts';
import { batchRoutes } from './routes/batches.ts';
import { enrollRoutes } from './routes/enroll.ts';
import { healthRoutes } from './routes/health.ts';
import { meRoutes } from './routes/me.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { subjectRoutes } from './routes/subjects.ts';
import { userRoutes } from './routes/users.ts';

export type { App } from './http/types.ts';

/** Largest request body accepted: a full batch (5000 events) with room to spare. */
export const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;

export interface BuildAppOptions {
  lockstep: Lockstep;
  /** Defaults to the policy files shipped with the server, evaluated with the lockstep clock. */
  authorizer?: Authorizer;
  /** Where JSON log lines go (default stdout). */
  logStream?: LogStream;
  logLevel?: string;
  bodyLimit?: number;
}

/** The HTTP API on top of an open Lockstep. Not yet listening; call `listen` or `inject`. */
export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { lockstep } = options;
  const authorizer = options.authorizer ?? (lockstep.clock === Date.now ? defaultAuthorizer() : loadAuthorizer(undefined, lockstep.clock));
  const deps: RouteDeps = { lockstep, authorizer };

  const app = Fastify({
    logger: loggerOptions(options.logStream, options.logLevel ?? 'info'),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    return503OnClosing: true,
    // The API is JSON over GET/POST/DELETE; no implicit HEAD twins (a HEAD would decrypt for nothing).
    exposeHeadRoutes: false,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  useJsonParser(app);
  app.setNotFoundHandler(notFoundHandler);
  requireRouteActions(app);
  authenticateRequests(app, deps);
  logRequests(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Lockstep',
        version: `v${EVENT_SCHEMA_VERSION}`,
        description: 'Consent-first capture of computer-use trajectories. Every /v1 route is authorized by Cedar policy; content is encrypted per subject.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'lsu_… (user) or lsd_… (device) token' } } },
    },
    transform: jsonSchemaTransform,
  });

  healthRoutes(app);
  enrollRoutes(app, deps);
  userRoutes(app, deps);
  meRoutes(app, deps);
  batchRoutes(app, deps);
  sessionRoutes(app, deps);
  subjectRoutes(app, deps);
  auditRoutes(app, deps);
  programRoutes(app, deps);
  episodeRoutes(app, deps);
  grantRoutes(app, deps);
  breakGlassRoutes(app, deps);
  accessRoutes(app, deps);
  return app;
}
