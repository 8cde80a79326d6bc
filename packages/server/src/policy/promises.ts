import { PURPOSES } from '../domain/purposes.ts';
import { ROLES } from '../store/types.ts';
import {
  ACTIONS,
  type Action,
  type AuthorizationRequest,
  type Authorizer,
  type BreakGlassRef,
  type GrantRef,
  type PolicySources,
  type PrincipalRef,
  type ResourceRef,
  breakGlassContext,
  grantContext,
  loadAuthorizer,
} from './authorize.ts';

/**
 * The promises the policies must keep, written as code: the spec. policies.cedar is the
 * implementation. `checkPolicies` evaluates an authorizer over a generated population that
 * covers every role combination and every relationship between caller and resource (own /
 * another's, released / unreleased, grant active / expired / revoked / denied / for another
 * dataset / self-approved, break-glass with zero, one or two approvals, by the requester,
 * expired, …) and reports every request whose decision breaks a promise. `lockstep policy check`
 * prints the report; the server refuses to start on policies that fail it; the authorization
 * matrix (docs/authorization-matrix.md) is rendered from the same population.
 */

/** Facts about a generated request, from which promises are judged (independent of Cedar). */
export interface Facts {
  kind: 'user' | 'device' | 'anonymous';
  roles: readonly string[];
  /** The resource is the caller's own data (their user, device, session or episode). */
  own: boolean;
  /** A human description of the caller's relation to the resource, for reports and the matrix. */
  relation: string;
  released?: boolean;
  grant?: { status: string; expired: boolean; requesterIsCaller: boolean; approverIsCaller: boolean; approved: boolean; datasetMatches: boolean };
  breakGlass?: {
    status: string;
    expired: boolean;
    requesterIsCaller: boolean;
    callerIsSubject: boolean;
    stewardApproved: boolean;
    securityApproved: boolean;
    approverIsCaller: boolean;
    approversDistinct: boolean;
    coversSession: boolean;
  };
  purpose?: { given: string | null; inVocabulary: boolean; declared: boolean };
}

export interface Case {
  request: AuthorizationRequest;
  facts: Facts;
}

export interface Promise_ {
  id: string;
  description: string;
  /** True when the decision `allowed` for this case breaks the promise. */
  broken(c: Case, allowed: boolean): boolean;
}

/** Actions that return a subject's raw content. */
export const RAW_CONTENT: readonly Action[] = ['session.read', 'episode.read', 'breakglass.read'];
/** Actions that act on a subject's own content or its listing (the "content" group). */
export const OWN_CONTENT: readonly Action[] = [
  'session.list',
  'session.read',
  'session.delete',
  'episode.list',
  'episode.read',
  'episode.label',
  'episode.split',
  'episode.merge',
  'episode.release',
  'episode.delete',
];
/** Actions that return released episodes de-identified, through a grant. */
export const GRANT_READS: readonly Action[] = ['episode.export', 'export.download'];
/** Actions that need the caller's own active grant: the de-identified reads, and making an export. */
const THROUGH_A_GRANT: readonly Action[] = [...GRANT_READS, 'export.create'];
/** Every action that returns content of any kind. */
export const ANY_CONTENT: readonly Action[] = [...RAW_CONTENT, ...GRANT_READS];
/** What an admin does: configuration, never content. */
const ADMIN_ACTIONS: readonly Action[] = [
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
];
/** The kill switch. */
const KILL_SWITCH: readonly Action[] = ['program.pause', 'program.resume'];
/** Actions anybody signed in may take about themselves. */
const SELF_ACTIONS: readonly Action[] = ['me.read', 'access.read', 'program.list', 'subject.erase', 'device.revoke', 'grant.read', 'grant.revoke', 'export.read'];

const has = (f: Facts, role: string) => f.roles.includes(role);
const only = (f: Facts, ...roles: string[]) => f.roles.length > 0 && f.roles.every((r) => roles.includes(r));
const action = (c: Case) => c.request.action;

