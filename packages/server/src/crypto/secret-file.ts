import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** A key file could not be used; the message says what to do about it. */
export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

export interface SecretFile {
  /** How messages name the file, e.g. `the key file`, `the audit signing key`. */
  name: string;
  bytes: number;
  /** Ends "has N bytes; …", e.g. `a key-encryption key has exactly 32`. */
  sizeRule: string;
  /** Ends "… is missing but …": why it must not be created afresh, and what to do. */
  missing: string;
}

/**
 * Reads a secret of exactly `spec.bytes` random bytes from `path`, creating it (O_EXCL, mode 0600,
 * fsynced with its directory) when `create` allows. Refuses a symlink, a file that group or others
 * may access, or one of the wrong size. The caller zeroes the returned buffer when done.
 */
export function loadOrCreateSecretFile(path: string, spec: SecretFile, create: boolean): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new KeyFileError(`cannot open ${spec.name} ${path}: ${code ?? 'error'}`);
    if (!create) throw new KeyFileError(`${spec.name} ${path} is missing but ${spec.missing}`);
    return createSecretFile(path, spec.bytes);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new KeyFileError(`${path} is not a regular file`);
    if ((stat.mode & 0o077) !== 0) {
      throw new KeyFileError(`${spec.name} ${path} may be read by group or others (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}); run: chmod 600 ${path}`);
    }
    if (stat.size !== spec.bytes) throw new KeyFileError(`${spec.name} ${path} has ${stat.size} bytes; ${spec.sizeRule}`);
    const secret = Buffer.alloc(spec.bytes);
    if (readSync(fd, secret, 0, spec.bytes, 0) !== spec.bytes) throw new KeyFileError(`short read from ${path}`);
    return secret;
  } finally {
    closeSync(fd);
  }
}

function createSecretFile(path: string, bytes: number): Buffer {
  const secret = Buffer.alloc(bytes);
  secret.set(randomBytes(bytes));
  // O_EXCL: if another process created it in between, fail rather than overwrite.
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, secret);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDirectory(dirname(path));
  return secret;
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
