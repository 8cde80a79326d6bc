import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { defaultAuthorizer } from '../policy/authorize.ts';
import { tempLockstep } from '../testing/fixtures.ts';
import { errorHandler } from './errors.ts';
import { PollLog, authorize, principalRef, recordContentAccess, requireRouteActions } from './guard.ts';
import type { RouteDeps } from './types.ts';

let app: FastifyInstance | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await app?.close();
  await cleanup?.();
  app = undefined;
  cleanup = undefined;
});

async function deps(): Promise<RouteDeps> {
  const t = await tempLockstep();
  cleanup = t.cleanup;
  return { lockstep: t.lockstep, authorizer: defaultAuthorizer() };
}

/** An app with one session-read route; the caller's roles come from a header (the real app resolves a token). */
async function sessionApp(d: RouteDeps, after?: () => void): Promise<FastifyInstance> {
  const instance = Fastify();
  requireRouteActions(instance);
  instance.setErrorHandler(errorHandler);
  instance.decorateRequest('principal', null);
  instance.get('/v1/sessions/:id', { config: { action: 'session.read' }, schema: {} }, async (request) => {
    request.principal = { kind: 'user', id: 'usr_caller', roles: String(request.headers['x-roles']).split(',') as never };
    const resource = { type: 'Session' as const, id: 'ses_1', subject: 'usr_caller', device: 'dev_1' };
    const decision = await authorize(d, request, resource, { purpose: 'review' });
    if (request.headers['x-content']) await recordContentAccess(d, request, { resource, subject: 'usr_caller', policies: decision.reasons, detail: { events: 3 } });
    after?.();
    return decision;
  });
  return instance;
}

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
    const d = await deps();
    app = await sessionApp(d);
    const asAdmin = await app.inject({ method: 'GET', url: '/v1/sessions/ses_1', headers: { 'x-roles': 'admin' } });
    expect(asAdmin.statusCode).toBe(403);
    expect(asAdmin.json()).toEqual({ error: 'forbidden', message: 'only subjects see recorded content, and only their own' });
    const asSubject = await app.inject({ method: 'GET', url: '/v1/sessions/ses_1', headers: { 'x-roles': 'subject' } });
    expect(asSubject.json()).toEqual({ allowed: true, reasons: ['subjects-read-and-delete-their-own-sessions'], messages: [], errors: [] });
  });

  it('logs every decision, denied and allowed, durably before answering', async () => {
    const d = await deps();
    app = await sessionApp(d);
    await app.inject({ method: 'GET', url: '/v1/sessions/ses_1', headers: { 'x-roles': 'admin' } });
    await app.inject({ method: 'GET', url: '/v1/sessions/ses_1', headers: { 'x-roles': 'subject', 'x-content': '1' } });
    const entries = d.lockstep.audit.list({ limit: 10 });
    expect(entries.map((e) => [e.kind, e.decision, e.actor, e.action, e.resource, e.subject, e.purpose])).toEqual([
      ['decision', 'deny', 'usr_caller', 'session.read', 'Session::ses_1', 'usr_caller', 'review'],
      ['decision', 'allow', 'usr_caller', 'session.read', 'Session::ses_1', 'usr_caller', 'review'],
      ['content-access', 'allow', 'usr_caller', 'session.read', 'Session::ses_1', 'usr_caller', undefined],
    ]);
    expect(entries[0]!.policies).toEqual(['content-needs-the-subject-role']);
    expect(entries[0]!.actorRoles).toEqual(['admin']);
    expect(entries[1]!.policies).toEqual(['subjects-read-and-delete-their-own-sessions']);
    expect(entries[2]!.detail).toEqual({ events: 3, route: 'GET /v1/sessions/:id' });
    // The subject sees all three, newest first.
    expect(d.lockstep.audit.forSubject('usr_caller', { limit: 10 }).map((e) => e.seq)).toEqual([2, 1, 0]);
    expect(d.lockstep.audit.verify().ok).toBe(true);
  });

  it('refuses the access with 503 when the decision cannot be logged', async () => {
    const d = await deps();
    let ran = false;
    app = await sessionApp(d, () => (ran = true));
    await d.lockstep.audit.close(); // the log is gone: nothing can be appended
    const res = await app.inject({ method: 'GET', url: '/v1/sessions/ses_1', headers: { 'x-roles': 'subject' } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: 'audit-unavailable', message: 'the access could not be logged, so it was refused' });
    expect(ran).toBe(false);
    // Denials are refused the same way (503, not 403: nothing at all is answered unlogged).
    const denied = await app.inject({ method: 'GET', url: '/v1/sessions/ses_1', headers: { 'x-roles': 'admin' } });
    expect(denied.statusCode).toBe(503);
  });

  it('refuses to return content whose access cannot be logged', async () => {
    const d = await deps();
    let ran = false;
    app = await sessionApp(d, () => (ran = true));
    // Make audit.db refuse writes from here on, the way a full disk or a read-only mount would.
    const { default: Database } = await import('better-sqlite3');
    const other = new Database(d.lockstep.audit.paths.db);
    other.exec('CREATE TRIGGER no_content BEFORE INSERT ON entries WHEN NEW.kind = \'content-access\' BEGIN SELECT RAISE(ABORT, \'disk full\'); END');
    other.close();
    const res = await app.inject({ method: 'GET', url: '/v1/sessions/ses_1', headers: { 'x-roles': 'subject', 'x-content': '1' } });
    expect(res.statusCode).toBe(503);
    expect(ran).toBe(false);
    // The decision before it was logged; the failed content entry left no gap.
    expect(d.lockstep.audit.list({ limit: 10 }).map((e) => e.kind)).toEqual(['decision']);
    expect(d.lockstep.audit.size()).toBe(1);
  });

  it('logs a polled status once per answer it gives a caller, and every denial, with the detail given', async () => {
    const d = await deps();
    const seen = new PollLog();
    app = Fastify();
    requireRouteActions(app);
    app.setErrorHandler(errorHandler);
    app.decorateRequest('principal', null);
    app.get('/v1/device/state', { config: { action: 'device.state' }, schema: {} }, async (request) => {
      const device = String(request.headers['x-device']);
      request.principal = { kind: 'device', id: device, subject: 'usr_1' };
      const answer = String(request.headers['x-answer']);
      // dev_2 asks about another device: denied.
      await authorize(d, request, { type: 'Device', id: device === 'dev_2' ? 'dev_1' : device, subject: 'usr_1' }, { poll: { seen, answer }, detail: { answer } });
      return { answer };
    });
    const poll = (device: string, answer: string) => app!.inject({ method: 'GET', url: '/v1/device/state', headers: { 'x-device': device, 'x-answer': answer } });
    for (const [device, answer] of [['dev_1', 'a'], ['dev_1', 'a'], ['dev_1', 'b'], ['dev_1', 'b'], ['dev_1', 'a'], ['dev_3', 'a'], ['dev_2', 'a'], ['dev_2', 'a']] as const) await poll(device, answer);
    expect(d.lockstep.audit.list({ limit: 20 }).map((e) => [e.actor, e.decision, e.detail?.answer])).toEqual([
      ['dev_1', 'allow', 'a'],
      ['dev_1', 'allow', 'b'],
      ['dev_1', 'allow', 'a'],
      ['dev_3', 'allow', 'a'],
      ['dev_2', 'deny', 'a'],
      ['dev_2', 'deny', 'a'],
    ]);
    expect((await poll('dev_2', 'a')).statusCode).toBe(403);
  });

  it('maps callers to Cedar principals', () => {
    expect(principalRef(null)).toEqual({ type: 'Anonymous' });
    expect(principalRef({ kind: 'device', id: 'dev_1', subject: 'usr_1' })).toEqual({ type: 'Device', id: 'dev_1', subject: 'usr_1' });
    expect(principalRef({ kind: 'user', id: 'usr_1', roles: ['subject'] })).toEqual({ type: 'User', id: 'usr_1', roles: ['subject'] });
  });
});
