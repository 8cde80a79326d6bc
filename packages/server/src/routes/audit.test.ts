import { afterEach, describe, expect, it } from 'vitest';
import { openCheckpoint, parseVerifierKey, verifyConsistency } from '../audit/index.ts';
import { type TestServer, batch, createUser, provision, sessionId, startTestServer } from '../testing/harness.ts';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('audit routes', () => {
  it('logs reads of content for their subject, denials included, and nothing for callers without a token', async () => {
    t = await startTestServer();
    const { admin, subject, device } = await provision(t);
    const ses = sessionId();
    expect((await t.api.call('POST', '/v1/batches', { token: device.token, body: batch(device.id, ses, 0) })).status).toBe(201);
    const before = t.server.lockstep.audit.size();
    expect((await t.api.call('GET', `/v1/sessions/${ses}`)).status).toBe(401);
    expect(t.server.lockstep.audit.size()).toBe(before);
    expect((await t.api.call('GET', `/v1/sessions/${ses}`, { token: admin.token })).status).toBe(403);
    expect((await t.api.call('GET', `/v1/sessions/${ses}`, { token: subject.token })).status).toBe(200);

    const mine = t.server.lockstep.audit.forSubject(subject.id, { limit: 3 });
    expect(mine.map((e) => [e.kind, e.decision, e.actor, e.action, e.resource])).toEqual([
      ['content-access', 'allow', subject.id, 'session.read', `Session::${ses}`],
      ['decision', 'allow', subject.id, 'session.read', `Session::${ses}`],
      ['decision', 'deny', admin.id, 'session.read', `Session::${ses}`],
    ]);
    expect(mine[0]!.detail).toEqual({ events: 10, route: 'GET /v1/sessions/:id' });
    // Enrollment decisions are logged as anonymous.
    expect(t.server.lockstep.audit.list({ limit: 1 })[0]).toMatchObject({ actor: 'anonymous', action: 'enroll', resource: 'Server::lockstep', decision: 'allow' });
    expect(t.server.lockstep.audit.verify().ok).toBe(true);
  });

  it('gives security the entries and signed checkpoints, with proofs between them; others are refused', async () => {
    t = await startTestServer();
    const { admin, subject } = await provision(t);
    const security = await createUser(t.api, admin.token, ['security']);
    expect((await t.api.call('GET', '/v1/audit', { token: subject.token })).status).toBe(403);

    const list = await t.api.call<{ entries: Array<{ seq: number; actor: string; time: string }>; next: number | null }>('GET', '/v1/audit?limit=2', { token: security.token });
    expect(list.status).toBe(200);
    expect(list.body.entries.map((e) => e.seq)).toEqual([0, 1]);
    expect(list.body.next).toBe(1);
    const byActor = await t.api.call<{ entries: Array<{ actor: string }> }>('GET', `/v1/audit?actor=${admin.id}&limit=100`, { token: security.token });
    expect(byActor.body.entries.length).toBeGreaterThan(0);
    expect(byActor.body.entries.every((e) => e.actor === admin.id)).toBe(true);

    const first = await t.api.call<{ checkpoint: string; verifierKey: string; size: number }>('POST', '/v1/audit/checkpoint', { token: security.token, body: {} });
    expect(first.status).toBe(201);
    await t.api.call('GET', '/v1/me', { token: subject.token });
    const second = await t.api.call<{ checkpoint: string; size: number }>('POST', '/v1/audit/checkpoint', { token: security.token, body: {} });
    const verifier = parseVerifierKey(first.body.verifierKey);
    const a = openCheckpoint(first.body.checkpoint, verifier);
    const b = openCheckpoint(second.body.checkpoint, verifier);
    expect(b.size).toBeGreaterThan(a.size);
    const proof = await t.api.call<{ proof: string[] }>('GET', `/v1/audit/consistency?from=${a.size}&to=${b.size}`, { token: security.token });
    verifyConsistency(a.size, b.size, proof.body.proof.map((h) => Buffer.from(h, 'base64')), a.root, b.root);
    const latest = await t.api.call<{ checkpoint: string }>('GET', '/v1/audit/checkpoint', { token: security.token });
    expect(openCheckpoint(latest.body.checkpoint, verifier).size).toBeGreaterThanOrEqual(b.size);
  });
});
