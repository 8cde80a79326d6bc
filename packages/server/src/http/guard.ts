import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditInput, DetailValue } from '../audit/index.ts';
import { type Principal, authenticate } from '../auth.ts';
import { ACTIONS, type AuthorizationRequest, type Decision, type PrincipalRef, type ResourceRef } from '../policy/authorize.ts';
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

export interface AuthorizeOptions {
  /** The person whose data the resource is (default: the resource's subject, or the User resource itself). */
  subject?: string;
  /** The purpose the caller acts under (logged). */
  purpose?: string;
  /** The grant the caller acts under (logged). */
  grant?: string;
  /** Extra Cedar context attributes (CedarValueJson); `now` is always the server's. */
  context?: Record<string, unknown>;
  /** Extra Cedar entities (EntityJson), for example the grant. */
  entities?: unknown[];
  /** Small metadata for the entry (a reason, counts); never content, tokens or keys. */
  detail?: Record<string, DetailValue>;
  /**
   * For a status that a caller polls every few seconds (a device's capture state): an allowed
   * decision is logged only when `answer` differs from the last one logged for this caller in
   * `seen`, so the log shows every change in what the caller was told, and when, rather than
   * every poll. Denials are always logged.
   */
  poll?: { seen: PollLog; answer: string };
}

/** The last answer logged per caller, for `AuthorizeOptions.poll`; in memory, so a restart logs each caller's next poll again. */
export class PollLog {
  private readonly last = new Map<string, string>();
  constructor(private readonly max = 100_000) {}
  changed(caller: string, answer: string): boolean {
    return this.last.get(caller) !== answer;
  }
  logged(caller: string, answer: string): void {
    if (this.last.size >= this.max && !this.last.has(caller)) this.last.clear();
    this.last.set(caller, answer);
  }
}

/** The audit entry could not be written, so the access was refused. */
export const auditUnavailable = () => new ApiFailure(503, 'audit-unavailable', 'the access could not be logged, so it was refused');

/** 'Type::id' of a resource, as the audit log names it. */
export function resourceName(resource: ResourceRef): string {
  return `${resource.type}::${'id' in resource ? resource.id : 'lockstep'}`;
}

/** The person whose data a resource is: its subject, or the User itself. */
function subjectOf(resource: ResourceRef): string | undefined {
  if ('subject' in resource && typeof resource.subject === 'string') return resource.subject || undefined;
  if (resource.type === 'User') return resource.id;
  return undefined;
}

function actorOf(principal: Principal | null): Pick<AuditInput, 'actor' | 'actorRoles'> {
  if (!principal) return { actor: 'anonymous' };
  return principal.kind === 'user' ? { actor: principal.id, actorRoles: [...principal.roles] } : { actor: principal.id };
}

async function record(deps: RouteDeps, entry: AuditInput): Promise<void> {
  try {
    await deps.lockstep.audit.append(entry);
  } catch {
    // No unlogged access: whatever the reason (closed, disk full, I/O error), refuse.
    throw auditUnavailable();
  }
}

/**
 * The choke point: asks the policy whether the caller may perform this route's declared action
 * on `resource`, appends the decision (allowed or denied) to the audit log and waits until it is
 * durable (for a polled status, only when the answer changed: see `poll`), then throws 403 if denied. If the decision cannot be logged, throws 503 and the access
 * does not happen. Routes cannot ask about another action than the one they declared.
 *
 * A request without a valid token is answered 401 by `authenticateRequests` before any route
 * runs: it names no principal, so no decision is made and nothing is logged (otherwise anyone
 * could fill the log with noise). Public routes (enroll) do decide, as 'anonymous', and are logged.
 */
