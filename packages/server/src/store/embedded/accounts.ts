import type {
  CodeStore,
  DeviceRecord,
  DeviceStore,
  EnrollmentCodeRecord,
  EnrollmentWrites,
  TokenRecord,
  TokenStore,
  UserRecord,
  UserStore,
} from '../types.ts';
import { type CodeRow, type DeviceRow, type UserRow, toCode, toDevice, toUser } from './rows.ts';
import type { Db } from './sqlite.ts';

/** Users, tokens, enrollment codes and devices in lockstep.db. */
export function accountStores(db: Db): { users: UserStore; tokens: TokenStore; codes: CodeStore; devices: DeviceStore } {
  const q = {
    insertUser: db.prepare<[string, string, string | null, number, number | null]>(
      'INSERT INTO users (id, roles, label, created_at, deleted_at) VALUES (?, ?, ?, ?, ?)',
    ),
    getUser: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
    listUsers: db.prepare<[], UserRow>('SELECT * FROM users WHERE deleted_at IS NULL ORDER BY created_at, id'),
    setRoles: db.prepare<[string, string]>('UPDATE users SET roles = ? WHERE id = ? AND deleted_at IS NULL'),
    devicesOf: db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE subject_id = ? ORDER BY created_at, id'),
    revokeDevice: db.prepare<[number, string]>('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    deleteDeviceTokens: db.prepare<[string]>('DELETE FROM tokens WHERE principal_id = ?'),
    insertToken: db.prepare<[string, string, string, number]>('INSERT INTO tokens (hash, kind, principal_id, created_at) VALUES (?, ?, ?, ?)'),
    findToken: db.prepare<[string], { hash: string; kind: 'user' | 'device'; principal_id: string; created_at: number }>(
      'SELECT * FROM tokens WHERE hash = ?',
    ),
    insertCode: db.prepare<[string, string, string | null, number, string | null, string | null, number, number, number | null, string | null]>(
      'INSERT INTO enrollment_codes (hash, kind, user_id, bootstrap, roles, created_by, created_at, expires_at, used_at, program_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    expireBootstrap: db.prepare<[number, number]>('UPDATE enrollment_codes SET expires_at = ? WHERE bootstrap = 1 AND used_at IS NULL AND expires_at > ?'),
    findCode: db.prepare<[string], CodeRow>('SELECT * FROM enrollment_codes WHERE hash = ?'),
    useCode: db.prepare<[number, string]>('UPDATE enrollment_codes SET used_at = ? WHERE hash = ? AND used_at IS NULL'),
    insertDevice: db.prepare<[string, string, string | null, string | null, number, number | null, string | null]>(
      'INSERT INTO devices (id, subject_id, platform, label, created_at, revoked_at, program_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    getDevice: db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE id = ?'),
  };

  const insertUser = (u: UserRecord) => q.insertUser.run(u.id, JSON.stringify(u.roles), u.label, u.createdAt, u.deletedAt);
  const insertToken = (t: TokenRecord) => q.insertToken.run(t.hash, t.kind, t.principalId, t.createdAt);
  const insertDevice = (d: DeviceRecord) => q.insertDevice.run(d.id, d.subjectId, d.platform, d.label, d.createdAt, d.revokedAt, d.programId ?? null);
  const revokeDevice = db.transaction((id: string, now: number) => {
    const changed = q.revokeDevice.run(now, id).changes > 0;
    q.deleteDeviceTokens.run(id);
    return changed;
  });

  const redeem = db.transaction(
    (
      hash: string,
      now: number,
      plan: (code: EnrollmentCodeRecord, user: UserRecord | undefined) => EnrollmentWrites | undefined,
    ): EnrollmentWrites | undefined => {
      const row = q.findCode.get(hash);
      if (!row || row.used_at !== null || row.expires_at <= now) return undefined;
      const code = toCode(row);
      let user: UserRecord | undefined;
      if (code.userId !== null) {
        const userRow = q.getUser.get(code.userId);
        if (!userRow || userRow.deleted_at !== null) return undefined;
        user = toUser(userRow);
      }
      const writes = plan(code, user);
      if (!writes) return undefined;
      if (q.useCode.run(now, hash).changes !== 1) return undefined;
      if (writes.user) insertUser(writes.user);
      if (writes.device) insertDevice(writes.device);
      insertToken(writes.token);
      return writes;
    },
  );

  return {
    users: {
      async create(user) {
        insertUser(user);
      },
      async get(id) {
        const row = q.getUser.get(id);
        return row && toUser(row);
      },
      async list() {
        return q.listUsers.all().map(toUser);
      },
      async setRoles(id, roles) {
        return q.setRoles.run(JSON.stringify(roles), id).changes > 0;
      },
    },
    tokens: {
      async create(token) {
        insertToken(token);
      },
      async find(hash) {
        const row = q.findToken.get(hash);
        return row && { hash: row.hash, kind: row.kind, principalId: row.principal_id, createdAt: row.created_at };
      },
    },
    codes: {
      async create(c) {
        q.insertCode.run(c.hash, c.kind, c.userId, c.bootstrap ? 1 : 0, c.roles && JSON.stringify(c.roles), c.createdBy, c.createdAt, c.expiresAt, c.usedAt, c.programId ?? null);
      },
      async expireBootstrapCodes(now) {
        return q.expireBootstrap.run(now, now).changes;
      },
      async redeem(hash, now, plan) {
        return redeem.immediate(hash, now, plan);
      },
    },
    devices: {
      async create(device) {
        insertDevice(device);
      },
      async get(id) {
        const row = q.getDevice.get(id);
        return row && toDevice(row);
      },
      async listOf(subjectId) {
        return q.devicesOf.all(subjectId).map(toDevice);
      },
      async revoke(id, now) {
        return revokeDevice.immediate(id, now);
      },
    },
  };
}
