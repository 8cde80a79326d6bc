/**
 * The authorization matrix against a running server over HTTP: a population built for real
 * through the API (subjects with devices, consent, sessions and episodes released or not,
 * datasets, grants approved / denied / revoked / expired / on another dataset, break-glass with
 * one or two approvals or expired), then the cells that matter requested by every role, and the
 * subject's access view compared with exactly the accesses made; then every cell of the matrix,
 * each on a fixture of its own (the last describe).
 *
 * Allowed is a 2xx answer and denied a 403. A 404 answers only ids that do not exist (ids are
 * random and unguessable); an existing resource the caller may not touch is a 403 — so a 404
 * here is a failure, not a pass.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newLocalId, newRecordId } from '../domain/ids.ts';
import { ROLES, type BreakGlassRecord, type Role } from '../store/types.ts';
import { type Action, readPolicySources } from './authorize.ts';
import { matrixCells } from './matrix.ts';
import { callers } from './promises.ts';
import { type Enrolled, type TestServer, acceptNotice, batch, createProgram, createUser, enrollAdmin, enrollDevice, events, sessionId, startTestServer } from '../testing/harness.ts';

const DAY = 24 * 3600 * 1000;
let now = Date.UTC(2026, 0, 5, 9);
let t: TestServer;

interface Who extends Enrolled {
  name: string;
}
const people: Record<string, Who> = {};
/** Every call made about Alice's data by someone else: actor, action, allowed. */
const aboutAlice: Array<{ actor: string; action: string; allowed: boolean }> = [];

