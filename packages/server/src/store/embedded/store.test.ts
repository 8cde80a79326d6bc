import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppendBatch, DeviceRecord, UserRecord } from '../types.ts';
import { type EmbeddedStore, openEmbeddedStore } from './index.ts';
import { CONTENT_MIGRATIONS } from './migrations.ts';
import { openDatabase } from './sqlite.ts';

let dir: string;
let store: EmbeddedStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lockstep-store-'));
  store = await openEmbeddedStore(join(dir, 'data'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const user = (id: string, roles: UserRecord['roles'] = ['subject']): UserRecord => ({ id, roles, label: `label of ${id}`, createdAt: 1, deletedAt: null });
const device = (id: string, subjectId: string): DeviceRecord => ({ id, subjectId, platform: 'browser', label: 'laptop', createdAt: 2, revokedAt: null });

function batch(sessionId: string, deviceId: string, subjectId: string, seq: number, checksum = 'c'.repeat(64)): AppendBatch {
  const chunkId = `chk_${sessionId}_${seq}_${checksum.slice(0, 4)}`;
  return {
    session: { id: sessionId, subjectId, deviceId },
    batch: { seq, checksum, eventCount: 2, rawBytes: 100, storedBytes: 40, receivedAt: 1000 + seq },
    chunk: { id: chunkId, sessionId, subjectId, nonce: Buffer.alloc(12, seq), ciphertext: Buffer.alloc(40, 7) },
    stats: { firstT: seq * 10, lastT: seq * 10 + 5, eventCount: 2, counts: { pointer: 2 }, origins: ['https://a.example'], remasked: {} },
  };
}

async function subjectWithDevice(u: string, d: string) {
  await store.users.create(user(u));
  await store.devices.create(device(d, u));
}

describe('embedded store', () => {
  it('lays out the data directory with private modes', () => {
    expect(statSync(store.paths.root).mode & 0o777).toBe(0o700);
    expect(statSync(store.paths.keysDir).mode & 0o777).toBe(0o700);
    expect(statSync(store.paths.db).mode & 0o777).toBe(0o600);
    expect(statSync(store.paths.keyring).mode & 0o777).toBe(0o600);
  });

  it('stores a batch once, reports duplicates and conflicts, and folds stats', async () => {
    await subjectWithDevice('usr_a', 'dev_a');
    expect(await store.sessions.appendBatch(batch('ses_1', 'dev_a', 'usr_a', 3))).toBe('stored');
    expect(await store.sessions.appendBatch(batch('ses_1', 'dev_a', 'usr_a', 3))).toBe('duplicate');
    expect(await store.sessions.appendBatch(batch('ses_1', 'dev_a', 'usr_a', 3, 'd'.repeat(64)))).toBe('conflict');
    expect(await store.sessions.appendBatch(batch('ses_1', 'dev_a', 'usr_a', 1))).toBe('stored');
    const session = await store.sessions.get('ses_1');
    expect(session).toMatchObject({ subjectId: 'usr_a', deviceId: 'dev_a', firstT: 10, lastT: 35, eventCount: 4, batchCount: 2, rawBytes: 200, storedBytes: 80, counts: { pointer: 4 } });
    expect((await store.sessions.chunks('ses_1')).map((c) => c.batchSeq)).toEqual([1, 3]);
  });

  it('commits concurrent appends together, each with its own outcome, and rolls back only one that fails', async () => {
    await subjectWithDevice('usr_a', 'dev_a');
    const clash = batch('ses_2', 'dev_a', 'usr_a', 0);
    clash.chunk.id = batch('ses_1', 'dev_a', 'usr_a', 0).chunk.id; // same chunk id: the insert throws
    const results = await Promise.allSettled([
      store.sessions.appendBatch(batch('ses_1', 'dev_a', 'usr_a', 0)),
      store.sessions.appendBatch(batch('ses_1', 'dev_a', 'usr_a', 0)),
      store.sessions.appendBatch(clash),
      store.sessions.appendBatch(batch('ses_1', 'dev_a', 'usr_a', 1)),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'threw'))).toEqual(['stored', 'duplicate', 'threw', 'stored']);
    expect(await store.sessions.get('ses_2')).toBeUndefined();
    expect(await store.sessions.get('ses_1')).toMatchObject({ batchCount: 2, eventCount: 4 });
    expect((await store.sessions.chunks('ses_1')).map((c) => c.batchSeq)).toEqual([0, 1]);
  });

  it('keeps a session bound to its device and subject', async () => {
    await subjectWithDevice('usr_a', 'dev_a');
    await subjectWithDevice('usr_b', 'dev_b');
    expect(await store.sessions.appendBatch(batch('ses_1', 'dev_a', 'usr_a', 0))).toBe('stored');
    expect(await store.sessions.appendBatch(batch('ses_1', 'dev_b', 'usr_b', 1))).toBe('not-bound');
    expect(await store.sessions.appendBatch(batch('ses_2', 'dev_a', 'usr_b', 0))).toBe('not-bound');
    expect(await store.sessions.appendBatch(batch('ses_3', 'dev_unknown', 'usr_a', 0))).toBe('revoked');
  });

  it('removes a session to a tombstone that late uploads cannot revive', async () => {
    await subjectWithDevice('usr_a', 'dev_a');
    await store.sessions.appendBatch(batch('ses_1', 'dev_a', 'usr_a', 0));
    expect(await store.sessions.remove('ses_1', 5000)).toBe(true);
    expect(await store.sessions.remove('ses_1', 5001)).toBe(false);
    expect(await store.sessions.get('ses_1')).toMatchObject({ deletedAt: 5000, eventCount: 0, rawBytes: 0, storedBytes: 0, origins: [] });
    expect(await store.sessions.chunks('ses_1')).toEqual([]);
    expect(await store.sessions.getBatch('ses_1', 0)).toBeUndefined();
    expect(await store.sessions.list('usr_a')).toEqual([]);
    expect(await store.sessions.appendBatch(batch('ses_1', 'dev_a', 'usr_a', 1))).toBe('deleted');
  });

  it('erases a subject: content, devices, tokens and codes', async () => {
    await subjectWithDevice('usr_a', 'dev_a');
    await subjectWithDevice('usr_b', 'dev_b');
    await store.tokens.create({ hash: 'h-user', kind: 'user', principalId: 'usr_a', createdAt: 1 });
    await store.tokens.create({ hash: 'h-device', kind: 'device', principalId: 'dev_a', createdAt: 1 });
    await store.tokens.create({ hash: 'h-other', kind: 'device', principalId: 'dev_b', createdAt: 1 });
    await store.codes.create({ hash: 'code-a', kind: 'device', userId: 'usr_a', bootstrap: false, roles: null, createdBy: 'usr_admin', createdAt: 1, expiresAt: 1e15, usedAt: null });
    await store.sessions.appendBatch(batch('ses_a', 'dev_a', 'usr_a', 0));
    await store.sessions.appendBatch(batch('ses_b', 'dev_b', 'usr_b', 0));

    expect(await store.subjects.erase('usr_a', 9000)).toEqual({ sessions: 1, devices: 1, tokens: 2 });
    expect(await store.users.get('usr_a')).toMatchObject({ deletedAt: 9000, label: null });
    expect(await store.devices.get('dev_a')).toMatchObject({ revokedAt: 9000, label: null });
    expect(await store.tokens.find('h-user')).toBeUndefined();
    expect(await store.tokens.find('h-device')).toBeUndefined();
    expect(await store.tokens.find('h-other')).toBeDefined();
    expect(await store.sessions.chunks('ses_a')).toEqual([]);
    expect(await store.sessions.chunks('ses_b')).toHaveLength(1);
    expect(await store.subjects.erasedIds()).toEqual(['usr_a']);
    expect(await store.codes.redeem('code-a', 10, () => ({ token: { hash: 'x', kind: 'device', principalId: 'dev_x', createdAt: 10 } }))).toBeUndefined();
    expect(await store.sessions.appendBatch(batch('ses_a2', 'dev_a', 'usr_a', 0))).toBe('revoked');
  });

  it('redeems a code once, before it expires, writing what the plan says', async () => {
    await store.users.create(user('usr_a'));
    await store.codes.create({ hash: 'code', kind: 'device', userId: 'usr_a', bootstrap: false, roles: null, createdBy: null, createdAt: 1, expiresAt: 100, usedAt: null });
    const plan = () => ({ device: device('dev_new', 'usr_a'), token: { hash: 'tok', kind: 'device' as const, principalId: 'dev_new', createdAt: 50 } });
    expect(await store.codes.redeem('code', 100, plan)).toBeUndefined(); // expired at 100
    expect(await store.codes.redeem('code', 50, () => undefined)).toBeUndefined(); // declined: stays unused
    expect(await store.codes.redeem('code', 50, plan)).toMatchObject({ device: { id: 'dev_new' } });
    expect(await store.codes.redeem('code', 51, plan)).toBeUndefined();
    expect(await store.devices.get('dev_new')).toMatchObject({ subjectId: 'usr_a' });
    expect(await store.tokens.find('tok')).toMatchObject({ principalId: 'dev_new' });
  });

  it('expires unused bootstrap codes only', async () => {
    const base = { kind: 'user' as const, userId: null, roles: ['admin' as const], createdBy: null, createdAt: 1, expiresAt: 1000, usedAt: null };
    await store.codes.create({ ...base, hash: 'boot-1', bootstrap: true });
    await store.codes.create({ ...base, hash: 'boot-2', bootstrap: true, usedAt: 5 });
    expect(await store.codes.expireBootstrapCodes(10)).toBe(1);
    const plan = () => ({ token: { hash: 't', kind: 'user' as const, principalId: 'usr_x', createdAt: 11 } });
    expect(await store.codes.redeem('boot-1', 11, plan)).toBeUndefined();
  });

  it('stores wrapped keys apart, insert-if-absent, and deletes them per session or per subject', async () => {
    const keys = store.keys;
    expect(await keys.isEmpty()).toBe(true);
    const first = await keys.putSubjectKey('usr_a', Buffer.alloc(60, 1), 1);
    const second = await keys.putSubjectKey('usr_a', Buffer.alloc(60, 2), 2);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    await keys.putSessionKey('ses_1', 'usr_a', Buffer.alloc(60, 3), 1);
    await keys.putSessionKey('ses_2', 'usr_a', Buffer.alloc(60, 4), 1);
    await keys.putSessionKey('ses_3', 'usr_b', Buffer.alloc(60, 5), 1);
    expect(await keys.deleteSessionKey('ses_1')).toBe(true);
    expect(await keys.getSessionKey('ses_1')).toBeUndefined();
    expect(await keys.deleteSubjectKeys('usr_a')).toEqual({ subject: true, sessions: 1 });
    expect(await keys.listSessionKeys()).toEqual([{ sessionId: 'ses_3', subjectId: 'usr_b' }]);
    expect(await keys.listSubjectKeys()).toEqual([]);
  });
});

describe('the schema migration for exports (issue 5)', () => {
  it('upgrades a store made before it: programs get the strictest export settings, and nothing else changes', async () => {
    const path = join(dir, 'old.db');
    const old = openDatabase(path, CONTENT_MIGRATIONS.slice(0, 3));
    old.prepare(
      `INSERT INTO programs (id, name, purposes, modalities, retention_days, idle_gap_ms, notice_version, notice_text, notice_updated_at, created_by, created_at)
       VALUES ('prg_00000000000000000001', 'before', '["evaluation"]', '["input"]', 30, 60000, 1, 'n', 1, 'usr_admin', 1)`,
    ).run();
    old.close();
    const upgraded = openDatabase(path, CONTENT_MIGRATIONS);
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(CONTENT_MIGRATIONS.length);
      expect(upgraded.prepare('SELECT name, export_sites, export_page_text FROM programs').all()).toEqual([{ name: 'before', export_sites: '[]', export_page_text: 0 }]);
      expect(upgraded.prepare('SELECT count(*) AS n FROM revocations').get()).toEqual({ n: 0 });
    } finally {
      upgraded.close();
    }
  });
});

