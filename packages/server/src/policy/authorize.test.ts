import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action, PolicyLoadError, type PrincipalRef, type ResourceRef, defaultAuthorizer, loadAuthorizer, readPolicySources } from './authorize.ts';

const principals = {
  anonymous: { type: 'Anonymous' },
  admin: { type: 'User', id: 'usr_admin', roles: ['admin'] },
  alice: { type: 'User', id: 'usr_alice', roles: ['subject'] },
  bob: { type: 'User', id: 'usr_bob', roles: ['subject'] },
  carol: { type: 'User', id: 'usr_carol', roles: ['admin', 'subject'] },
  aliceLaptop: { type: 'Device', id: 'dev_alice_laptop', subject: 'usr_alice' },
  bobLaptop: { type: 'Device', id: 'dev_bob_laptop', subject: 'usr_bob' },
} satisfies Record<string, PrincipalRef>;

const resources = {
  server: { type: 'Server' },
  admin: principals.admin,
  alice: principals.alice,
  bob: principals.bob,
  carol: principals.carol,
  aliceLaptop: principals.aliceLaptop,
  bobLaptop: principals.bobLaptop,
  aliceSession: { type: 'Session', id: 'ses_alice_1', subject: 'usr_alice', device: 'dev_alice_laptop' },
  aliceTabletSession: { type: 'Session', id: 'ses_alice_2', subject: 'usr_alice', device: 'dev_alice_tablet' },
  bobSession: { type: 'Session', id: 'ses_bob_1', subject: 'usr_bob', device: 'dev_bob_laptop' },
  carolSession: { type: 'Session', id: 'ses_carol_1', subject: 'usr_carol', device: 'dev_carol_phone' },
  adminSession: { type: 'Session', id: 'ses_admin_1', subject: 'usr_admin', device: 'dev_admin_phone' },
} satisfies Record<string, ResourceRef>;

type P = keyof typeof principals;
type R = keyof typeof resources;

/** Every allowed (principal, action, resource); everything else in the cross product must be refused. */
const allowed: Array<[P, Action, R]> = [
  ['anonymous', 'enroll', 'server'],
  ['admin', 'me.read', 'admin'],
  ['alice', 'me.read', 'alice'],
  ['bob', 'me.read', 'bob'],
  ['carol', 'me.read', 'carol'],
  ['aliceLaptop', 'me.read', 'aliceLaptop'],
  ['bobLaptop', 'me.read', 'bobLaptop'],
  ['admin', 'user.create', 'server'],
  ['carol', 'user.create', 'server'],
  ...(['alice', 'bob', 'carol'] as const).flatMap((r) => [['admin', 'device-code.create', r] as [P, Action, R], ['carol', 'device-code.create', r] as [P, Action, R]]),
  ['alice', 'subject.erase', 'alice'],
  ['bob', 'subject.erase', 'bob'],
  ...(['admin', 'alice', 'bob', 'carol'] as const).flatMap((r) => [['admin', 'subject.erase', r] as [P, Action, R], ['carol', 'subject.erase', r] as [P, Action, R]]),
  ['aliceLaptop', 'batch.ingest', 'aliceSession'],
  ['bobLaptop', 'batch.ingest', 'bobSession'],
  ['alice', 'session.list', 'alice'],
  ['bob', 'session.list', 'bob'],
  ['carol', 'session.list', 'carol'],
  ...(['session.read', 'session.delete'] as const).flatMap((a) => [
    ['alice', a, 'aliceSession'] as [P, Action, R],
    ['alice', a, 'aliceTabletSession'] as [P, Action, R],
    ['bob', a, 'bobSession'] as [P, Action, R],
    ['carol', a, 'carolSession'] as [P, Action, R],
  ]),
];

/** The actions of the walking skeleton, enumerated here; the rest are covered by promises.test.ts and the matrix. */
const SKELETON_ACTIONS = ['enroll', 'me.read', 'user.create', 'device-code.create', 'subject.erase', 'batch.ingest', 'session.list', 'session.read', 'session.delete'] as const satisfies readonly Action[];

