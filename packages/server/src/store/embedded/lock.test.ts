import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from './index.ts';
import { DataDirInUseError, lockDataDir } from './lock.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lockstep-lock-'));
}

describe('lockDataDir', () => {
  it('refuses a second claim while the first is held, and allows one after release', () => {
    const dir = tempDir();
    try {
      const release = lockDataDir(dir);
      expect(readFileSync(join(dir, 'lockstep.pid'), 'utf8').trim()).toBe(String(process.pid));
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
      expect(() => lockDataDir(dir)).toThrow(/in use by another Lockstep server \(process \d+\)/);
      release();
      expect(existsSync(join(dir, 'lockstep.pid'))).toBe(false);
      lockDataDir(dir)();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over a pid file left by a process that no longer runs', () => {
    const dir = tempDir();
    try {
      const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      writeFileSync(join(dir, 'lockstep.pid'), `${gone.stdout}\n`);
      const release = lockDataDir(dir);
      expect(readFileSync(join(dir, 'lockstep.pid'), 'utf8').trim()).toBe(String(process.pid));
      release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a second embedded store off a data directory that is open', async () => {
    const dir = tempDir();
    try {
      const store = await openEmbeddedStore(dir);
      await expect(openEmbeddedStore(dir)).rejects.toThrow(DataDirInUseError);
      await store.close();
      const again = await openEmbeddedStore(dir);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