async function as(name: string, method: string, path: string, body?: unknown, action?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const who = people[name]!;
  const res = await t.api.call<Record<string, unknown>>(method, path, { token: who.token, ...(body === undefined ? {} : { body }) });
  if (action && name !== 'alice') aboutAlice.push({ actor: who.id, action, allowed: res.status < 300 });
  return res;
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestServer({ clock: () => now });
  const admin = await enrollAdmin(t.api, t.server.bootstrapCode);
  people.admin = { ...admin, name: 'admin' };
  const roles: Record<string, string[]> = {
    alice: ['subject'],
    bob: ['subject'],
    rita: ['researcher'],
    rex: ['researcher'],
    rosa: ['researcher', 'steward'],
    stew: ['steward'],
    sec: ['security'],
    sec2: ['security'],
  };
  for (const [name, r] of Object.entries(roles)) people[name] = { ...(await createUser(t.api, admin.token, r)), name };
  const alice = people.alice!;
  const bob = people.bob!;

  const program = await createProgram(t.api, admin.token, { purposes: ['agent-training', 'evaluation'], idleGapMs: 60_000 });
  ids.program = program.id;
  aboutAlice.push({ actor: admin.id, action: 'device-code.create', allowed: true });
  const aliceDevice = await enrollDevice(t.api, admin.token, alice.id, { program });
  const bobDevice = await enrollDevice(t.api, admin.token, bob.id, { program });
  ids.aliceDevice = aliceDevice.id;

  // Alice works in two bursts, far apart: two episodes. Bob works once.
  ids.aliceSession = sessionId();
  const burst2 = events(10, 10).map((e) => ({ ...e, t: e.t + 200_000 }));
  expect((await t.api.call('POST', '/v1/batches', { token: aliceDevice.token, body: batch(aliceDevice.id, ids.aliceSession, 0) })).status).toBe(201);
  expect((await t.api.call('POST', '/v1/batches', { token: aliceDevice.token, body: batch(aliceDevice.id, ids.aliceSession, 1, burst2) })).status).toBe(201);
  ids.bobSession = sessionId();
  expect((await t.api.call('POST', '/v1/batches', { token: bobDevice.token, body: batch(bobDevice.id, ids.bobSession, 0) })).status).toBe(201);
  expect((await t.api.call('POST', '/v1/batches', { token: bobDevice.token, body: batch(bobDevice.id, ids.bobSession, 1, burst2) })).status).toBe(201);
  people.device = { id: aliceDevice.id, token: aliceDevice.token, name: 'device' };

  const aliceEpisodes = (await as('alice', 'GET', '/v1/episodes')).body.episodes as Array<{ id: string; startT: number }>;
  expect(aliceEpisodes).toHaveLength(2);
  ids.released = aliceEpisodes[0]!.id;
  ids.unreleased = aliceEpisodes[1]!.id;
  expect((await as('alice', 'PUT', `/v1/episodes/${ids.released}/task`, { task: 'search for a product' })).status).toBe(200);
  expect((await as('alice', 'POST', `/v1/episodes/${ids.released}/release`)).status).toBe(200);
  const bobEpisodes = (await as('bob', 'GET', '/v1/episodes')).body.episodes as Array<{ id: string }>;
  ids.bobReleased = bobEpisodes[0]!.id;
  ids.bobUnreleased = bobEpisodes[1]!.id;
  expect((await as('bob', 'POST', `/v1/episodes/${ids.bobReleased}/release`)).status).toBe(200);

  // Datasets: everything released so far; and Bob's episode alone.
  const all = await as('rita', 'POST', '/v1/datasets', { program: program.id, name: 'all released' });
  expect(all.status).toBe(201);
  expect(new Set(all.body.episodes as string[])).toEqual(new Set([ids.released, ids.bobReleased]));
  ids.dataset = all.body.id as string;
  const onlyBob = await as('stew', 'POST', '/v1/datasets', { program: program.id, name: 'bob only', episodes: [ids.bobReleased] });
  ids.otherDataset = onlyBob.body.id as string;

  const grant = async (dataset: string, days: number) => {
    const res = await as('rita', 'POST', '/v1/grants', { dataset, purpose: 'evaluation', expiresAt: new Date(now + days * DAY).toISOString() });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  ids.active = await grant(ids.dataset, 80);
  ids.denied = await grant(ids.dataset, 80);
  ids.revoked = await grant(ids.dataset, 80);
  ids.expiring = await grant(ids.dataset, 1 / 24); // one hour
  ids.requested = await grant(ids.dataset, 80);
  ids.otherGrant = await grant(ids.otherDataset, 80);
  // Rex's grants, one in each state ("another's grant" for everyone else).
  for (const status of ['requested', 'approved', 'denied', 'revoked']) {
    const res = await as('rex', 'POST', '/v1/grants', { dataset: ids.dataset, purpose: 'evaluation', expiresAt: new Date(now + 80 * DAY).toISOString() });
    ids[`rex-${status}`] = res.body.id as string;
    if (status !== 'requested') expect((await as('stew', 'POST', `/v1/grants/${ids[`rex-${status}`]!}/${status === 'denied' ? 'deny' : 'approve'}`)).status).toBe(200);
    if (status === 'revoked') expect((await as('stew', 'POST', `/v1/grants/${ids[`rex-${status}`]!}/revoke`)).status).toBe(200);
  }
  for (const g of [ids.active, ids.revoked, ids.expiring, ids.otherGrant]) expect((await as('stew', 'POST', `/v1/grants/${g}/approve`)).status).toBe(200);
  expect((await as('stew', 'POST', `/v1/grants/${ids.denied}/deny`)).status).toBe(200);
  expect((await as('stew', 'POST', `/v1/grants/${ids.revoked}/revoke`)).status).toBe(200);

  // Break-glass on Alice: two approvals (a day), one approval, two approvals for an hour.
  const request = async (durationMs?: number) => {
    const res = await as('sec', 'POST', '/v1/break-glass', { subject: alice.id, reason: 'investigating a reported data leak', ...(durationMs ? { durationMs } : {}) }, 'breakglass.request');
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  ids.bgActive = await request();
  ids.bgOne = await request();
  ids.bgExpiring = await request(3_600_000);
  ids.bgSecurityOnly = await request();
  expect((await as('sec2', 'POST', `/v1/break-glass/${ids.bgSecurityOnly}/approve`, undefined, 'breakglass.approve')).status).toBe(200);
  for (const bg of [ids.bgActive, ids.bgExpiring]) {
    expect((await as('stew', 'POST', `/v1/break-glass/${bg}/approve`, undefined, 'breakglass.approve')).status).toBe(200);
    expect((await as('sec2', 'POST', `/v1/break-glass/${bg}/approve`, undefined, 'breakglass.approve')).status).toBe(200);
  }
  expect((await as('stew', 'POST', `/v1/break-glass/${ids.bgOne}/approve`, undefined, 'breakglass.approve')).status).toBe(200);

  // Two hours later: the one-hour grant and break-glass have expired.
  now += 2 * 3600 * 1000;
});
afterAll(() => t?.cleanup());

const expectStatus = async (res: Promise<{ status: number }>, allowed: boolean, what: string) => {
  const { status } = await res;
  if (allowed) expect(status, what).toBeLessThan(300);
  else expect(status, what).toBe(403);
};

describe('the authorization matrix over HTTP', () => {
  it('a subject never reads, changes or deletes another subject\'s data', async () => {
    await expectStatus(as('bob', 'GET', `/v1/sessions/${ids.aliceSession}`, undefined, 'session.read'), false, 'bob reads alice session');
    await expectStatus(as('bob', 'DELETE', `/v1/sessions/${ids.aliceSession}`, undefined, 'session.delete'), false, 'bob deletes alice session');
    for (const e of [ids.released, ids.unreleased]) {
      await expectStatus(as('bob', 'GET', `/v1/episodes/${e}`, undefined, 'episode.read'), false, 'bob reads alice episode');
      await expectStatus(as('bob', 'PUT', `/v1/episodes/${e}/task`, { task: 'x' }, 'episode.label'), false, 'bob labels');
      await expectStatus(as('bob', 'POST', `/v1/episodes/${e}/release`, undefined, 'episode.release'), false, 'bob releases');
      await expectStatus(as('bob', 'DELETE', `/v1/episodes/${e}`, undefined, 'episode.delete'), false, 'bob deletes');
    }
    await expectStatus(as('alice', 'GET', `/v1/episodes/${ids.unreleased}`), true, 'alice reads her own');
    await expectStatus(as('alice', 'GET', `/v1/sessions/${ids.aliceSession}`), true, 'alice reads her session');
  });

  it('an admin, security and stewards never read content', async () => {
    for (const name of ['admin', 'sec', 'stew']) {
      await expectStatus(as(name, 'GET', `/v1/sessions/${ids.aliceSession}`, undefined, 'session.read'), false, `${name} reads a session`);
      await expectStatus(as(name, 'GET', `/v1/episodes/${ids.released}`, undefined, 'episode.read'), false, `${name} reads an episode`);
      await expectStatus(as(name, 'GET', `/v1/grants/${ids.active}/episodes/${ids.released}`, undefined, 'episode.export'), false, `${name} exports`);
    }
    await expectStatus(as('admin', 'GET', `/v1/break-glass/${ids.bgActive}/sessions/${ids.aliceSession}`, undefined, 'breakglass.read'), false, 'admin break-glass');
  });

  it('a researcher reads only released, granted, unexpired, unrevoked episodes of the granted dataset, de-identified', async () => {
    await expectStatus(as('rita', 'GET', `/v1/sessions/${ids.aliceSession}`, undefined, 'session.read'), false, 'raw session');
    await expectStatus(as('rita', 'GET', `/v1/episodes/${ids.released}`, undefined, 'episode.read'), false, 'raw episode');
    await expectStatus(as('rita', 'GET', `/v1/break-glass/${ids.bgActive}/sessions/${ids.aliceSession}`, undefined, 'breakglass.read'), false, 'break-glass');
    const ok = await as('rita', 'GET', `/v1/grants/${ids.active}/episodes/${ids.released}`, undefined, 'episode.export');
    expect(ok.status).toBe(200);
    aboutAlice.push({ actor: people.rita!.id, action: 'episode.export', allowed: true }); // the content-access entry
    const text = JSON.stringify(ok.body);
    for (const id of [people.alice!.id, ids.aliceSession, ids.aliceDevice]) expect(text).not.toContain(id);
    expect(ok.body).toMatchObject({ episode: ids.released, task: 'search for a product' });
    expect((ok.body.events as Array<{ t: number; seq: number }>)[0]).toMatchObject({ t: 0, seq: 0 });
    await expectStatus(as('rita', 'GET', `/v1/grants/${ids.active}/episodes/${ids.unreleased}`, undefined, 'episode.export'), false, 'unreleased');
    for (const g of [ids.denied, ids.revoked, ids.expiring, ids.requested]) {
      await expectStatus(as('rita', 'GET', `/v1/grants/${g}/episodes/${ids.released}`, undefined, 'episode.export'), false, `grant ${g}`);
    }
    await expectStatus(as('rita', 'GET', `/v1/grants/${ids.otherGrant}/episodes/${ids.released}`, undefined, 'episode.export'), false, 'another dataset');
    await expectStatus(as('rita', 'GET', `/v1/grants/${ids.otherGrant}/episodes/${ids.bobReleased}`), true, 'the other dataset holds Bob\'s');
    await expectStatus(as('rex', 'GET', `/v1/grants/${ids.active}/episodes/${ids.released}`, undefined, 'episode.export'), false, "another researcher's grant");
    // The pseudonym differs between grants.
    const viaOther = await as('rita', 'GET', `/v1/grants/${ids.otherGrant}/episodes/${ids.bobReleased}`);
    const viaActive = await as('rita', 'GET', `/v1/grants/${ids.active}/episodes/${ids.bobReleased}`);
    expect(viaOther.body.subject).not.toBe(viaActive.body.subject);
  });

  it('nobody approves their own grant; unknown purposes and over-long grants are refused', async () => {
    const own = await as('rosa', 'POST', '/v1/grants', { dataset: ids.dataset, purpose: 'agent-training', expiresAt: new Date(now + DAY).toISOString() });
    expect(own.status).toBe(201);
    await expectStatus(as('rosa', 'POST', `/v1/grants/${own.body.id as string}/approve`), false, 'self-approval');
    await expectStatus(as('rita', 'POST', `/v1/grants/${own.body.id as string}/approve`), false, 'a researcher approves');
    await expectStatus(as('stew', 'POST', `/v1/grants/${own.body.id as string}/approve`), true, 'another steward approves');
    const review = await as('rita', 'POST', '/v1/grants', { dataset: ids.dataset, purpose: 'performance-review', expiresAt: new Date(now + DAY).toISOString() });
    expect(review).toMatchObject({ status: 400, body: { field: 'purpose' } });
    expect(review.body.message).toContain('agent-training');
    const long = await as('rita', 'POST', '/v1/grants', { dataset: ids.dataset, purpose: 'evaluation', expiresAt: new Date(now + 91 * DAY).toISOString() });
    expect(long).toMatchObject({ status: 400, body: { field: 'expiresAt' } });
    const undeclared = await as('rita', 'POST', '/v1/grants', { dataset: ids.dataset, purpose: 'safety-research', expiresAt: new Date(now + DAY).toISOString() });
    expect(undeclared).toMatchObject({ status: 400, body: { error: 'purpose-not-declared' } });
  });

  it('break-glass reads need two other approvers and an unexpired window, and only the requester reads', async () => {
    const read = (bg: string | undefined, who = 'sec') => as(who, 'GET', `/v1/break-glass/${String(bg)}/sessions/${ids.aliceSession}`, undefined, 'breakglass.read');
    await expectStatus(read(ids.bgOne), false, 'one approval');
    await expectStatus(read(ids.bgExpiring), false, 'expired');
    await expectStatus(read(ids.bgActive, 'sec2'), false, 'an approver reads');
    await expectStatus(read(ids.bgActive, 'stew'), false, 'a steward approver reads');
    const ok = await read(ids.bgActive);
    expect(ok.status).toBe(200);
    aboutAlice.push({ actor: people.sec!.id, action: 'breakglass.read', allowed: true }); // content-access entry
    expect((ok.body.events as unknown[]).length).toBeGreaterThan(0);
    const another = await as('sec', 'POST', '/v1/break-glass', { subject: people.alice!.id, reason: 'a second look at the same incident' }, 'breakglass.request');
    await expectStatus(as('sec', 'POST', `/v1/break-glass/${another.body.id as string}/approve`, undefined, 'breakglass.approve'), false, 'requester approves');
    await expectStatus(as('rosa', 'POST', `/v1/break-glass/${another.body.id as string}/approve`, undefined, 'breakglass.approve'), true, 'a steward approves');
    await expectStatus(as('stew', 'POST', `/v1/break-glass/${another.body.id as string}/approve`, undefined, 'breakglass.approve'), false, 'a second steward approval');
  });

  it("shows the subject every access to their data, and nothing else", async () => {
    const view = await as('alice', 'GET', '/v1/me/access?limit=1000');
    expect(view.status).toBe(200);
    const entries = view.body.entries as Array<{ actor: string; action: string; decision: string; kind: string; you: boolean; grant: string | null; actorRoles: string[] }>;
    const others = entries.filter((e) => !e.you).reverse();
    const seen = others.map((e) => ({ actor: e.actor, action: e.action, allowed: e.decision === 'allow' }));
    const sort = (xs: typeof seen) => xs.map((x) => `${x.actor} ${x.action} ${x.allowed}`).sort();
    expect(sort(seen)).toEqual(sort(aboutAlice));
    // Reads under a grant or break-glass name it; nobody's token is ever shown.
    expect(others.some((e) => e.kind === 'content-access' && e.grant === ids.active)).toBe(true);
    expect(others.some((e) => e.kind === 'content-access' && e.grant === ids.bgActive)).toBe(true);
    expect(JSON.stringify(view.body)).not.toMatch(/ls[ud]_/);
    // Bob's data is not in Alice's view.
    const resources = (entries as unknown as Array<{ resource: string }>).map((e) => e.resource).join(' ');
    for (const id of [ids.bobReleased, ids.bobSession, people.bob!.id]) expect(resources).not.toContain(id);
  });
});

describe('consent over HTTP', () => {
  it('stops capture without consent, on a new notice version, and at once on withdrawal; withdrawal shreds', async () => {
    const admin = people.admin!;
    const carol = await createUser(t.api, admin.token);
    const program = await createProgram(t.api, admin.token, { name: 'consent test' });
    const device = await enrollDevice(t.api, admin.token, carol.id, { program, consent: false });
    const ses = sessionId();
    const post = (seq: number) => t.api.call('POST', '/v1/batches', { token: device.token, body: batch(device.id, ses, seq) });
    expect(await post(0)).toMatchObject({ status: 403, body: { error: 'consent-required' } });
    await acceptNotice(t.api, carol.token, program);
    expect((await post(0)).status).toBe(201);
    const notice = await t.api.call<{ notice: { version: number } }>('PUT', `/v1/programs/${program.id}/notice`, { token: admin.token, body: { text: 'New terms: we also keep scroll positions.' } });
    expect(notice.body.notice.version).toBe(2);
    expect(await post(1)).toMatchObject({ status: 403, body: { error: 'consent-required' } });
    const stale = await t.api.call('POST', `/v1/me/consents/${program.id}`, { token: carol.token, body: { noticeVersion: 1 } });
    expect(stale).toMatchObject({ status: 409, body: { error: 'notice-changed' } });
    await acceptNotice(t.api, carol.token, { id: program.id, noticeVersion: 2 });
    expect((await post(1)).status).toBe(201);
    const withdrawn = await t.api.call<Record<string, unknown>>('POST', `/v1/me/consents/${program.id}/withdraw`, { token: carol.token, body: {} });
    expect(withdrawn).toMatchObject({ status: 200, body: { sessionsShredded: 1, subjectKeyDestroyed: true, consent: { state: 'withdrawn' } } });
    expect(await post(2)).toMatchObject({ status: 403, body: { error: 'consent-required' } });
    expect((await t.api.call('GET', `/v1/sessions/${ses}`, { token: carol.token })).status).toBe(404);
  });
});


/**
 * Every cell of docs/authorization-matrix.md — every action × relationship × caller, taken from
 * matrixCells (the code that renders the file) — against the running server. Each cell builds its
 * own fixture through the API as its relationship says (a fresh grant in the right state, a fresh
 * episode released or not, a fresh break-glass with the right approvals, …), so that an allowed
 * change in one cell never touches another's; read-only cells share fixtures built the same way.
 * The caller holds exactly the column's role: "own" things of a role that cannot make them (an
 * admin's own grant, a researcher's own episode) were made while the person held the role that
 * can, and the admin then set their roles to the column's — as a person whose job changes.
 *
 * Allowed is a 2xx, denied a 403 (401 for the anonymous column: a request without a token is
 * refused before any decision). For a denied call that would change something, the state it
 * would change is read before and after (by its owner, or whoever may read it) and must be equal.
 * The exceptions are named below with their reasons. A cell that no check handles fails the test
 * ("no HTTP check for cell …").
 */
describe('every cell of the matrix over HTTP', () => {
  /** Cells that no HTTP request can express. */
  const UNREACHABLE = {
    'route-names-the-caller':
      "GET /v1/me, /v1/me/… and the caller's own lists (/v1/sessions, /v1/episodes) name no person: they act on the caller (a device: its subject), never on another",
    'public-route': '/v1/enroll is public: the server reads no token there, so every caller is anonymous (the code is the credential)',
    'route-names-a-grant': 'a de-identified read always names the grant it is made under (/v1/grants/:id/episodes/:episode)',
    'route-names-a-break-glass': "a raw read of another's session is always made under a named break-glass request (/v1/break-glass/:id/sessions/:session)",
  } as const;
  /** Cells checked over HTTP on a state the API never produces, written to the store first (the store is the server's own). */
  const FORGED = {
    'no-role': 'the API gives every person at least one role (POST /v1/users and PUT /v1/users/:id/roles need one); the no-role caller has its roles emptied in the store',
    'self-approved-grant': 'nobody approves their own grant (policy no-self-approval), so the grant is marked approved by its requester in the store',
    'unreleased-in-a-dataset': 'datasets hold released episodes only; the dataset holding an unreleased episode is written to the store',
    'break-glass-approved-by-its-requester': 'a requester never approves their own break-glass; the approval is written to the store',
    'break-glass-approved-twice-by-one-person': 'one person never fills both approvals; they are written to the store',
    'break-glass-requested-with-both-approvals': 'the second approval moves a break-glass to approved at once, so "requested with both approvals" is transient; it is written to the store',
    'break-glass-about-its-requester': 'nobody requests break-glass on themself (policy); the request is rewritten in the store',
    'break-glass-approved-by-its-subject': 'the subject never approves a break-glass about themself (policy); the approval is written to the store',
    'export-through-a-grant-the-policy-refuses':
      'an export is made only through a grant the policy allows (approved by someone else, unexpired); the exports of a denied, requested or self-approved grant are written to the store',
  } as const;
  /** Denied cells answered 400 before the policy is asked (the request cannot be decided as made). */
  const REFUSED_BEFORE_DECISION = {
    'schema-requires-a-purpose': 'POST /v1/grants requires a purpose: 400 invalid_request',
    'purpose-outside-the-vocabulary': 'the purpose is not in the fixed vocabulary: 400 invalid_request',
    'purpose-the-program-does-not-declare': "programs and their purposes are public, so the route says what is wrong before deciding: 400 purpose-not-declared",
  } as const;
  /** Allowed cells refused by the state of the resource after the decision (the audit log shows the allow). */
  const REFUSED_BY_STATE = {
    'released-episodes-are-frozen': 'a released episode is immutable: labelling, splitting, merging or releasing it again is 409 episode-frozen',
  } as const;
  /** Denied cells answered with another status than 403, saying why (the audit log shows the deny). */
  const DENIED_WITH_A_REASON = {
    'grant-not-active':
      "an export or download through the caller's own grant, refused because the grant expired, was revoked, denied or is not yet approved: the grant's requester (a researcher) is told so and what to do, 409 grant-not-active",
  } as const;
  /** Denied cells that would change something no reader can see over HTTP. */
  const NO_VISIBLE_STATE = {
    'enrollment-code': 'an enrollment code leaves no trace a reader can see until it is redeemed; the 403 carries none',
    'checkpoint-signing': 'signing a checkpoint adds nothing but a signature over the log as it is, and the server signs one every minute anyway',
  } as const;

  type Column = 'anonymous' | 'device' | 'no role' | Role;
  interface Person {
    id: string;
    token: string;
  }
  interface Caller {
    column: Column;
    /** Undefined for the anonymous column. */
    token: string | undefined;
    /** The person whose data is the caller's own: the user, or a device's subject (for anonymous, a stand-in). */
    self: Person;
  }
  interface Probe {
    caller: Caller;
    method: string;
    /** The route's template, for the check that every route is exercised. */
    route: string;
    path: string;
    body?: unknown;
    /** Reads, as its owner or an authorised reader, what the call would change. */
    state?: () => Promise<unknown>;
    noVisibleState?: keyof typeof NO_VISIBLE_STATE;
    forged?: Array<keyof typeof FORGED>;
    refusedBeforeDecision?: keyof typeof REFUSED_BEFORE_DECISION;
    /** With the audited resource, whose allow decision is looked up. */
    refusedByState?: { reason: keyof typeof REFUSED_BY_STATE; status: number; resource: string };
    /** With the audited resource, whose deny decision is looked up. */
    deniedWithReason?: { reason: keyof typeof DENIED_WITH_A_REASON; status: number; resource: string };
  }
  type Outcome = Probe[] | { unreachable: keyof typeof UNREACHABLE };

  const DAY_MS = 24 * 3600 * 1000;
  const isRole = (c: string): c is Role => (ROLES as readonly string[]).includes(c);
  const store = () => t.server.lockstep.store;
  const call = (token: string | undefined, method: string, path: string, body?: unknown) =>
    t.api.call<Record<string, unknown>>(method, path, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
  async function must(token: string | undefined, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await call(token, method, path, body);
    if (res.status >= 300) throw new Error(`fixture: ${method} ${path} answered ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  const memos = new Map<string, Promise<unknown>>();
  const memo = <T,>(key: string, make: () => Promise<T>): Promise<T> => {
    if (!memos.has(key)) memos.set(key, make());
    return memos.get(key) as Promise<T>;
  };
  let counter = 0;
  const unique = (what: string) => `${what} #${++counter}`;

  let admin: Person;
  /** Helpers, none of them a caller of any cell: decides grants; approves break-glass as steward / as security; requests break-glass; requests "another's" grants; reads metadata. */
  let decider: Person, stewardApprover: Person, securityApprover: Person, requester: Person, rex: Person, securityReader: Person;
  let program: { id: string; noticeVersion: number };
  /** A dataset for grants whose dataset does not matter. */
  let plainDataset: string;

  const person = (roles: Role[]): Promise<Person> => createUser(t.api, admin.token, roles);
  async function setRoles(p: Person, roles: Role[]): Promise<void> {
    if (roles.length > 0) await must(admin.token, 'PUT', `/v1/users/${p.id}/roles`, { roles });
    else if (!(await store().users.setRoles(p.id, []))) throw new Error(`fixture: cannot empty the roles of ${p.id}`);
  }
  const device = (p: Person): Promise<Person> => enrollDevice(t.api, admin.token, p.id, { program });

  /**
   * A caller for `column`, new: a person who held `setupRoles` (and, for a device, the subject
   * role) while `setup` ran, and then holds the column's role only; for the device column the
   * caller is a device of theirs, enrolled before `setup`.
   */
  async function fresh<T = undefined>(column: Column, setupRoles: Role[] = [], setup?: (p: Person, d: Person | undefined) => Promise<T>): Promise<{ caller: Caller; fx: T }> {
    const initial = [...new Set<Role>([...setupRoles, ...(column === 'device' ? (['subject'] as const) : [])])];
    if (initial.length === 0) initial.push(isRole(column) ? column : 'subject');
    const p = await person(initial);
    const d = column === 'device' ? await device(p) : undefined;
    const fx = setup ? await setup(p, d) : (undefined as T);
    const final: Role[] | undefined = column === 'anonymous' ? undefined : column === 'device' ? ['subject'] : column === 'no role' ? [] : [column];
    if (final && (final.length !== initial.length || final.some((r) => !initial.includes(r)))) await setRoles(p, final);
    return { caller: { column, token: column === 'anonymous' ? undefined : (d ?? p).token, self: p }, fx };
  }
  const shared = (column: Column): Promise<Caller> => memo(`caller ${column}`, async () => (await fresh(column)).caller);

  // ------------------------------------------------------------ fixtures by relationship

  /** Burst n (from 0) of a session: ten events, 200 s after the burst before. */
  const burst = (n: number) => events(n * 10, 10).map((e) => ({ ...e, t: e.t + n * 200_000 }));
  async function session(d: Person, bursts = 1): Promise<string> {
    const ses = sessionId();
    for (let n = 0; n < bursts; n++) await must(d.token, 'POST', '/v1/batches', batch(d.id, ses, n, burst(n)));
    return ses;
  }
  /** A session of `owner` (a subject now) cut into three episodes: the first released, the others not. */
  async function episodes(owner: Person, d: Person): Promise<{ session: string; released: string; unreleased: string; next: string }> {
    const ses = await session(d, 3);
    const listed = (await must(owner.token, 'GET', '/v1/episodes')).episodes as Array<{ id: string; session: string; startT: number }>;
    const mine = listed.filter((e) => e.session === ses).sort((a, b) => a.startT - b.startT);
    if (mine.length !== 3) throw new Error(`fixture: expected three episodes, got ${mine.length}`);
    await must(owner.token, 'POST', `/v1/episodes/${mine[0]!.id}/release`);
    return { session: ses, released: mine[0]!.id, unreleased: mine[1]!.id, next: mine[2]!.id };
  }
  /** A subject with a device (another subject, for everyone). */
  const subjectWithDevice = async () => {
    const p = await person(['subject']);
    return { p, d: await device(p) };
  };

  type GrantState = 'requested' | 'approved' | 'denied' | 'revoked' | 'expiring';
  async function grant(by: Person, state: GrantState, dataset = plainDataset): Promise<string> {
    const expiresAt = new Date(now + (state === 'expiring' ? 3600_000 : 80 * DAY_MS)).toISOString();
    const id = (await must(by.token, 'POST', '/v1/grants', { dataset, purpose: 'evaluation', expiresAt })).id as string;
    if (state === 'approved' || state === 'revoked' || state === 'expiring') await must(decider.token, 'POST', `/v1/grants/${id}/approve`);
    if (state === 'denied') await must(decider.token, 'POST', `/v1/grants/${id}/deny`);
    if (state === 'revoked') await must(decider.token, 'POST', `/v1/grants/${id}/revoke`);
    return id;
  }
  async function selfApprovedGrant(by: Person, dataset: string): Promise<string> {
    const id = await grant(by, 'requested', dataset);
    if (!(await store().grants.transition(id, ['requested'], { status: 'approved', decidedBy: by.id, decidedAt: now }))) throw new Error('fixture: cannot forge the grant');
    return id;
  }

  async function breakGlass(by: Person, subject: Person, o: { steward?: Person; security?: Person; durationMs?: number; sessions?: string[] } = {}): Promise<string> {
    const body = { subject: subject.id, reason: unique('investigating a reported incident'), ...(o.sessions ? { sessions: o.sessions } : {}), ...(o.durationMs ? { durationMs: o.durationMs } : {}) };
    const id = (await must(by.token, 'POST', '/v1/break-glass', body)).id as string;
    if (o.steward) await must(o.steward.token, 'POST', `/v1/break-glass/${id}/approve`);
    if (o.security) await must(o.security.token, 'POST', `/v1/break-glass/${id}/approve`);
    return id;
  }
  async function forgeBreakGlass(id: string, change: Partial<BreakGlassRecord>): Promise<void> {
    const record = (await store().breakGlass.get(id))!;
    if (!(await store().breakGlass.update(record, { ...record, ...change }))) throw new Error('fixture: cannot forge the break-glass');
  }

  /** Whose break-glass requests are read: a subject with two sessions. */
  const breakGlassSubject = () =>
    memo('break-glass subject', async () => {
      const { p, d } = await subjectWithDevice();
      return { p, read: await session(d), other: await session(d) };
    });

  /** Released and unreleased episodes of another subject, datasets that hold them, and "another's" grants on those. */
  const exportWorld = () =>
    memo('export world', async () => {
      const { p, d } = await subjectWithDevice();
      const a = await episodes(p, d);
      const b = await episodes(p, d);
      const dataset = async (episodeIds: string[]) => (await must(decider.token, 'POST', '/v1/datasets', { program: program.id, name: unique('dataset'), episodes: episodeIds })).id as string;
      const granted = await dataset([a.released]);
      await dataset([b.released]);
      // Datasets take released episodes only: this one, holding an unreleased one, is written to the store.
      const forged = newRecordId('dst');
      await store().datasets.create({ id: forged, programId: program.id, name: 'holds an unreleased episode', createdBy: decider.id, createdAt: now }, [a.unreleased]);
      return {
        releasedInGranted: a.released,
        unreleasedInGranted: a.unreleased,
        releasedElsewhere: b.released,
        unreleasedElsewhere: b.unreleased,
        granted,
        forged,
        anothers: { granted: await grant(rex, 'approved', granted), forged: await grant(rex, 'approved', forged) },
      };
    });
  const grantSet = async (p: Person, dataset: string) => ({
    'own grant, active': await grant(p, 'approved', dataset),
    'own grant, expired': await grant(p, 'expiring', dataset),
    'own grant, revoked': await grant(p, 'revoked', dataset),
    'own grant, denied': await grant(p, 'denied', dataset),
    'own grant, requested': await grant(p, 'requested', dataset),
    'own grant, self-approved': await selfApprovedGrant(p, dataset),
  });
  /** The caller's own grants, in every state, on the granted dataset and on the forged one. Built before the clock moves. */
  const exportGrants = (column: Column) =>
    memo(`export grants ${column}`, async () => {
      const w = await exportWorld();
      return fresh(column, ['researcher'], async (p) => ({ granted: await grantSet(p, w.granted), forged: await grantSet(p, w.forged) }));
    });
  /** The caller's own break-glass requests on the break-glass subject, in every state. Built before the clock moves. */
  const breakGlassReads = (column: Column) =>
    memo(`break-glass reads ${column}`, async () => {
      const s = await breakGlassSubject();
      const both = { steward: stewardApprover, security: securityApprover };
      return fresh(column, ['security'], async (p) => {
        const callerApproved = await breakGlass(p, s.p, both);
        await forgeBreakGlass(callerApproved, { securityApprover: p.id });
        const twice = await breakGlass(p, s.p, both);
        await forgeBreakGlass(twice, { securityApprover: stewardApprover.id });
        return {
          'own break-glass, two other approvers, active': await breakGlass(p, s.p, both),
          'own break-glass, steward approval only': await breakGlass(p, s.p, { steward: stewardApprover }),
          'own break-glass, security approval only': await breakGlass(p, s.p, { security: securityApprover }),
          'own break-glass, expired': await breakGlass(p, s.p, { ...both, durationMs: 60_000 }),
          'own break-glass, caller approved it': callerApproved,
          'own break-glass, one person approved twice': twice,
          'own break-glass, for another session': await breakGlass(p, s.p, { ...both, sessions: [s.other] }),
        } as Record<string, string>;
      });
    });
  /** Exports by `by` through its grant (over HTTP), or written to the store for a grant the policy refuses exports through. */
  const exportVia = async (by: Person, grantId: string): Promise<string> => (await must(by.token, 'POST', `/v1/grants/${grantId}/exports`)).id as string;
  async function forgedExport(by: Person, grantId: string): Promise<string> {
    const w = await exportWorld();
    const id = newRecordId('exp');
    await store().exports.create({ id, grantId, requesterId: by.id, createdAt: now, settings: { exportSites: [], exportPageText: false } }, [w.releasedInGranted], newLocalId);
    return id;
  }
  const exportState = async (grantId: string) => ((await must(decider.token, 'GET', '/v1/exports')).exports as Array<{ grant: string }>).filter((x) => x.grant === grantId).length;
  /** The caller's own exports, one through a grant in each state (made while it was active, when it ever was). Built before the clock moves. */
  const callerExports = (column: Column) =>
    memo(`caller exports ${column}`, async () => {
      const w = await exportWorld();
      return fresh(column, ['researcher'], async (p) => {
        const active = await grant(p, 'approved', w.granted);
        const expiring = await grant(p, 'expiring', w.granted);
        const revoked = await grant(p, 'approved', w.granted);
        const revokedExport = await exportVia(p, revoked);
        await must(decider.token, 'POST', `/v1/grants/${revoked}/revoke`);
        return {
          'own grant, active': await exportVia(p, active),
          'own grant, expired': await exportVia(p, expiring),
          'own grant, revoked': revokedExport,
          'own grant, denied': await forgedExport(p, await grant(p, 'denied', w.granted)),
          'own grant, requested': await forgedExport(p, await grant(p, 'requested', w.granted)),
          'own grant, self-approved': await forgedExport(p, await selfApprovedGrant(p, w.granted)),
        } as Record<string, string>;
      });
    });
  /** An export of another researcher's, through their active grant. */
  const anothersExport = () =>
    memo('another export', async () => {
      const w = await exportWorld();
      return exportVia(rex, await grant(rex, 'approved', w.granted));
    });
  /** The relations of a grant in which the policy refuses exports and the route says why (to a researcher who requested it). */
  const INACTIVE = new Set(['own grant, expired', 'own grant, revoked', 'own grant, denied', 'own grant, requested']);

  const anothersBreakGlass = () =>
    memo('another break-glass', async () => breakGlass(requester, (await breakGlassSubject()).p, { steward: stewardApprover, security: securityApprover }));

  /** A person in a relation to the caller, for the actions whose resource is a person. */
  async function personFor(relation: string, caller: Caller, fresh_: boolean): Promise<Person | undefined> {
    if (relation === 'themself') return caller.self;
    if (relation === 'another subject') return fresh_ ? person(['subject']) : memo('another subject', () => person(['subject']));
    if (relation === 'another person, not a subject') return fresh_ ? person(['admin']) : memo('another person', () => person(['admin']));
    return undefined;
  }

  // ------------------------------------------------------------ what the state is

  const meState = async (p: Person) => {
    const res = await call(p.token, 'GET', '/v1/me');
    return { status: res.status, body: res.body };
  };
  const sessionState = async (subject: Person, id: string) =>
    ((await must(securityReader.token, 'GET', `/v1/users/${subject.id}/sessions`)).sessions as Array<{ id: string }>).find((s) => s.id === id) ?? 'absent';
  const grantState = (id: string) => must(decider.token, 'GET', `/v1/grants/${id}`);
  const breakGlassState = async (id: string) => ((await must(securityReader.token, 'GET', '/v1/break-glass')).requests as Array<{ id: string }>).find((r) => r.id === id);
  /** The owner lists their episodes; an owner who is not a subject (any more) may not, and nobody else may: then the store. */
  const episodeState = async (owner: Person, id: string) => {
    const res = await call(owner.token, 'GET', '/v1/episodes');
    if (res.status === 200) return (res.body.episodes as Array<{ id: string }>).find((e) => e.id === id) ?? 'absent';
    const e = await store().episodes.get(id);
    return e ? { status: e.status, task: e.label, releasedAt: e.releasedAt } : 'absent';
  };
  /** The subject reads their consent; a person who is not a subject may not, and nobody else may: then the store. */
  const consentState = async (p: Person, programId: string) => {
    const res = await call(p.token, 'GET', '/v1/me/consents');
    if (res.status === 200) return (res.body.consents as Array<{ program: string }>).find((c) => c.program === programId);
    return (await store().consents.get(p.id, programId)) ?? 'none';
  };

  // ------------------------------------------------------------ one check per action and relationship

  const SERVER_ROUTES: Partial<Record<Action, Array<[method: string, route: string, path: string]>>> = {
    'user.list': [['GET', '/v1/users', '/v1/users']],
    'program.list': [['GET', '/v1/programs', '/v1/programs']],
    'dataset.list': [['GET', '/v1/datasets', '/v1/datasets']],
    'grant.list': [['GET', '/v1/grants', '/v1/grants']],
    'breakglass.list': [['GET', '/v1/break-glass', '/v1/break-glass']],
    'export.list': [['GET', '/v1/exports', '/v1/exports']],
    'export.revocations': [['GET', '/v1/exports/revocations', '/v1/exports/revocations?since=0']],
    'audit.read': [
      ['GET', '/v1/audit', '/v1/audit?limit=1'],
      ['POST', '/v1/audit/checkpoint', '/v1/audit/checkpoint'],
    ],
    'audit.checkpoint': [
      ['GET', '/v1/audit/checkpoint', '/v1/audit/checkpoint'],
      ['GET', '/v1/audit/consistency', '/v1/audit/consistency?from=0'],
      ['GET', '/v1/audit/inclusion', '/v1/audit/inclusion?index=0'],
    ],
  };
  const SELF_ROUTES: Partial<Record<Action, [route: string, path: string]>> = {
    'me.read': ['/v1/me', '/v1/me'],
    'consent.read': ['/v1/me/consents', '/v1/me/consents'],
    'session.list': ['/v1/sessions', '/v1/sessions'],
    'episode.list': ['/v1/episodes', '/v1/episodes'],
    'access.read': ['/v1/me/access', '/v1/me/access?limit=1'],
    'device.state': ['/v1/device/state', '/v1/device/state'],
  };

  async function probesFor(cell: { action: string; relation: string; caller: string; allowed: boolean }): Promise<Outcome> {
    const action = cell.action as Action;
    const column = cell.caller as Column;
    const { relation } = cell;
    const noCheck = () => new Error(`no HTTP check for cell ${cell.caller} × ${cell.action} × ${relation}`);
    const probe = (caller: Caller, method: string, route: string, path: string, more: Partial<Probe> = {}): Probe[] => [{ caller, method, route, path, ...more }];

    const server = SERVER_ROUTES[action];
    if (server) {
      if (relation !== 'the server') throw noCheck();
      const caller = await shared(column);
      return server.map(([method, route, path]) => ({ caller, method, route, path, ...(route === '/v1/audit/checkpoint' && method === 'POST' ? { noVisibleState: 'checkpoint-signing' as const } : {}) }));
    }
    const self = SELF_ROUTES[action];
    if (self) {
      if (relation === 'themself' || relation === 'itself') return probe(await shared(column), 'GET', self[0], self[1]);
      if (['another person', 'another device', 'another subject', 'another person, not a subject'].includes(relation)) return { unreachable: 'route-names-the-caller' };
      throw noCheck();
    }

    switch (action) {
      case 'enroll': {
        if (relation !== 'the server') throw noCheck();
        if (column !== 'anonymous') return { unreachable: 'public-route' };
        const created = await must(admin.token, 'POST', '/v1/users', { roles: ['subject'] });
        return probe(await shared(column), 'POST', '/v1/enroll', '/v1/enroll', { body: { code: created.enrollmentCode } });
      }
      case 'user.create': {
        if (relation !== 'the server') throw noCheck();
        const label = unique('matrix user');
        const state = async () => ((await must(admin.token, 'GET', '/v1/users')).users as Array<{ label: string | null }>).filter((u) => u.label === label).length;
        return probe(await shared(column), 'POST', '/v1/users', '/v1/users', { body: { roles: ['subject'], label }, state });
      }
      case 'user.update': {
        // Changing the caller's own roles: a caller of its own.
        const caller = relation === 'themself' ? (await fresh(column)).caller : await shared(column);
        const target = await personFor(relation, caller, true);
        if (!target) throw noCheck();
        const roles = relation === 'themself' ? ['admin', 'security'] : ['researcher'];
        return probe(caller, 'PUT', '/v1/users/:id/roles', `/v1/users/${target.id}/roles`, { body: { roles }, state: () => meState(target) });
      }
      case 'device-code.create': {
        const caller = await shared(column);
        const target = await personFor(relation, caller, false);
        if (!target) throw noCheck();
        return probe(caller, 'POST', '/v1/users/:id/device-codes', `/v1/users/${target.id}/device-codes`, { body: { program: program.id }, noVisibleState: 'enrollment-code' });
      }
      case 'device.revoke': {
        let caller: Caller;
        let target: Person;
        if (relation === 'their own device') {
          if (column === 'device') {
            // The device revokes itself.
            const made = await fresh('device');
            caller = made.caller;
            target = { id: (await must(made.caller.token, 'GET', '/v1/me')).id as string, token: made.caller.token! };
          } else {
            const made = await fresh(column, ['subject'], (p) => device(p));
            caller = made.caller;
            target = made.fx;
          }
        } else if (relation === "another subject's device") {
          caller = await shared(column);
          target = (await subjectWithDevice()).d;
        } else throw noCheck();
        return probe(caller, 'POST', '/v1/devices/:id/revoke', `/v1/devices/${target.id}/revoke`, { state: () => meState(target) });
      }
      case 'subject.erase': {
        const caller = relation === 'themself' ? (await fresh(column)).caller : await shared(column);
        const target = await personFor(relation, caller, true);
        if (!target) throw noCheck();
        return probe(caller, 'DELETE', '/v1/subjects/:id', `/v1/subjects/${target.id}`, { state: () => meState(target) });
      }
      case 'program.create': {
        if (relation !== 'the server') throw noCheck();
        const name = unique('matrix program');
        const body = { name, purposes: ['evaluation'], modalities: ['pointer'], retentionDays: 30, notice: 'We record how you work.' };
        const state = async () => ((await must(admin.token, 'GET', '/v1/programs')).programs as Array<{ name: string }>).filter((p) => p.name === name).length;
        return probe(await shared(column), 'POST', '/v1/programs', '/v1/programs', { body, state });
      }
      case 'program.update': {
        if (relation !== 'a program') throw noCheck();
        const target = await createProgram(t.api, admin.token, { name: unique('program to update') });
        const state = async () => ((await must(admin.token, 'GET', '/v1/programs')).programs as Array<{ id: string }>).find((p) => p.id === target.id);
        const caller = await shared(column);
        return [
          ...probe(caller, 'PUT', '/v1/programs/:id/notice', `/v1/programs/${target.id}/notice`, { body: { text: 'New terms.' }, state }),
          ...probe(caller, 'PUT', '/v1/programs/:id/export', `/v1/programs/${target.id}/export`, { body: { exportSites: ['docs.example.com'], exportPageText: true }, state }),
          ...probe(caller, 'PUT', '/v1/programs/:id/desktop', `/v1/programs/${target.id}/desktop`, { body: { desktopApps: ['xterm'], screenshots: true }, state }),
        ];
      }
      case 'program.pause':
      case 'program.resume': {
        if (relation !== 'a program') throw noCheck();
        // Each cell on a program of its own: running to be paused, paused (by the admin) to be resumed.
        const target = await createProgram(t.api, admin.token, { name: unique(`program to ${action}`) });
        if (action === 'program.resume') await must(admin.token, 'POST', `/v1/programs/${target.id}/pause`, { reason: 'matrix fixture' });
        const state = async () => ((await must(admin.token, 'GET', '/v1/programs')).programs as Array<{ id: string }>).find((p) => p.id === target.id);
        const verb = action === 'program.pause' ? 'pause' : 'resume';
        return probe(await shared(column), 'POST', `/v1/programs/:id/${verb}`, `/v1/programs/${target.id}/${verb}`, { body: { reason: 'incident drill' }, state });
      }
      case 'consent.accept': {
        if (relation.startsWith('another')) return { unreachable: 'route-names-the-caller' };
        if (relation !== 'themself') throw noCheck();
        const caller = await shared(column);
        const target = await createProgram(t.api, admin.token, { name: unique('program to accept') });
        return probe(caller, 'POST', '/v1/me/consents/:id', `/v1/me/consents/${target.id}`, { body: { noticeVersion: 1 }, state: () => consentState(caller.self, target.id) });
      }
      case 'consent.withdraw': {
        if (relation.startsWith('another')) return { unreachable: 'route-names-the-caller' };
        if (relation !== 'themself') throw noCheck();
        // Withdrawal shreds: a caller of its own, who accepted the program's notice while a subject.
        const { caller } = await fresh(column, ['subject'], (p) => acceptNotice(t.api, p.token, program));
        return probe(caller, 'POST', '/v1/me/consents/:id/withdraw', `/v1/me/consents/${program.id}/withdraw`, { body: {}, state: () => consentState(caller.self, program.id) });
      }
      case 'batch.ingest': {
        const post = (caller: Caller, owner: Person, deviceId: string, ses: string, seq: number) =>
          probe(caller, 'POST', '/v1/batches', '/v1/batches', { body: batch(deviceId, ses, seq, events(seq * 10, 10)), state: () => sessionState(owner, ses) });
        if (relation === 'own session, own device') {
          if (column === 'device') {
            const caller = await shared('device');
            const me = (await must(caller.token, 'GET', '/v1/me')).id as string;
            return post(caller, caller.self, me, sessionId(), 0);
          }
          const { caller, fx } = await fresh(column, ['subject'], async (p) => {
            const d = await device(p);
            return { d, ses: await session(d) };
          });
          return post(caller, caller.self, fx.d.id, fx.ses, 1);
        }
        if (relation === "another subject's session") {
          const caller = await shared(column);
          const other = await subjectWithDevice();
          const ses = await session(other.d);
          const me = column === 'device' ? ((await must(caller.token, 'GET', '/v1/me')).id as string) : other.d.id;
          return post(caller, other.p, me, ses, 1);
        }
        if (relation === "own subject's session on another device" && column === 'device') {
          const caller = await shared('device');
          const sibling = await memo('sibling device', () => device(caller.self));
          const ses = await session(sibling);
          return post(caller, caller.self, (await must(caller.token, 'GET', '/v1/me')).id as string, ses, 1);
        }
        throw noCheck();
      }
      case 'session.read':
      case 'session.delete': {
        const reading = action === 'session.read';
        const route = '/v1/sessions/:id';
        const method = reading ? 'GET' : 'DELETE';
        let caller: Caller;
        let owner: Person;
        let ses: string;
        if (relation === 'own session, own device') {
          const make = () =>
            fresh(column, ['subject'], async (p, d) => {
              return session(d ?? (await device(p)));
            });
          const made = reading ? await memo(`own session ${column}`, make) : await make();
          ({ caller, fx: ses } = made);
          owner = caller.self;
        } else if (relation === "another subject's session") {
          caller = await shared(column);
          const make = async () => {
            const o = await subjectWithDevice();
            return { owner: o.p, ses: await session(o.d) };
          };
          ({ owner, ses } = reading ? await memo('another session', make) : await make());
        } else if (relation === "own subject's session on another device" && column === 'device') {
          caller = await shared('device');
          const sibling = await memo('sibling device', () => device(caller.self));
          owner = caller.self;
          ses = reading ? await memo('sibling session', () => session(sibling)) : await session(sibling);
        } else throw noCheck();
        return probe(caller, method, route, `/v1/sessions/${ses}`, reading ? {} : { state: () => sessionState(owner, ses) });
      }
      case 'session.metadata': {
        const caller = await shared(column);
        const target = await personFor(relation, caller, false);
        if (!target) throw noCheck();
        return probe(caller, 'GET', '/v1/users/:id/sessions', `/v1/users/${target.id}/sessions`);
      }
      case 'episode.read':
      case 'episode.label':
      case 'episode.split':
      case 'episode.merge':
      case 'episode.release':
      case 'episode.delete': {
        const m = /^(own|another subject's), (released|unreleased)$/.exec(relation);
        if (!m) throw noCheck();
        const reading = action === 'episode.read';
        let caller: Caller;
        let owner: Person;
        let pair: Awaited<ReturnType<typeof episodes>>;
        if (m[1] === 'own') {
          const make = () => fresh(column, ['subject'], async (p, d) => episodes(p, d ?? (await device(p))));
          ({ caller, fx: pair } = reading ? await memo(`own episodes ${column}`, make) : await make());
          owner = caller.self;
        } else {
          caller = await shared(column);
          const o = await memo('episode owner', subjectWithDevice);
          owner = o.p;
          pair = reading ? await memo('another episodes', () => episodes(o.p, o.d)) : await episodes(o.p, o.d);
        }
        const id = m[2] === 'released' ? pair.released : pair.unreleased;
        const state = () => episodeState(owner, id);
        const frozen = cell.allowed && m[2] === 'released' && action !== 'episode.read' && action !== 'episode.delete';
        const more: Partial<Probe> = {
          ...(reading ? {} : { state }),
          ...(frozen ? { refusedByState: { reason: 'released-episodes-are-frozen', status: 409, resource: `Episode::${id}` } } : {}),
        };
        switch (action) {
          case 'episode.read':
            return probe(caller, 'GET', '/v1/episodes/:id', `/v1/episodes/${id}`, more);
          case 'episode.label':
            return probe(caller, 'PUT', '/v1/episodes/:id/task', `/v1/episodes/${id}/task`, { body: { task: 'search for a product' }, ...more });
          case 'episode.split':
            // Inside either episode: [0, 180] released, [200 200, 200 380] not.
            return probe(caller, 'POST', '/v1/episodes/:id/split', `/v1/episodes/${id}/split`, { body: { at: m[2] === 'released' ? 100 : 200_300 }, ...more });
          case 'episode.merge':
            // With the open episode after it.
            return probe(caller, 'POST', '/v1/episodes/:id/merge', `/v1/episodes/${id}/merge`, { body: { with: m[2] === 'released' ? pair.unreleased : pair.next }, ...more });
          case 'episode.release':
            return probe(caller, 'POST', '/v1/episodes/:id/release', `/v1/episodes/${id}/release`, more);
          default:
            return probe(caller, 'DELETE', '/v1/episodes/:id', `/v1/episodes/${id}`, more);
        }
      }
      case 'dataset.create': {
        if (relation !== 'a program') throw noCheck();
        const name = unique('matrix dataset');
        const state = async () => ((await must(decider.token, 'GET', '/v1/datasets')).datasets as Array<{ name: string }>).filter((d) => d.name === name).length;
        return probe(await shared(column), 'POST', '/v1/datasets', '/v1/datasets', { body: { program: program.id, name, episodes: [] }, state });
      }
      case 'dataset.read': {
        if (relation !== 'a dataset') throw noCheck();
        return probe(await shared(column), 'GET', '/v1/datasets/:id', `/v1/datasets/${plainDataset}`);
      }
      case 'grant.request': {
        const purposes: Record<string, [string | undefined, keyof typeof REFUSED_BEFORE_DECISION | undefined]> = {
          'no purpose': [undefined, 'schema-requires-a-purpose'],
          'a purpose the program declares': ['evaluation', undefined],
          'a purpose the program does not declare': ['safety-research', 'purpose-the-program-does-not-declare'],
          'an undeclared purpose ("performance-review")': ['performance-review', 'purpose-outside-the-vocabulary'],
        };
        const entry = purposes[relation];
        if (!entry) throw noCheck();
        const [purpose, refused] = entry;
        // A dataset of its own, so that "no grant was made" is a question about this cell alone.
        const dataset = (await must(decider.token, 'POST', '/v1/datasets', { program: program.id, name: unique('dataset for a request'), episodes: [] })).id as string;
        const body = { dataset, ...(purpose ? { purpose } : {}), expiresAt: new Date(now + DAY_MS).toISOString() };
        const state = async () => ((await must(decider.token, 'GET', '/v1/grants')).grants as Array<{ dataset: string }>).filter((g) => g.dataset === dataset).length;
        return probe(await shared(column), 'POST', '/v1/grants', '/v1/grants', { body, state, ...(refused ? { refusedBeforeDecision: refused } : {}) });
      }
      case 'grant.read':
      case 'grant.approve':
      case 'grant.deny':
      case 'grant.revoke': {
        const m = /^(own|another's) grant, (requested|approved|denied|revoked)$/.exec(relation);
        if (!m) throw noCheck();
        const status = m[2] as 'requested' | 'approved' | 'denied' | 'revoked';
        const reading = action === 'grant.read';
        let caller: Caller;
        let id: string;
        if (m[1] === 'own') {
          if (reading) {
            const made = await memo(`own grants ${column}`, () =>
              fresh(column, ['researcher'], async (p) => ({
                requested: await grant(p, 'requested'),
                approved: await grant(p, 'approved'),
                denied: await grant(p, 'denied'),
                revoked: await grant(p, 'revoked'),
              })),
            );
            caller = made.caller;
            id = made.fx[status];
          } else ({ caller, fx: id } = await fresh(column, ['researcher'], (p) => grant(p, status)));
        } else {
          caller = await shared(column);
          id = reading ? await memo(`rex grant ${status}`, () => grant(rex, status)) : await grant(rex, status);
        }
        if (reading) return probe(caller, 'GET', '/v1/grants/:id', `/v1/grants/${id}`);
        const verb = action.slice('grant.'.length);
        return probe(caller, 'POST', `/v1/grants/:id/${verb}`, `/v1/grants/${id}/${verb}`, { state: () => grantState(id) });
      }
      case 'episode.export': {
        if (relation === 'released episode in a dataset; no grant') return { unreachable: 'route-names-a-grant' };
        const m = /^(released|unreleased) episode (in the granted dataset|of another dataset); (.*)$/.exec(relation);
        if (!m) throw noCheck();
        const w = await exportWorld();
        const released = m[1] === 'released';
        const inGranted = m[2] === 'in the granted dataset';
        // An unreleased episode in the granted dataset: only in the forged dataset, with grants on that one.
        const onForged = !released && inGranted;
        const episode = released ? (inGranted ? w.releasedInGranted : w.releasedElsewhere) : inGranted ? w.unreleasedInGranted : w.unreleasedElsewhere;
        let caller: Caller;
        let grantId: string | undefined;
        if (m[3] === "another's grant, active") {
          caller = await shared(column);
          grantId = onForged ? w.anothers.forged : w.anothers.granted;
        } else {
          const made = await exportGrants(column);
          caller = made.caller;
          grantId = (onForged ? made.fx.forged : made.fx.granted)[m[3] as keyof typeof made.fx.granted];
        }
        if (!grantId) throw noCheck();
        const forged: Array<keyof typeof FORGED> = [...(onForged ? (['unreleased-in-a-dataset'] as const) : []), ...(m[3] === 'own grant, self-approved' ? (['self-approved-grant'] as const) : [])];
        return probe(caller, 'GET', '/v1/grants/:id/episodes/:episode', `/v1/grants/${grantId}/episodes/${episode}`, { forged });
      }
      case 'export.create': {
        const w = await exportWorld();
        let caller: Caller;
        let grantId: string | undefined;
        if (relation === "another's grant, active") {
          caller = await shared(column);
          grantId = w.anothers.granted;
        } else {
          const made = await exportGrants(column);
          caller = made.caller;
          grantId = made.fx.granted[relation as keyof typeof made.fx.granted];
        }
        if (!grantId) throw noCheck();
        const id = grantId;
        const more: Partial<Probe> = {
          state: () => exportState(id),
          ...(relation === 'own grant, self-approved' ? { forged: ['self-approved-grant' as const] } : {}),
          ...(column === 'researcher' && INACTIVE.has(relation) ? { deniedWithReason: { reason: 'grant-not-active' as const, status: 409, resource: `Grant::${id}` } } : {}),
        };
        return probe(caller, 'POST', '/v1/grants/:id/exports', `/v1/grants/${id}/exports`, { body: {}, ...more });
      }
      case 'export.download': {
        const m = /^export of (.*)$/.exec(relation);
        if (!m) throw noCheck();
        const grantRelation = m[1]!;
        let caller: Caller;
        let id: string | undefined;
        if (grantRelation === "another's grant, active") {
          caller = await shared(column);
          id = await anothersExport();
        } else {
          const made = await callerExports(column);
          caller = made.caller;
          id = made.fx[grantRelation];
        }
        if (!id) throw noCheck();
        const forged: Array<keyof typeof FORGED> = [
          ...(['own grant, denied', 'own grant, requested', 'own grant, self-approved'].includes(grantRelation) ? (['export-through-a-grant-the-policy-refuses'] as const) : []),
          ...(grantRelation === 'own grant, self-approved' ? (['self-approved-grant'] as const) : []),
        ];
        return probe(caller, 'GET', '/v1/exports/:id/episodes', `/v1/exports/${id}/episodes`, {
          forged,
          ...(column === 'researcher' && INACTIVE.has(grantRelation) ? { deniedWithReason: { reason: 'grant-not-active' as const, status: 409, resource: `Export::${id}` } } : {}),
        });
      }
      case 'export.read': {
        let caller: Caller;
        let id: string | undefined;
        if (relation === 'own export') {
          const made = await callerExports(column);
          caller = made.caller;
          id = made.fx['own grant, active'];
        } else if (relation === "another's export") {
          caller = await shared(column);
          id = await anothersExport();
        } else throw noCheck();
        if (!id) throw noCheck();
        return probe(caller, 'GET', '/v1/exports/:id', `/v1/exports/${id}`);
      }
      case 'breakglass.request': {
        const caller = await shared(column);
        const target = await personFor(relation, caller, false);
        if (!target) throw noCheck();
        const reason = unique('investigating a reported data leak');
        const state = async () => ((await must(securityReader.token, 'GET', '/v1/break-glass')).requests as Array<{ reason: string }>).filter((r) => r.reason === reason).length;
        return probe(caller, 'POST', '/v1/break-glass', '/v1/break-glass', { body: { subject: target.id, reason }, state });
      }
      case 'breakglass.approve': {
        const m = /^requested by (the caller|another), about (another subject|the caller), steward approval: (none|the caller|another), security approval: (none|the caller|another)$/.exec(relation);
        if (!m) throw noCheck();
        const byCaller = m[1] === 'the caller';
        const aboutCaller = m[2] === 'the caller';
        const [stew, sec] = [m[3]!, m[4]!];
        const forged: Array<keyof typeof FORGED> = [];
        if (stew !== 'none' && sec !== 'none') forged.push('break-glass-requested-with-both-approvals');
        if (byCaller && aboutCaller) forged.push('break-glass-about-its-requester');
        if (aboutCaller && (stew === 'the caller' || sec === 'the caller')) forged.push('break-glass-approved-by-its-subject');
        if (stew === 'the caller' && sec === 'the caller') forged.push('break-glass-approved-twice-by-one-person');
        const others = await memo('another subject', () => person(['subject']));
        let caller: Caller;
        let id: string;
        if (forged.length > 0) {
          // Requested over HTTP by someone else, then rewritten in the store as the relationship says.
          caller = await shared(column);
          const subject = aboutCaller ? caller.self : others;
          id = await breakGlass(requester, subject);
          const who = (x: string, another: Person) => (x === 'none' ? null : x === 'the caller' ? caller.self.id : another.id);
          await forgeBreakGlass(id, { requesterId: byCaller ? caller.self.id : requester.id, stewardApprover: who(stew, stewardApprover), securityApprover: who(sec, securityApprover), status: 'requested' });
        } else {
          // The caller requested it (as security) or gave an approval (as steward or security) before holding the column's role.
          const setupRoles: Role[] = byCaller || sec === 'the caller' ? ['security'] : stew === 'the caller' ? ['steward'] : [];
          const build = async (self: Person) => {
            const bg = await breakGlass(byCaller ? self : requester, aboutCaller ? self : others);
            if (stew !== 'none') await must((stew === 'the caller' ? self : stewardApprover).token, 'POST', `/v1/break-glass/${bg}/approve`);
            if (sec !== 'none') await must((sec === 'the caller' ? self : securityApprover).token, 'POST', `/v1/break-glass/${bg}/approve`);
            return bg;
          };
          if (setupRoles.length > 0) ({ caller, fx: id } = await fresh(column, setupRoles, (p) => build(p)));
          else {
            caller = await shared(column);
            id = await build(caller.self);
          }
        }
        return probe(caller, 'POST', '/v1/break-glass/:id/approve', `/v1/break-glass/${id}/approve`, { state: () => breakGlassState(id), forged });
      }
      case 'breakglass.read': {
        if (relation === 'no break-glass') return { unreachable: 'route-names-a-break-glass' };
        const s = await breakGlassSubject();
        let caller: Caller;
        let id: string | undefined;
        if (relation === "another's break-glass, active") {
          caller = await shared(column);
          id = await anothersBreakGlass();
        } else {
          const made = await breakGlassReads(column);
          caller = made.caller;
          id = made.fx[relation];
        }
        if (!id) throw noCheck();
        const forged: Array<keyof typeof FORGED> =
          relation === 'own break-glass, caller approved it' ? ['break-glass-approved-by-its-requester'] : relation === 'own break-glass, one person approved twice' ? ['break-glass-approved-twice-by-one-person'] : [];
        return probe(caller, 'GET', '/v1/break-glass/:id/sessions/:session', `/v1/break-glass/${id}/sessions/${s.read}`, { forged });
      }
      default:
        throw noCheck();
    }
  }

  beforeAll(async () => {
    admin = { id: people.admin!.id, token: people.admin!.token };
    [decider, stewardApprover, securityApprover, requester, rex, securityReader] = await Promise.all([
      person(['steward']),
      person(['steward']),
      person(['security']),
      person(['security']),
      person(['researcher']),
      person(['security']),
    ]);
    program = await createProgram(t.api, admin.token, { name: 'matrix cells', purposes: ['agent-training', 'evaluation'], idleGapMs: 60_000 });
    plainDataset = (await must(decider.token, 'POST', '/v1/datasets', { program: program.id, name: 'plain', episodes: [] })).id as string;
    // What expires is built first, for every caller; then two hours pass.
    await Promise.all(COLUMNS.flatMap((c) => [exportGrants(c), breakGlassReads(c), callerExports(c)]));
    now += 2 * 3600 * 1000;
  });

  const COLUMNS = callers({ combinations: false }).map((c) => c.label as Column);

  it(`holds to its reason for the unreachable enroll cells: ${UNREACHABLE['public-route']}`, async () => {
    const created = await must(admin.token, 'POST', '/v1/users', { roles: ['subject'] });
    const before = t.server.lockstep.audit.size();
    expect((await call(admin.token, 'POST', '/v1/enroll', { code: created.enrollmentCode })).status).toBe(201);
    const decided = (await must(securityReader.token, 'GET', `/v1/audit?limit=1000&after=${before - 1}&action=enroll`)).entries as Array<{ actor: string; decision: string }>;
    expect(decided.map((e) => [e.actor, e.decision])).toEqual([['anonymous', 'allow']]);
  });

  it('answers every cell as the matrix says, and nothing changes where it says no', async () => {
    const cells = matrixCells(readPolicySources());
    expect(new Set(cells.map((c) => c.caller))).toEqual(new Set(COLUMNS));
    const failures: string[] = [];
    const unreachable = new Map<string, string[]>();
    const forged = new Map<string, number>();
    const tally = new Map<string, number>();
    const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
    const n = (key: string) => tally.get(key) ?? 0;
    const routes = new Set<string>();
    const used = { refusedBeforeDecision: new Set<string>(), refusedByState: new Set<string>(), noVisibleState: new Set<string>(), deniedWithReason: new Set<string>() };

    async function check(cell: (typeof cells)[number]): Promise<void> {
      const name = `${cell.caller} × ${cell.action} × ${cell.relation}`;
      let outcome: Outcome;
      try {
        outcome = await probesFor(cell);
      } catch (error) {
        failures.push(`${name}: ${(error as Error).message}`);
        return;
      }
      if ('unreachable' in outcome) {
        unreachable.set(outcome.unreachable, [...(unreachable.get(outcome.unreachable) ?? []), name]);
        return;
      }
      count(`${cell.allowed ? 'allowed' : 'denied'} ${outcome.some((p) => p.state || p.noVisibleState) ? 'changing' : 'read-only'}`);
      const reasons = new Set([...(cell.caller === 'no role' ? (['no-role'] as const) : []), ...outcome.flatMap((p) => p.forged ?? [])]);
      for (const r of reasons) forged.set(r, (forged.get(r) ?? 0) + 1);
      if (reasons.size > 0) count('forged');
      for (const p of outcome) {
        routes.add(`${p.method} ${p.route}`);
        const before = !cell.allowed && p.state ? await p.state() : undefined;
        const res = await call(p.caller.token, p.method, p.path, p.body);
        count('requests');
        const what = `${name}: matrix says ${cell.allowed ? 'allow' : 'deny'}, ${p.method} ${p.path} answered ${res.status} ${res.status >= 300 ? JSON.stringify(res.body) : ''}`;
        if (cell.allowed && p.refusedByState) {
          used.refusedByState.add(p.refusedByState.reason);
          if (res.status !== p.refusedByState.status) failures.push(`${what} (expected ${p.refusedByState.status}: ${p.refusedByState.reason})`);
          // …after an allow decision, which the audit log shows.
          const log = (await must(securityReader.token, 'GET', `/v1/audit?limit=1000&actor=${p.caller.self.id}&action=${cell.action}`)).entries as Array<{ resource: string; decision: string }>;
          if (!log.some((e) => e.resource === p.refusedByState!.resource && e.decision === 'allow')) failures.push(`${name}: no allow decision on the audit log`);
        } else if (cell.allowed) {
          if (res.status < 200 || res.status >= 300) failures.push(what);
        } else {
          const reason = cell.caller === 'anonymous' ? undefined : p.deniedWithReason;
          const expected = cell.caller === 'anonymous' ? 401 : p.refusedBeforeDecision ? 400 : reason ? reason.status : 403;
          if (p.refusedBeforeDecision && cell.caller !== 'anonymous') used.refusedBeforeDecision.add(p.refusedBeforeDecision);
          if (res.status !== expected) failures.push(`${what} (expected ${expected}${reason ? `: ${reason.reason}` : ''})`);
          if (reason) {
            used.deniedWithReason.add(reason.reason);
            const log = (await must(securityReader.token, 'GET', `/v1/audit?limit=1000&actor=${p.caller.self.id}&action=${cell.action}`)).entries as Array<{ resource: string; decision: string }>;
            if (!log.some((e) => e.resource === reason.resource && e.decision === 'deny')) failures.push(`${name}: no deny decision on the audit log`);
          }
          if (JSON.stringify(res.body ?? {}).includes('enrollmentCode')) failures.push(`${name}: a refused answer carries an enrollment code`);
          if (p.noVisibleState) used.noVisibleState.add(p.noVisibleState);
          if (p.state) {
            const after = await p.state();
            if (!isDeepStrictEqual(before, after)) failures.push(`${name}: refused, but the state changed: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
          }
        }
      }
    }

    // Small concurrent batches: every cell's changes land on its own fixture.
    const queue = [...cells];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let cell = queue.shift(); cell; cell = queue.shift()) await check(cell);
      }),
    );

    expect(failures).toEqual([]);
    const kinds = ['allowed read-only', 'allowed changing', 'denied read-only', 'denied changing'];
    const checked = kinds.reduce((sum, k) => sum + n(k), 0);
    const unreached = [...unreachable.values()].reduce((n, xs) => n + xs.length, 0);
    expect(checked + unreached).toBe(cells.length);
    // Every named reason is still needed, and every route of the API was called.
    expect(new Set(unreachable.keys())).toEqual(new Set(Object.keys(UNREACHABLE)));
    expect(new Set(forged.keys())).toEqual(new Set(Object.keys(FORGED)));
    expect(used.refusedBeforeDecision).toEqual(new Set(Object.keys(REFUSED_BEFORE_DECISION)));
    expect(used.refusedByState).toEqual(new Set(Object.keys(REFUSED_BY_STATE)));
    expect(used.deniedWithReason).toEqual(new Set(Object.keys(DENIED_WITH_A_REASON)));
    expect(used.noVisibleState).toEqual(new Set(Object.keys(NO_VISIBLE_STATE)));
    const api = t.server.app.routeActions.filter((r) => r.url.startsWith('/v1')).map((r) => `${r.method} ${r.url}`);
    expect([...routes].sort()).toEqual([...new Set(api)].sort());
    process.stderr.write(
      `matrix over HTTP: ${cells.length} cells; ${checked} checked in ${n('requests')} requests (${kinds.map((k) => `${n(k)} ${k}`).join(', ')}); ` +
        `${n('forged')} of them on a forged state (${[...forged.entries()].map(([r, n]) => `${r}: ${n}`).join(', ')}); ` +
        `${unreached} unreachable (${[...unreachable.entries()].map(([r, xs]) => `${r}: ${xs.length}`).join(', ')})\n`,
    );
  });
});
