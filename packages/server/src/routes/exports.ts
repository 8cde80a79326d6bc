import { Readable } from 'node:stream';
import { z } from 'zod';
import { UserId } from '@lockstep/schema';
import { loadDataset } from '../domain/datasets.ts';
import { dayOf, downloadLines, exportRef, createExport, grantActive, grantNotActive, loadExport, newExportId } from '../domain/exports.ts';
import { grantRef, loadGrant } from '../domain/grants.ts';
import { DatasetId, ExportId, GrantId, LocalId, ProgramId } from '../domain/ids.ts';
import { loadProgram } from '../domain/programs.ts';
import { ApiFailure } from '../http/errors.ts';
import { authorize, caller, recordContentAccess, recordDecisionFor } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { grantContext } from '../policy/authorize.ts';
import type { ExportRecord, GrantRecord } from '../store/types.ts';
import { episodeResource } from './episodes.ts';
import { EmptyBody, bearer, errors } from './shapes.ts';

/**
 * Exports over HTTP: made through a grant (a manifest of random local ids), listed, described,
 * downloaded as de-identified trajectory records (NDJSON, built and logged one episode at a
 * time), and followed on the signed revocation feed. See domain/exports.ts and revocations/.
 */

const Base64Hash = z.string().describe('base64 SHA-256 hash');
const Day = z.string().describe('UTC date, YYYY-MM-DD');
const Reason = z.enum(['deleted', 'withdrawn']).describe('deleted: the subject deleted the episode (or was erased); withdrawn: the subject withdrew consent');

const ExportSummary = z
  .object({
    id: ExportId,
    grant: GrantId,
    requester: UserId,
    purpose: z.string(),
    program: z.object({ id: ProgramId, name: z.string() }).strict(),
    dataset: DatasetId,
    date: Day.describe('the day the export was made (UTC); exports carry no finer time'),
    episodes: z.number().int().describe('episodes in the manifest (including any deleted since; see the revocation feed)'),
  })
  .strict();

const ExportDetail = ExportSummary.extend({
  manifest: z.array(LocalId).describe("the export's local episode ids, in the order of the download; each is the `id` of its trajectory record"),
}).strict();

const RevocationsHead = z
  .object({
    origin: z.string().describe("the feed's name (the first line of its checkpoints)"),
    size: z.number().int().describe('entries on the feed now: read it from here on (GET /v1/exports/revocations?since=size)'),
    checkpoint: z.string().describe('C2SP signed note of the feed at this size; keep it and pass it as the previous checkpoint when verifying the next read'),
    verifierKey: z.string().describe("the feed's C2SP verifier key (<origin>+<key id>+<base64 key>); pin it"),
  })
  .strict();

const ExportCreated = ExportDetail.extend({ revocations: RevocationsHead }).strict();

const RevocationEntryView = z
  .object({
    index: z.number().int().describe("leaf index in the feed's Merkle tree"),
    export: ExportId,
    local: LocalId.describe('the local id of the episode in that export: delete every copy of the record with this id'),
    reason: Reason,
    day: Day.describe('the UTC day of the deletion'),
    proof: z.array(Base64Hash).describe('RFC 6962 inclusion proof of the entry in the tree of `size` leaves'),
  })
  .strict();

const RevocationFeedView = z
  .object({
    origin: z.string(),
    verifierKey: z.string().describe("the feed's verifier key as the server states it; verify with the one you pinned"),
    checkpoint: z.string().describe('C2SP signed note: origin, size and base64 root lines, a blank line, the signature'),
    size: z.number().int(),
    root: Base64Hash,
    since: z.number().int(),
    from: z.number().int().describe('the first index listed'),
    entries: z.array(RevocationEntryView).describe('entries with from ≤ index < size about your exports (a steward: all), oldest first'),
    consistency: z
      .object({ from: z.number().int(), root: Base64Hash.describe('root of the tree of `since` leaves'), proof: z.array(Base64Hash) })
      .strict()
      .nullable()
      .describe('RFC 6962 consistency proof from the tree of `since` leaves to this one (null when since is 0)'),
    next: z.number().int().nullable().describe('more entries remain: ask again with from=next and the same since'),
  })
  .strict();

