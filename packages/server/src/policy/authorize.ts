import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { CedarValueJson, DetailedError, EntityJson, EntityUidJson } from '@cedar-policy/cedar-wasm/nodejs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

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
  'device-code.create',
  'subject.erase',
  'batch.ingest',
  'session.list',
  'session.read',
  'session.delete',
] as const;
export type Action = (typeof ACTIONS)[number];

const NS = 'Lockstep';

export type PrincipalRef =
  | { type: 'User'; id: string; roles: readonly string[] }
  | { type: 'Device'; id: string; subject: string }
  | { type: 'Anonymous' };

export type ResourceRef =
  | { type: 'User'; id: string; roles: readonly string[] }
  | { type: 'Device'; id: string; subject: string }
  | { type: 'Session'; id: string; subject: string; device: string }
  | { type: 'Server' };

export interface AuthorizationRequest {
  principal: PrincipalRef;
  action: Action;
  resource: ResourceRef;
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

export function readPolicySources(): PolicySources {
  return {
    schema: readFileSync(new URL('./lockstep.cedarschema', import.meta.url), 'utf8'),
    policies: readFileSync(new URL('./policies.cedar', import.meta.url), 'utf8'),
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
  for (const text of parts.policies) {
    const json = cedar.policyToJson(text);
    if (json.type === 'failure') throw new PolicyLoadError(`policies.cedar: ${describeErrors(json.errors)}`);
    const id = json.json.annotations?.id;
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
  const prepared = [cedar.preparseSchema(name, sources.schema), cedar.preparsePolicySet(name, { staticPolicies: policies })];
  for (const p of prepared) if (p.type === 'failure') throw new PolicyLoadError(`cannot prepare the policies: ${describeErrors(p.errors)}`);

  return {
    authorize(request) {
      const principal = toEntity(request.principal);
      const resource = toEntity(request.resource);
      const entities = sameUid(principal.uid, resource.uid) ? [principal] : [principal, resource];
      const answer = cedar.statefulIsAuthorized({
        principal: principal.uid,
        action: { type: `${NS}::Action`, id: request.action },
        resource: resource.uid,
        context: { now: clock() },
        entities,
        preparsedSchemaName: name,
        preparsedPolicySetId: name,
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

function toEntity(x: PrincipalRef | ResourceRef): EntityJson {
  switch (x.type) {
    case 'User':
      return { uid: uid('User', x.id), attrs: { roles: [...x.roles] }, parents: [] };
    case 'Device':
      return { uid: uid('Device', x.id), attrs: { subject: ref('User', x.subject) }, parents: [] };
    case 'Session':
      return { uid: uid('Session', x.id), attrs: { subject: ref('User', x.subject), device: ref('Device', x.device) }, parents: [] };
    case 'Server':
      return { uid: uid('Server', 'lockstep'), attrs: {}, parents: [] };
    case 'Anonymous':
      return { uid: uid('Anonymous', 'anonymous'), attrs: {}, parents: [] };
  }
}