export async function authorize(deps: RouteDeps, request: FastifyRequest, resource: ResourceRef, options: AuthorizeOptions = {}): Promise<Decision> {
  const action = request.routeOptions.config.action;
  if (!action) throw new ApiFailure(500, 'internal', 'route declares no action');
  const ask: AuthorizationRequest = { principal: principalRef(request.principal), action, resource };
  if (options.context) ask.context = options.context as AuthorizationRequest['context'];
  if (options.entities) ask.entities = options.entities as AuthorizationRequest['entities'];
  const decision = deps.authorizer.authorize(ask);
  const actor = actorOf(request.principal).actor;
  const poll = decision.allowed ? options.poll : undefined;
  if (poll && !poll.seen.changed(actor, poll.answer)) return decision;
  const subject = options.subject ?? subjectOf(resource);
  const detail: Record<string, DetailValue> = { ...options.detail, route: `${request.method} ${request.routeOptions.url ?? ''}`.slice(0, 200) };
  if (decision.errors.length > 0) detail.errors = decision.errors.length;
  await record(deps, {
    ...actorOf(request.principal),
    action,
    resource: resourceName(resource),
    ...(subject !== undefined ? { subject } : {}),
    ...(options.purpose !== undefined ? { purpose: options.purpose } : {}),
    ...(options.grant !== undefined ? { grant: options.grant } : {}),
    decision: decision.allowed ? 'allow' : 'deny',
    policies: decision.reasons,
    kind: 'decision',
    detail,
  });
  poll?.seen.logged(actor, poll.answer);
  if (!decision.allowed) {
    throw forbidden(decision.messages[0] ?? `not permitted: no policy allows ${action} for this caller on this resource`);
  }
  return decision;
}

export interface ContentAccess {
  resource: ResourceRef;
  /** The person whose content is returned. */
  subject: string;
  purpose?: string;
  grant?: string;
  /** The policies that allowed the access (the decision's reasons). */
  policies?: string[];
  /** Small metadata (counts, ids); never content. */
  detail?: Record<string, string | number | boolean | null>;
}

/**
 * Logs that content is being returned (decrypted) to the caller; call it after decrypting and
 * before sending. Waits until the entry is durable; throws 503 if it cannot be written, and the
 * route must then not answer with the content.
 */
export async function recordContentAccess(deps: RouteDeps, request: FastifyRequest, access: ContentAccess): Promise<void> {
  await record(deps, accessEntry(request, access, { decision: 'allow', policies: access.policies ?? [], kind: 'content-access' }));
}

/** The audit entry of one access by the caller to one person's data, under the route's action. */
function accessEntry(request: FastifyRequest, access: ContentAccess, outcome: { decision: 'allow' | 'deny'; policies: string[]; kind: 'content-access' | 'decision'; detail?: Record<string, unknown> }) {
  const action = request.routeOptions.config.action;
  if (!action) throw new ApiFailure(500, 'internal', 'route declares no action');
  return {
    ...actorOf(request.principal),
    action,
    resource: resourceName(access.resource),
    subject: access.subject,
    ...(access.purpose !== undefined ? { purpose: access.purpose } : {}),
    ...(access.grant !== undefined ? { grant: access.grant } : {}),
    decision: outcome.decision,
    policies: outcome.policies,
    kind: outcome.kind,
    detail: { route: `${request.method} ${request.routeOptions.url ?? ''}`.slice(0, 200), ...outcome.detail, ...access.detail },
  };
}

/**
 * Logs, once per resource it concerned, a decision already made (and logged) about something
 * that holds several people's data — an export's manifest: one entry per episode, with its
 * subject, so that each person sees in their access view that their data was included, by whom
 * and under which grant and purpose. The entries repeat the decision (`decidedOn` names what it
 * was made about); they decide nothing themselves. Throws 503 if they cannot all be written.
 */
export async function recordDecisionFor(deps: RouteDeps, request: FastifyRequest, decision: Decision, decidedOn: ResourceRef, each: ReadonlyArray<Omit<ContentAccess, 'policies'>>): Promise<void> {
  const outcome = { decision: decision.allowed ? ('allow' as const) : ('deny' as const), policies: decision.reasons, kind: 'decision' as const, detail: { decidedOn: resourceName(decidedOn) } };
  const entries = each.map((access) => accessEntry(request, access, outcome));
  // Appended together: the log writes them in one group (one fsync).
  await Promise.all(entries.map((entry) => record(deps, entry)));
}

/** The caller, who must be authenticated (every non-public route is). */
export function caller(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}
