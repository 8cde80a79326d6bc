import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, provision, startTestServer } from '../testing/harness.ts';

let t: TestServer;
let people: Awaited<ReturnType<typeof provision>>;
beforeAll(async () => {
  t = await startTestServer();
  people = await provision(t);
});
afterAll(() => t.cleanup());

describe('GET /v1/me', () => {
  it('says who a user or device token is', async () => {
    expect(await t.api.call('GET', '/v1/me', { token: people.subject.token })).toEqual({ status: 200, body: { kind: 'user', id: people.subject.id, roles: ['subject'] } });
    expect(await t.api.call('GET', '/v1/me', { token: people.device.token })).toEqual({ status: 200, body: { kind: 'device', id: people.device.id, subject: people.subject.id } });
  });

  it('requires a known token everywhere but enrollment', async () => {
    const none = await t.api.call('GET', '/v1/me');
    expect(none).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(typeof (none.body as { message: unknown }).message).toBe('string');
    expect((await t.api.call('GET', '/v1/me', { token: `lsu_${'A'.repeat(43)}` })).status).toBe(401);
    expect((await t.api.call('POST', '/v1/users', { body: { roles: ['subject'] } })).status).toBe(401);
  });
});
