import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { ActionConstraint, CedarValueJson, DetailedError, EntityJson, EntityUidJson } from '@cedar-policy/cedar-wasm/nodejs';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The one place that decides who may do what: Cedar policies (policies.cedar) checked against
 * a schema (lockstep.cedarschema), both loaded and validated once. Routes describe the principal,
 * the action and the resource; this module builds the Cedar entities, adds the trusted time and
 * returns the decision with the ids of the policies that determined it.
 */

export const ACTIONS = [
  'enroll',
  'me.read',
  'user.create',
  'user.list',
  'user.update',
  'device-code.create',
  'device.revoke',
  'subject.erase',
  'program.create',
  'program.update',
  'program.list',
  'program.pause',
  'program.resume',
  'consent.read',
  'consent.accept',
  'consent.withdraw',
  'batch.ingest',
  'device.state',
  'session.list',
  'session.read',
  'session.delete',
  'session.metadata',
  'episode.list',
  'episode.read',
  'episode.label',
  'episode.split',
  'episode.merge',
  'episode.release',
  'episode.delete',
  'dataset.create',
  'dataset.list',
  'dataset.read',
  'grant.request',
  'grant.list',
  'grant.read',
  'grant.approve',
  'grant.deny',
  'grant.revoke',
  'episode.export',
  'export.create',
  'export.list',
  'export.read',
  'export.download',
  'export.revocations',
  'breakglass.request',
  'breakglass.list',
  'breakglass.approve',
  'breakglass.read',
  'access.read',
  'audit.read',
  'audit.checkpoint',
] as const;
export type Action = (typeof ACTIONS)[number];

const NS = 'Lockstep';

export type PrincipalRef =
  | { type: 'User'; id: string; roles: readonly string[] }
  | { type: 'Device'; id: string; subject: string }
  | { type: 'Anonymous' };

export interface GrantRef {
  type: 'Grant';
  id: string;
  requester: string;
  approver?: string | null | undefined;
  dataset: string;
  purpose: string;
  status: string;
  expiresAt: number;
}

export interface BreakGlassRef {
  type: 'BreakGlass';
  id: string;
  subject: string;
  requester: string;
  stewardApprover?: string | null | undefined;
  securityApprover?: string | null | undefined;
  status: string;
  /** 0 until fully approved. */
  expiresAt: number;
  /** Empty: all of the subject's sessions. */
  sessions: readonly string[];
}

export type ResourceRef =
  | { type: 'User'; id: string; roles: readonly string[] }
  | { type: 'Device'; id: string; subject: string }
  | { type: 'Session'; id: string; subject: string; device: string }
  | { type: 'Episode'; id: string; subject: string; session: string; released: boolean; datasets: readonly string[] }
  /** With `purposes`, the dataset's program goes along as an entity (grant.request reads them). */
  | { type: 'Dataset'; id: string; program: string; purposes?: readonly string[] }
  | { type: 'Program'; id: string; purposes: readonly string[] }
  | GrantRef
  | BreakGlassRef
  /** An export made through `grant` by `requester`. */
  | { type: 'Export'; id: string; requester: string; grant: string }
  | { type: 'Server' };

export interface AuthorizationRequest {
  principal: PrincipalRef;
  action: Action;
  resource: ResourceRef;
  /** Extra context (the trusted `now` is always added by the authorizer and cannot be overridden). */
  context?: Record<string, CedarValueJson>;
  /** Extra entities the context refers to (see grantContext, breakGlassContext). */
  entities?: EntityJson[];
}

export interface Decision {
  allowed: boolean;
  /** Ids of the policies that determined the decision (permits when allowed, forbids when refused). */
  reasons: string[];
  /** The @message of those policies, when they have one. */
  messages: string[];
  /** Why the request could not be evaluated (for example, a principal type the action does not apply to). */
  errors: string[];
}

export interface Authorizer {
  authorize(request: AuthorizationRequest): Decision;
}

/** The schema or the policies failed to parse or to validate. */
export class PolicyLoadError extends Error {
  override name = 'PolicyLoadError';
}

export interface PolicySources {
  schema: string;
  policies: string;
}

/** The directory of the policy files shipped with the server. */
export const DEFAULT_POLICY_DIR = fileURLToPath(new URL('.', import.meta.url));

/**
 * Reads lockstep.cedarschema and policies.cedar from `dir` (default: the ones shipped with the
 * server). A directory may hold only policies.cedar, in which case the shipped schema is used.
 */
export function readPolicySources(dir?: string): PolicySources {
  const from = dir ?? DEFAULT_POLICY_DIR;
  const schemaPath = join(from, 'lockstep.cedarschema');
  const policyPath = join(from, 'policies.cedar');
  if (!existsSync(policyPath)) throw new PolicyLoadError(`${policyPath} does not exist`);
  return {
    schema: readFileSync(existsSync(schemaPath) ? schemaPath : join(DEFAULT_POLICY_DIR, 'lockstep.cedarschema'), 'utf8'),
    policies: readFileSync(policyPath, 'utf8'),
  };
}