export const PROMISES: readonly Promise_[] = [
  {
    id: 'deny-by-default-for-anonymous',
    description: 'a caller without a token can only enroll',
    broken: (c, allowed) => allowed && c.facts.kind === 'anonymous' && action(c) !== 'enroll',
  },
  {
    id: 'devices-only-capture-for-their-subject',
    description: 'a device reads only itself (who it is, its capture state) and uploads only into its own sessions of its own subject',
    broken: (c, allowed) => allowed && c.facts.kind === 'device' && !(c.facts.own && (action(c) === 'me.read' || action(c) === 'device.state' || action(c) === 'batch.ingest')),
  },
  {
    id: 'device-state-is-for-devices',
    description: "a device's capture state is read by the device itself, by no user",
    broken: (c, allowed) => allowed && action(c) === 'device.state' && !(c.facts.kind === 'device' && c.facts.own),
  },
  {
    id: 'subject-reads-only-own',
    description: "content actions (sessions, episodes) are allowed only to a subject, on their own data",
    broken: (c, allowed) => allowed && OWN_CONTENT.includes(action(c)) && !(c.facts.own && has(c.facts, 'subject')),
  },
  {
    id: 'subject-can-read-own',
    description: 'a subject can list, read, label, split, merge, release and delete their own sessions and episodes (the policy is not deny-all)',
    broken: (c, allowed) => !allowed && c.facts.kind === 'user' && OWN_CONTENT.includes(action(c)) && c.facts.own && has(c.facts, 'subject') && c.facts.released !== true,
  },
  {
    id: 'admin-never-reads-content',
    description: 'admins configure: no content of anyone, by any action',
    broken: (c, allowed) => allowed && only(c.facts, 'admin') && (ANY_CONTENT.includes(action(c)) || OWN_CONTENT.includes(action(c))),
  },
  {
    id: 'admin-only-configures',
    description: 'an admin (and nothing else) is allowed configuration actions and actions about themself, nothing more',
    broken: (c, allowed) => allowed && only(c.facts, 'admin') && !ADMIN_ACTIONS.includes(action(c)) && !(SELF_ACTIONS.includes(action(c)) && (c.facts.own || action(c) === 'program.list')),
  },
  {
    id: 'no-self-escalation',
    description: 'nobody changes their own roles',
    broken: (c, allowed) => allowed && action(c) === 'user.update' && c.facts.own,
  },
  {
    id: 'security-reads-no-content',
    description: 'security reads the audit log and metadata, not content (except as the requester of an approved break-glass)',
    broken: (c, allowed) => allowed && only(c.facts, 'security') && (OWN_CONTENT.includes(action(c)) || GRANT_READS.includes(action(c))),
  },
  {
    id: 'researcher-never-reads-raw',
    description: "a researcher never reads another person's raw data (sessions, episodes, break-glass)",
    broken: (c, allowed) => allowed && has(c.facts, 'researcher') && RAW_CONTENT.includes(action(c)) && !c.facts.own && !(has(c.facts, 'security') || has(c.facts, 'steward')),
  },
  {
    id: 'exports-are-their-makers',
    description: "an export's metadata is its maker's and the stewards'; its episodes are its maker's alone",
    broken: (c, allowed) => allowed && ((action(c) === 'export.read' && !c.facts.own && !has(c.facts, 'steward')) || (action(c) === 'export.download' && !c.facts.own)),
  },
  {
    id: 'nothing-unreleased-leaves-its-subject',
    description: 'an episode its subject has not released is exported to nobody',
    broken: (c, allowed) => allowed && action(c) === 'episode.export' && c.facts.released !== true,
  },
  {
    id: 'export-needs-an-active-grant',
    description: "a de-identified read, or making an export, needs the caller's own grant (on a dataset holding the episode), approved by someone else, not expired, not revoked",
    broken: (c, allowed) => {
      if (!allowed || !THROUGH_A_GRANT.includes(action(c))) return false;
      const g = c.facts.grant;
      return !g || !has(c.facts, 'researcher') || g.status !== 'approved' || g.expired || !g.requesterIsCaller || g.approverIsCaller || !g.datasetMatches;
    },
  },
  {
    id: 'active-grant-allows-export',
    description: 'a researcher with an active grant can read the released episodes of its dataset, export them and download the export (the policy is not deny-all)',
    broken: (c, allowed) => {
      const g = c.facts.grant;
      const active = !!g && g.status === 'approved' && !g.expired && g.requesterIsCaller && !g.approverIsCaller && g.datasetMatches;
      if (allowed || !active || !has(c.facts, 'researcher')) return false;
      return (action(c) === 'episode.export' && c.facts.released === true) || action(c) === 'export.create' || (action(c) === 'export.download' && c.facts.own);
    },
  },
  {
    id: 'no-self-approval',
    description: 'nobody approves or denies their own grant; only stewards decide, and only requested grants',
    broken: (c, allowed) => allowed && (action(c) === 'grant.approve' || action(c) === 'grant.deny') && (!c.facts.grant || c.facts.grant.requesterIsCaller || !has(c.facts, 'steward') || c.facts.grant.status !== 'requested'),
  },
  {
    id: 'grants-name-a-declared-purpose',
    description: "a grant names one purpose of its program's, from the fixed vocabulary (no purpose for judging someone's work)",
    broken: (c, allowed) => allowed && action(c) === 'grant.request' && (!c.facts.purpose || !c.facts.purpose.inVocabulary || !c.facts.purpose.declared),
  },
  {
    id: 'breakglass-needs-two-others',
    description: 'a break-glass read needs one steward and one security approval from two people other than the requester, by the requester, within its expiry, on a covered session of its subject',
    broken: (c, allowed) => {
      if (!allowed || action(c) !== 'breakglass.read') return false;
      const b = c.facts.breakGlass;
      return !b || b.status !== 'approved' || b.expired || !b.requesterIsCaller || !b.stewardApproved || !b.securityApproved || b.approverIsCaller || !b.approversDistinct || !b.coversSession;
    },
  },
  {
    id: 'breakglass-approved-by-others',
    description: 'a break-glass request is approved by neither its requester nor its subject, by each approver once, in the role they hold',
    broken: (c, allowed) => {
      if (!allowed || action(c) !== 'breakglass.approve') return false;
      const b = c.facts.breakGlass;
      if (!b || b.requesterIsCaller || b.callerIsSubject || b.approverIsCaller || b.status !== 'requested') return true;
      return !((has(c.facts, 'steward') && !b.stewardApproved) || (has(c.facts, 'security') && !b.securityApproved));
    },
  },
  {
    id: 'access-view-is-own',
    description: "nobody reads another person's access view",
    broken: (c, allowed) => allowed && action(c) === 'access.read' && !c.facts.own,
  },
  {
    id: 'kill-switch-is-admin-and-security',
    description: "only admins and security pause or resume a program's capture (the kill switch); no other role, no device",
    broken: (c, allowed) => allowed && KILL_SWITCH.includes(action(c)) && !(c.facts.kind === 'user' && (has(c.facts, 'admin') || has(c.facts, 'security'))),
  },
  {
    id: 'kill-switch-works',
    description: 'admins and security can pause and resume every program (the policy is not deny-all)',
    broken: (c, allowed) => !allowed && KILL_SWITCH.includes(action(c)) && c.facts.kind === 'user' && (has(c.facts, 'admin') || has(c.facts, 'security')),
  },
  {
    id: 'consent-is-own',
    description: "nobody reads, gives or withdraws another person's consent",
    broken: (c, allowed) => allowed && action(c).startsWith('consent.') && !c.facts.own,
  },
];

