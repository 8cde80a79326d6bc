import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { defaultAuthorizer } from '../policy/authorize.ts';
import { errorHandler } from './errors.ts';
import { authorize, principalRef, requireRouteActions } from './guard.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
});

describe('requireRouteActions', () => {
  it('refuses /v1 routes without a known action or a schema, and records every route', async () => {
    app = Fastify();
    requireRouteActions(app);
    expect(() => app!.get('/v1/anything', async () => ({}))).toThrow(/must declare its Cedar action/);
    expect(() => app!.get('/v1/bogus', { config: { action: 'nope' as never }, schema: {} }, async () => ({}))).toThrow(/unknown Cedar action "nope"/);
    expect(() => app!.get('/v1/schemaless', { config: { action: 'me.read' } }, async () => ({}))).toThrow(/schema/);
    app.get('/v1/fine', { config: { action: 'me.read' }, schema: {} }, async () => ({}));
    app.get('/elsewhere', async () => ({}));
    expect(app.routeActions).toContainEqual({ method: 'GET', url: '/v1/fine', action: 'me.read' });
    expect(app.routeActions).toContainEqual({ method: 'GET', url: '/elsewhere', action: undefined });
  });
});

describe('authorize', () => {
  it("asks about the route's own action and answers 403 with the policy's message", async () => {
    app = Fastify();
    requireRouteActions(app);
    app.setErrorHandler(errorHandler);
    app.decorateRequest('principal', null);
    // The caller's roles come from a header here; the real app resolves a token instead.
    app.get('/v1/sessions/:id', { config: { action: 'session.read' }, schema: {} }, async (request) => {
      request.principal = { kind: 'user', id: 'usr_caller', roles: String(request.headers['x-roles']).split(',') as never };
      return authorize(defaultAuthorizer(), request, { type: 'Session', id: 'ses_1', subject: 'usr_caller', device: 'dev_1' });
    });
    const asAdmin = await app.inject({ method: 'GET', url: '/v1/sessions/ses_1', headers: { 'x-roles': 'admin' } });
    expect(asAdmin.statusCode).toBe(403);
    expect(asAdmin.json()).toEqual({ error: 'forbidden', message: 'only subjects see recorded content, and only their own' });
    const asSubject = await app.inject({ method: 'GET', url: '/v1/sessions/ses_1', headers: { 'x-roles': 'subject' } });
    expect(asSubject.json()).toEqual({ allowed: true, reasons: ['subjects-read-and-delete-their-own-sessions'], messages: [], errors: [] });
  });

  it('maps callers to Cedar principals', () => {
    expect(principalRef(null)).toEqual({ type: 'Anonymous' });
    expect(principalRef({ kind: 'device', id: 'dev_1', subject: 'usr_1' })).toEqual({ type: 'Device', id: 'dev_1', subject: 'usr_1' });
    expect(principalRef({ kind: 'user', id: 'usr_1', roles: ['subject'] })).toEqual({ type: 'User', id: 'usr_1', roles: ['subject'] });
  });
});
