import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiError } from '@lockstep/schema';

/** An error the API reports to the caller as `{ error, message, field? }`. */
export class ApiFailure extends Error {
  override name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  toBody(): ApiError {
    return this.field === undefined ? { error: this.error, message: this.message } : { error: this.error, message: this.message, field: this.field };
  }
}

export const unauthorized = () => new ApiFailure(401, 'unauthorized', 'a valid bearer token is required (Authorization: Bearer <token>)');
export const forbidden = (message: string) => new ApiFailure(403, 'forbidden', message);
export const notFound = (what: string) => new ApiFailure(404, 'not_found', `${what} not found`);

/** A request part failed its schema; `field` names the first offending input. */
export class RequestValidationError extends Error {
  override name = 'RequestValidationError';
  readonly statusCode = 400;
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

const fastifyErrors: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'the request body is larger than the server accepts'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'the request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json', 'the request body is empty but declared as JSON'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'send the body as application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'the Content-Length header does not match the body'],
};

/**
 * Turns every error into the API's error shape. Messages of unexpected errors are neither sent
 * nor logged (they could quote input); the log gets the error's type and code and where it was
 * thrown.
 */
export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof ApiFailure) {
    void reply.code(error.status).send(error.toBody());
    return;
  }
  if (error instanceof RequestValidationError) {
    void reply.code(400).send({ error: 'invalid_request', message: `${error.field}: ${error.message}`, field: error.field });
    return;
  }
  const code = (error as FastifyError).code;
  const known = code === undefined ? undefined : fastifyErrors[code];
  if (known) {
    void reply.code(known[0]).send({ error: known[1], message: known[2] });
    return;
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    void reply.code(status).send({ error: 'bad_request', message: 'the request could not be processed' });
    return;
  }
  request.log.error({ error: { type: error.name, code, frames: stackFrames(error) } }, 'request failed');
  void reply.code(500).send({ error: 'internal', message: 'internal error' });
}

/** The "at …" lines of a stack: where, never what (the first line carries the message). */
function stackFrames(error: Error): string[] {
  return (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 8)
    .map((line) => line.trim());
}

export function notFoundHandler(_request: FastifyRequest, reply: FastifyReply): void {
  void reply.code(404).send({ error: 'not_found', message: 'no such route' });
}
