import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`${dataDir} is in use by another Lockstep server (process ${pid}); stop that one first, or point this one at another --data directory`);
    this.name = 'DataDirInUseError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims a data directory for this process with a pid file (`lockstep.pid`). Two servers on one
 * directory would each cache keys and group commits of their own; the second one is refused.
 * A file left by a process that no longer runs (a crash, `kill -9`) is taken over.
 * Returns the function that gives the claim back.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'lockstep.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (Number(readFileSync(path, 'utf8').trim()) === process.pid) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) throw new DataDirInUseError(dataDir, owner);
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw new Error(`could not claim ${dataDir}: ${path} keeps reappearing`);
}
