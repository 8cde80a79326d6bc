import { KEY_BYTES } from './envelope.ts';
import { loadOrCreateSecretFile } from './secret-file.ts';

export { KeyFileError, fsyncDirectory } from './secret-file.ts';

export interface LoadKekOptions {
  /** May a missing file be created? False once keys have been wrapped under an existing KEK. */
  create: boolean;
}

/**
 * Reads the key-encryption key (32 random bytes) from its file, creating it on first use with
 * mode 0600. Refuses a file that group or others may access, or that is not exactly 32 bytes.
 */
export function loadOrCreateKek(path: string, options: LoadKekOptions): Buffer {
  return loadOrCreateSecretFile(
    path,
    {
      name: 'the key file',
      bytes: KEY_BYTES,
      sizeRule: `a key-encryption key has exactly ${KEY_BYTES}`,
      missing: 'the keyring holds keys wrapped under it; restore it from where it was kept (without it the stored content cannot be read)',
    },
    options.create,
  );
}
