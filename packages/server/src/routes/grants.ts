import { z } from 'zod';
import { CaptureEvent, UserId } from '@lockstep/schema';
import { KeyDestroyedError } from '../crypto/keyring.ts';
import { createDataset, loadDataset } from '../domain/datasets.ts';
import { loadEpisode, readEpisodeEvents } from '../domain/episodes.ts';
import { decideGrant, deidentify, grantRef, grantState, loadGrant, requestGrant, revokeGrant } from '../domain/grants.ts';
import { DatasetId, EpisodeId, GrantId, ProgramId } from '../domain/ids.ts';
import { loadProgram } from '../domain/programs.ts';
import { Purpose } from '../domain/purposes.ts';
import { ApiFailure, notFound } from '../http/errors.ts';
import { authorize, caller, recordContentAccess } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { grantContext } from '../policy/authorize.ts';
import type { DatasetRecord, GrantRecord } from '../store/types.ts';
import { episodeResource } from './episodes.ts';
import { bearer, errors } from './shapes.ts';

/** Datasets (released episodes of one program), grants on them, and de-identified reads through a grant. */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const DatasetView = z
  .object({ id: DatasetId, program: ProgramId, name: z.string(), createdBy: UserId, createdAt: z.string(), episodes: z.array(EpisodeId).describe('released episodes it holds') })
  .strict();
const toDatasetView = (d: DatasetRecord, episodes: string[]): z.infer<typeof DatasetView> => ({
  id: d.id,
  program: d.programId,
  name: d.name,
  createdBy: d.createdBy,
  createdAt: iso(d.createdAt)!,
  episodes,
});

export const GrantView = z
  .object({
    id: GrantId,
    dataset: DatasetId,
    requester: UserId,
    purpose: z.string(),
    status: z.enum(['requested', 'approved', 'denied', 'revoked', 'expired']),
    expiresAt: z.string(),
    createdAt: z.string(),
    decidedBy: UserId.nullable(),
    decidedAt: z.string().nullable(),
    revokedBy: UserId.nullable(),
    revokedAt: z.string().nullable(),
  })
  .strict();
const toGrantView = (g: GrantRecord, now: number): z.infer<typeof GrantView> => ({
  id: g.id,
  dataset: g.datasetId,
  requester: g.requesterId,
  purpose: g.purpose,
  status: grantState(g, now),
  expiresAt: iso(g.expiresAt)!,
  createdAt: iso(g.createdAt)!,
  decidedBy: g.decidedBy,
  decidedAt: iso(g.decidedAt),
  revokedBy: g.revokedBy,
  revokedAt: iso(g.revokedAt),
});

const DeidentifiedEpisode = z
  .object({
    episode: EpisodeId,
    subject: z.string().describe('pseudonym of the subject, stable within this grant only'),
    task: z.string().nullable(),
    durationMs: z.number(),
    events: z.array(CaptureEvent).describe('t relative to the episode start; seq from 0'),
  })
  .strict();

const GrantParams = z.object({ id: GrantId }).strict();