describe('the schema migration for episode cuts (issue 5)', () => {
  it('upgrades a store made before it: spans and episodes keep their times, with counts and reasons unknown', async () => {
    const path = join(dir, 'old.db');
    const old = openDatabase(path, CONTENT_MIGRATIONS.slice(0, 4));
    old.exec(`
      INSERT INTO users (id, roles, created_at) VALUES ('usr_old', '["subject"]', 1);
      INSERT INTO programs (id, name, purposes, modalities, retention_days, idle_gap_ms, notice_version, notice_text, notice_updated_at, created_by, created_at)
        VALUES ('prg_old', 'before', '["evaluation"]', '["input"]', 30, 60000, 1, 'n', 1, 'usr_admin', 1);
      INSERT INTO devices (id, subject_id, created_at, program_id) VALUES ('dev_old', 'usr_old', 1, 'prg_old');
      INSERT INTO sessions (id, subject_id, device_id, created_at) VALUES ('ses_old', 'usr_old', 'dev_old', 1);
      INSERT INTO activity_spans (session_id, batch_seq, start_t, end_t) VALUES ('ses_old', 0, 0, 180);
      INSERT INTO episodes (id, session_id, subject_id, program_id, start_t, end_t, status, label, created_at) VALUES ('epi_old', 'ses_old', 'usr_old', 'prg_old', 0, 180, 'open', 'a task', 1);
    `);
    old.close();
    const upgraded = openDatabase(path, CONTENT_MIGRATIONS);
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(CONTENT_MIGRATIONS.length);
      expect(upgraded.prepare('SELECT start_t, end_t, events, pages, cut FROM activity_spans').all()).toEqual([{ start_t: 0, end_t: 180, events: null, pages: null, cut: null }]);
      expect(upgraded.prepare('SELECT label, reason, events, apps FROM episodes').all()).toEqual([{ label: 'a task', reason: null, events: null, apps: null }]);
      expect(upgraded.prepare('SELECT segment_nonce, segment_state FROM sessions').all()).toEqual([{ segment_nonce: null, segment_state: null }]);
      expect(upgraded.prepare('SELECT count(*) AS n FROM episode_decisions').get()).toEqual({ n: 0 });
    } finally {
      upgraded.close();
    }
  });
});

