/**
 * Authorization decision latency: `Authorizer.authorize` as the routes call it — building the
 * Cedar entities and context for the request (principal, resource, the grant for an export),
 * adding the trusted time, validating the request against the schema, evaluating the shipped
 * policies — against bare Cedar calls with the request's JSON already built and no schema:
 * `bareFullSet` on the whole prepared policy set (preparsePolicySet + statefulIsAuthorized), and
 * `bareSameSubset` on the same per-action subset the authorizer prepares (policies whose action
 * scope cannot match are left out; the decision is the same). The ratio and the pass use the
 * stricter anchor, bareSameSubset. p50 and p99 of single calls, interleaved so that all three
 * see the same machine load.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { createHash } from 'node:crypto';
import { type AuthorizationRequest, grantContext, loadAuthorizer, readPolicySources, toEntity } from '../packages/server/src/policy/authorize.ts';

const CALLS = Number(process.env.BENCH_AUTHORIZE_CALLS ?? 20_000);
const NOW = Date.UTC(2026, 0, 1);

const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

const scenarios: Record<string, AuthorizationRequest> = {
  'session.read (a subject, own session)': {
    principal: { type: 'User', id: 'usr_alice0000000000000000', roles: ['subject'] },
    action: 'session.read',
    resource: { type: 'Session', id: 'ses_alice0000000000000000', subject: 'usr_alice0000000000000000', device: 'dev_alice0000000000000000' },
  },
  'episode.export (a researcher, through a grant)': {
    principal: { type: 'User', id: 'usr_rita00000000000000000', roles: ['researcher'] },
    action: 'episode.export',
    resource: { type: 'Episode', id: 'epi_00000000000000000001', subject: 'usr_alice0000000000000000', session: 'ses_alice0000000000000000', released: true, datasets: ['dst_00000000000000000001'] },
    ...grantContext({ type: 'Grant', id: 'grt_00000000000000000001', requester: 'usr_rita00000000000000000', approver: 'usr_stew00000000000000000', dataset: 'dst_00000000000000000001', purpose: 'evaluation', status: 'approved', expiresAt: NOW + 86_400_000 }),
  },
};

export async function run() {
  const sources = readPolicySources();
  const authorizer = loadAuthorizer(sources, () => NOW);
  // The anchor: the same policies, prepared once under their own name; each call gets prebuilt JSON.
  const parts = cedar.policySetTextToParts(sources.policies);
  if (parts.type === 'failure') throw new Error('policies do not parse');
  const policies: Record<string, string> = {};
  for (const text of parts.policies) {
    const json = cedar.policyToJson(text);
    if (json.type === 'success') policies[String(json.json.annotations?.id)] = text;
  }
  const bareId = `bench-${createHash('sha256').update(sources.policies).digest('hex').slice(0, 16)}`;
  if (cedar.preparsePolicySet(bareId, { staticPolicies: policies }).type === 'failure') throw new Error('cannot prepare the policies');
  // The authorizer's own per-action subsets are prepared under `<hash>:<action>`; the same hash is used here.
  const subsetPrefix = createHash('sha256').update(sources.schema).update('\0').update(sources.policies).digest('hex').slice(0, 24);

  const results: Record<string, unknown> = {};
  let worstP99 = 0;
  let worstRatio = 0;
  for (const [name, request] of Object.entries(scenarios)) {
    const principal = toEntity(request.principal);
    const resource = toEntity(request.resource);
    const bareCall = {
      principal: principal.uid,
      action: { type: 'Lockstep::Action', id: request.action },
      resource: resource.uid,
      context: { ...request.context, now: NOW },
      entities: [principal, resource, ...(request.entities ?? [])],
      preparsedPolicySetId: bareId,
    };
    const subsetCall = { ...bareCall, preparsedPolicySetId: `${subsetPrefix}:${request.action}` };
    // All must agree before they are timed.
    const ours = authorizer.authorize(request);
    for (const c of [bareCall, subsetCall]) {
      const bare = cedar.statefulIsAuthorized(c);
      if (bare.type !== 'success' || (bare.response.decision === 'allow') !== ours.allowed || !ours.allowed) throw new Error(`${name}: the decisions differ or deny`);
    }
    for (let i = 0; i < 2000; i++) {
      authorizer.authorize(request);
      cedar.statefulIsAuthorized(bareCall);
      cedar.statefulIsAuthorized(subsetCall);
    }
    const oursUs: number[] = [];
    const bareUs: number[] = [];
    const subsetUs: number[] = [];
    const time = (f: () => unknown, into: number[]) => {
      const t = process.hrtime.bigint();
      f();
      into.push(Number(process.hrtime.bigint() - t) / 1000);
    };
    for (let i = 0; i < CALLS; i++) {
      time(() => authorizer.authorize(request), oursUs);
      time(() => cedar.statefulIsAuthorized(bareCall), bareUs);
      time(() => cedar.statefulIsAuthorized(subsetCall), subsetUs);
    }
    const stats = (xs: number[]) => ({ p50us: quantile(xs, 0.5), p99us: quantile(xs, 0.99) });
    const r = {
      authorize: stats(oursUs),
      bareFullSet: stats(bareUs),
      bareSameSubset: stats(subsetUs),
      ratioP50: quantile(oursUs, 0.5) / quantile(subsetUs, 0.5),
      ratioP99: quantile(oursUs, 0.99) / quantile(subsetUs, 0.99),
      ratioToFullSetP50: quantile(oursUs, 0.5) / quantile(bareUs, 0.5),
    };
    results[name] = r;
    worstP99 = Math.max(worstP99, r.authorize.p99us);
    worstRatio = Math.max(worstRatio, r.ratioP50, r.ratioP99);
    const f = (x: { p50us: number; p99us: number }) => `p50 ${x.p50us.toFixed(1)} µs p99 ${x.p99us.toFixed(1)} µs`;
    process.stderr.write(`${name}: authorize ${f(r.authorize)}; bare, same subset ${f(r.bareSameSubset)}; bare, full set ${f(r.bareFullSet)}\n`);
  }
  return {
    name: 'authorize',
    description: 'authorization decision latency (entities built per request, trusted time added, request validated, shipped policies) vs. bare statefulIsAuthorized with prebuilt JSON on the same per-action prepared subset (ratio) and on the whole prepared set',
    params: { calls: CALLS, policies: Object.keys(policies).length },
    results,
    ratio: worstRatio,
    target: { p99usAtMost: 100, ratioAtMost: 2 },
    pass: worstP99 < 100 && worstRatio <= 2,
  };
}