export function grantRoutes(app: App, deps: RouteDeps): void {
  const { lockstep } = deps;
  const me = (request: Parameters<typeof caller>[0]) => {
    const who = caller(request);
    if (who.kind !== 'user') throw new ApiFailure(403, 'forbidden', 'devices take no part in datasets and grants');
    return who;
  };

  app.post(
    '/v1/datasets',
    {
      config: { action: 'dataset.create' },
      schema: {
        summary: 'Create a dataset: released episodes of one program (researcher, steward)',
        description: 'Without `episodes`, it holds every episode released in the program so far. Naming anything that is not a released episode of the program is refused, with the same answer whatever it is.',
        tags: ['datasets'],
        security: bearer,
        body: z.object({ program: ProgramId, name: z.string().min(1).max(200), episodes: z.array(EpisodeId).max(10_000).optional() }).strict(),
        response: { 201: DatasetView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const program = await loadProgram(lockstep, request.body.program);
      await authorize(deps, request, { type: 'Program', id: program.id, purposes: program.purposes });
      const { dataset, episodes } = await createDataset(lockstep, { programId: program.id, name: request.body.name, episodes: request.body.episodes }, me(request).id);
      return reply.code(201).send(toDatasetView(dataset, episodes));
    },
  );

  app.get(
    '/v1/datasets',
    {
      config: { action: 'dataset.list' },
      schema: { summary: 'Datasets (researcher, steward)', tags: ['datasets'], security: bearer, response: { 200: z.object({ datasets: z.array(DatasetView) }).strict(), ...errors(401, 403) } },
    },
    async (request) => {
      await authorize(deps, request, { type: 'Server' });
      const datasets = await lockstep.store.datasets.list();
      return { datasets: await Promise.all(datasets.map(async (d) => toDatasetView(d, await lockstep.store.datasets.episodes(d.id)))) };
    },
  );

  app.get(
    '/v1/datasets/:id',
    {
      config: { action: 'dataset.read' },
      schema: { summary: 'One dataset (metadata)', tags: ['datasets'], security: bearer, params: z.object({ id: DatasetId }).strict(), response: { 200: DatasetView, ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      const dataset = await loadDataset(lockstep, request.params.id);
      await authorize(deps, request, { type: 'Dataset', id: dataset.id, program: dataset.programId });
      return toDatasetView(dataset, await lockstep.store.datasets.episodes(dataset.id));
    },
  );

  app.post(
    '/v1/grants',
    {
      config: { action: 'grant.request' },
      schema: {
        summary: 'Request a grant on a dataset, for one purpose of its program, until an expiry (researcher)',
        description: 'expiresAt at most 90 days ahead. A steward who is not you approves or denies it.',
        tags: ['grants'],
        security: bearer,
        body: z.object({ dataset: DatasetId, purpose: Purpose, expiresAt: z.iso.datetime({ offset: true }) }).strict(),
        response: { 201: GrantView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const dataset = await loadDataset(lockstep, request.body.dataset);
      const program = await loadProgram(lockstep, dataset.programId);
      // Programs and their purposes are public to every user: say what is wrong before deciding.
      if (!program.purposes.includes(request.body.purpose)) {
        throw new ApiFailure(400, 'purpose-not-declared', `purpose: program ${program.id} declares only ${program.purposes.join(', ')}`, 'purpose');
      }
      await authorize(deps, request, { type: 'Dataset', id: dataset.id, program: program.id, purposes: program.purposes }, { purpose: request.body.purpose, context: { purpose: request.body.purpose } });
      const grant = await requestGrant(lockstep, { datasetId: dataset.id, purpose: request.body.purpose, expiresAt: Date.parse(request.body.expiresAt) }, me(request).id);
      return reply.code(201).send(toGrantView(grant, lockstep.clock()));
    },
  );

  app.get(
    '/v1/grants',
    {
      config: { action: 'grant.list' },
      schema: {
        summary: 'Grants: your own (researcher), or all (steward)',
        tags: ['grants'],
        security: bearer,
        response: { 200: z.object({ grants: z.array(GrantView) }).strict(), ...errors(401, 403) },
      },
    },
    async (request) => {
      await authorize(deps, request, { type: 'Server' });
      const who = me(request);
      const grants = await lockstep.store.grants.list(who.roles.includes('steward') ? {} : { requesterId: who.id });
      const now = lockstep.clock();
      return { grants: grants.map((g) => toGrantView(g, now)) };
    },
  );

  app.get(
    '/v1/grants/:id',
    {
      config: { action: 'grant.read' },
      schema: { summary: 'One grant (its requester, or a steward)', tags: ['grants'], security: bearer, params: GrantParams, response: { 200: GrantView, ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      const grant = await loadGrant(lockstep, request.params.id);
      await authorize(deps, request, grantRef(grant));
      return toGrantView(grant, lockstep.clock());
    },
  );

  for (const [verb, action, summary] of [
    ['approve', 'grant.approve', 'Approve a requested grant (a steward who is not its requester)'],
    ['deny', 'grant.deny', 'Deny a requested grant (a steward who is not its requester)'],
    ['revoke', 'grant.revoke', 'Revoke a grant (a steward, or its requester); reads through it stop at once'],
  ] as const) {
    app.post(
      `/v1/grants/:id/${verb}`,
      {
        config: { action },
        schema: { summary, tags: ['grants'], security: bearer, params: GrantParams, body: z.object({}).strict().nullish(), response: { 200: GrantView, ...errors(400, 401, 403, 404, 409) } },
      },
      async (request) => {
        const grant = await loadGrant(lockstep, request.params.id);
        await authorize(deps, request, grantRef(grant), { grant: grant.id, purpose: grant.purpose });
        const who = me(request).id;
        const next = verb === 'revoke' ? await revokeGrant(lockstep, grant, who) : await decideGrant(lockstep, grant, who, verb === 'approve');
        return toGrantView(next, lockstep.clock());
      },
    );
  }

  app.get(
    '/v1/grants/:id/episodes/:episode',
    {
      config: { action: 'episode.export' },
      schema: {
        summary: 'A released episode of the granted dataset, de-identified (the grant\'s requester, while it is approved and unexpired)',
        description: 'The subject is a pseudonym stable within this grant only; times are relative to the episode start; no subject, device, session or host ids.',
        tags: ['grants'],
        security: bearer,
        params: z.object({ id: GrantId, episode: EpisodeId }).strict(),
        response: { 200: DeidentifiedEpisode, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const grant = await loadGrant(lockstep, request.params.id);
      const episode = await loadEpisode(lockstep, request.params.episode);
      const datasets = await lockstep.store.episodes.datasetsOf(episode.id);
      const resource = episodeResource(episode, datasets);
      const decision = await authorize(deps, request, resource, { grant: grant.id, purpose: grant.purpose, ...grantContext(grantRef(grant)) });
      let events;
      try {
        events = await readEpisodeEvents(lockstep, episode);
      } catch (error) {
        if (error instanceof KeyDestroyedError) throw notFound('episode');
        throw error;
      }
      const out = deidentify(lockstep, grant, episode, events);
      await recordContentAccess(deps, request, {
        resource,
        subject: episode.subjectId,
        grant: grant.id,
        purpose: grant.purpose,
        policies: decision.reasons,
        detail: { events: out.events.length, deidentified: true },
      });
      return out;
    },
  );
}