const RevocationQuery = z
  .object({
    since: z.coerce.number().int().min(0).default(0).describe('the size of the checkpoint you verified last (0 the first time)'),
    from: z.coerce.number().int().min(0).optional().describe('first index to list (default: since); for reading a long feed in pages'),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .strict();

/** One line of the download, for the OpenAPI document (the records are checked against @lockstep/trajectory's schema before they are sent). */
const DownloadLine = z
  .string()
  .describe(
    'application/x-ndjson: one trajectory record (lockstep.trajectory v1, see @lockstep/trajectory) per line, `\\n`-terminated, in manifest order. ' +
      'A response cut short (the connection closed before the end) is incomplete: download again.',
  );

export function exportRoutes(app: App, deps: RouteDeps): void {
  const { lockstep } = deps;
  const me = (request: Parameters<typeof caller>[0]) => {
    const who = caller(request);
    if (who.kind !== 'user') throw new ApiFailure(403, 'forbidden', 'devices take no part in exports');
    return who;
  };

  /**
   * The policy refused an export or download: the grant's own requester, a researcher, is told
   * when the reason is the grant's state (which they can read anyway) and what to do about it.
   */
  const explainRefusal = (error: unknown, request: Parameters<typeof caller>[0], grant: GrantRecord): unknown => {
    const who = request.principal;
    const now = lockstep.clock();
    if (error instanceof ApiFailure && error.status === 403 && who?.kind === 'user' && who.id === grant.requesterId && who.roles.includes('researcher') && !grantActive(grant, now)) {
      return grantNotActive(grant, now);
    }
    return error;
  };

  const summary = async (x: ExportRecord, episodes: number) => {
    const grant = await loadGrant(lockstep, x.grantId);
    const dataset = await loadDataset(lockstep, grant.datasetId);
    const program = await loadProgram(lockstep, dataset.programId);
    return {
      id: x.id,
      grant: grant.id,
      requester: x.requesterId,
      purpose: grant.purpose,
      program: { id: program.id, name: program.name },
      dataset: dataset.id,
      date: dayOf(x.createdAt),
      episodes,
    };
  };

  app.post(
    '/v1/grants/:id/exports',
    {
      config: { action: 'export.create' },
      schema: {
        summary: "Make an export through your grant: a manifest of the dataset's released episodes (the grant's requester, while it is approved and unexpired)",
        description:
          'Each released episode of the granted dataset gets a random local id (never derived from the episode id; another export of the same episodes gets other ids). ' +
          'Nothing is read yet: download the records with GET /v1/exports/{id}/episodes. Each subject sees in their access view that their episode was exported, by whom, under which grant and purpose. ' +
          'Keep `revocations`: its verifier key checks the revocation feed, and its size is where to start reading it. ' +
          '409 grant-not-active: the grant expired, was revoked or is not approved (the message says which, and what to do); 409 nothing-to-export: the dataset holds no released episode any more.',
        tags: ['exports'],
        security: bearer,
        params: z.object({ id: GrantId }).strict(),
        body: EmptyBody,
        response: { 201: ExportCreated, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const grant = await loadGrant(lockstep, request.params.id);
      let decision;
      try {
        decision = await authorize(deps, request, grantRef(grant), { grant: grant.id, purpose: grant.purpose });
      } catch (error) {
        throw explainRefusal(error, request, grant);
      }
      const dataset = await loadDataset(lockstep, grant.datasetId);
      const program = await loadProgram(lockstep, dataset.programId);
      const episodes = [];
      for (const id of await lockstep.store.datasets.episodes(dataset.id)) {
        const episode = await lockstep.store.episodes.get(id);
        if (episode?.status === 'released') episodes.push(episode);
      }
      if (episodes.length === 0) {
        throw new ApiFailure(409, 'nothing-to-export', `the dataset ${dataset.id} of this grant holds no released episode any more (its episodes were deleted); nothing was exported`);
      }
      const id = newExportId();
      // On every subject's access view before the manifest exists (503 and nothing made if not).
      await recordDecisionFor(
        deps,
        request,
        decision,
        grantRef(grant),
        episodes.map((e) => ({ resource: episodeResource(e, [dataset.id]), subject: e.subjectId, grant: grant.id, purpose: grant.purpose, detail: { export: id } })),
      );
      const { record, manifest } = await createExport(lockstep, { id, grant, program, episodeIds: episodes.map((e) => e.id) });
      const head = await lockstep.revocations.checkpoint();
      return reply.code(201).send({
        ...(await summary(record, manifest.length)),
        manifest: manifest.map((m) => m.localId),
        revocations: { origin: lockstep.revocations.origin, size: head.size, checkpoint: head.note, verifierKey: lockstep.revocations.verifierKey },
      });
    },
  );

  app.get(
    '/v1/exports',
    {
      config: { action: 'export.list' },
      schema: {
        summary: 'Exports: your own (researcher), or all (steward)',
        tags: ['exports'],
        security: bearer,
        response: { 200: z.object({ exports: z.array(ExportSummary) }).strict(), ...errors(401, 403, 503) },
      },
    },
    async (request) => {
      await authorize(deps, request, { type: 'Server' });
      const who = me(request);
      const list = await lockstep.store.exports.list(who.roles.includes('steward') ? {} : { requesterId: who.id });
      const counts = await lockstep.store.exports.counts(list.map((x) => x.id));
      return { exports: await Promise.all(list.map((x) => summary(x, counts.get(x.id) ?? 0))) };
    },
  );

  app.get(
    '/v1/exports/revocations',
    {
      config: { action: 'export.revocations' },
      schema: {
        summary: 'The signed revocation feed: episodes of your exports that were deleted since (researcher; a steward sees all)',
        description:
          'Every entry names an export and the local id of an episode whose subject deleted it (or withdrew consent, or was erased): delete every copy of that record. ' +
          'The feed is an RFC 6962 Merkle log with C2SP signed checkpoints: each entry carries its inclusion proof, and the answer a consistency proof from `since`, the size of the checkpoint you verified last. ' +
          'Verify an answer with verifyRevocations(answer, verifierKey, { previous }) from @lockstep/server. Other researchers\' entries are not listed (their proofs still check against the same root).',
        tags: ['exports'],
        security: bearer,
        querystring: RevocationQuery,
        response: { 200: RevocationFeedView, ...errors(400, 401, 403, 503) },
      },
    },
    async (request) => {
      await authorize(deps, request, { type: 'Server' });
      const who = me(request);
      const { since, from, limit } = request.query;
      const size = await lockstep.revocations.size();
      if (since > size) throw new ApiFailure(400, 'invalid_request', `since: the feed has ${size} entries; since must be at most that`, 'since');
      try {
        return await lockstep.revocations.read({ since, from: from ?? since, limit, requesterId: who.roles.includes('steward') ? null : who.id });
      } catch (error) {
        if (error instanceof RangeError) throw new ApiFailure(400, 'invalid_request', `since: ${error.message}`, 'since');
        throw error;
      }
    },
  );

  app.get(
    '/v1/exports/:id',
    {
      config: { action: 'export.read' },
      schema: {
        summary: 'One export: its grant, purpose, program, day and manifest of local ids (its maker, or a steward; no content)',
        tags: ['exports'],
        security: bearer,
        params: z.object({ id: ExportId }).strict(),
        response: { 200: ExportDetail, ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const x = await loadExport(lockstep, request.params.id);
      await authorize(deps, request, exportRef(x));
      const manifest = await lockstep.store.exports.manifest(x.id);
      return { ...(await summary(x, manifest.length)), manifest: manifest.map((m) => m.localId) };
    },
  );

  app.get(
    '/v1/exports/:id/episodes',
    {
      config: { action: 'export.download' },
      schema: {
        summary: "Download an export: one de-identified trajectory record per line (its maker, while the export's grant is approved and unexpired)",
        description:
          'Streams application/x-ndjson, built one episode at a time. Each record has the local id as `id`, the subject as a pseudonym of this export only, times relative to the episode, ' +
          "sites other than the program's export sites as site-N.invalid aliases, and page titles masked unless the program allows page text; no subject, session or device id, account, host name, IP address or absolute time. " +
          'Episodes deleted since the export was made are left out (they are on the revocation feed). Every record sent is on its subject\'s access view. ' +
          'If the grant is revoked or expires during the download, the response is cut short. 409 grant-not-active: the grant is no longer approved and unexpired (the message says what to do).',
        tags: ['exports'],
        security: bearer,
        produces: ['application/x-ndjson'],
        params: z.object({ id: ExportId }).strict(),
        response: { 200: DownloadLine, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const x = await loadExport(lockstep, request.params.id);
      const grant = await loadGrant(lockstep, x.grantId);
      let decision;
      try {
        decision = await authorize(deps, request, exportRef(x), { grant: grant.id, purpose: grant.purpose, ...grantContext(grantRef(grant)) });
      } catch (error) {
        throw explainRefusal(error, request, grant);
      }
      const dataset = await loadDataset(lockstep, grant.datasetId);
      const program = await loadProgram(lockstep, dataset.programId);
      const lines = downloadLines(lockstep, x, program, {
        // Built and decrypted: on the subject's access view before it leaves (the download stops if it cannot be logged).
        beforeSend: (episode, record) =>
          recordContentAccess(deps, request, {
            resource: episodeResource(episode, [dataset.id]),
            subject: episode.subjectId,
            grant: grant.id,
            purpose: grant.purpose,
            policies: decision.reasons,
            detail: { export: x.id, steps: record.steps.length, deidentified: true },
          }),
      });
      // Pulled as the client reads: nothing is built ahead of what the socket takes, and a
      // client that goes away destroys the stream, which ends the generator.
      const body = Readable.from(lines, { objectMode: false, highWaterMark: 1 });
      // The 200 schema documents one line; what is sent is the stream of lines (Fastify pipes a
      // stream as it is, without serializing it), which the typed reply cannot express.
      const stream = body as unknown as z.infer<typeof DownloadLine>;
      return reply.code(200).header('content-type', 'application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').send(stream);
    },
  );
}
