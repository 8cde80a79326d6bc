import { closeSync, constants, fsyncSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { KEY_BYTES } from './envelope.ts';

/** The key-encryption key could not be used; the message says what to do about it. */
export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

export interface LoadKekOptions {
  /** May a missing file be created? False once keys have been wrapped under an existing KEK. */
  create: boolean;
}

/**
 * Reads the key-encryption key (32 random bytes) from its file, creating it on first use with
 * mode 0600. Refuses a file that group or others may access, or that is not exactly 32 bytes.
 */
export function loadOrCreateKek(path: string, options: LoadKekOptions): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new KeyFileError(`cannot open the key file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (!options.create) {
      throw new KeyFileError(
        `the key file ${path} is missing but the keyring holds keys wrapped under it; restore it from where it was kept (without it the stored content cannot be read)`,
      );
    }
    return createKek(path);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new KeyFileError(`${path} is not a regular file`);
    if ((stat.mode & 0o077) !== 0) {
      throw new KeyFileError(
        `the key file ${path} may be read by group or others (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}); run: chmod 600 ${path}`,
      );
    }
    if (stat.size !== KEY_BYTES) {
      throw new KeyFileError(`the key file ${path} has ${stat.size} bytes; a key-encryption key has exactly ${KEY_BYTES}`);
    }
    const kek = Buffer.alloc(KEY_BYTES);
    if (readSync(fd, kek, 0, KEY_BYTES, 0) !== KEY_BYTES) throw new KeyFileError(`short read from ${path}`);
    return kek;
  } finally {
    closeSync(fd);
  }
}

function createKek(path: string): Buffer {
  const kek = Buffer.alloc(KEY_BYTES);
  kek.set(randomBytes(KEY_BYTES));
  // O_EXCL: if another process created it in between, fail rather than overwrite.
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, kek);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDirectory(dirname(path));
  return kek;
}

/** Makes a directory entry (a newly created file) durable. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