describe('the schema migration for the desktop agent and the kill switch (issue 6)', () => {
  it('upgrades a store made before it: programs record nothing on the desktop and run', async () => {
    const path = join(dir, 'old.db');
    const old = openDatabase(path, CONTENT_MIGRATIONS.slice(0, 5));
    old.exec(`
      INSERT INTO programs (id, name, purposes, modalities, retention_days, idle_gap_ms, notice_version, notice_text, notice_updated_at, created_by, created_at)
        VALUES ('prg_old', 'before', '["evaluation"]', '["input"]', 30, 60000, 1, 'n', 1, 'usr_admin', 1);
    `);
    old.close();
    const upgraded = openDatabase(path, CONTENT_MIGRATIONS);
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(6);
      expect(upgraded.prepare('SELECT name, desktop_apps, desktop_titles, screenshots, paused_at, paused_by, paused_reason FROM programs').all()).toEqual([
        { name: 'before', desktop_apps: '[]', desktop_titles: '[]', screenshots: 0, paused_at: null, paused_by: null, paused_reason: null },
      ]);
      expect(() => upgraded.prepare("UPDATE programs SET screenshots = 2 WHERE id = 'prg_old'").run()).toThrow(/CHECK/);
    } finally {
      upgraded.close();
    }
  });

  it('keeps desktop settings and pauses; a second pause leaves the first, resuming twice changes nothing', async () => {
    const base = { name: 'p', purposes: ['evaluation'], modalities: ['window'], retentionDays: 30, idleGapMs: 60_000, notice: { version: 1, text: 'n', updatedAt: 1 }, exportSites: [], exportPageText: false, createdBy: 'usr_admin', createdAt: 1 };
    await store.programs.create({ ...base, id: 'prg_a', desktopApps: ['xterm'], desktopTitles: ['ticket-*'], screenshots: true, paused: null });
    expect(await store.programs.get('prg_a')).toMatchObject({ desktopApps: ['xterm'], desktopTitles: ['ticket-*'], screenshots: true, paused: null });
    expect(await store.programs.setDesktopSettings('prg_a', { desktopApps: ['code', 'xterm'], desktopTitles: [], screenshots: false })).toBe(true);
    expect(await store.programs.setDesktopSettings('prg_none', { desktopApps: [], desktopTitles: [], screenshots: false })).toBe(false);
    expect(await store.programs.pause('prg_a', { at: 5, by: 'usr_sec', reason: 'leak' })).toBe(true);
    expect(await store.programs.pause('prg_a', { at: 6, by: 'usr_admin', reason: 'again' })).toBe(false);
    expect(await store.programs.get('prg_a')).toMatchObject({ desktopApps: ['code', 'xterm'], desktopTitles: [], screenshots: false, paused: { at: 5, by: 'usr_sec', reason: 'leak' } });
    expect(await store.programs.resume('prg_a')).toBe(true);
    expect(await store.programs.resume('prg_a')).toBe(false);
    expect(await store.programs.pause('prg_none', { at: 5, by: 'usr_sec', reason: 'leak' })).toBe(false);
    expect((await store.programs.get('prg_a'))!.paused).toBeNull();
  });
});
