import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { type App, buildApp } from './app.ts';
import { type EmbeddedLockstep, openLockstep } from './lockstep.ts';
import { ACTIONS } from './policy/authorize.ts';

let dir: string;
let lockstep: EmbeddedLockstep;
let app: App;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lockstep-app-'));
  lockstep = await openLockstep(join(dir, 'data'));
  app = await buildApp({ lockstep, logLevel: 'silent' });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await lockstep.close();
  rmSync(dir, { recursive: true, force: true });
});

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** A schema and every schema nested in it, with where each sits. */
function* schemas(schema: unknown, at: string): Generator<[string, Json]> {
  if (!isObject(schema)) return;
  yield [at, schema];
  for (const [name, sub] of Object.entries((schema.properties ?? {}) as Json)) yield* schemas(sub, `${at}.${name}`);
  if (isObject(schema.additionalProperties)) yield* schemas(schema.additionalProperties, `${at}.*`);
  yield* schemas(schema.items, `${at}[]`);
  for (const k of ['oneOf', 'anyOf', 'allOf']) for (const [i, sub] of ((schema[k] ?? []) as unknown[]).entries()) yield* schemas(sub, `${at}|${k}${i}`);
}

/** The schemas of an operation's parameters, body and responses. */
function* operationSchemas(op: Json, where: string): Generator<[string, Json]> {
  for (const p of (op.parameters ?? []) as Json[]) yield* schemas(p.schema, `${where} param ${String(p.name)}`);
  for (const media of Object.values(((op.requestBody as Json | undefined)?.content ?? {}) as Record<string, Json>)) yield* schemas(media.schema, `${where} body`);
  for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
    for (const media of Object.values((response.content ?? {}) as Record<string, Json>)) yield* schemas(media.schema, `${where} ${status}`);
  }
}

describe('routes', () => {
  it('declare a known Cedar action for every route under /v1', () => {
    const v1 = app.routeActions.filter((r) => r.url.startsWith('/v1'));
    expect(v1.length).toBeGreaterThanOrEqual(9);
    for (const route of v1) expect(ACTIONS, `${route.method} ${route.url}`).toContain(route.action);
    // …and every action has a route.
    expect(new Set(v1.map((r) => r.action))).toEqual(new Set(ACTIONS));
  });

  it('answer /healthz without a token, and unknown routes in the error shape', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
    const missing = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found', message: 'no such route' });
  });
});

describe('GET /openapi.json', () => {
  let doc: Json;
  beforeAll(async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });

  it('is an OpenAPI 3.0 document with the required fields', () => {
    const shape = z.object({
      openapi: z.string().regex(/^3\.0\.\d+$/),
      info: z.object({ title: z.string().min(1), version: z.string().min(1) }),
      paths: z.record(z.string().regex(/^\//), z.record(z.string(), z.unknown())),
      components: z.object({ securitySchemes: z.record(z.string(), z.object({ type: z.string() })) }).optional(),
    });
    expect(shape.safeParse(doc).error).toBeUndefined();
  });

  it('lists every route with its method, and nothing hidden', () => {
    const paths = doc.paths as Record<string, Json>;
    const listed = new Set(Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops).filter((k) => METHODS.includes(k)).map((m) => `${m.toUpperCase()} ${p}`)));
    const registered = app.routeActions
      .filter((r) => r.url !== '/openapi.json')
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(new Set(registered)).toEqual(listed);
    expect(listed.size).toBeGreaterThanOrEqual(10);
  });

  it('describes operations validly: responses, path parameters, security, schemas in the 3.0 dialect', () => {
    const schemes = Object.keys((doc.components as { securitySchemes: Json }).securitySchemes);
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Json>)) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        if (!METHODS.includes(method) || !isObject(op)) continue;
        const where = `${method} ${path}`;
        const responses = op.responses as Record<string, Json>;
        expect(Object.keys(responses).length, where).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(responses)) {
          expect(status, where).toMatch(/^[1-5]\d\d$|^default$/);
          expect(typeof response.description, `${where} ${status}`).toBe('string');
        }
        const params = ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'path');
        expect(params.map((p) => p.name).sort(), where).toEqual([...templated].sort());
        for (const p of params) expect(p.required, where).toBe(true);
        for (const requirement of (op.security ?? []) as Json[]) for (const name of Object.keys(requirement)) expect(schemes, where).toContain(name);
        if (path.startsWith('/v1') && path !== '/v1/enroll') expect(op.security, where).toBeDefined();
        let count = 0;
        for (const [at, schema] of operationSchemas(op, where)) {
          count++;
          // OpenAPI 3.0 schemas: no JSON Schema 2020 keywords, single types, boolean exclusive bounds, no refs.
          for (const k of ['$schema', 'const', '$ref', 'prefixItems', '$defs']) expect(schema[k], `${at} ${k}`).toBeUndefined();
          if ('type' in schema) expect(['string', 'number', 'integer', 'boolean', 'array', 'object'], at).toContain(schema.type);
          for (const k of ['exclusiveMinimum', 'exclusiveMaximum']) if (k in schema) expect(typeof schema[k], at).toBe('boolean');
          if (schema.type === 'array') expect(isObject(schema.items), at).toBe(true);
          if (Array.isArray(schema.required)) for (const r of schema.required) expect(Object.keys(schema.properties as Json), at).toContain(r);
        }
        expect(count, where).toBeGreaterThan(0);
      }
    }
  });
});