// ---------------------------------------------------------------- the population

const P = 'usr_caller';
const OTHER = 'usr_other';
const RESEARCHER2 = 'usr_researcher2';
const STEWARD2 = 'usr_steward2';
const SECURITY2 = 'usr_security2';
const NOW = 1_750_000_000_000;
const LATER = NOW + 3_600_000;
const EARLIER = NOW - 1;

/** Every combination of roles, the empty one included. */
export function roleSets(): string[][] {
  const out: string[][] = [];
  for (let mask = 0; mask < 1 << ROLES.length; mask++) out.push(ROLES.filter((_, i) => mask & (1 << i)));
  return out;
}

type Variant = { resource: ResourceRef; facts: Omit<Facts, 'kind' | 'roles'>; context?: AuthorizationRequest['context']; entities?: AuthorizationRequest['entities'] };

function grantVariants(): Array<{ label: string; grant: GrantRef; facts: NonNullable<Facts['grant']> }> {
  const base = (over: Partial<GrantRef>): GrantRef => ({ type: 'Grant', id: 'grt_g', requester: P, approver: STEWARD2, dataset: 'dst_granted', purpose: 'evaluation', status: 'approved', expiresAt: LATER, ...over });
  const v = (label: string, g: GrantRef, datasetMatches = true) => ({
    label,
    grant: g,
    facts: {
      status: g.status,
      expired: g.expiresAt <= NOW,
      requesterIsCaller: g.requester === P,
      approverIsCaller: g.approver === P,
      approved: g.status === 'approved',
      datasetMatches,
    },
  });
  return [
    v('own grant, active', base({})),
    v('own grant, expired', base({ expiresAt: EARLIER })),
    v('own grant, revoked', base({ status: 'revoked' })),
    v('own grant, denied', base({ status: 'denied', approver: null })),
    v('own grant, requested', base({ status: 'requested', approver: null })),
    v('own grant, self-approved', base({ approver: P })),
    v("another's grant, active", base({ requester: RESEARCHER2 })),
  ];
}

