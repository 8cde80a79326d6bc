/**
 * Exports over HTTP, end to end: a program that names one site, two subjects recorded through
 * the API with identifying details planted in what they did (e-mail, host name, IP-literal
 * origin, device name), their episodes released into a dataset, grants approved; then exports
 * made and downloaded (the bytes checked for every identifier), the access view, the
 * revocation feed after deletion, withdrawal and erasure (verified, and tampered with), and the
 * refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrajectoryRecord } from '@lockstep/trajectory';
import type { CaptureEvent } from '@lockstep/schema';
import { type RevocationFeedResponse, RevocationVerifyError, verifyRevocations } from '../revocations/verify.ts';
import { type Enrolled, type TestServer, acceptNotice, batch, createProgram, enrollAdmin, sessionId, startTestServer } from '../testing/harness.ts';

const DAY = 24 * 3600 * 1000;
const START = Date.UTC(2026, 2, 9, 14, 37, 21, 123);
let now = START;
let t: TestServer;

const EMAIL = 'alice.martin@example.org';
const HOST = 'alice-thinkpad.corp.example';
const DEVICE_NAME = 'Alice MacBook Pro (personal)';
const IP = '10.1.2.3';

interface Person extends Enrolled {
  name: string;
}
const people: Record<string, Person> = {};
const ids: Record<string, string> = {};
let program: { id: string; noticeVersion: number };

async function call<T = Record<string, unknown>>(who: string, method: string, path: string, body?: unknown) {
  return t.api.call<T>(method, path, { token: people[who]!.token, ...(body === undefined ? {} : { body }) });
}
async function must<T = Record<string, unknown>>(who: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await call<T>(who, method, path, body);
  if (res.status >= 300) throw new Error(`${who} ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A user with a label (an account name) and the given roles. */
async function person(name: string, roles: string[], label?: string): Promise<Person> {
  const created = await t.api.call<{ user: { id: string }; enrollmentCode: string }>('POST', '/v1/users', { token: people.admin!.token, body: { roles, ...(label ? { label } : {}) } });
  const enrolled = await t.api.call<{ token: string }>('POST', '/v1/enroll', { body: { code: created.body.enrollmentCode } });
  return (people[name] = { id: created.body.user.id, token: enrolled.body.token, name });
}

/** A named device of the subject, recording for the program. */
async function device(subject: Person, label: string): Promise<Enrolled> {
  const code = await must<{ enrollmentCode: string }>('admin', 'POST', `/v1/users/${subject.id}/device-codes`, { program: program.id });
  const res = await t.api.call<{ token: string; device: { id: string } }>('POST', '/v1/enroll', { body: { code: code.enrollmentCode, platform: 'browser', label } });
  return { id: res.body.device.id, token: res.body.token };
}

const target = (name: string) => ({ tag: 'button', role: 'button', name, selector: `#${name.toLowerCase().replace(/\W+/g, '-')}` });
const field = { tag: 'input', role: 'textbox', name: 'Recipient', selector: '#to' };

/** Two bursts of work far apart (two episodes), with the identifiers planted in pages, URLs and typed text. */
function work(offset: number): CaptureEvent[] {
  const at = (i: number) => offset + i * 400;
  return [
    { seq: 0, t: at(0), type: 'navigation', kind: 'load', url: `http://${IP}:8080/admin/users?who=${encodeURIComponent(EMAIL)}`, title: `Admin on ${HOST}` },
    { seq: 1, t: at(1), type: 'pointer', kind: 'click', x: 120, y: 80, button: 0, target: target('Open') },
    { seq: 2, t: at(2), type: 'navigation', kind: 'load', url: `https://${HOST}/inbox#${EMAIL}`, title: `Inbox of ${EMAIL} on ${HOST}` },
    { seq: 3, t: at(3), type: 'input', value: `send to ${EMAIL}`, inputType: 'insertText', target: field },
    { seq: 4, t: at(4), type: 'navigation', kind: 'load', url: 'https://docs.example.com/guide/exports', title: 'Exports guide' },
    { seq: 5, t: at(5), type: 'pointer', kind: 'click', x: 300, y: 200, button: 0, target: target('Next') },
  ] as CaptureEvent[];
}

