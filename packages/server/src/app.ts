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
import { exportRoutes } from './routes/exports.ts';
import { grantRoutes } from './routes/grants.ts';
import { programRoutes } from './routes/programs.ts';
import { batchRoutes } from './routes/batches.ts';
import { deviceRoutes } from './routes/device.ts';
import { enrollRoutes } from './routes/enroll.ts';
import { healthRoutes } from './routes/health.ts';
import { meRoutes } from './routes/me.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { subjectRoutes } from './routes/subjects.ts';
import { userRoutes } from './routes/users.ts';

export type { App } from './http/types.ts';

/**
 * A route that streams (`produces: ['application/x-ndjson']`) answers errors as JSON like every
 * other route; @fastify/swagger gives all of a route's responses its `produces` types, so the
 * document is corrected here: 4xx and 5xx responses of such routes are application/json.
 */
function jsonErrorsOfStreams<T>(doc: T): T {
  const paths = (doc as { paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>> }).paths ?? {};
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const content = response.content;
        if (!content || !/^[45]/.test(status) || !('application/x-ndjson' in content)) continue;
        response.content = { 'application/json': content['application/x-ndjson'] };
      }
    }
  }
  return doc;
}

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
    transformObject: (document) => ('openapiObject' in document ? jsonErrorsOfStreams(document.openapiObject) : document.swaggerObject),
  });

  healthRoutes(app);
  enrollRoutes(app, deps);
  userRoutes(app, deps);
  meRoutes(app, deps);
  batchRoutes(app, deps);
  deviceRoutes(app, deps);
  sessionRoutes(app, deps);
  subjectRoutes(app, deps);
  auditRoutes(app, deps);
  programRoutes(app, deps);
  episodeRoutes(app, deps);
  grantRoutes(app, deps);
  exportRoutes(app, deps);
  breakGlassRoutes(app, deps);
  accessRoutes(app, deps);
  return app;
}