function breakGlassVariants(): Array<{ label: string; bg: BreakGlassRef; facts: NonNullable<Facts['breakGlass']> }> {
  const base = (over: Partial<BreakGlassRef>): BreakGlassRef => ({
    type: 'BreakGlass',
    id: 'brk_b',
    subject: OTHER,
    requester: P,
    stewardApprover: STEWARD2,
    securityApprover: SECURITY2,
    status: 'approved',
    expiresAt: LATER,
    sessions: [],
    ...over,
  });
  const v = (label: string, bg: BreakGlassRef, coversSession = true) => ({
    label,
    bg,
    facts: {
      status: bg.status,
      expired: bg.expiresAt <= NOW,
      requesterIsCaller: bg.requester === P,
      callerIsSubject: bg.subject === P,
      stewardApproved: !!bg.stewardApprover,
      securityApproved: !!bg.securityApprover,
      approverIsCaller: bg.stewardApprover === P || bg.securityApprover === P,
      approversDistinct: !!bg.stewardApprover && bg.stewardApprover !== bg.securityApprover,
      coversSession,
    },
  });
  return [
    v('own break-glass, two other approvers, active', base({})),
    v('own break-glass, steward approval only', base({ status: 'requested', securityApprover: null, expiresAt: 0 })),
    v('own break-glass, security approval only', base({ status: 'requested', stewardApprover: null, expiresAt: 0 })),
    v('own break-glass, expired', base({ expiresAt: EARLIER })),
    v('own break-glass, caller approved it', base({ securityApprover: P })),
    v('own break-glass, one person approved twice', base({ securityApprover: STEWARD2 })),
    v('own break-glass, for another session', base({ sessions: ['ses_elsewhere'] }), false),
    v("another's break-glass, active", base({ requester: SECURITY2, securityApprover: 'usr_security3' })),
  ];
}

function approvalVariants(): Array<{ label: string; bg: BreakGlassRef; facts: NonNullable<Facts['breakGlass']> }> {
  const out = [];
  for (const requester of [P, SECURITY2]) {
    for (const subject of [OTHER, P]) {
      for (const steward of [null, P, STEWARD2]) {
        for (const security of [null, P, 'usr_security3']) {
          if (requester === P && (steward === P || security === P)) continue;
          const bg: BreakGlassRef = { type: 'BreakGlass', id: 'brk_a', subject, requester, stewardApprover: steward, securityApprover: security, status: 'requested', expiresAt: 0, sessions: [] };
          const who = (x: string | null) => (x === null ? 'none' : x === P ? 'the caller' : 'another');
          out.push({
            label: `requested by ${requester === P ? 'the caller' : 'another'}, about ${subject === P ? 'the caller' : 'another subject'}, steward approval: ${who(steward)}, security approval: ${who(security)}`,
            bg,
            facts: {
              status: 'requested',
              expired: false,
              requesterIsCaller: requester === P,
              callerIsSubject: subject === P,
              stewardApproved: steward !== null,
              securityApproved: security !== null,
              approverIsCaller: steward === P || security === P,
              approversDistinct: steward !== null && steward !== security,
              coversSession: true,
            },
          });
        }
      }
    }
  }
  return out;
}

