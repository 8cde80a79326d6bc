import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { makeBatch } from '@lockstep/schema';
import { type TestServer, acceptNotice, batch, createProgram, events, sessionId, startTestServer } from '../testing/harness.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ logLevel: 'trace' });
});
afterAll(() => t.cleanup());

describe('logs', () => {
  it('never contain tokens, enrollment codes, bodies or event content', async () => {
    const password = 'Tr0ub4dor&3-correct-horse-battery';
    const { api } = t;
    const secrets: string[] = [password, t.server.bootstrapCode];

    const admin = await api.call<{ token: string }>('POST', '/v1/enroll', { body: { code: t.server.bootstrapCode, label: password } });
    const created = await api.call<{ user: { id: string }; enrollmentCode: string }>('POST', '/v1/users', { token: admin.body.token, body: { roles: ['subject'], label: password } });
    const subject = await api.call<{ token: string }>('POST', '/v1/enroll', { body: { code: created.body.enrollmentCode } });
    const program = await createProgram(api, admin.body.token);
    await acceptNotice(api, subject.body.token, program);
    const code = await api.call<{ enrollmentCode: string }>('POST', `/v1/users/${created.body.user.id}/device-codes`, { token: admin.body.token, body: { program: program.id } });
    const device = await api.call<{ token: string; device: { id: string } }>('POST', '/v1/enroll', { body: { code: code.body.enrollmentCode, label: password } });
    secrets.push(admin.body.token, created.body.enrollmentCode, subject.body.token, code.body.enrollmentCode, device.body.token);

    const ses = sessionId();
    const withPassword = events(0, 6, { value: password });
    expect((await api.call('POST', '/v1/batches', { token: device.body.token, body: batch(device.body.device.id, ses, 0, withPassword) })).status).toBe(201);
    expect((await api.call('GET', `/v1/sessions/${ses}?q=${password}`, { token: subject.body.token })).status).toBe(200);
    // Failures that carry the secret: a bad event, broken JSON, a bad checksum, a token-shaped guess.
    const bad = makeBatch(device.body.device.id, ses, 1, [{ seq: 0, t: 0, type: 'input', value: password, target: { tag: 'input', selector: 7 } } as never]);
    expect((await api.call('POST', '/v1/batches', { token: device.body.token, body: bad })).status).toBe(400);
    expect((await api.call('POST', '/v1/batches', { token: device.body.token, raw: `{"events": ["${password}` })).status).toBe(400);
    expect((await api.call('POST', '/v1/batches', { token: device.body.token, body: { ...batch(device.body.device.id, ses, 2), checksum: password } })).status).toBe(400);
    expect((await api.call('GET', '/v1/me', { token: `lsu_${password}` })).status).toBe(401);
    // A 500: a chunk altered on disk.
    const db = new Database(t.server.lockstep.paths.db);
    db.prepare("UPDATE chunks SET ciphertext = x'00112233445566778899aabbccddeeff0011' WHERE session_id = ?").run(ses);
    db.close();
    expect((await api.call('GET', `/v1/sessions/${ses}`, { token: subject.body.token })).status).toBe(500);

    const text = t.logs.join('');
    expect(t.logs.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(text.includes(secret), `log contains ${secret.slice(0, 6)}…`).toBe(false);
      expect(text.includes(secret.replaceAll('-', '')), `log contains ${secret.slice(0, 6)}…`).toBe(false);
    }
    expect(text).not.toContain(ses); // routes are logged by pattern, not by URL
    expect(text).not.toContain('typed'); // other event content either

    const requests = t.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(12);
    for (const line of requests) {
      expect(Object.keys(line).sort()).toEqual(['hostname', 'level', 'method', 'ms', 'msg', 'pid', 'reqId', 'route', 'status', 'time'].sort());
    }
    expect(requests).toContainEqual(expect.objectContaining({ method: 'GET', route: '/v1/sessions/:id', status: 200 }));
  });
});