/** A subject's session cut into two released, labelled episodes. */
async function recordAndRelease(who: Person, dev: Enrolled): Promise<{ session: string; episodes: string[] }> {
  const ses = sessionId();
  const first = work(0);
  const second = work(600_000).map((e) => ({ ...e, seq: e.seq + first.length }));
  expect((await t.api.call('POST', '/v1/batches', { token: dev.token, body: batch(dev.id, ses, 0, first) })).status).toBe(201);
  expect((await t.api.call('POST', '/v1/batches', { token: dev.token, body: batch(dev.id, ses, 1, second) })).status).toBe(201);
  const list = async () =>
    (await must<{ episodes: Array<{ id: string; session: string; startT: number; reason: string }> }>(who.name, 'GET', '/v1/episodes')).episodes
      .filter((e) => e.session === ses)
      .sort((a, b) => a.startT - b.startT);
  // Each burst moves through three sites, so it is cut at each switch; the subject merges them back.
  const cut = await list();
  expect(cut.map((e) => e.reason)).toEqual(['start', 'app', 'app', 'idle', 'app', 'app']);
  for (let i = cut.length - 1; i > 0; i--) if (cut[i]!.reason === 'app') await must(who.name, 'POST', `/v1/episodes/${cut[i - 1]!.id}/merge`, { with: cut[i]!.id });
  const listed = await list();
  expect(listed).toHaveLength(2);
  for (const [i, e] of listed.entries()) {
    await must(who.name, 'PUT', `/v1/episodes/${e.id}/task`, { task: `review the admin page, part ${i + 1}` });
    await must(who.name, 'POST', `/v1/episodes/${e.id}/release`);
  }
  return { session: ses, episodes: listed.map((e) => e.id) };
}

interface Created {
  id: string;
  grant: string;
  purpose: string;
  program: { id: string; name: string };
  date: string;
  episodes: number;
  manifest: string[];
  revocations: { origin: string; size: number; checkpoint: string; verifierKey: string };
}

const records = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => TrajectoryRecord.parse(JSON.parse(l)));