const describeErrors = (errors: readonly DetailedError[]) =>
  errors.map((e) => (e.help ? `${e.message} (${e.help})` : e.message)).join('; ');

/** Parses and validates the policies against the schema, and prepares both for fast evaluation. */
export function loadAuthorizer(sources: PolicySources = readPolicySources(), clock: () => number = Date.now): Authorizer {
  const schemaJson = cedar.schemaToJson(sources.schema);
  if (schemaJson.type === 'failure') throw new PolicyLoadError(`lockstep.cedarschema does not parse: ${describeErrors(schemaJson.errors)}`);
  const declared = Object.entries(schemaJson.json[NS]?.actions ?? {})
    // Action groups (such as "content") apply to nothing themselves.
    .filter(([, a]) => (a.appliesTo?.principalTypes.length ?? 0) > 0)
    .map(([name]) => name)
    .sort();
  const known = [...ACTIONS].sort();
  if (declared.join() !== known.join()) {
    throw new PolicyLoadError(`the schema's actions (${declared.join(', ')}) differ from the server's (${known.join(', ')})`);
  }

  const parts = cedar.policySetTextToParts(sources.policies);
  if (parts.type === 'failure') throw new PolicyLoadError(`policies.cedar does not parse: ${describeErrors(parts.errors)}`);
  if (parts.policy_templates.length > 0) throw new PolicyLoadError('policies.cedar may not contain templates');
  const policies: Record<string, string> = {};
  const messages = new Map<string, string>();
  const actionScopes = new Map<string, ActionConstraint>();
  for (const text of parts.policies) {
    const json = cedar.policyToJson(text);
    if (json.type === 'failure') throw new PolicyLoadError(`policies.cedar: ${describeErrors(json.errors)}`);
    const id = json.json.annotations?.id;
    if (id) actionScopes.set(id, json.json.action);
    if (!id) throw new PolicyLoadError(`every policy needs an @id annotation; this one has none: ${text.slice(0, 120)}`);
    if (id in policies) throw new PolicyLoadError(`two policies share the @id "${id}"`);
    policies[id] = text;
    const message = json.json.annotations?.message;
    if (message) messages.set(id, message);
  }

  const validation = cedar.validate({ schema: sources.schema, policies: { staticPolicies: policies }, validationSettings: { mode: 'strict' } });
  if (validation.type === 'failure') throw new PolicyLoadError(`policies.cedar does not validate: ${describeErrors(validation.errors)}`);
  if (validation.validationErrors.length > 0) {
    const detail = validation.validationErrors.map((e) => `${e.policyId}: ${e.error.message}`).join('; ');
    throw new PolicyLoadError(`policies.cedar does not validate against lockstep.cedarschema: ${detail}`);
  }

  // Cedar caches prepared sets by name; name them by content so that different sources never collide.
  const name = createHash('sha256').update(sources.schema).update('\0').update(sources.policies).digest('hex').slice(0, 24);
  // One prepared set per action, holding only the policies whose action scope can match it (the
  // action itself, a group it is in, or any action). A policy whose scope does not match is never
  // satisfied and never errs, so every decision is the same as with the whole set; Cedar
  // evaluates every policy of a set, so this halves the cost of a decision.
  const groups = new Map<string, Set<string>>();
  const actionsJson = schemaJson.json[NS]?.actions ?? {};
  const ancestors = (a: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(a)) return seen;
    seen.add(a);
    for (const parent of actionsJson[a]?.memberOf ?? []) ancestors(parent.id, seen);
    return seen;
  };
  for (const action of ACTIONS) groups.set(action, ancestors(action));
  const idOf = (e: EntityUidJson) => ('__entity' in e ? e.__entity.id : e.id);
  const applies = (scope: ActionConstraint, action: string) => {
    const mine = groups.get(action)!;
    if (scope.op === 'All') return true;
    if (scope.op === '==') return 'entity' in scope ? idOf(scope.entity) === action : true;
    return 'entity' in scope ? mine.has(idOf(scope.entity)) : scope.entities.some((e) => mine.has(idOf(e)));
  };
  const prepared = [cedar.preparseSchema(name, sources.schema)];
  for (const action of ACTIONS) {
    const subset = Object.fromEntries(Object.entries(policies).filter(([id]) => applies(actionScopes.get(id)!, action)));
    prepared.push(cedar.preparsePolicySet(`${name}:${action}`, { staticPolicies: subset }));
  }
  for (const p of prepared) if (p.type === 'failure') throw new PolicyLoadError(`cannot prepare the policies: ${describeErrors(p.errors)}`);

  return {
    authorize(request) {
      const principal = toEntity(request.principal);
      const resource = toEntity(request.resource);
      const entities = sameUid(principal.uid, resource.uid) ? [principal] : [principal, resource];
      if (request.resource.type === 'Dataset' && request.resource.purposes) entities.push(programEntity(request.resource.program, request.resource.purposes));
      if (request.entities) for (const e of request.entities) entities.push(e);
      const answer = cedar.statefulIsAuthorized({
        principal: principal.uid,
        action: { type: `${NS}::Action`, id: request.action },
        resource: resource.uid,
        context: request.context ? { ...request.context, now: clock() } : { now: clock() },
        entities,
        preparsedSchemaName: name,
        preparsedPolicySetId: `${name}:${request.action}`,
        validateRequest: true,
      });
      if (answer.type === 'failure') {
        return { allowed: false, reasons: [], messages: [], errors: answer.errors.map((e) => e.message) };
      }
      const reasons = answer.response.diagnostics.reason;
      return {
        allowed: answer.response.decision === 'allow',
        reasons,
        messages: reasons.flatMap((id) => messages.get(id) ?? []),
        errors: answer.response.diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`),
      };
    },
  };
}

let cached: Authorizer | undefined;

/** The authorizer for the policy files shipped with the server (loaded once per process). */
export function defaultAuthorizer(): Authorizer {
  cached ??= loadAuthorizer();
  return cached;
}

const uid = (type: string, id: string): { type: string; id: string } => ({ type: `${NS}::${type}`, id });
const ref = (type: string, id: string): CedarValueJson => ({ __entity: uid(type, id) });
const sameUid = (a: EntityUidJson, b: EntityUidJson) => JSON.stringify(a) === JSON.stringify(b);

const userRef = (id: string) => ref('User', id);
const optional = <T>(key: string, value: T | null | undefined, f: (v: T) => CedarValueJson): Record<string, CedarValueJson> =>
  value === null || value === undefined ? {} : { [key]: f(value) };

export function programEntity(id: string, purposes: readonly string[]): EntityJson {
  return { uid: uid('Program', id), attrs: { purposes: [...purposes] }, parents: [] };
}

/** The context and entities of a read made under a grant (episode.export, export.download). */
export function grantContext(grant: GrantRef): { context: Record<string, CedarValueJson>; entities: EntityJson[] } {
  return { context: { grant: ref('Grant', grant.id) }, entities: [toEntity(grant)] };
}

/** The context and entities of a raw read made under a break-glass request (breakglass.read). */
export function breakGlassContext(bg: BreakGlassRef): { context: Record<string, CedarValueJson>; entities: EntityJson[] } {
  return { context: { breakGlass: ref('BreakGlass', bg.id) }, entities: [toEntity(bg)] };
}

export function toEntity(x: PrincipalRef | ResourceRef): EntityJson {
  switch (x.type) {
    case 'User':
      return { uid: uid('User', x.id), attrs: { roles: [...x.roles] }, parents: [] };
    case 'Device':
      return { uid: uid('Device', x.id), attrs: { subject: userRef(x.subject) }, parents: [] };
    case 'Session':
      return { uid: uid('Session', x.id), attrs: { subject: userRef(x.subject), device: ref('Device', x.device) }, parents: [] };
    case 'Episode':
      return {
        uid: uid('Episode', x.id),
        attrs: { subject: userRef(x.subject), session: ref('Session', x.session), released: x.released },
        parents: x.datasets.map((d) => uid('Dataset', d)),
      };
    case 'Dataset':
      return { uid: uid('Dataset', x.id), attrs: { program: ref('Program', x.program) }, parents: [] };
    case 'Program':
      return programEntity(x.id, x.purposes);
    case 'Grant':
      return {
        uid: uid('Grant', x.id),
        attrs: {
          requester: userRef(x.requester),
          ...optional('approver', x.approver, userRef),
          dataset: ref('Dataset', x.dataset),
          purpose: x.purpose,
          status: x.status,
          expiresAt: x.expiresAt,
        },
        parents: [],
      };
    case 'BreakGlass':
      return {
        uid: uid('BreakGlass', x.id),
        attrs: {
          subject: userRef(x.subject),
          requester: userRef(x.requester),
          ...optional('stewardApprover', x.stewardApprover, userRef),
          ...optional('securityApprover', x.securityApprover, userRef),
          status: x.status,
          expiresAt: x.expiresAt,
          allSessions: x.sessions.length === 0,
          sessions: x.sessions.map((s) => ref('Session', s)),
        },
        parents: [],
      };
    case 'Export':
      return { uid: uid('Export', x.id), attrs: { requester: userRef(x.requester), grant: ref('Grant', x.grant) }, parents: [] };
    case 'Server':
      return { uid: uid('Server', 'lockstep'), attrs: {}, parents: [] };
    case 'Anonymous':
      return { uid: uid('Anonymous', 'anonymous'), attrs: {}, parents: [] };
  }
}
