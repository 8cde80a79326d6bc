/**
 * `lockstep export revoked`: reads the signed revocation feed from a checkpoint on, page by page,
 * and verifies every page before showing anything: the checkpoint's signature under the pinned
 * key, each entry's inclusion proof, and that the feed only grew since the checkpoint the caller
 * kept (the one in the export's manifest, or the one the last run printed).
 */
import { readFile } from 'node:fs/promises';
import { verifyRevocations, type RevocationEntry, type RevocationFeedResponse } from '@lockstep/server/revocations';
import type { Client } from '../client.ts';
import type { ExportManifest } from './run.ts';

export interface RevocationsRead {
  origin: string;
  /** Feed size now: read from here on next time. */
  size: number;
  /** The signed checkpoint at `size`: keep it and pass it next time (--previous). */
  checkpoint: string;
  entries: RevocationEntry[];
  /** The key came from the caller (the manifest or --key), not from the answer itself. */
  keyPinned: boolean;
  /** The size of the previous checkpoint this one provably extends, when one was given. */
  extends: number | null;
}

export interface RevocationsQuery {
  since: number;
  /** The pinned verifier key; without it, the key the server states (and keyPinned is false). */
  key?: string;
  /** The signed checkpoint of size `since` kept from before. */
  previous?: string;
  /** Only entries of this export. */
  exportId?: string;
}

export async function readRevocations(client: Client, query: RevocationsQuery): Promise<RevocationsRead> {
  const entries: RevocationEntry[] = [];
  let from = query.since;
  let first: RevocationFeedResponse | null = null;
  let extendsSize: number | null = null;
  for (;;) {
    const page = await client.get<RevocationFeedResponse>(`/v1/exports/revocations?since=${query.since}&from=${from}`);
    // A page's checkpoint may be newer than the first page's; every page is checked on its own.
    const verified = verifyRevocations(page, query.key ?? (first ?? page).verifierKey, query.previous ? { previous: query.previous } : {});
    if (first === null) {
      first = page;
      extendsSize = verified.extends;
    }
    for (const e of verified.entries) if (!query.exportId || e.export === query.exportId) entries.push(e);
    if (page.next === null) break;
    from = page.next;
  }
  return { origin: first.origin, size: first.size, checkpoint: first.checkpoint, entries, keyPinned: query.key !== undefined, extends: extendsSize };
}

/** since, key and previous checkpoint from an export's manifest.json. */
export async function fromManifest(path: string): Promise<{ since: number; key: string; previous: string; exportId: string }> {
  let manifest: Partial<ExportManifest>;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as Partial<ExportManifest>;
  } catch (error) {
    throw new Error(`cannot read the manifest ${path}: ${(error as Error).message}`);
  }
  const r = manifest.revocations;
  if (!manifest.export || !r || typeof r.size !== 'number' || typeof r.verifierKey !== 'string' || typeof r.checkpoint !== 'string') {
    throw new Error(`${path} is not a Lockstep export manifest (no export id or revocation head)`);
  }
  return { since: r.size, key: r.verifierKey, previous: r.checkpoint, exportId: manifest.export };
}