/** The raw bytes of a download. */
async function download(who: string, exportId: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const res = await fetch(`${t.api.url}/v1/exports/${exportId}/episodes`, { headers: { authorization: `Bearer ${people[who]!.token}` } });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

const feed = (who: string, query = '') => must<RevocationFeedResponse>(who, 'GET', `/v1/exports/revocations${query}`);

let alice: { session: string; episodes: string[]; device: Enrolled };
let bob: { session: string; episodes: string[]; device: Enrolled };
let first: Created;
let second: Created;
let rexExport: Created;

beforeAll(async () => {
  t = await startTestServer({ clock: () => now });
  const admin = await enrollAdmin(t.api, t.server.bootstrapCode);
  people.admin = { ...admin, name: 'admin' };
  program = await createProgram(t.api, admin.token, { name: 'exports test', purposes: ['agent-training', 'evaluation'], idleGapMs: 60_000 });
  await must('admin', 'PUT', `/v1/programs/${program.id}/export`, { exportSites: ['Docs.Example.com'] });
  for (const [name, roles, label] of [
    ['alice', ['subject'], EMAIL],
    ['bob', ['subject'], 'bob@example.org'],
    ['rita', ['researcher']],
    ['rex', ['researcher']],
    ['stew', ['steward']],
  ] as Array<[string, string[], string | undefined]>) {
    await person(name, roles, label);
  }
  for (const name of ['alice', 'bob']) await acceptNotice(t.api, people[name]!.token, program);
  const aliceDevice = await device(people.alice!, DEVICE_NAME);
  const bobDevice = await device(people.bob!, HOST);
  alice = { ...(await recordAndRelease(people.alice!, aliceDevice)), device: aliceDevice };
  bob = { ...(await recordAndRelease(people.bob!, bobDevice)), device: bobDevice };
  ids.dataset = (await must('rita', 'POST', '/v1/datasets', { program: program.id, name: 'all released' })).id as string;
  for (const who of ['rita', 'rex']) {
    const g = await must(who, 'POST', '/v1/grants', { dataset: ids.dataset, purpose: 'agent-training', expiresAt: new Date(now + 30 * DAY).toISOString() });
    await must('stew', 'POST', `/v1/grants/${g.id as string}/approve`);
    ids[`${who}Grant`] = g.id as string;
  }
  now += 3_600_000;
});
afterAll(() => t?.cleanup());

describe('program export settings', () => {
  it('are part of the program, normalised, and refused with the entry named when not a host name (nothing changes)', async () => {
    const listed = (await must<{ programs: Array<{ id: string; exportSites: string[]; exportPageText: boolean }> }>('rita', 'GET', '/v1/programs')).programs.find((p) => p.id === program.id);
    expect(listed).toMatchObject({ exportSites: ['docs.example.com'], exportPageText: false });
    for (const bad of [IP, 'https://docs.example.com', 'docs.example.com:443', '*.example.com', '[::1]', 'docs.example.com/path']) {
      const res = await call('admin', 'PUT', `/v1/programs/${program.id}/export`, { exportSites: ['ok.example.com', bad] });
      expect(res, bad).toMatchObject({ status: 400, body: { error: 'invalid_request', field: 'exportSites[1]' } });
    }
    expect((await call('admin', 'PUT', `/v1/programs/${program.id}/export`, {})).status).toBe(400);
    expect((await call('rita', 'PUT', `/v1/programs/${program.id}/export`, { exportPageText: true })).status).toBe(403);
    const after = (await must<{ programs: Array<{ id: string; exportSites: string[]; exportPageText: boolean }> }>('rita', 'GET', '/v1/programs')).programs.find((p) => p.id === program.id);
    expect(after).toEqual(listed);
    const made = await must('admin', 'POST', '/v1/programs', {
      name: 'with settings',
      purposes: ['evaluation'],
      modalities: ['pointer'],
      retentionDays: 30,
      notice: 'We record how you work.',
      exportSites: ['Wiki.Example.com', 'wiki.example.com'],
      exportPageText: true,
    });
    expect(made).toMatchObject({ exportSites: ['wiki.example.com'], exportPageText: true });
  });
});

describe('making and downloading an export', () => {
  it('makes a manifest of random local ids, with the revocation feed head', async () => {
    first = (await t.api.call<Created>('POST', `/v1/grants/${ids.ritaGrant!}/exports`, { token: people.rita!.token })).body;
    expect(first).toMatchObject({ grant: ids.ritaGrant, purpose: 'agent-training', program: { id: program.id, name: 'exports test' }, date: '2026-03-09', episodes: 4 });
    expect(first.id).toMatch(/^exp_/);
    expect(first.manifest).toHaveLength(4);
    for (const local of first.manifest) expect(local).toMatch(/^ep_[a-z2-7]{16}$/);
    const episodeIds = [...alice.episodes, ...bob.episodes];
    for (const local of first.manifest) for (const e of episodeIds) expect(e).not.toContain(local.slice(3));
    expect(first.revocations.size).toBe(0);
    expect(first.revocations.verifierKey.startsWith(`${first.revocations.origin}+`)).toBe(true);
    expect(first.revocations.origin).toMatch(/\/revocations$/);
    // The same data in the metadata view and the list.
    const detail = await must('rita', 'GET', `/v1/exports/${first.id}`);
    expect(detail).toMatchObject({ id: first.id, manifest: first.manifest, episodes: 4, requester: people.rita!.id });
    expect((await must<{ exports: Array<{ id: string }> }>('rita', 'GET', '/v1/exports')).exports.map((x) => x.id)).toEqual([first.id]);
    second = (await t.api.call<Created>('POST', `/v1/grants/${ids.ritaGrant!}/exports`, { token: people.rita!.token })).body;
    expect(new Set([...first.manifest, ...second.manifest]).size).toBe(8);
    rexExport = (await t.api.call<Created>('POST', `/v1/grants/${ids.rexGrant!}/exports`, { token: people.rex!.token })).body;
    expect(rexExport.episodes).toBe(4);
  });

  it('streams de-identified records whose bytes hold no identifier, with per-export pseudonyms', async () => {
    const res = await download('rita', first.id);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/x-ndjson/);
    const text = res.bytes.toString('utf8');
    const got = records(text);
    expect(got.map((r) => r.id)).toEqual(first.manifest);
    const forbidden = [
      people.alice!.id,
      people.bob!.id,
      alice.session,
      bob.session,
      alice.device.id,
      bob.device.id,
      ...alice.episodes,
      ...bob.episodes,
      EMAIL,
      encodeURIComponent(EMAIL),
      'bob@example.org',
      HOST,
      DEVICE_NAME,
      IP,
      String(START),
      new Date(START).toISOString(),
      new Date(START).toISOString().slice(0, 19),
      'usr_',
      'ses_',
      'dev_',
      'epi_',
    ];
    for (const needle of forbidden) expect(res.bytes.includes(Buffer.from(needle, 'utf8')), needle).toBe(false);
    // Sites: the program's export site by name, every other one as an alias.
    expect(text).toContain('https://docs.example.com/guide/exports');
    expect(text).toContain('.invalid');
    // The task is there; titles are masked to their shape.
    expect(got.map((r) => r.task)).toContain('review the admin page, part 1');
    expect(text).not.toContain('Exports guide');
    // One pseudonym per subject in an export; another in the next export.
    const byLocal = new Map(got.map((r) => [r.id, r.subject]));
    const pseudonyms = new Set(got.map((r) => r.subject));
    expect(pseudonyms.size).toBe(2);
    const again = records((await download('rita', second.id)).bytes.toString('utf8'));
    expect(again).toHaveLength(4);
    for (const r of again) expect(pseudonyms.has(r.subject)).toBe(false);
    expect(byLocal.size).toBe(4);
  });

  it('shows each subject that their episodes were exported and downloaded, by whom, under which grant and purpose', async () => {
    const view = await must<{ entries: Array<{ actor: string; action: string; resource: string; grant: string | null; purpose: string | null; kind: string; decision: string }> }>('alice', 'GET', '/v1/me/access?limit=1000');
    const byRita = view.entries.filter((e) => e.actor === people.rita!.id);
    for (const episode of alice.episodes) {
      const about = byRita.filter((e) => e.resource === `Episode::${episode}`);
      expect(about.filter((e) => e.action === 'export.create' && e.kind === 'decision')).toHaveLength(2);
      expect(about.filter((e) => e.action === 'export.download' && e.kind === 'content-access')).toHaveLength(2);
      for (const e of about) expect(e).toMatchObject({ grant: ids.ritaGrant, purpose: 'agent-training', decision: 'allow' });
    }
    // Bob's episodes are not in Alice's view.
    for (const e of bob.episodes) expect(JSON.stringify(view.entries)).not.toContain(e);
  });

  it('downloads only for the export\'s maker', async () => {
    for (const who of ['rex', 'stew', 'alice', 'admin']) expect((await download(who, first.id)).status, who).toBe(403);
    expect((await call('rex', 'GET', `/v1/exports/${first.id}`)).status).toBe(403);
    expect((await call('stew', 'GET', `/v1/exports/${first.id}`)).status).toBe(200);
    expect((await must<{ exports: Array<{ id: string }> }>('stew', 'GET', '/v1/exports')).exports).toHaveLength(3);
    expect((await must<{ exports: Array<{ id: string }> }>('rex', 'GET', '/v1/exports')).exports.map((x) => x.id)).toEqual([rexExport.id]);
    expect((await call('rita', 'GET', '/v1/exports/exp_00000000000000000000')).status).toBe(404);
    expect((await call('rita', 'GET', '/v1/exports/not-an-export')).status).toBe(400);
  });

  it('survives a client that goes away mid-download', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.api.url}/v1/exports/${first.id}/episodes`, { headers: { authorization: `Bearer ${people.rita!.token}` }, signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.closed.catch(() => undefined);
    expect((await download('rita', first.id)).status).toBe(200);
  });
});

describe('the revocation feed', () => {
  let before: RevocationFeedResponse;
  let deleted: { episode: string; inFirst: string; inSecond: string };

  it('lists the local ids of a deleted episode for every export that holds it, signed and provable', async () => {
    before = await feed('rita');
    expect(before).toMatchObject({ size: 0, entries: [], since: 0 });
    expect(verifyRevocations(before, first.revocations.verifierKey, { previous: first.revocations.checkpoint })).toMatchObject({ size: 0, entries: [] });

    // Alice deletes her first episode: its records in both of Rita's exports and in Rex's are revoked.
    const episode = alice.episodes[0]!;
    expect((await call('alice', 'DELETE', `/v1/episodes/${episode}`)).status).toBe(204);

    const after = await feed('rita', `?since=${before.size}`);
    expect(after.size).toBe(3);
    expect(after.entries).toHaveLength(2);
    const verified = verifyRevocations(after, first.revocations.verifierKey);
    expect(verified.entries.map((e) => e.export).sort()).toEqual([first.id, second.id].sort());
    for (const e of verified.entries) expect(e).toMatchObject({ reason: 'deleted', day: '2026-03-09' });
    const inFirst = verified.entries.find((e) => e.export === first.id)!.local;
    const inSecond = verified.entries.find((e) => e.export === second.id)!.local;
    expect(first.manifest).toContain(inFirst);
    expect(second.manifest).toContain(inSecond);
    deleted = { episode, inFirst, inSecond };

    // The download leaves it out now; a new export does not hold it.
    const now1 = records((await download('rita', first.id)).bytes.toString('utf8'));
    expect(now1.map((r) => r.id)).toEqual(first.manifest.filter((l) => l !== inFirst));
    const third = (await t.api.call<Created>('POST', `/v1/grants/${ids.ritaGrant!}/exports`, { token: people.rita!.token })).body;
    expect(third.episodes).toBe(3);
    expect(third.revocations.size).toBe(3);
  });

  it('fails verification when an entry, a proof, the note or the key is tampered with', async () => {
    const answer = await feed('rita');
    const key = first.revocations.verifierKey;
    expect(() => verifyRevocations(answer, key)).not.toThrow();
    const copy = (): RevocationFeedResponse => JSON.parse(JSON.stringify(answer)) as RevocationFeedResponse;
    const tampered: Array<[string, RevocationFeedResponse]> = [];
    let c = copy();
    c.entries[0]!.local = first.manifest.find((l) => l !== c.entries[0]!.local)!;
    tampered.push(['another local id', c]);
    c = copy();
    c.entries[0]!.reason = c.entries[0]!.reason === 'deleted' ? 'withdrawn' : 'deleted';
    tampered.push(['another reason', c]);
    c = copy();
    c.entries[0]!.day = '2026-03-10';
    tampered.push(['another day', c]);
    c = copy();
    c.entries[0]!.index = c.entries[1]!.index;
    tampered.push(['another index', c]);
    c = copy();
    c.entries[0]!.proof = [...c.entries[0]!.proof].reverse();
    if (c.entries[0]!.proof.length > 1) tampered.push(['a reordered proof', c]);
    c = copy();
    c.checkpoint = c.checkpoint.replace(`\n${answer.size}\n`, `\n${answer.size + 1}\n`);
    c.size = answer.size + 1;
    tampered.push(['a note saying another size', c]);
    c = copy();
    const lines = c.checkpoint.split('\n');
    lines[2] = Buffer.alloc(32, 7).toString('base64');
    c.checkpoint = lines.join('\n');
    c.root = lines[2];
    tampered.push(['a note with another root', c]);
    c = copy();
    c.entries = [...c.entries, { ...c.entries[0]!, index: answer.size - 1, local: 'ep_aaaaaaaaaaaaaaaa' }];
    tampered.push(['an invented entry', c]);
    for (const [what, bad] of tampered) expect(() => verifyRevocations(bad, key), what).toThrow(RevocationVerifyError);
    // Another server's key.
    const otherKey = key.replace(/^([^+]+)\+/, 'example.org/revocations+');
    expect(() => verifyRevocations(answer, otherKey)).toThrow(RevocationVerifyError);
  });

  it('gives each researcher the entries of their own exports only, a steward all, with proofs against the same root', async () => {
    const rita = await feed('rita');
    const rex = await feed('rex');
    const stew = await feed('stew');
    expect(rita.root).toBe(rex.root);
    expect(rita.entries.every((e) => e.export !== rexExport.id)).toBe(true);
    expect(rex.entries.map((e) => e.export)).toEqual([rexExport.id]);
    expect(stew.entries).toHaveLength(3);
    for (const answer of [rita, rex, stew]) verifyRevocations(answer, first.revocations.verifierKey);
    expect(rex.entries.map((e) => e.local)).not.toContain(deleted.inFirst);
    for (const who of ['alice', 'admin']) expect((await call(who, 'GET', '/v1/exports/revocations')).status, who).toBe(403);
    expect(await call('rita', 'GET', `/v1/exports/revocations?since=${rita.size + 1}`)).toMatchObject({ status: 400, body: { field: 'since' } });
  });

  it('announces withdrawal and erasure too, and proves the feed only grew since the last checkpoint kept', async () => {
    const kept = await feed('rita');
    // Bob withdraws consent without keeping what he released; an admin erases Alice.
    expect((await call('bob', 'POST', `/v1/me/consents/${program.id}/withdraw`, {})).status).toBe(200);
    now += DAY;
    expect((await call('admin', 'DELETE', `/v1/subjects/${people.alice!.id}`)).status).toBe(204);
    const next = await feed('rita', `?since=${kept.size}`);
    const verified = verifyRevocations(next, first.revocations.verifierKey, { previous: kept.checkpoint });
    expect(verified.extends).toBe(kept.size);
    // Bob's two episodes and Alice's second, in each of Rita's three exports that hold them.
    const withdrawn = verified.entries.filter((e) => e.reason === 'withdrawn');
    const erased = verified.entries.filter((e) => e.reason === 'deleted');
    expect(withdrawn).toHaveLength(6);
    expect(erased).toHaveLength(3);
    for (const e of withdrawn) expect(e.day).toBe('2026-03-09');
    for (const e of erased) expect(e.day).toBe('2026-03-10');
    // Nothing is left to download; the kept checkpoint is not the one of another size.
    expect(records((await download('rita', first.id)).bytes.toString('utf8'))).toEqual([]);
    expect(() => verifyRevocations(next, first.revocations.verifierKey, { previous: next.checkpoint })).toThrow(/previous checkpoint has size/);
    // Paging: one entry at a time, the same since.
    const page = await feed('rita', `?since=${kept.size}&limit=1`);
    expect(page.entries.map((e) => e.index)).toEqual([next.entries[0]!.index]);
    expect(page.next).toBe(next.entries[1]!.index);
    verifyRevocations(page, first.revocations.verifierKey, { previous: kept.checkpoint });
    const rest = await feed('rita', `?since=${kept.size}&from=${page.next!}`);
    expect(rest.entries.map((e) => e.index)).toEqual(next.entries.slice(1).map((e) => e.index));
    expect(rest.next).toBeNull();
    verifyRevocations(rest, first.revocations.verifierKey, { previous: kept.checkpoint });
  });
});

describe('refusals', () => {
  it('tells the requester why an export is refused when the grant is not active, and what to do; others get 403', async () => {
    const grant = await must('rita', 'POST', '/v1/grants', { dataset: ids.dataset, purpose: 'evaluation', expiresAt: new Date(now + DAY).toISOString() });
    const requested = await call('rita', 'POST', `/v1/grants/${grant.id as string}/exports`);
    expect(requested).toMatchObject({ status: 409, body: { error: 'grant-not-active' } });
    expect((requested.body as { message: string }).message).toContain('approve');
    expect((await call('rex', 'POST', `/v1/grants/${grant.id as string}/exports`)).status).toBe(403);
    // Rex's grant, revoked: no new export, no download of the old one.
    await must('stew', 'POST', `/v1/grants/${ids.rexGrant!}/revoke`);
    const revoked = await call('rex', 'POST', `/v1/grants/${ids.rexGrant!}/exports`);
    expect(revoked).toMatchObject({ status: 409, body: { error: 'grant-not-active' } });
    expect((revoked.body as { message: string }).message).toMatch(/revoked.*POST \/v1\/grants/);
    const download_ = await call('rex', 'GET', `/v1/exports/${rexExport.id}/episodes`);
    expect(download_).toMatchObject({ status: 409, body: { error: 'grant-not-active' } });
    // An expired one.
    now += 31 * DAY;
    expect(await call('rita', 'GET', `/v1/exports/${first.id}/episodes`)).toMatchObject({ status: 409, body: { error: 'grant-not-active' } });
    expect((await call('rita', 'GET', `/v1/exports/${first.id}`)).status).toBe(200);
  });
});
