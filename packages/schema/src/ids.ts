import { z } from 'zod';

/** Identifier shapes. Prefixes make a leaked id self-describing and stop one kind being used for another. */
const idOf = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9A-Za-z_-]{16,64}$`), `must look like ${prefix}_ followed by 16–64 URL-safe characters`);

export const SessionId = idOf('ses');
export const DeviceId = idOf('dev');
export const UserId = idOf('usr');
export type SessionId = z.infer<typeof SessionId>;
export type DeviceId = z.infer<typeof DeviceId>;
export type UserId = z.infer<typeof UserId>;

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A new random id with the given prefix. `random` fills a byte array with cryptographically
 * strong values; it is passed in so that this module stays free of runtime APIs.
 */
export function newId(prefix: 'ses' | 'dev' | 'usr', random: (bytes: Uint8Array) => Uint8Array): string {
  const bytes = random(new Uint8Array(20));
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 36];
  return `${prefix}_${out}`;
}
