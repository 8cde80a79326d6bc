/**
 * Property-based tests (fast-check): random populations and request sequences — releases,
 * deletions, datasets, grant requests, approvals (including by the requester), denials,
 * revocations, the clock moving past expiries, consent withdrawals, break-glass requests and
 * approvals — run against the real domain and the real authorizer in-process, and after every
 * step the promises must hold for every caller and every resource.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ingestBatch } from '../content/ingest.ts';
import { acceptConsent, withdrawConsent } from '../domain/consent.ts';
import { createDataset } from '../domain/datasets.ts';
import { approveBreakGlass, breakGlassRef, requestBreakGlass } from '../domain/breakglass.ts';
import { deleteEpisode, listEpisodes, readEpisodeEvents, releaseEpisode } from '../domain/episodes.ts';
import { decideGrant, grantRef, requestGrant, revokeGrant } from '../domain/grants.ts';
import { createProgram } from '../domain/programs.ts';
import type { EmbeddedLockstep } from '../lockstep.ts';
import { episodeResource } from '../routes/episodes.ts';
import type { EpisodeRecord, Role, UserRecord } from '../store/types.ts';
import { batch, events, sessionId } from '../testing/harness.ts';
import { tempLockstep } from '../testing/fixtures.ts';
import { type Authorizer, breakGlassContext, grantContext, loadAuthorizer, readPolicySources } from './authorize.ts';

const HOUR = 3600 * 1000;
let now = Date.UTC(2026, 1, 1);
let env: Awaited<ReturnType<typeof tempLockstep>>;
let lockstep: EmbeddedLockstep;
let authorizer: Authorizer;
beforeAll(async () => {
  env = await tempLockstep(() => now);
  lockstep = env.lockstep;
  authorizer = loadAuthorizer(readPolicySources(), () => now);
});
afterAll(() => env.cleanup());

let counter = 0;
const uid = (p: string) => `${p}_prop${String(++counter).padStart(16, '0')}`;

const ROLE_SETS: Role[][] = [['subject'], ['subject'], ['researcher'], ['researcher', 'steward'], ['steward'], ['security'], ['security', 'steward'], ['admin'], ['subject', 'researcher']];

/** A fresh world: users with the roles above, the subjects each with a consented device and one session of two episodes. */
async function world() {
  const program = await createProgram(lockstep, { name: 'prop', purposes: ['agent-training', 'evaluation'], modalities: ['input'], retentionDays: 30, idleGapMs: 60_000, notice: 'n' }, 'usr_admin');
  const users: UserRecord[] = [];
  for (const roles of ROLE_SETS) {
    const user: UserRecord = { id: uid('usr'), roles, label: null, createdAt: now, deletedAt: null };
    await lockstep.store.users.create(user);
    users.push(user);
    if (!roles.includes('subject')) continue;
    const deviceId = uid('dev');
    await lockstep.store.devices.create({ id: deviceId, subjectId: user.id, programId: program.id, platform: 'browser', label: null, createdAt: now, revokedAt: null });
    await acceptConsent(lockstep, user.id, program.id, 1);
    const ses = sessionId();
    const device = { id: deviceId, subjectId: user.id };
    await ingestBatch(lockstep, { device, batch: batch(deviceId, ses, 0, events(0, 5)) });
    await ingestBatch(lockstep, { device, batch: batch(deviceId, ses, 1, events(5, 5).map((e) => ({ ...e, t: e.t + 600_000 }))) });
    await listEpisodes(lockstep, user.id);
  }
  return { program, users, grants: [] as string[], datasets: [] as string[], breakGlass: [] as string[] };
}
type World = Awaited<ReturnType<typeof world>>;

const pick = <T>(xs: readonly T[], i: number): T | undefined => (xs.length === 0 ? undefined : xs[i % xs.length]);
const principal = (u: UserRecord) => ({ type: 'User' as const, id: u.id, roles: u.roles });

async function episodesOf(w: World): Promise<EpisodeRecord[]> {
  const out: EpisodeRecord[] = [];
  for (const u of w.users) for (const s of await lockstep.store.sessions.list(u.id)) out.push(...(await lockstep.store.episodes.ofSession(s.id)));
  for (const u of w.users) for (const e of await lockstep.store.episodes.listOf(u.id)) if (!out.some((x) => x.id === e.id)) out.push(e);
  return out;
}

