import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreVersionError, openDatabase } from './sqlite.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockstep-sqlite-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const migrations = ['CREATE TABLE a (x INTEGER) STRICT;', 'CREATE TABLE b (y TEXT) STRICT;'];

describe('openDatabase', () => {
  it('sets WAL, synchronous=FULL, secure_delete and foreign keys, with files of mode 0600', () => {
    const path = join(dir, 'x.db');
    const db = openDatabase(path, migrations);
    db.prepare('INSERT INTO a VALUES (1)').run();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(statSync(file).mode & 0o777, file).toBe(0o600);
    db.close();
  });

  it('applies each migration once, recording the version in user_version', () => {
    const path = join(dir, 'x.db');
    openDatabase(path, migrations.slice(0, 1)).close();
    const db = openDatabase(path, migrations);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()).toEqual(['a', 'b']);
    db.close();
    // Opening again runs nothing (a re-run of CREATE TABLE would throw).
    openDatabase(path, migrations).close();
  });

  it('refuses a database written by a newer version', () => {
    const path = join(dir, 'x.db');
    const raw = new Database(path);
    raw.pragma('user_version = 7');
    raw.close();
    expect(() => openDatabase(path, migrations)).toThrow(StoreVersionError);
  });
});
