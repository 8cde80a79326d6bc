import { createHash } from 'node:crypto';
import { BatchEnvelope, BatchReceipt } from '@lockstep/schema';
import { ingestBatch } from '../content/ingest.ts';
import { ApiFailure } from '../http/errors.ts';
import { authorize, caller } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { bearer, errors } from './shapes.ts';

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function batchRoutes(app: App, deps: RouteDeps): void {
  app.post(
    '/v1/batches',
    {
      config: { action: 'batch.ingest' },
      schema: {
        summary: 'Upload a batch of events (device)',
        description:
          'Idempotent on (session, seq): the same batch again is answered 200 with duplicate=true and stored once; a different batch under a stored (session, seq) is 409. ' +
          'Batches may arrive in any order. A 201 or 200 is sent only once the batch is durably committed.',
        tags: ['ingest'],
        security: bearer,
        body: BatchEnvelope,
        response: { 200: BatchReceipt, 201: BatchReceipt, ...errors(400, 401, 403, 409, 410, 413) },
      },
      // The checksum covers the events exactly as sent, so it is checked before validation.
      preValidation: async (request) => {
        const body = request.body;
        if (!isRecord(body) || !Array.isArray(body.events) || typeof body.checksum !== 'string') return;
        const json = JSON.stringify(body.events);
        const actual = createHash('sha256').update(json, 'utf8').digest('hex');
        if (actual !== body.checksum) {
          throw new ApiFailure(400, 'checksum_mismatch', 'checksum does not match the SHA-256 of the events as received', 'checksum');
        }
        request.eventsJson = json;
      },
    },
    async (request, reply) => {
      const me = caller(request);
      const batch = request.body;
      const existing = await deps.lockstep.store.sessions.get(batch.session);
      // A session is bound on its first batch to the uploading device and its subject.
      const bound = existing
        ? { subject: existing.subjectId, device: existing.deviceId }
        : { subject: me.kind === 'device' ? me.subject : '', device: me.kind === 'device' ? me.id : batch.device };
      authorize(deps.authorizer, request, { type: 'Session', id: batch.session, ...bound });
      if (me.kind !== 'device') throw new ApiFailure(403, 'forbidden', 'only devices upload batches');
      if (batch.device !== me.id) throw new ApiFailure(403, 'forbidden', "the batch names another device than the token's", 'device');
      const result = await ingestBatch(deps.lockstep, {
        device: { id: me.id, subjectId: me.subject },
        batch,
        eventsJson: request.eventsJson ?? undefined,
      });
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
}
