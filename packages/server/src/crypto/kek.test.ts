import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyFileError, loadOrCreateKek } from './kek.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockstep-kek-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadOrCreateKek', () => {
  it('creates 32 random bytes with mode 0600 once, then reads the same key', () => {
    const path = join(dir, 'kek');
    const kek = loadOrCreateKek(path, { create: true });
    expect(kek).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path).equals(kek)).toBe(true);
    expect(loadOrCreateKek(path, { create: true }).equals(kek)).toBe(true);
  });

  it('refuses a file that group or others can read', () => {
    const path = join(dir, 'kek');
    loadOrCreateKek(path, { create: true });
    chmodSync(path, 0o644);
    expect(() => loadOrCreateKek(path, { create: true })).toThrow(/may be read by group or others \(mode 0644\).*chmod 600/);
  });

  it('refuses a file of the wrong size', () => {
    const path = join(dir, 'kek');
    writeFileSync(path, Buffer.alloc(31), { mode: 0o600 });
    expect(() => loadOrCreateKek(path, { create: true })).toThrow(/has 31 bytes/);
  });

  it('refuses to invent a new key when keys were wrapped under a lost one', () => {
    expect(() => loadOrCreateKek(join(dir, 'kek'), { create: false })).toThrow(KeyFileError);
    expect(() => loadOrCreateKek(join(dir, 'kek'), { create: false })).toThrow(/missing/);
  });
});
