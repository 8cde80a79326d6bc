import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM, the one cipher Lockstep uses at rest. Every sealed value is bound to an
 * "additional authenticated data" string naming what it is and whose it is, so a ciphertext
 * moved to another row (another subject, session or chunk) no longer opens.
 */
export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** A ciphertext did not authenticate: wrong key, wrong context (AAD) or altered bytes. */
export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

export interface Sealed {
  nonce: Buffer;
  /** Ciphertext followed by the 16-byte GCM tag. */
  ciphertext: Buffer;
}

function checkKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) throw new RangeError(`an AES-256 key has ${KEY_BYTES} bytes, got ${key.length}`);
}

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): Sealed {
  checkKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = cipher.update(plaintext);
  const rest = cipher.final();
  return { nonce, ciphertext: Buffer.concat([body, rest, cipher.getAuthTag()]) };
}

export function open(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, aad: string): Buffer {
  checkKey(key);
  if (nonce.length !== NONCE_BYTES || ciphertext.length < TAG_BYTES) throw new DecryptionError('sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
  const body = decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES));
  try {
    return Buffer.concat([body, decipher.final()]);
  } catch {
    body.fill(0);
    throw new DecryptionError('sealed value failed authentication (wrong key, wrong context or altered bytes)');
  }
}

/** Wraps a key under another: one blob, nonce ‖ ciphertext ‖ tag. */
export function wrapKey(wrappingKey: Uint8Array, key: Uint8Array, aad: string): Buffer {
  checkKey(key);
  const { nonce, ciphertext } = seal(wrappingKey, key, aad);
  return Buffer.concat([nonce, ciphertext]);
}

/** The inverse of wrapKey. The result is a fresh buffer that the caller may zero. */
export function unwrapKey(wrappingKey: Uint8Array, wrapped: Uint8Array, aad: string): Buffer {
  if (wrapped.length !== NONCE_BYTES + KEY_BYTES + TAG_BYTES) throw new DecryptionError('wrapped key has the wrong length');
  const plain = open(wrappingKey, wrapped.subarray(0, NONCE_BYTES), wrapped.subarray(NONCE_BYTES), aad);
  const key = Buffer.alloc(KEY_BYTES);
  plain.copy(key);
  plain.fill(0);
  return key;
}

export function randomKey(): Buffer {
  const key = Buffer.alloc(KEY_BYTES);
  key.set(randomBytes(KEY_BYTES));
  return key;
}
