import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVICE_KEY_FILE, DeviceKeyError, loadDeviceKey } from './devicekey.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-devicekey-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;

describe('loadDeviceKey', () => {
  it('makes a 32-byte key on first use, in a 0600 file in a 0700 directory, and returns the same key afterwards', () => {
    const dir = join(tempDir(), 'agent');
    const key = loadDeviceKey(dir);
    expect(key).toHaveLength(32);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, DEVICE_KEY_FILE))).toBe(0o600);
    // Only the key file: the temporary file was linked into place and removed.
    expect(readdirSync(dir)).toEqual([DEVICE_KEY_FILE]);
    expect(loadDeviceKey(dir).equals(key)).toBe(true);
    // Another directory, another key.
    expect(loadDeviceKey(join(tempDir(), 'other')).equals(key)).toBe(false);
  });

  it('tightens permissions that were loosened', () => {
    const dir = tempDir();
    const key = loadDeviceKey(dir);
    chmodSync(dir, 0o755);
    chmodSync(join(dir, DEVICE_KEY_FILE), 0o644);
    expect(loadDeviceKey(dir).equals(key)).toBe(true);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, DEVICE_KEY_FILE))).toBe(0o600);
  });

  it.each([
    ['short', (b: Buffer) => b.subarray(0, 20), /holds 20 bytes/],
    ['empty', () => Buffer.alloc(0), /holds 0 bytes/],
    ['flipped bit', (b: Buffer) => Buffer.from(b.map((x, i) => (i === 10 ? x ^ 1 : x))), /damaged/],
    ['foreign', (b: Buffer) => Buffer.concat([Buffer.from('XXXX'), b.subarray(4)]), /does not start like/],
  ])('refuses a %s key file with an error that says what to do, and leaves the file as it was', (_name, damage, problem) => {
    const dir = tempDir();
    loadDeviceKey(dir);
    const path = join(dir, DEVICE_KEY_FILE);
    const bad = damage(readFileSync(path));
    writeFileSync(path, bad);
    let error: unknown;
    try {
      loadDeviceKey(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeviceKeyError);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).toMatch(/cannot be read without this key.*Restore the file/);
    expect(readFileSync(path).equals(bad)).toBe(true);
  });
});