type Op =
  | { op: 'release' | 'delete'; e: number }
  | { op: 'dataset'; by: number; mask: number }
  | { op: 'request'; by: number; d: number; hours: number }
  | { op: 'decide'; by: number; g: number; approve: boolean }
  | { op: 'revoke'; by: number; g: number }
  | { op: 'advance'; hours: number }
  | { op: 'withdraw'; s: number; keep: boolean }
  | { op: 'bg-request'; by: number; s: number }
  | { op: 'bg-approve'; by: number; b: number };

const ops: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('release' as const, 'delete' as const), e: fc.nat(20) }),
  fc.record({ op: fc.constant('dataset' as const), by: fc.nat(20), mask: fc.nat(255) }),
  fc.record({ op: fc.constant('request' as const), by: fc.nat(20), d: fc.nat(20), hours: fc.integer({ min: 1, max: 24 * 100 }) }),
  fc.record({ op: fc.constant('decide' as const), by: fc.nat(20), g: fc.nat(20), approve: fc.boolean() }),
  fc.record({ op: fc.constant('revoke' as const), by: fc.nat(20), g: fc.nat(20) }),
  fc.record({ op: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ op: fc.constant('withdraw' as const), s: fc.nat(20), keep: fc.boolean() }),
  fc.record({ op: fc.constant('bg-request' as const), by: fc.nat(20), s: fc.nat(20) }),
  fc.record({ op: fc.constant('bg-approve' as const), by: fc.nat(20), b: fc.nat(20) }),
);

/** Runs one step the way the routes do: ask the authorizer, act only if allowed; domain refusals are fine. */
async function step(w: World, o: Op): Promise<void> {
  const user = (i: number) => w.users[i % w.users.length]!;
  const attempt = async (f: () => Promise<unknown>) => {
    try {
      await f();
    } catch (error) {
      if (!(error && typeof error === 'object' && 'status' in error)) throw error; // only API refusals (4xx) are expected
    }
  };
  const all = await episodesOf(w);
  switch (o.op) {
    case 'release':
    case 'delete': {
      const e = pick(all, o.e);
      if (!e || e.status === 'deleted') return;
      const owner = w.users.find((u) => u.id === e.subjectId)!;
      const allowed = authorizer.authorize({ principal: principal(owner), action: o.op === 'release' ? 'episode.release' : 'episode.delete', resource: episodeResource(e) }).allowed;
      expect(allowed).toBe(true);
      await attempt(() => (o.op === 'release' ? releaseEpisode(lockstep, e) : deleteEpisode(lockstep, e)));
      return;
    }
    case 'dataset': {
      const by = user(o.by);
      if (!authorizer.authorize({ principal: principal(by), action: 'dataset.create', resource: { type: 'Program', id: w.program.id, purposes: w.program.purposes } }).allowed) return;
      const chosen = all.filter((_, i) => o.mask & (1 << i)).map((e) => e.id);
      await attempt(async () => w.datasets.push((await createDataset(lockstep, { programId: w.program.id, name: 'd', ...(o.mask % 3 === 0 ? {} : { episodes: chosen }) }, by.id)).dataset.id));
      return;
    }
    case 'request': {
      const by = user(o.by);
      const d = pick(w.datasets, o.d);
      if (!d) return;
      const resource = { type: 'Dataset' as const, id: d, program: w.program.id, purposes: w.program.purposes };
      if (!authorizer.authorize({ principal: principal(by), action: 'grant.request', resource, context: { purpose: 'evaluation' } }).allowed) return;
      await attempt(async () => w.grants.push((await requestGrant(lockstep, { datasetId: d, purpose: 'evaluation', expiresAt: now + o.hours * HOUR }, by.id)).id));
      return;
    }
    case 'decide':
    case 'revoke': {
      const by = user(o.by);
      const id = pick(w.grants, o.g);
      if (!id) return;
      const grant = (await lockstep.store.grants.get(id))!;
      const action = o.op === 'revoke' ? 'grant.revoke' : o.approve ? 'grant.approve' : 'grant.deny';
      const allowed = authorizer.authorize({ principal: principal(by), action, resource: grantRef(grant) }).allowed;
      if (action !== 'grant.revoke') expect(allowed && by.id === grant.requesterId, 'no self-approval').toBe(false);
      if (!allowed) return;
      await attempt(() => (o.op === 'revoke' ? revokeGrant(lockstep, grant, by.id) : decideGrant(lockstep, grant, by.id, o.approve)));
      return;
    }
    case 'advance':
      now += o.hours * HOUR;
      return;
    case 'withdraw': {
      const subjects = w.users.filter((u) => u.roles.includes('subject'));
      const s = pick(subjects, o.s)!;
      await withdrawConsent(lockstep, s.id, w.program.id, { keepReleased: o.keep });
      return;
    }
    case 'bg-request': {
      const by = user(o.by);
      const s = pick(w.users.filter((u) => u.roles.includes('subject')), o.s)!;
      if (!authorizer.authorize({ principal: principal(by), action: 'breakglass.request', resource: { type: 'User', id: s.id, roles: s.roles } }).allowed) return;
      await attempt(async () => w.breakGlass.push((await requestBreakGlass(lockstep, { subjectId: s.id, reason: 'property test', durationMs: 6 * HOUR }, by.id)).id));
      return;
    }
    case 'bg-approve': {
      const by = user(o.by);
      const id = pick(w.breakGlass, o.b);
      if (!id) return;
      const record = (await lockstep.store.breakGlass.get(id))!;
      const allowed = authorizer.authorize({ principal: principal(by), action: 'breakglass.approve', resource: breakGlassRef(record) }).allowed;
      if (allowed) expect([record.requesterId, record.subjectId]).not.toContain(by.id);
      if (allowed) await attempt(() => approveBreakGlass(lockstep, record, by));
      return;
    }
  }
}