/** Resources (with their relation to the caller) for one action. */
function variants(a: Action, caller: PrincipalRef): Variant[] {
  const self = caller.type === 'User' ? caller.id : caller.type === 'Device' ? caller.subject : 'usr_nobody';
  const user = (id: string, roles: string[] = ['subject']): ResourceRef => ({ type: 'User', id, roles });
  const session = (subject: string, device: string): ResourceRef => ({ type: 'Session', id: `ses_${subject}_${device}`, subject, device });
  const episode = (subject: string, released: boolean, datasets: string[]): ResourceRef => ({ type: 'Episode', id: `epi_${subject}_${released}`, subject, session: `ses_${subject}`, released, datasets });
  const ownDevice = caller.type === 'Device' ? caller.id : 'dev_caller';
  switch (a) {
    case 'enroll':
    case 'user.create':
    case 'user.list':
    case 'program.create':
    case 'program.list':
    case 'dataset.list':
    case 'grant.list':
    case 'breakglass.list':
    case 'export.list':
    case 'export.revocations':
    case 'audit.read':
    case 'audit.checkpoint':
      return [{ resource: { type: 'Server' }, facts: { own: false, relation: 'the server' } }];
    case 'me.read':
    case 'device.state':
      return caller.type === 'Device'
        ? [
            { resource: { type: 'Device', id: caller.id, subject: caller.subject }, facts: { own: true, relation: 'itself' } },
            { resource: { type: 'Device', id: 'dev_other', subject: OTHER }, facts: { own: false, relation: 'another device' } },
          ]
        : [
            { resource: user(self, caller.type === 'User' ? [...caller.roles] : []), facts: { own: true, relation: 'themself' } },
            { resource: user(OTHER), facts: { own: false, relation: 'another person' } },
          ];
    case 'user.update':
    case 'device-code.create':
    case 'subject.erase':
    case 'consent.read':
    case 'consent.accept':
    case 'consent.withdraw':
    case 'session.list':
    case 'episode.list':
    case 'session.metadata':
    case 'access.read':
    case 'breakglass.request':
      return [
        { resource: user(self, caller.type === 'User' ? [...caller.roles] : []), facts: { own: true, relation: 'themself' } },
        { resource: user(OTHER), facts: { own: false, relation: 'another subject' } },
        { resource: user('usr_admin2', ['admin']), facts: { own: false, relation: 'another person, not a subject' } },
      ];
    case 'device.revoke':
      return [
        { resource: { type: 'Device', id: ownDevice, subject: self }, facts: { own: true, relation: 'their own device' } },
        { resource: { type: 'Device', id: 'dev_other', subject: OTHER }, facts: { own: false, relation: "another subject's device" } },
      ];
    case 'program.update':
    case 'program.pause':
    case 'program.resume':
    case 'dataset.create':
      return [{ resource: { type: 'Program', id: 'prg_p', purposes: ['agent-training', 'evaluation'] }, facts: { own: false, relation: 'a program' } }];
    case 'batch.ingest':
    case 'session.read':
    case 'session.delete':
      return [
        { resource: session(self, ownDevice), facts: { own: true, relation: 'own session, own device' } },
        ...(caller.type === 'Device' ? [{ resource: session(self, 'dev_sibling'), facts: { own: false, relation: "own subject's session on another device" } }] : []),
        { resource: session(OTHER, 'dev_other'), facts: { own: false, relation: "another subject's session" } },
      ];
    case 'episode.read':
    case 'episode.label':
    case 'episode.split':
    case 'episode.merge':
    case 'episode.release':
    case 'episode.delete':
      return [
        { resource: episode(self, false, []), facts: { own: true, relation: 'own, unreleased', released: false } },
        { resource: episode(self, true, ['dst_granted']), facts: { own: true, relation: 'own, released', released: true } },
        { resource: episode(OTHER, false, []), facts: { own: false, relation: "another subject's, unreleased", released: false } },
        { resource: episode(OTHER, true, ['dst_granted']), facts: { own: false, relation: "another subject's, released", released: true } },
      ];
    case 'dataset.read':
      return [{ resource: { type: 'Dataset', id: 'dst_granted', program: 'prg_p' }, facts: { own: false, relation: 'a dataset' } }];
    case 'grant.request':
      return [null, 'evaluation', 'safety-research', 'performance-review'].map((purpose) => ({
        resource: { type: 'Dataset', id: 'dst_granted', program: 'prg_p', purposes: ['agent-training', 'evaluation'] },
        facts: {
          own: false,
          relation: purpose === null ? 'no purpose' : purpose === 'evaluation' ? 'a purpose the program declares' : purpose === 'safety-research' ? 'a purpose the program does not declare' : `an undeclared purpose ("${purpose}")`,
          purpose: { given: purpose, inVocabulary: purpose !== null && (PURPOSES as readonly string[]).includes(purpose), declared: purpose === 'evaluation' },
        },
        ...(purpose === null ? {} : { context: { purpose } }),
      }));
    case 'grant.read':
    case 'grant.approve':
    case 'grant.deny':
    case 'grant.revoke':
      return (['requested', 'approved', 'denied', 'revoked'] as const).flatMap((status) =>
        [P, RESEARCHER2].map((requester) => {
          const grant: GrantRef = { type: 'Grant', id: 'grt_x', requester, approver: status === 'approved' || status === 'revoked' ? STEWARD2 : null, dataset: 'dst_granted', purpose: 'evaluation', status, expiresAt: LATER };
          return {
            resource: grant,
            facts: {
              own: requester === P,
              relation: `${requester === P ? 'own' : "another's"} grant, ${status}`,
              grant: { status, expired: false, requesterIsCaller: requester === P, approverIsCaller: false, approved: status === 'approved', datasetMatches: true },
            },
          };
        }),
      );
    case 'episode.export':
      return grantVariants().flatMap(({ label, grant, facts }) =>
        [true, false].flatMap((released) =>
          [true, false].map((inGranted): Variant => ({
            resource: episode(OTHER, released, [inGranted ? 'dst_granted' : 'dst_other']),
            facts: {
              own: false,
              relation: `${released ? 'released' : 'unreleased'} episode ${inGranted ? 'in the granted dataset' : 'of another dataset'}; ${label}`,
              released,
              grant: { ...facts, datasetMatches: inGranted },
            },
            ...grantContext(grant),
          })),
        ),
      ).concat([{ resource: episode(OTHER, true, ['dst_granted']), facts: { own: false, relation: 'released episode in a dataset; no grant', released: true } }]);
    case 'export.create':
      return grantVariants().map(({ label, grant, facts }) => ({ resource: grant, facts: { own: facts.requesterIsCaller, relation: label, grant: facts } }));
    case 'export.download':
      // An export is always read through its own grant, and its maker is the grant's requester.
      return grantVariants().map(({ label, grant, facts }) => ({
        resource: { type: 'Export', id: 'exp_x', requester: grant.requester, grant: grant.id },
        facts: { own: facts.requesterIsCaller, relation: `export of ${label}`, grant: facts },
        ...grantContext(grant),
      }));
    case 'export.read':
      return [P, RESEARCHER2].map((requester) => ({
        resource: { type: 'Export', id: 'exp_x', requester, grant: 'grt_g' },
        facts: { own: requester === P, relation: requester === P ? 'own export' : "another's export" },
      }));
    case 'breakglass.approve':
      return approvalVariants().map(({ label, bg, facts }) => ({ resource: bg, facts: { own: false, relation: label, breakGlass: facts } }));
    case 'breakglass.read':
      return breakGlassVariants()
        .map(({ label, bg, facts }) => ({ resource: session(OTHER, 'dev_other'), facts: { own: false, relation: label, breakGlass: facts }, ...breakGlassContext(bg) }) as Variant)
        .concat([{ resource: session(OTHER, 'dev_other'), facts: { own: false, relation: 'no break-glass' } }]);
  }
}

