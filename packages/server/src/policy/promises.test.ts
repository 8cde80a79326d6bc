import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PURPOSES } from '../domain/purposes.ts';
import { startServer } from '../start.ts';
import { ACTIONS, readPolicySources } from './authorize.ts';
import { PROMISES, PolicyPromiseError, checkPolicySources, population } from './promises.ts';

const shipped = readPolicySources();

/** The shipped policies with one change. */
function mutate(from: string, to: string): { schema: string; policies: string } {
  expect(shipped.policies).toContain(from);
  return { ...shipped, policies: shipped.policies.replace(from, to) };
}
/** Promises broken, over single-role callers (the full population runs once, on the shipped policies, above). */
const broken = (sources: { schema: string; policies: string }) => new Set(checkPolicySources(sources, { combinations: false }).violations.map((v) => v.promise));

/** The condition of the kill switch's permit. */
const KILL_SWITCH_WHEN = 'resource is Lockstep::Program\n)\nwhen { principal.roles.contains("admin") || principal.roles.contains("security") };';

/** A well-meant shortcut: researchers read sessions raw (the break-glass action has no subject-role forbid). */
const RESEARCHERS_READ_RAW = `
@id("researchers-read-raw")
permit (
  principal is Lockstep::User,
  action == Lockstep::Action::"breakglass.read",
  resource is Lockstep::Session
)
when { principal.roles.contains("researcher") };
`;

describe('the promises', () => {
  it('are kept by the shipped policies, over every role combination and relationship', () => {
    const report = checkPolicySources(shipped);
    expect(report.violations).toEqual([]);
    expect(report.requests).toBeGreaterThan(3000);
  });

  it('cover every action, every role and the relationships that matter', () => {
    const cases = population();
    expect(new Set(cases.map((c) => c.request.action))).toEqual(new Set(ACTIONS));
    const relations = new Set(cases.map((c) => c.facts.relation));
    for (const r of ['own, unreleased', "another subject's, released", 'own grant, expired', 'own grant, revoked', 'own grant, self-approved', 'own break-glass, steward approval only', 'own break-glass, expired']) {
      expect([...relations].some((x) => x.includes(r)), r).toBe(true);
    }
    expect([...relations].some((r) => r.includes('of another dataset'))).toBe(true);
    expect(new Set(PROMISES.map((p) => p.id)).size).toBe(PROMISES.length);
  });

  it('name the vocabulary of purposes that policies.cedar spells out', () => {
    const listed = /\[("[a-z-]+"(?:, "[a-z-]+")*)\]\.contains\(context\.purpose\)/.exec(shipped.policies)?.[1];
    expect(listed && JSON.parse(`[${listed}]`)).toEqual([...PURPOSES]);
  });

  it.each([
    ['researchers reading raw data', mutate('// ---------------------------------------------------------------- datasets and grants', RESEARCHERS_READ_RAW), ['researcher-never-reads-raw']],
    ['self-approval', mutate('when { resource.requester == principal };', 'when { false };'), ['no-self-approval']],
    ['expired grants', mutate('context.now < context.grant.expiresAt &&', ''), ['export-needs-an-active-grant']],
    ['a grant for another dataset', mutate('resource in context.grant.dataset', 'true'), ['export-needs-an-active-grant']],
    ['unreleased episodes', mutate('resource.released &&\n  resource in', 'resource in'), []],
    [
      'one-approval break-glass',
      mutate(
        'context.breakGlass.status == "approved" &&\n  context.breakGlass has stewardApprover &&\n  context.breakGlass has securityApprover &&\n  context.breakGlass.stewardApprover != context.breakGlass.securityApprover &&\n  context.breakGlass.stewardApprover != principal &&\n  context.breakGlass.securityApprover != principal &&',
        'context.breakGlass has stewardApprover &&\n  context.breakGlass.stewardApprover != principal &&',
      ),
      ['breakglass-needs-two-others'],
    ],
    ['break-glass past its expiry', mutate('context.now < context.breakGlass.expiresAt &&', ''), ['breakglass-needs-two-others']],
    ['admins reading content', mutate('unless { principal is Lockstep::User && principal.roles.contains("subject") };', 'unless { principal is Lockstep::User };'), []],
    ['a performance-review purpose', mutate('["agent-training", "evaluation", "safety-research", "product-research"]', '["agent-training", "evaluation", "safety-research", "product-research", "performance-review"]'), []],
    ['subjects reading others', mutate('when { resource.subject == principal };\n\n@id("subjects-review', 'when { true };\n\n@id("subjects-review'), []],
    ['exports through an expired grant', mutate('context.now < resource.expiresAt', 'true'), ['export-needs-an-active-grant']],
    [
      "downloads of another researcher's export",
      mutate('resource.requester == principal &&\n  context has grant &&\n  resource.grant == context.grant &&\n  context.grant.requester == principal &&', 'context has grant &&\n  resource.grant == context.grant &&'),
      ['exports-are-their-makers', 'export-needs-an-active-grant'],
    ],
    ['anyone pausing programs', mutate(KILL_SWITCH_WHEN, 'resource is Lockstep::Program\n)\nwhen { principal is Lockstep::User };'), ['kill-switch-is-admin-and-security']],
    ['nobody pausing programs', mutate(KILL_SWITCH_WHEN, 'resource is Lockstep::Program\n)\nwhen { false };'), ['kill-switch-works']],
    ["a device reading another device's state", mutate('action == Lockstep::Action::"device.state",\n  resource is Lockstep::Device\n)\nwhen { principal == resource };', 'action == Lockstep::Action::"device.state",\n  resource is Lockstep::Device\n)\nwhen { true };'), ['devices-only-capture-for-their-subject']],
    ['anyone reading any export', mutate('resource is Lockstep::Export\n)\nwhen { resource.requester == principal || principal.roles.contains("steward") };', 'resource is Lockstep::Export\n)\nwhen { true };'), ['exports-are-their-makers']],
  ])('fail on policies that allow %s', (_name, sources, promises) => {
    const found = broken(sources);
    for (const p of promises) expect(found).toContain(p);
    // The forbids catch some of these; either way the policy must still be safe or name what broke.
    for (const p of found) expect(PROMISES.some((q) => q.id === p)).toBe(true);
  });

  it('fail on a deny-all policy set (the promises also say what must be possible)', () => {
    const found = broken({ ...shipped, policies: '@id("nothing") forbid (principal, action, resource);' });
    expect(found).toContain('subject-can-read-own');
    expect(found).toContain('active-grant-allows-export');
  });
});

describe('starting a server', () => {
  it('refuses policies that grant researchers raw access, naming the promise and the request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-policies-'));
    try {
      writeFileSync(join(dir, 'policies.cedar'), shipped.policies + RESEARCHERS_READ_RAW);
      const start = startServer({ dataDir: join(dir, 'data'), policyDir: dir, logStream: { write: () => true } });
      await expect(start).rejects.toThrow(PolicyPromiseError);
      await expect(start).rejects.toThrow(/researcher-never-reads-raw.*researcher.*ALLOWED breakglass\.read on /s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
