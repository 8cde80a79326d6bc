import { BatchEnvelope, BatchReceipt } from '@lockstep/schema';
import { ingestPrepared } from '../content/ingest.ts';
import { checkCapture } from '../domain/consent.ts';
import { checkDesktopEvents } from '../domain/desktop.ts';
import type { PreparedBatch } from '../content/prepare.ts';
import { createPreparePool } from '../content/prepare-pool.ts';
import { ApiFailure, RequestValidationError } from '../http/errors.ts';
import { authorize, caller } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { validatorCompiler } from '../http/validation.ts';
import { bearer, errors } from './shapes.ts';

export function batchRoutes(app: App, deps: RouteDeps): void {
  // Its own scope: batch bodies are parsed, checked against their checksum, validated and
  // compressed by prepareBatch, on worker threads, before the handler runs; the failures are
  // the same 400s (invalid_json, checksum_mismatch, invalid_request naming the field) in the
  // same order as elsewhere. Sealing and the commit stay on this thread.
  void app.register(async (scope) => {
    const pool = createPreparePool();
    const prepared = new WeakSet<PreparedBatch>();
    scope.addHook('onClose', async () => pool.close());
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (_request: unknown, body: Buffer | string) => {
      const result = await pool.prepare(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
      if (!result.ok) {
        throw result.kind === 'invalid' ? new RequestValidationError(result.message, result.field) : new ApiFailure(400, result.error, result.message, result.field);
      }
      prepared.add(result);
      return result;
    });

    scope.post(
      '/v1/batches',
      {
        config: { action: 'batch.ingest' },
        schema: {
          summary: 'Upload a batch of events (device)',
          description:
            'Idempotent on (session, seq): the same batch again is answered 200 with duplicate=true and stored once; a different batch under a stored (session, seq) is 409. ' +
            'Batches may arrive in any order. A 201 or 200 is sent only once the batch is durably committed. ' +
            "A batch holding a `window` event of an app outside the program's desktopApps, or a `frame` while its screenshots are off, is refused whole (400 not-allowed, naming the event) and nothing of it is stored. " +
            'A paused program still accepts batches (what was captured before the pause is kept); its devices stop capturing when their state (GET /v1/device/state) shows the pause.',
          tags: ['ingest'],
          security: bearer,
          body: BatchEnvelope,
          response: { 200: BatchReceipt, 201: BatchReceipt, ...errors(400, 401, 403, 409, 410, 413) },
        },
        // A body that went through the parser above is already validated; anything else (no body) is checked here.
        validatorCompiler: (route) => {
          const validate = validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]);
          return (data) => (prepared.has(data as PreparedBatch) ? { value: data } : validate(data));
        },
      },
      async (request, reply) => {
        const me = caller(request);
        const { batch } = request.body as unknown as PreparedBatch;
        const existing = await deps.lockstep.store.sessions.get(batch.session);
        // A session is bound on its first batch to the uploading device and its subject.
        const bound = existing
          ? { subject: existing.subjectId, device: existing.deviceId }
          : { subject: me.kind === 'device' ? me.subject : '', device: me.kind === 'device' ? me.id : batch.device };
        await authorize(deps, request, { type: 'Session', id: batch.session, ...bound });
        if (me.kind !== 'device') throw new ApiFailure(403, 'forbidden', 'only devices upload batches');
        if (batch.device !== me.id) throw new ApiFailure(403, 'forbidden', "the batch names another device than the token's", 'device');
        // Consent first: only while the subject has accepted the current notice of the device's program (403 consent-required).
        const program = await checkCapture(deps.lockstep, (await deps.lockstep.store.devices.get(me.id)) ?? { id: me.id, subjectId: me.subject, programId: null });
        // Only what the program records on the desktop: its apps, and screenshots if it takes them (400 not-allowed).
        const prepared = request.body as unknown as PreparedBatch;
        checkDesktopEvents(program, prepared.desktop);
        const result = await ingestPrepared(deps.lockstep, { id: me.id, subjectId: me.subject }, prepared);
        switch (result.outcome) {
          case 'stored':
            return reply.code(201).send(result.receipt);
          case 'duplicate':
            return reply.code(200).send(result.receipt);
          case 'conflict':
            throw new ApiFailure(409, 'conflict', `batch ${batch.seq} of this session is already stored with a different checksum`, 'seq');
          case 'deleted':
            throw new ApiFailure(410, 'gone', 'this session was deleted; start a new session');
          case 'not-bound':
            throw new ApiFailure(403, 'forbidden', 'this session belongs to another device');
          case 'revoked':
            throw new ApiFailure(403, 'forbidden', 'this device has been revoked');
        }
      },
    );
  });
}