export interface CallerSpec {
  label: string;
  principal: PrincipalRef;
  kind: Facts['kind'];
  roles: readonly string[];
}

/** Every caller: a user with each combination of roles (or only the single roles), a device, anonymous. */
export function callers(options: { combinations?: boolean } = {}): CallerSpec[] {
  const sets = options.combinations === false ? [[], ...ROLES.map((r) => [r])] : roleSets();
  return [
    { label: 'anonymous', principal: { type: 'Anonymous' }, kind: 'anonymous', roles: [] },
    { label: 'device', principal: { type: 'Device', id: 'dev_caller', subject: P }, kind: 'device', roles: [] },
    ...sets.map((roles) => ({ label: roles.length === 0 ? 'no role' : roles.join('+'), principal: { type: 'User' as const, id: P, roles }, kind: 'user' as const, roles })),
  ];
}

/** The population: every caller × every action × every relationship the action has. */
export function population(options: { combinations?: boolean } = {}): Case[] {
  const out: Case[] = [];
  for (const c of callers(options)) {
    for (const a of ACTIONS) {
      for (const v of variants(a, c.principal)) {
        const request: AuthorizationRequest = { principal: c.principal, action: a, resource: v.resource };
        if (v.context) request.context = v.context;
        if (v.entities) request.entities = v.entities;
        out.push({ request, facts: { kind: c.kind, roles: c.roles, ...v.facts } });
      }
    }
  }
  return out;
}

