import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Principal } from '../auth.ts';
import type { Lockstep } from '../lockstep.ts';
import type { Action, Authorizer } from '../policy/authorize.ts';

export interface RouteAction {
  method: string;
  url: string;
  action: Action | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every registered route with the Cedar action it declares. */
    routeActions: readonly RouteAction[];
  }
  interface FastifyContextConfig {
    /** The Cedar action this route performs. Required for every route under /v1. */
    action?: Action;
    /** Open to callers without a token (only enrollment). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** Who the bearer token names; null on public routes. */
    principal: Principal | null;
  }
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

export interface RouteDeps {
  lockstep: Lockstep;
  authorizer: Authorizer;
}
