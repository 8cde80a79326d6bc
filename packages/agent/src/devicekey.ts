// The device key: 32 random bytes that encrypt the agent's spool at rest. It lives in one file
// (mode 0600, in a 0700 directory) next to the spool, is created on first use, and is never
// replaced behind anyone's back: a damaged file is an error that says what to do, because a new
// key would leave every spooled batch unreadable.
//
// File format (44 bytes): "LSK1" | key (32 bytes) | first 8 bytes of SHA-256("LSK1" | key).
// The check bytes tell a damaged file from a different one.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const DEVICE_KEY_FILE = 'device.key';
export const DEVICE_KEY_BYTES = 32;

const MAGIC = Buffer.from('LSK1', 'ascii');
const CHECK_BYTES = 8;
const FILE_BYTES = MAGIC.length + DEVICE_KEY_BYTES + CHECK_BYTES;

export class DeviceKeyError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(
      `device key ${path} is unusable: ${problem}. The spool next to it cannot be read without this key, so it was not replaced. ` +
        'Restore the file from a backup; or, accepting that batches not yet uploaded are lost, move the key file and the spool aside and start the agent again to make a new key.',
    );
    this.name = 'DeviceKeyError';
  }
}

const check = (key: Buffer) => createHash('sha256').update(MAGIC).update(key).digest().subarray(0, CHECK_BYTES);

function encode(key: Buffer): Buffer {
  return Buffer.concat([MAGIC, key, check(key)]);
}

function decode(path: string, bytes: Buffer): Buffer {
  if (bytes.length !== FILE_BYTES) throw new DeviceKeyError(path, `it holds ${bytes.length} bytes, a key file holds ${FILE_BYTES}`);
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new DeviceKeyError(path, 'it does not start like a Lockstep device key file');
  const key = Buffer.from(bytes.subarray(MAGIC.length, MAGIC.length + DEVICE_KEY_BYTES));
  if (!bytes.subarray(MAGIC.length + DEVICE_KEY_BYTES).equals(check(key))) throw new DeviceKeyError(path, 'its check bytes do not match (the file is damaged)');
  return key;
}

/** Clears group and other permission bits, if any are set. */
function tighten(path: string, mode: number): void {
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, mode);
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The device key kept in `dir` (created with mode 0700 if missing), made on first use. A new key
 * is written to a temporary file, fsynced, then linked into place, so that a crash leaves either
 * no key file or a whole one, and two agents starting at once end up with the same key.
 * Throws DeviceKeyError when the file exists but is not a valid key.
 */
export function loadDeviceKey(dir: string): Buffer {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir, 0o700);
  const path = join(dir, DEVICE_KEY_FILE);
  const existing = readIfPresent(path);
  if (existing) {
    tighten(path, 0o600);
    return decode(path, existing);
  }

  const key = randomBytes(DEVICE_KEY_BYTES);
  const tmp = join(dir, `.${DEVICE_KEY_FILE}.${process.pid}.${randomBytes(6).toString('base64url')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, encode(key));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // link() fails if another process put its key there first; then that one is the key.
    linkSync(tmp, path);
    unlinkSync(tmp);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      unlinkSync(tmp);
      return decode(path, readFileSync(path));
    }
    // File systems without hard links: a plain rename (atomic, but the last writer wins).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') {
      unlinkSync(tmp);
      throw error;
    }
    renameSync(tmp, path);
  }
  fsyncDir(dir);
  return key;
}

function readIfPresent(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