/** The clock the population is built for: grants and break-glass expire relative to it. */
export const POPULATION_NOW = NOW;

export interface Violation {
  promise: string;
  description: string;
  allowed: boolean;
  action: Action;
  caller: string;
  relation: string;
}

export interface CheckReport {
  requests: number;
  violations: Violation[];
  ms: number;
}

export const describeViolation = (v: Violation) =>
  `promise "${v.promise}" (${v.description}) is broken: ${v.caller} was ${v.allowed ? 'ALLOWED' : 'DENIED'} ${v.action} on ${v.relation}`;

/** Evaluates `authorizer` (built with clock = POPULATION_NOW) over the population and checks every promise. */
export function checkPolicies(authorizer: Authorizer, options: { combinations?: boolean } = {}): CheckReport {
  const start = performance.now();
  const cases = population(options);
  const violations: Violation[] = [];
  for (const c of cases) {
    const allowed = authorizer.authorize(c.request).allowed;
    for (const p of PROMISES) {
      if (p.broken(c, allowed)) {
        violations.push({ promise: p.id, description: p.description, allowed, action: c.request.action, caller: c.facts.kind === 'user' ? `a user with roles [${c.facts.roles.join(', ')}]` : `a ${c.facts.kind} caller`, relation: c.facts.relation });
      }
    }
  }
  return { requests: cases.length, violations, ms: performance.now() - start };
}

/** The policies break a promise; the message names the first ones and the requests. */
export class PolicyPromiseError extends Error {
  override name = 'PolicyPromiseError';
  constructor(readonly report: CheckReport) {
    const first = report.violations.slice(0, 5).map((v) => `  - ${describeViolation(v)}`);
    const more = report.violations.length > 5 ? `\n  … and ${report.violations.length - 5} more (run \`lockstep policy check\`)` : '';
    super(`the policies break ${new Set(report.violations.map((v) => v.promise)).size} promise(s) in ${report.violations.length} of ${report.requests} requests:\n${first.join('\n')}${more}`);
  }
}

/** Loads the sources with the population's clock and checks them. */
export function checkPolicySources(sources: PolicySources, options: { combinations?: boolean } = {}): CheckReport {
  return checkPolicies(loadAuthorizer(sources, () => POPULATION_NOW), options);
}
