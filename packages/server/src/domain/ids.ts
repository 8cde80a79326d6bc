import { randomFillSync } from 'node:crypto';
import { z } from 'zod';

/** Ids of the governance records: a prefix naming the kind, then 20 random base-36 characters. */
export type IdPrefix = 'prg' | 'epi' | 'dst' | 'grt' | 'brk';

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
