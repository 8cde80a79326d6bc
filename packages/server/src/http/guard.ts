import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Principal, authenticate } from '../auth.ts';
import { ACTIONS, type Authorizer, type Decision, type PrincipalRef, type ResourceRef } from '../policy/authorize.ts';
import { ApiFailure, forbidden, unauthorized } from './errors.ts';
import type { RouteAction, RouteDeps } from './types.ts';

/**
 * Refuses to register a route under /v1 that does not declare a schema and a known Cedar action,
 * and records every route with its action in `app.routeActions`.
 */
export function requireRouteActions(app: FastifyInstance): void {
  const routes: RouteAction[] = [];
  app.decorate('routeActions', routes);
  app.addHook('onRoute', (route) => {
    const action = route.config?.action;
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url, action });
    if (!route.url.startsWith('/v1')) return;
    const where = `${String(route.method)} ${route.url}`;
    if (!action) throw new Error(`${where}: every route under /v1 must declare its Cedar action (config.action)`);
    if (!(ACTIONS as readonly string[]).includes(action)) throw new Error(`${where}: unknown Cedar action "${action}"`);
    if (!route.schema) throw new Error(`${where}: every route under /v1 must declare its schema`);
  });
}

/** Resolves the bearer token of every non-public /v1 request before its body is read. */
export function authenticateRequests(app: FastifyInstance, deps: RouteDeps): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (!config.action || config.public) return;
    const principal = await authenticate(deps.lockstep.store, request.headers.authorization);
    if (!principal) throw unauthorized();
    request.principal = principal;
  });
}

export function principalRef(principal: Principal | null): PrincipalRef {
  if (!principal) return { type: 'Anonymous' };
  return principal.kind === 'user'
    ? { type: 'User', id: principal.id, roles: principal.roles }
    : { type: 'Device', id: principal.id, subject: principal.subject };
}

/**
 * Asks the policy whether the caller may perform this route's declared action on `resource`;
 * throws 403 if not. Routes cannot ask about another action than the one they declared.
 */
export function authorize(authorizer: Authorizer, request: FastifyRequest, resource: ResourceRef): Decision {
  const action = request.routeOptions.config.action;
  if (!action) throw new ApiFailure(500, 'internal', 'route declares no action');
  const decision = authorizer.authorize({ principal: principalRef(request.principal), action, resource });
  if (!decision.allowed) {
    throw forbidden(decision.messages[0] ?? `not permitted: no policy allows ${action} for this caller on this resource`);
  }
  return decision;
}

/** The caller, who must be authenticated (every non-public route is). */
export function caller(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}
