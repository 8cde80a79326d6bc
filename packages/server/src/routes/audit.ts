import { z } from 'zod';
import type { AuditRecord } from '../audit/index.ts';
import { ApiFailure } from '../http/errors.ts';
import { authorize } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { EmptyBody, bearer, errors } from './shapes.ts';

/**
 * The audit log over HTTP. Checkpoints and proofs reveal only sizes and hashes (audit.checkpoint);
 * entries, metadata only, are for security (audit.read). Every call is itself logged.
 */

const Base64Hash = z.string().describe('base64 SHA-256 hash');

export const CheckpointView = z
  .object({
    checkpoint: z.string().describe('C2SP signed note: origin, size and base64 root lines, a blank line, signature lines'),
    origin: z.string(),
    size: z.number().int(),
    root: Base64Hash,
    verifierKey: z.string().describe('C2SP verifier key of the signature: <origin>+<key id>+<base64 key>'),
    revocationsVerifierKey: z.string().describe("C2SP verifier key of the revocation feed's checkpoints (GET /v1/exports/revocations), to publish for researchers"),
  })
  .strict();

/** One audit entry (metadata only: never content, tokens or keys). */
export const AuditEntryView = z
  .object({
    seq: z.number().int(),
    time: z.string().describe('ISO 8601 time'),
    actor: z.string(),
    actorRoles: z.array(z.string()).optional(),
    action: z.string(),
    resource: z.string(),
    subject: z.string().optional(),
    purpose: z.string().optional(),
    grant: z.string().optional(),
    decision: z.enum(['allow', 'deny']),
    policies: z.array(z.string()),
    kind: z.enum(['decision', 'content-access']),
    detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    hash: z.string().describe('hex RFC 6962 leaf hash'),
  })
  .strict();

export const toEntryView = (r: AuditRecord): z.infer<typeof AuditEntryView> => ({ ...r, time: new Date(r.time).toISOString() });

const ListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    after: z.coerce.number().int().min(-1).optional().describe('exclusive seq cursor'),
    actor: z.string().max(128).optional(),
    action: z.string().max(64).optional(),
  })
  .strict();

const ConsistencyQuery = z.object({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(0).optional() }).strict();
const InclusionQuery = z.object({ index: z.coerce.number().int().min(0), size: z.coerce.number().int().min(1).optional() }).strict();

export function auditRoutes(app: App, deps: RouteDeps): void {
  const audit = () => deps.lockstep.audit;
  const server = { type: 'Server' as const };

  const view = (note: string) => {
    const lines = note.split('\n');
    return { checkpoint: note, origin: audit().origin, size: Number(lines[1]), root: lines[2] ?? '', verifierKey: audit().verifierKey, revocationsVerifierKey: deps.lockstep.revocations.verifierKey };
  };

  app.get(
    '/v1/audit/checkpoint',
    {
      config: { action: 'audit.checkpoint' },
      schema: {
        summary: "The audit log's latest signed checkpoint",
        description: 'Keep it elsewhere: a later `lockstep audit verify --checkpoint` fails if the log no longer extends it.',
        tags: ['audit'],
        security: bearer,
        response: { 200: CheckpointView, ...errors(401, 403, 503) },
      },
    },
    async (request) => {
      await authorize(deps, request, server);
      return view(audit().latestCheckpoint());
    },
  );

  app.post(
    '/v1/audit/checkpoint',
    {
      config: { action: 'audit.read' },
      schema: {
        summary: 'Sign a checkpoint of the audit log now (security)',
        tags: ['audit'],
        security: bearer,
        body: EmptyBody,
        response: { 201: CheckpointView, ...errors(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      await authorize(deps, request, server);
      return reply.code(201).send(view(audit().checkpoint()));
    },
  );

  app.get(
    '/v1/audit',
    {
      config: { action: 'audit.read' },
      schema: {
        summary: 'Audit entries in log order (security; metadata only)',
        tags: ['audit'],
        security: bearer,
        querystring: ListQuery,
        response: { 200: z.object({ entries: z.array(AuditEntryView), next: z.number().int().nullable() }).strict(), ...errors(400, 401, 403, 503) },
      },
    },
    async (request) => {
      await authorize(deps, request, server);
      const q = request.query;
      const entries = audit().list({ limit: q.limit, ...(q.after !== undefined ? { after: q.after } : {}), ...(q.actor ? { actor: q.actor } : {}), ...(q.action ? { action: q.action } : {}) });
      return { entries: entries.map(toEntryView), next: entries.length === q.limit ? entries[entries.length - 1]!.seq : null };
    },
  );

  app.get(
    '/v1/audit/consistency',
    {
      config: { action: 'audit.checkpoint' },
      schema: {
        summary: 'RFC 6962 consistency proof between two sizes of the audit log',
        tags: ['audit'],
        security: bearer,
        querystring: ConsistencyQuery,
        response: { 200: z.object({ from: z.number().int(), to: z.number().int(), proof: z.array(Base64Hash) }).strict(), ...errors(400, 401, 403, 503) },
      },
    },
    async (request) => {
      await authorize(deps, request, server);
      const to = request.query.to ?? audit().size();
      if (request.query.from > to || to > audit().size()) throw new ApiFailure(400, 'invalid_request', `sizes must satisfy from ≤ to ≤ ${audit().size()}`, 'from');
      return { from: request.query.from, to, proof: audit().consistencyProof(request.query.from, to).map((h) => h.toString('base64')) };
    },
  );

  app.get(
    '/v1/audit/inclusion',
    {
      config: { action: 'audit.checkpoint' },
      schema: {
        summary: 'RFC 6962 inclusion proof of one audit entry',
        tags: ['audit'],
        security: bearer,
        querystring: InclusionQuery,
        response: { 200: z.object({ index: z.number().int(), size: z.number().int(), proof: z.array(Base64Hash) }).strict(), ...errors(400, 401, 403, 503) },
      },
    },
    async (request) => {
      await authorize(deps, request, server);
      const size = request.query.size ?? audit().size();
      if (request.query.index >= size || size > audit().size()) throw new ApiFailure(400, 'invalid_request', `need index < size ≤ ${audit().size()}`, 'index');
      return { index: request.query.index, size, proof: audit().inclusionProof(request.query.index, size).map((h) => h.toString('base64')) };
    },
  );
}
