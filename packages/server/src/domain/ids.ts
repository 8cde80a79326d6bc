import { randomFillSync } from 'node:crypto';
import { z } from 'zod';

/** Ids of the governance records: a prefix naming the kind, then 20 random base-36 characters. */
export type IdPrefix = 'prg' | 'epi' | 'dst' | 'grt' | 'brk' | 'exp';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function newRecordId(prefix: IdPrefix): string {
  const bytes = randomFillSync(new Uint8Array(20));
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 36];
  return `${prefix}_${out}`;
}

const idOf = (prefix: IdPrefix) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9A-Za-z_-]{16,64}$`), `must look like ${prefix}_ followed by 16–64 URL-safe characters`);

export const ProgramId = idOf('prg');
export const EpisodeId = idOf('epi');
export const DatasetId = idOf('dst');
export const GrantId = idOf('grt');
export const BreakGlassId = idOf('brk');
export const ExportId = idOf('exp');

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * An episode's id inside one export: `ep_` and 16 base32 characters, 80 fresh random bits (no
 * modulo bias: 5 bits per character). It is drawn, never derived, so nothing links it to the
 * episode id or to the same episode's local id in another export.
 */
export function newLocalId(): string {
  const bytes = randomFillSync(new Uint8Array(10));
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return `ep_${out}`;
}

export const LOCAL_ID = /^ep_[a-z2-7]{16}$/;
export const LocalId = z.string().regex(LOCAL_ID, 'must look like ep_ followed by 16 base32 characters');
