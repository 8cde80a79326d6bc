/**
 * The authorization matrix against a running server over HTTP: a population built for real
 * through the API (subjects with devices, consent, sessions and episodes released or not,
 * datasets, grants approved / denied / revoked / expired / on another dataset, break-glass with
 * one or two approvals or expired), then the cells that matter requested by every role, and the
 * subject's access view compared with exactly the accesses made.
 *
 * Allowed is a 2xx answer and denied a 403. A 404 answers only ids that do not exist (ids are
 * random and unguessable); an existing resource the caller may not touch is a 403 — so a 404
 * here is a failure, not a pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPolicySources } from './authorize.ts';
import { matrixCells } from './matrix.ts';
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
 * Every cell of docs/authorization-matrix.md that has an HTTP form, for every single-role caller
 * that exists over HTTP (subject, researcher, steward, security, admin, a device): the answer
 * must be 2xx where the matrix says allowed and 403 where it says denied. Actions that change or
 * destroy state (approve, revoke, release, delete, erase, withdraw, ingest) are checked by the
 * scenarios above instead, and relationships that cannot arise over HTTP (a researcher's own
 * session, a self-approved grant, another person's /v1/me) are skipped and counted.
 */
describe('every read-only cell of the matrix over HTTP', () => {
  const CALLER: Record<string, string> = { subject: 'alice', researcher: 'rita', steward: 'stew', security: 'sec', admin: 'admin', device: 'device' };
  type Probe = { method: string; path: string } | undefined;
  const probe = (action: string, relation: string, caller: string): Probe => {
    const name = CALLER[caller]!;
    const self = people[name]!.id;
    const get = (path: string): Probe => ({ method: 'GET', path });
    const otherNonSubject = caller === 'admin' ? people.stew!.id : people.admin!.id;
    switch (action) {
      case 'user.list':
        return get('/v1/users');
      case 'program.list':
        return get('/v1/programs');
      case 'dataset.list':
        return get('/v1/datasets');
      case 'grant.list':
        return get('/v1/grants');
      case 'breakglass.list':
        return get('/v1/break-glass');
      case 'audit.read':
        return get('/v1/audit?limit=1');
      case 'audit.checkpoint':
        return get('/v1/audit/checkpoint');
      case 'dataset.read':
        return get(`/v1/datasets/${ids.dataset!}`);
      case 'session.metadata':
        if (caller === 'device') return undefined;
        return get(`/v1/users/${relation === 'themself' ? self : relation === 'another subject' ? people.bob!.id : otherNonSubject}/sessions`);
      case 'access.read':
      case 'consent.read':
      case 'session.list':
      case 'episode.list':
        if (relation !== 'themself') return undefined;
        return get({ 'access.read': '/v1/me/access?limit=1', 'consent.read': '/v1/me/consents', 'session.list': '/v1/sessions', 'episode.list': '/v1/episodes' }[action]);
      case 'session.read':
        if (relation === "another subject's session") return get(`/v1/sessions/${ids.bobSession!}`);
        return caller === 'subject' && relation === 'own session, own device' ? get(`/v1/sessions/${ids.aliceSession!}`) : undefined;
      case 'episode.read': {
        if (caller === 'device') return undefined;
        const byRelation: Record<string, string | undefined> = {
          'own, unreleased': caller === 'subject' ? ids.unreleased : undefined,
          'own, released': caller === 'subject' ? ids.released : undefined,
          "another subject's, unreleased": ids.bobUnreleased,
          "another subject's, released": ids.bobReleased,
        };
        const e = byRelation[relation];
        return e ? get(`/v1/episodes/${e}`) : undefined;
      }
      case 'grant.read': {
        if (caller === 'device') return undefined;
        const m = /^(own|another's) grant, (\w+)$/.exec(relation)!;
        const own = { requested: ids.requested, approved: ids.active, denied: ids.denied, revoked: ids.revoked }[m[2] as 'requested'];
        const g = m[1] === 'own' ? (caller === 'researcher' ? own : undefined) : ids[`rex-${m[2]!}`];
        return g ? get(`/v1/grants/${g}`) : undefined;
      }
      case 'episode.export': {
        if (caller === 'device') return undefined;
        const m = /^(released|unreleased) episode (in the granted dataset|of another dataset); (.*)$/.exec(relation);
        if (!m) return undefined;
        const episode = m[1] === 'released' ? (m[2] === 'in the granted dataset' ? ids.released : undefined) : m[2] === 'of another dataset' ? ids.unreleased : undefined;
        const own: Record<string, string | undefined> = {
          'own grant, active': ids.active,
          'own grant, expired': ids.expiring,
          'own grant, revoked': ids.revoked,
          'own grant, denied': ids.denied,
          'own grant, requested': ids.requested,
        };
        const g = m[3] === "another's grant, active" ? ids['rex-approved'] : caller === 'researcher' ? own[m[3]!] : undefined;
        return episode && g ? get(`/v1/grants/${g}/episodes/${episode}`) : undefined;
      }
      case 'breakglass.read': {
        if (caller === 'device') return undefined;
        const requester: Record<string, string | undefined> = {
          'own break-glass, two other approvers, active': ids.bgActive,
          'own break-glass, steward approval only': ids.bgOne,
          'own break-glass, security approval only': ids.bgSecurityOnly,
          'own break-glass, expired': ids.bgExpiring,
        };
        const bg = relation === "another's break-glass, active" ? (caller === 'security' ? undefined : ids.bgActive) : caller === 'security' ? requester[relation] : undefined;
        return bg ? get(`/v1/break-glass/${bg}/sessions/${ids.aliceSession!}`) : undefined;
      }
      default:
        return undefined;
    }
  };

  it('answers every cell as the matrix says', async () => {
    const cells = matrixCells(readPolicySources()).filter((c) => c.caller in CALLER);
    const mismatches: string[] = [];
    let checked = 0;
    for (const cell of cells) {
      const p = probe(cell.action, cell.relation, cell.caller);
      if (!p) continue;
      const who = people[CALLER[cell.caller]!]!;
      const res = await t.api.call(p.method, p.path, { token: who.token });
      checked++;
      const ok = cell.allowed ? res.status >= 200 && res.status < 300 : res.status === 403;
      if (!ok) mismatches.push(`${cell.caller} ${cell.action} on ${cell.relation}: matrix says ${cell.allowed ? 'allow' : 'deny'}, ${p.method} ${p.path} answered ${res.status}`);
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(150);
    process.stderr.write(`matrix over HTTP: ${checked} cells checked\n`);
  });
});

