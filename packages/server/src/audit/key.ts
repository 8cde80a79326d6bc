import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { KeyFileError, fsyncDirectory } from '../crypto/kek.ts';

const SEED_BYTES = 32;

/**
 * Reads the audit log's Ed25519 signing key (a 32-byte seed) from `path`, creating it with mode
 * 0600 when `create` allows (a log that has signed nothing yet). Refuses a file that group or
 * others may access, like keys/kek. The caller zeroes the returned buffer when done.
 */
export function loadOrCreateSigningSeed(path: string, options: { create: boolean }): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new KeyFileError(`cannot open the audit signing key ${path}: ${code ?? 'error'}`);
    if (!options.create) {
      throw new KeyFileError(`the audit signing key ${path} is missing but the audit log has signed checkpoints with it; restore it from where it was kept`);
    }
    return createSeed(path);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new KeyFileError(`${path} is not a regular file`);
    if ((stat.mode & 0o077) !== 0) {
      throw new KeyFileError(`the audit signing key ${path} may be read by group or others (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}); run: chmod 600 ${path}`);
    }
    if (stat.size !== SEED_BYTES) throw new KeyFileError(`the audit signing key ${path} has ${stat.size} bytes; it has exactly ${SEED_BYTES}`);
    const seed = Buffer.alloc(SEED_BYTES);
    if (readSync(fd, seed, 0, SEED_BYTES, 0) !== SEED_BYTES) throw new KeyFileError(`short read from ${path}`);
    return seed;
  } finally {
    closeSync(fd);
  }
}

function createSeed(path: string): Buffer {
  const seed = Buffer.alloc(SEED_BYTES);
  seed.set(randomBytes(SEED_BYTES));
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, seed);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDirectory(dirname(path));
  return seed;
}
