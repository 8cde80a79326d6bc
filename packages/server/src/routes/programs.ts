import { z } from 'zod';
import { UserId } from '@lockstep/schema';
import { authorize, caller } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { acceptConsent, consentState, withdrawConsent } from '../domain/consent.ts';
import { MAX_IDLE_GAP_MS, MIN_IDLE_GAP_MS } from '../domain/episodes.ts';
import { ProgramId } from '../domain/ids.ts';
import { MAX_APP_LENGTH, MAX_DESKTOP_APPS, MAX_TITLE_PATTERN_LENGTH, MAX_TITLE_PATTERNS } from '../domain/desktop.ts';
import { MAX_EXPORT_SITES, MAX_PAUSE_REASON, checkReason, createProgram, loadProgram, pauseProgram, resumeProgram, updateDesktopSettings, updateExportSettings, updateNotice } from '../domain/programs.ts';
import { Modality, Purpose } from '../domain/purposes.ts';
import type { ConsentRecord, ProgramRecord } from '../store/types.ts';
import { bearer, errors } from './shapes.ts';

/** Programs (admin) and each subject's consent to them. */

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export const ProgramView = z
  .object({
    id: ProgramId,
    name: z.string(),
    purposes: z.array(Purpose),
    modalities: z.array(z.string()),
    retentionDays: z.number().int(),
    idleGapMs: z.number().int().describe('sessions are cut into episodes at idle gaps longer than this'),
    notice: z.object({ version: z.number().int(), text: z.string(), updatedAt: z.string() }).strict(),
    exportSites: z.array(z.string()).describe('host names that exports may name; every other site appears as site-N.invalid'),
    exportPageText: z.boolean().describe('page and window titles appear in exports as recorded; false: masked to their shape (Xxxx xx 99)'),
    desktopApps: z.array(z.string()).describe('application classes the desktop agent records (lower case); empty: nothing on the desktop'),
    desktopTitles: z.array(z.string()).describe('title patterns (`*`: any run of characters) a window must match to be recorded; empty: any title of those apps'),
    screenshots: z.boolean().describe('the desktop agent takes screenshots of the active window'),
    paused: z
      .object({ at: z.string(), by: UserId, reason: z.string() })
      .strict()
      .nullable()
      .describe('the kill switch: capture for the program is stopped since `at`; null: running'),
    createdAt: z.string(),
  })
  .strict();
const toProgramView = (p: ProgramRecord): z.infer<typeof ProgramView> => ({
  id: p.id,
  name: p.name,
  purposes: p.purposes as Array<z.infer<typeof Purpose>>,
  modalities: p.modalities,
  retentionDays: p.retentionDays,
  idleGapMs: p.idleGapMs,
  notice: { version: p.notice.version, text: p.notice.text, updatedAt: iso(p.notice.updatedAt) },
  exportSites: p.exportSites,
  exportPageText: p.exportPageText,
  desktopApps: p.desktopApps,
  desktopTitles: p.desktopTitles,
  screenshots: p.screenshots,
  paused: p.paused && { at: iso(p.paused.at), by: p.paused.by, reason: p.paused.reason },
  createdAt: iso(p.createdAt),
});

const ExportSites = z
  .array(z.string().min(1).max(253))
  .max(MAX_EXPORT_SITES)
  .describe('host names (docs.example.com: no scheme, port, path, wildcard or IP address) whose names may appear in exports; default none');
const ExportPageText = z.boolean().describe('let page and window titles appear in exports as recorded; default false (masked to their shape)');
const DesktopApps = z
  .array(z.string().min(1).max(MAX_APP_LENGTH))
  .max(MAX_DESKTOP_APPS)
  .describe('application classes the desktop agent records (X11 WM_CLASS class such as xterm or code), matched whole, ignoring case; default none: nothing on the desktop is recorded');
const DesktopTitles = z
  .array(z.string().min(1).max(MAX_TITLE_PATTERN_LENGTH))
  .max(MAX_TITLE_PATTERNS)
  .describe('patterns a window title must match, whole and ignoring case, `*` standing for any run of characters (ticket-*, *invoice*); default none: any title of the apps');
const Screenshots = z.boolean().describe('let the desktop agent take screenshots of the active window; default false');
const Reason = z.string().min(1).max(MAX_PAUSE_REASON);

const CreateProgramBody = z
  .object({
    name: z.string().min(1).max(200),
    purposes: z.array(Purpose).min(1).max(4),
    modalities: z.array(Modality).min(1).max(20),
    retentionDays: z.number().int().min(1).max(3650),
    idleGapMs: z.number().int().min(MIN_IDLE_GAP_MS).max(MAX_IDLE_GAP_MS).optional(),
    notice: z.string().min(1).max(20_000).describe('the consent notice subjects accept (version 1)'),
    exportSites: ExportSites.optional(),
    exportPageText: ExportPageText.optional(),
    desktopApps: DesktopApps.optional(),
    desktopTitles: DesktopTitles.optional(),
    screenshots: Screenshots.optional(),
  })
  .strict();

