import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, createUser, enrollDevice, provision, startTestServer } from '../testing/harness.ts';

let t: TestServer;
let people: Awaited<ReturnType<typeof provision>>;
beforeAll(async () => {
  t = await startTestServer();
  people = await provision(t);
});
afterAll(() => t.cleanup());

describe('users and device codes', () => {
  it('lets only admins create users and device codes, and only for subjects', async () => {
    const admin = people.admin.token;
    const subject = await createUser(t.api, admin);
    const onlyAdmin = await createUser(t.api, admin, ['admin']);
    const device = await enrollDevice(t.api, admin, subject.id);

    expect((await t.api.call('POST', '/v1/users', { token: subject.token, body: { roles: ['admin'] } })).status).toBe(403);
    expect((await t.api.call('POST', '/v1/users', { token: device.token, body: { roles: ['subject'] } })).status).toBe(403);
    expect((await t.api.call('POST', `/v1/users/${subject.id}/device-codes`, { token: subject.token })).status).toBe(403);
    expect((await t.api.call('POST', `/v1/users/${onlyAdmin.id}/device-codes`, { token: admin })).status).toBe(403);
    const unknown = await t.api.call('POST', '/v1/users/usr_00000000000000000000/device-codes', { token: admin });
    expect(unknown).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('validates bodies and names the field', async () => {
    const admin = people.admin.token;
    expect(await t.api.call('POST', '/v1/users', { token: admin, body: { roles: [] } })).toMatchObject({ status: 400, body: { error: 'invalid_request', field: 'roles' } });
    expect(await t.api.call('POST', '/v1/users', { token: admin, body: { roles: ['root'] } })).toMatchObject({ status: 400, body: { field: 'roles[0]' } });
    expect(await t.api.call('POST', '/v1/users', { token: admin, body: { roles: ['subject'], extra: 1 } })).toMatchObject({ status: 400, body: { field: 'extra' } });
    expect(await t.api.call('POST', '/v1/users/not-an-id/device-codes', { token: admin })).toMatchObject({ status: 400, body: { field: 'id' } });
    const subject = await createUser(t.api, admin);
    expect(await t.api.call('POST', `/v1/users/${subject.id}/device-codes`, { token: admin, body: { ttl: 5 } })).toMatchObject({ status: 400, body: { field: 'ttl' } });
    expect((await t.api.call('POST', `/v1/users/${subject.id}/device-codes`, { token: admin, body: {} })).status).toBe(201);
  });
});
