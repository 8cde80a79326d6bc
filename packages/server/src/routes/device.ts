import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DeviceId, UserId } from '@lockstep/schema';
import { captureState } from '../domain/consent.ts';
import { ProgramId } from '../domain/ids.ts';
import { forbidden } from '../http/errors.ts';
import { PollLog, authorize, caller } from '../http/guard.ts';
import type { App, RouteDeps } from '../http/types.ts';
import { NoContent, bearer, errors } from './shapes.ts';

/** What a recorder asks every few seconds: may it capture now, and what. */

/** How often devices ask; a pause reaches them within this plus one upload round trip (under 5 s). */
export const DEVICE_POLL_MS = 2000;

export const DeviceState = z
  .object({
    device: DeviceId,
    subject: UserId,
    program: z.object({ id: ProgramId, name: z.string() }).strict().nullable().describe('null: the device is bound to no program and captures nothing'),
    consent: z
      .object({
        state: z.enum(['none', 'accepted', 'outdated', 'withdrawn']),
        currentVersion: z.number().int().nullable(),
        acceptedVersion: z.number().int().nullable(),
      })
      .strict()
      .describe("the subject's consent to the program's current notice; nothing is captured unless it is accepted"),
    paused: z.object({ at: z.string(), reason: z.string() }).strict().nullable().describe('the kill switch: while set, nothing is captured'),
    capture: z
      .object({
        apps: z.array(z.string()).describe('application classes recorded (lower case, matched whole ignoring case); empty: nothing on the desktop'),
        titles: z.array(z.string()).describe('title patterns (`*`: any run of characters, matched whole ignoring case); empty: any title of those apps'),
        screenshots: z.boolean().describe('screenshots of the active window may be taken'),
      })
      .strict(),
    mayCapture: z.boolean().describe('consent to the current notice and no pause: capture may run, limited to `capture`'),
    pollMs: z.number().int().describe('ask again after this long'),
  })
  .strict();
type DeviceState = z.infer<typeof DeviceState>;

export function deviceRoutes(app: App, deps: RouteDeps): void {
  const { lockstep } = deps;
  const seen = new PollLog();

  app.get(
    '/v1/device/state',
    {
      config: { action: 'device.state' },
      schema: {
        summary: 'What this device may capture now: its program, consent, pause, apps and screenshots (device)',
        description:
          `Devices poll it every pollMs (${DEVICE_POLL_MS} ms) and capture only while mayCapture is true, and only what \`capture\` allows. ` +
          'The answer carries an ETag; with If-None-Match it is 304 while nothing changed. Each change in the answer is on the audit log (not every poll). Users are refused (403).',
        tags: ['devices'],
        security: bearer,
        response: { 200: DeviceState, 304: NoContent, ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      const me = caller(request);
      if (me.kind !== 'device') {
        await authorize(deps, request, { type: 'User', id: me.id, roles: me.roles });
        throw forbidden('only a device has a capture state; use its device token');
      }
      const device = await lockstep.store.devices.get(me.id);
      const now = await captureState(lockstep, { subjectId: me.subject, programId: device?.programId ?? null });
      const program = now.program;
      const state: DeviceState = {
        device: me.id,
        subject: me.subject,
        program: program && { id: program.id, name: program.name },
        consent: now.consent,
        paused: program?.paused ? { at: new Date(program.paused.at).toISOString(), reason: program.paused.reason } : null,
        capture: { apps: program?.desktopApps ?? [], titles: program?.desktopTitles ?? [], screenshots: program?.screenshots ?? false },
        mayCapture: now.mayCapture,
        pollMs: DEVICE_POLL_MS,
      };
      const etag = `"${createHash('sha256').update(JSON.stringify(state)).digest('base64url').slice(0, 27)}"`;
      await authorize(
        deps,
        request,
        { type: 'Device', id: me.id, subject: me.subject },
        {
          poll: { seen, answer: etag },
          detail: { program: program?.id ?? null, consent: state.consent.state, paused: state.paused !== null, mayCapture: state.mayCapture, apps: state.capture.apps.length, screenshots: state.capture.screenshots },
        },
      );
      void reply.header('etag', etag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return state;
    },
  );
}
