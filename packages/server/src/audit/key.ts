import { loadOrCreateSecretFile } from '../crypto/secret-file.ts';

const SEED_BYTES = 32;

/**
 * Reads the audit log's Ed25519 signing key (a 32-byte seed) from `path`, creating it with mode
 * 0600 when `create` allows (a log that has signed nothing yet). Refuses a file that group or
 * others may access, like keys/kek. The caller zeroes the returned buffer when done.
 */
export function loadOrCreateSigningSeed(path: string, options: { create: boolean }): Buffer {
  return loadOrCreateSecretFile(
    path,
    {
      name: 'the audit signing key',
      bytes: SEED_BYTES,
      sizeRule: `it has exactly ${SEED_BYTES}`,
      missing: 'the audit log has signed checkpoints with it; restore it from where it was kept',
    },
    options.create,
  );
}