export const ConsentView = z
  .object({
    program: ProgramId,
    state: z.enum(['none', 'accepted', 'outdated', 'withdrawn']).describe('outdated: the notice changed since it was accepted; capture is refused until it is accepted again'),
    acceptedVersion: z.number().int().nullable(),
    currentVersion: z.number().int(),
    acceptedAt: z.string().nullable(),
    withdrawnAt: z.string().nullable(),
    keepReleased: z.boolean(),
  })
  .strict();
const toConsentView = (program: ProgramRecord, c: ConsentRecord | undefined): z.infer<typeof ConsentView> => ({
  program: program.id,
  state: consentState(c, program),
  acceptedVersion: c && c.noticeVersion > 0 ? c.noticeVersion : null,
  currentVersion: program.notice.version,
  acceptedAt: c ? iso(c.acceptedAt) : null,
  withdrawnAt: c ? isoOrNull(c.withdrawnAt) : null,
  keepReleased: c?.keepReleased ?? false,
});

const ProgramParams = z.object({ id: ProgramId }).strict();

export function programRoutes(app: App, deps: RouteDeps): void {
  const { lockstep } = deps;

  app.post(
    '/v1/programs',
    {
      config: { action: 'program.create' },
      schema: {
        summary: 'Declare a program: purposes, modalities, retention, consent notice, what exports show and the desktop agent records (admin)',
        description: 'Purposes come from a fixed vocabulary (agent-training, evaluation, safety-research, product-research); there is none for judging a person\'s work.',
        tags: ['programs'],
        security: bearer,
        body: CreateProgramBody,
        response: { 201: ProgramView, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      await authorize(deps, request, { type: 'Server' });
      const program = await createProgram(lockstep, request.body, caller(request).id);
      return reply.code(201).send(toProgramView(program));
    },
  );

  app.get(
    '/v1/programs',
    {
      config: { action: 'program.list' },
      schema: { summary: 'Programs and their current consent notices', tags: ['programs'], security: bearer, response: { 200: z.object({ programs: z.array(ProgramView) }).strict(), ...errors(401, 403) } },
    },
    async (request) => {
      await authorize(deps, request, { type: 'Server' });
      return { programs: (await lockstep.store.programs.list()).map(toProgramView) };
    },
  );

  app.put(
    '/v1/programs/:id/notice',
    {
      config: { action: 'program.update' },
      schema: {
        summary: 'Publish a new consent notice version (admin)',
        description: 'Capture for the program stops for every subject until they accept the new version.',
        tags: ['programs'],
        security: bearer,
        params: ProgramParams,
        body: z.object({ text: z.string().min(1).max(20_000) }).strict(),
        response: { 200: ProgramView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const program = await loadProgram(lockstep, request.params.id);
      await authorize(deps, request, { type: 'Program', id: program.id, purposes: program.purposes });
      return toProgramView(await updateNotice(lockstep, program.id, request.body.text));
    },
  );

  app.put(
    '/v1/programs/:id/export',
    {
      config: { action: 'program.update' },
      schema: {
        summary: 'Set what exports of the program may show: site names, page text (admin)',
        description:
          'Fields left out keep their value. Exports made earlier keep the settings they were made with where those are stricter: tightening applies to every download at once, loosening only to exports made afterwards. ' +
          'An entry that is not a bare host name (or is an IP address) is refused with 400 naming it, and nothing changes.',
        tags: ['programs'],
        security: bearer,
        params: ProgramParams,
        body: z
          .object({ exportSites: ExportSites.optional(), exportPageText: ExportPageText.optional() })
          .strict()
          .refine((b) => b.exportSites !== undefined || b.exportPageText !== undefined, { message: 'give exportSites, exportPageText or both', path: ['exportSites'] }),
        response: { 200: ProgramView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const program = await loadProgram(lockstep, request.params.id);
      await authorize(deps, request, { type: 'Program', id: program.id, purposes: program.purposes });
      const { exportSites, exportPageText } = request.body;
      return toProgramView(await updateExportSettings(lockstep, program.id, { ...(exportSites ? { exportSites } : {}), ...(exportPageText !== undefined ? { exportPageText } : {}) }));
    },
  );

  app.put(
    '/v1/programs/:id/desktop',
    {
      config: { action: 'program.update' },
      schema: {
        summary: 'Set what the desktop agent may record for the program: apps, window titles, screenshots (admin)',
        description:
          'Fields left out keep their value. Devices learn the settings from GET /v1/device/state within seconds; from then on, a batch with a `window` event of another app, or a `frame` while screenshots are off, is refused (400 not-allowed). ' +
          'An application class with a wildcard or a path, or a title pattern that is empty or matches every title (`*`), is refused with 400 naming it, and nothing changes.',
        tags: ['programs'],
        security: bearer,
        params: ProgramParams,
        body: z
          .object({ desktopApps: DesktopApps.optional(), desktopTitles: DesktopTitles.optional(), screenshots: Screenshots.optional() })
          .strict()
          .refine((b) => b.desktopApps !== undefined || b.desktopTitles !== undefined || b.screenshots !== undefined, { message: 'give desktopApps, desktopTitles, screenshots or several', path: ['desktopApps'] }),
        response: { 200: ProgramView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const program = await loadProgram(lockstep, request.params.id);
      await authorize(deps, request, { type: 'Program', id: program.id, purposes: program.purposes });
      const { desktopApps, desktopTitles, screenshots } = request.body;
      return toProgramView(
        await updateDesktopSettings(lockstep, program.id, {
          ...(desktopApps ? { desktopApps } : {}),
          ...(desktopTitles ? { desktopTitles } : {}),
          ...(screenshots !== undefined ? { screenshots } : {}),
        }),
      );
    },
  );

  app.post(
    '/v1/programs/:id/pause',
    {
      config: { action: 'program.pause' },
      schema: {
        summary: 'The kill switch: stop capture for every device of the program (admin, security)',
        description:
          'Devices see the pause in their state (GET /v1/device/state, polled every 2 s) and stop capturing within 5 s; batches captured before the pause still upload and are kept. ' +
          'The pause, with who, when and the reason, is on the audit log. A program already paused stays paused as it was.',
        tags: ['programs'],
        security: bearer,
        params: ProgramParams,
        body: z.object({ reason: Reason.describe('why, in a few words: written to the audit log, and shown with the program to everyone signed in and to its devices') }).strict(),
        response: { 200: ProgramView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const program = await loadProgram(lockstep, request.params.id);
      const reason = checkReason(request.body.reason);
      await authorize(deps, request, { type: 'Program', id: program.id, purposes: program.purposes }, { detail: { reason } });
      return toProgramView(await pauseProgram(lockstep, program.id, caller(request).id, reason));
    },
  );

  app.post(
    '/v1/programs/:id/resume',
    {
      config: { action: 'program.resume' },
      schema: {
        summary: 'End the pause: devices of the program may capture again (admin, security)',
        description: 'Devices resume at their next state poll, where their subject has accepted the current notice. On the audit log, with the reason when one is given. Resuming a running program changes nothing.',
        tags: ['programs'],
        security: bearer,
        params: ProgramParams,
        body: z.object({ reason: Reason.optional().describe('why, in a few words; written to the audit log') }).strict().nullish(),
        response: { 200: ProgramView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const program = await loadProgram(lockstep, request.params.id);
      const reason = request.body?.reason === undefined ? undefined : checkReason(request.body.reason);
      await authorize(deps, request, { type: 'Program', id: program.id, purposes: program.purposes }, reason === undefined ? {} : { detail: { reason } });
      return toProgramView(await resumeProgram(lockstep, program.id));
    },
  );

  const self = (request: Parameters<typeof caller>[0]) => {
    const me = caller(request);
    return me.kind === 'user' ? { type: 'User' as const, id: me.id, roles: me.roles } : { type: 'User' as const, id: me.subject, roles: [] };
  };

  app.get(
    '/v1/me/consents',
    {
      config: { action: 'consent.read' },
      schema: { summary: 'Your consent to every program', tags: ['consent'], security: bearer, response: { 200: z.object({ consents: z.array(ConsentView) }).strict(), ...errors(401, 403) } },
    },
    async (request) => {
      const me = self(request);
      await authorize(deps, request, me);
      const mine = new Map((await lockstep.store.consents.listOf(me.id)).map((c) => [c.programId, c]));
      return { consents: (await lockstep.store.programs.list()).map((p) => toConsentView(p, mine.get(p.id))) };
    },
  );

  app.post(
    '/v1/me/consents/:id',
    {
      config: { action: 'consent.accept' },
      schema: {
        summary: "Accept a program's current consent notice",
        description: 'Name the notice version you read; if it changed meanwhile the answer is 409 notice-changed.',
        tags: ['consent'],
        security: bearer,
        params: ProgramParams,
        body: z.object({ noticeVersion: z.number().int().min(1) }).strict(),
        response: { 200: ConsentView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const me = self(request);
      const program = await loadProgram(lockstep, request.params.id);
      await authorize(deps, request, me);
      return toConsentView(program, await acceptConsent(lockstep, me.id, program.id, request.body.noticeVersion));
    },
  );

  app.post(
    '/v1/me/consents/:id/withdraw',
    {
      config: { action: 'consent.withdraw' },
      schema: {
        summary: 'Withdraw consent: capture stops at once and what was recorded is destroyed',
        description:
          "Devices recording for the program are refused from the next batch on (403 consent-required). Every session recorded for the program is deleted and its key destroyed; released episodes are destroyed too unless keepReleased. With no consent left, your data key is destroyed.",
        tags: ['consent'],
        security: bearer,
        params: ProgramParams,
        body: z.object({ keepReleased: z.boolean().default(false) }).strict().nullish(),
        response: {
          200: z
            .object({ consent: ConsentView, sessionsShredded: z.number().int(), episodesShredded: z.number().int(), episodesKept: z.number().int(), subjectKeyDestroyed: z.boolean() })
            .strict(),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const me = self(request);
      const program = await loadProgram(lockstep, request.params.id);
      await authorize(deps, request, me);
      const result = await withdrawConsent(lockstep, me.id, program.id, { keepReleased: request.body?.keepReleased ?? false });
      return { ...result, consent: toConsentView(program, result.consent) };
    },
  );
}
