import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify';

/** Where log lines go: anything with write(line). */
export interface LogStream {
  write(line: string): unknown;
}

/**
 * Logger settings: JSON lines, one per request, with method, route pattern, status, latency and
 * request id — never headers, URLs with their query, bodies, tokens or codes. Request logging
 * by Fastify itself is off; `logRequests` adds the one line per request.
 */
export function loggerOptions(stream: LogStream | undefined, level: string): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    serializers: {
      req: (req: { method?: string }) => ({ method: req.method }),
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
      // Errors can carry input (a raw HTTP packet, a parser's excerpt): keep only what kind they are.
      err: (err: FastifyError) => ({ type: err.name, code: err.code, message: '[omitted]', stack: '[omitted]' }),
    },
    redact: {
      paths: ['req.headers', 'req.body', 'req.url', 'headers', 'body', 'token', 'code', 'enrollmentCode', '*.token', '*.code', '*.enrollmentCode'],
      censor: '[redacted]',
    },
  };
}

export function logRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, route: request.routeOptions.url ?? '(no route)', status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 },
      'request',
    );
  });
}
