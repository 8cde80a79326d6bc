import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { ApiFailure, RequestValidationError, errorHandler, notFoundHandler } from './errors.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
});

function appWith(thrower: () => never, lines: string[]) {
  app = Fastify({ logger: { level: 'info', stream: { write: (l: string) => lines.push(l) } } });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.get('/boom', async () => thrower());
  return app;
}

describe('errorHandler', () => {
  it('sends API failures as they are', async () => {
    const res = await appWith(() => {
      throw new ApiFailure(409, 'conflict', 'already there', 'seq');
    }, []).inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: 'conflict', message: 'already there', field: 'seq' });
  });

  it('names the field of validation errors', async () => {
    const res = await appWith(() => {
      throw new RequestValidationError('Invalid input', 'events[2].t');
    }, []).inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_request', message: 'events[2].t: Invalid input', field: 'events[2].t' });
  });

  it('hides the message of unexpected errors from the caller and from the log, keeping where they came from', async () => {
    const lines: string[] = [];
    const res = await appWith(() => {
      throw new TypeError('cannot read "s3cr3t-value"');
    }, lines).inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal', message: 'internal error' });
    const logged = lines.join('');
    expect(logged).not.toContain('s3cr3t-value');
    const entry = lines.map((l) => JSON.parse(l) as { msg: string; error?: { type: string; frames: string[] } }).find((l) => l.msg === 'request failed');
    expect(entry?.error?.type).toBe('TypeError');
    expect(entry?.error?.frames.length).toBeGreaterThan(0);
  });

  it('answers unknown routes in the same shape', async () => {
    const res = await appWith(() => {
      throw new Error('unused');
    }, []).inject({ method: 'GET', url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not_found', message: 'no such route' });
  });
});
