import type { FastifyInstance } from 'fastify';
import { ApiFailure } from './errors.ts';

/** A JSON body that tries to set an object's prototype. */
export class PoisonedJsonError extends Error {
  override name = 'PoisonedJsonError';
}

/**
 * Parses a JSON body, refusing `__proto__` and `constructor` keys (prototype poisoning). Most
 * bodies contain neither word nor any \u escape, and go straight to JSON.parse; the others are
 * parsed with a reviver that sees every decoded key. This is what Fastify's default parser
 * guards against too, without its two regular-expression scans over every large batch.
 */
export function parseJsonBody(text: string): unknown {
  if (!text.includes('__proto__') && !text.includes('constructor') && !text.includes('\\u')) return JSON.parse(text);
  return JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__' || key === 'constructor') throw new PoisonedJsonError(`"${key}" is not allowed as a key`);
    return value;
  });
}

/** Makes JSON the only body type the API accepts (anything else is 415). */
export function useJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(new ApiFailure(400, 'invalid_json', 'the request body is empty but declared as JSON'), undefined);
      return;
    }
    try {
      done(null, parseJsonBody(text));
    } catch (error) {
      const message = error instanceof PoisonedJsonError ? `the request body is refused: ${error.message}` : 'the request body is not valid JSON';
      done(new ApiFailure(400, 'invalid_json', message), undefined);
    }
  });
}