describe('policy enumeration', () => {
  const authorizer = defaultAuthorizer();
  const allowedKeys = new Set(allowed.map((t) => t.join(' ')));

  it('lists only real combinations as allowed', () => {
    for (const [p, a, r] of allowed) {
      expect(principals[p], p).toBeDefined();
      expect(ACTIONS).toContain(a);
      expect(resources[r], r).toBeDefined();
    }
  });

  for (const p of Object.keys(principals) as P[]) {
    it(`decides every action on every resource for ${p}`, () => {
      const mismatches: string[] = [];
      let permits = 0;
      for (const action of SKELETON_ACTIONS) {
        for (const r of Object.keys(resources) as R[]) {
          const decision = authorizer.authorize({ principal: principals[p], action, resource: resources[r] });
          const expected = allowedKeys.has(`${p} ${action} ${r}`);
          if (decision.allowed !== expected) mismatches.push(`${p} ${action} ${r}: got ${decision.allowed}, want ${expected}`);
          if (decision.allowed) {
            permits++;
            expect(decision.reasons.length, `${p} ${action} ${r}`).toBeGreaterThan(0);
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(permits).toBe(allowed.filter(([q]) => q === p).length);
    });
  }

  it('gives admins no permit on content, and says why when a forbid decides', () => {
    const read = authorizer.authorize({ principal: principals.admin, action: 'session.read', resource: resources.aliceSession });
    expect(read).toMatchObject({ allowed: false });
    expect(read.reasons).toContain('content-needs-the-subject-role');
    expect(new Set(read.messages)).toEqual(new Set(['only subjects see recorded content, and only their own']));
    const own = authorizer.authorize({ principal: principals.admin, action: 'session.read', resource: resources.adminSession });
    expect(own.allowed).toBe(false);
    expect(authorizer.authorize({ principal: principals.admin, action: 'session.list', resource: resources.admin }).allowed).toBe(false);
  });

  it('names the permit that allowed a request', () => {
    const d = authorizer.authorize({ principal: principals.aliceLaptop, action: 'batch.ingest', resource: resources.aliceSession });
    expect(d).toEqual({ allowed: true, reasons: ['devices-ingest-into-their-own-sessions'], messages: [], errors: [] });
  });

  it('refuses principal types an action does not apply to, with an error', () => {
    const d = authorizer.authorize({ principal: principals.alice, action: 'batch.ingest', resource: resources.aliceSession });
    expect(d.allowed).toBe(false);
    expect(d.errors.length).toBeGreaterThan(0);
  });
});

describe('loading policies', () => {
  const sources = readPolicySources();

  it('requires an @id on every policy', () => {
    const policies = `${sources.policies}\npermit (principal, action == Lockstep::Action::"me.read", resource);`;
    expect(() => loadAuthorizer({ ...sources, policies })).toThrow(/@id/);
  });

  it('rejects policies that do not validate against the schema', () => {
    const policies = `${sources.policies}\n@id("typo") permit (principal is Lockstep::User, action == Lockstep::Action::"session.read", resource is Lockstep::Session) when { resource.owner == principal };`;
    expect(() => loadAuthorizer({ ...sources, policies })).toThrow(PolicyLoadError);
    expect(() => loadAuthorizer({ ...sources, policies })).toThrow(/typo/);
  });

  it('rejects a schema that does not parse, or whose actions differ from the routes', () => {
    expect(() => loadAuthorizer({ ...sources, schema: 'namespace Lockstep { entity User = ' })).toThrow(/does not parse/);
    const schema = sources.schema.replace('action "me.read"', 'action "me.peek"');
    expect(() => loadAuthorizer({ schema, policies: sources.policies.replaceAll('me.read', 'me.peek') })).toThrow(/actions/);
  });

  it('uses the trusted clock it was given, not the caller', () => {
    let calls = 0;
    const authorizer = loadAuthorizer(sources, () => {
      calls++;
      return 1_700_000_000_000;
    });
    authorizer.authorize({ principal: principals.alice, action: 'me.read', resource: principals.alice });
    expect(calls).toBe(1);
  });
});