/** Every caller × every episode (raw and through every grant) × every session under every break-glass. */
async function invariants(w: World): Promise<void> {
  const all = await episodesOf(w);
  const grants = await Promise.all(w.grants.map(async (id) => (await lockstep.store.grants.get(id))!));
  const breakGlass = await Promise.all(w.breakGlass.map(async (id) => (await lockstep.store.breakGlass.get(id))!));
  for (const u of w.users) {
    for (const e of all) {
      const datasets = await lockstep.store.episodes.datasetsOf(e.id);
      const resource = episodeResource(e, datasets);
      const raw = authorizer.authorize({ principal: principal(u), action: 'episode.read', resource }).allowed;
      if (raw) expect(e.subjectId, 'raw episode reads are the subject\'s own').toBe(u.id);
      for (const g of grants) {
        const allowed = authorizer.authorize({ principal: principal(u), action: 'episode.export', resource, ...grantContext(grantRef(g)) }).allowed;
        if (!allowed) continue;
        expect(u.roles).toContain('researcher');
        expect(e.status, 'only released episodes are exported').toBe('released');
        expect(g.status).toBe('approved');
        expect(now).toBeLessThan(g.expiresAt);
        expect(g.requesterId).toBe(u.id);
        expect(g.decidedBy).not.toBe(u.id);
        expect(datasets, 'only the granted dataset').toContain(g.datasetId);
        // What may be exported can be read (a kept episode outlives withdrawal).
        expect((await readEpisodeEvents(lockstep, e)).length).toBeGreaterThan(0);
      }
    }
    for (const b of breakGlass) {
      for (const s of await lockstep.store.sessions.list(b.subjectId)) {
        const allowed = authorizer.authorize({ principal: principal(u), action: 'breakglass.read', resource: { type: 'Session', id: s.id, subject: s.subjectId, device: s.deviceId }, ...breakGlassContext(breakGlassRef(b)) }).allowed;
        if (!allowed) continue;
        expect(b.requesterId).toBe(u.id);
        expect(b.stewardApprover && b.securityApprover && b.stewardApprover !== b.securityApprover).toBeTruthy();
        expect([b.stewardApprover, b.securityApprover]).not.toContain(u.id);
        expect(now).toBeLessThan(b.expiresAt!);
        expect(b.expiresAt! - b.approvedAt!).toBeLessThanOrEqual(24 * HOUR);
      }
    }
  }
}

describe('the promises under random sequences', () => {
  it('hold after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ops, { minLength: 5, maxLength: 25 }), async (sequence) => {
        const w = await world();
        for (const o of sequence) {
          await step(w, o);
          await invariants(w);
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 25) },
    );
  });
});
