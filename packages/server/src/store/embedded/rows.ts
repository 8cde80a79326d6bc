import type { DeviceRecord, EnrollmentCodeRecord, Platform, PrincipalKind, Role, SessionRecord, UserRecord } from '../types.ts';

/** Row shapes of lockstep.db and their mapping to records. */

export interface UserRow {
  id: string;
  roles: string;
  label: string | null;
  created_at: number;
  deleted_at: number | null;
}

export interface CodeRow {
  hash: string;
  kind: PrincipalKind;
  user_id: string | null;
  bootstrap: number;
  roles: string | null;
  program_id: string | null;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface DeviceRow {
  id: string;
  subject_id: string;
  platform: Platform | null;
  label: string | null;
  created_at: number;
  revoked_at: number | null;
  program_id: string | null;
}

export interface SessionRow {
  id: string;
  subject_id: string;
  device_id: string;
  created_at: number;
  deleted_at: number | null;
  first_t: number | null;
  last_t: number | null;
  event_count: number;
  batch_count: number;
  raw_bytes: number;
  stored_bytes: number;
  counts: string;
  origins: string;
  remasked: string;
}

export const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  roles: JSON.parse(r.roles) as Role[],
  label: r.label,
  createdAt: r.created_at,
  deletedAt: r.deleted_at,
});

export const toCode = (r: CodeRow): EnrollmentCodeRecord => ({
  hash: r.hash,
  kind: r.kind,
  userId: r.user_id,
  bootstrap: r.bootstrap === 1,
  roles: r.roles === null ? null : (JSON.parse(r.roles) as Role[]),
  programId: r.program_id,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
});

export const toDevice = (r: DeviceRow): DeviceRecord => ({
  id: r.id,
  subjectId: r.subject_id,
  programId: r.program_id,
  platform: r.platform,
  label: r.label,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  subjectId: r.subject_id,
  deviceId: r.device_id,
  createdAt: r.created_at,
  deletedAt: r.deleted_at,
  firstT: r.first_t,
  lastT: r.last_t,
  eventCount: r.event_count,
  batchCount: r.batch_count,
  rawBytes: r.raw_bytes,
  storedBytes: r.stored_bytes,
  counts: JSON.parse(r.counts) as Record<string, number>,
  origins: JSON.parse(r.origins) as string[],
  remasked: JSON.parse(r.remasked) as Record<string, number>,
});
