import { z } from 'zod';
import { ApiError, DeviceId, SessionId, UserId } from '@lockstep/schema';
import { ROLES, type SessionRecord } from '../store/types.ts';

/** Request and response shapes of the HTTP API (they also feed /openapi.json). */

export const Role = z.enum(ROLES);
export const Platform = z.enum(['browser', 'desktop']);
const Label = z.string().min(1).max(200);
const IsoTime = z.string().describe('ISO 8601 time');
const EnrollmentCode = z.string().describe('one-time code, such as ABCD-EFGH-JKLM-NPQR; shown once');

export const UserView = z.object({ id: UserId, roles: z.array(Role), label: z.string().nullable() }).strict();

export const SessionSummary = z
  .object({
    id: SessionId,
    device: DeviceId,
    createdAt: IsoTime,
    firstT: z.number().nullable().describe('smallest event t (ms since the session started)'),
    lastT: z.number().nullable().describe('largest event t'),
    eventCount: z.number().int(),
    batchCount: z.number().int(),
    rawBytes: z.number().int().describe("bytes of the events' JSON as received"),
    storedBytes: z.number().int().describe('bytes of encrypted content stored'),
    counts: z.record(z.string(), z.number().int()).describe('events per event type'),
    origins: z.array(z.string()).describe('origins of the pages navigated to'),
    remasked: z
      .record(z.string(), z.number().int())
      .describe("findings (per kind) that the device failed to redact and the server's second check masked; non-empty means the device needs attention"),
  })
  .strict();
export type SessionSummary = z.infer<typeof SessionSummary>;

export const toSummary = (s: SessionRecord): SessionSummary => ({
  id: s.id,
  device: s.deviceId,
  createdAt: new Date(s.createdAt).toISOString(),
  firstT: s.firstT,
  lastT: s.lastT,
  eventCount: s.eventCount,
  batchCount: s.batchCount,
  rawBytes: s.rawBytes,
  storedBytes: s.storedBytes,
  counts: s.counts,
  origins: s.origins,
  remasked: s.remasked,
});

export const EnrollBody = z
  .object({
    code: z.string().min(1).max(64),
    platform: Platform.optional(),
    label: Label.optional(),
  })
  .strict();

export const Enrolled = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), token: z.string(), user: z.object({ id: UserId, roles: z.array(Role) }).strict() }).strict(),
  z.object({ kind: z.literal('device'), token: z.string(), device: z.object({ id: DeviceId, subject: UserId, program: z.string().optional() }).strict() }).strict(),
]);

export const CreateUserBody = z
  .object({
    roles: z.array(Role).min(1).max(ROLES.length),
    label: Label.optional(),
  })
  .strict();

export const UserCreated = z.object({ user: UserView, enrollmentCode: EnrollmentCode, expiresAt: IsoTime }).strict();
export const DeviceCodeCreated = z.object({ enrollmentCode: EnrollmentCode, expiresAt: IsoTime, subject: UserId, program: z.string().optional() }).strict();

export const Me = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), id: UserId, roles: z.array(Role) }).strict(),
  z.object({ kind: z.literal('device'), id: DeviceId, subject: UserId }).strict(),
]);

export const UserParams = z.object({ id: UserId }).strict();
export const SessionParams = z.object({ id: SessionId }).strict();

/** For POSTs that take no input: no body (Fastify passes null), or an empty object. */
export const EmptyBody = z.object({}).strict().nullish();

export const NoContent = z.undefined().describe('no content');

/** Error responses, by status, for a route's schema. */
export function errors<S extends number>(...statuses: S[]): Record<S, typeof ApiError> {
  return Object.fromEntries(statuses.map((s) => [s, ApiError])) as Record<S, typeof ApiError>;
}

export const bearer = [{ bearer: [] as string[] }];
