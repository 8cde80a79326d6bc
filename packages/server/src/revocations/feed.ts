import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type NoteSigner, signCheckpoint, signerFromSeed } from '../audit/checkpoint.ts';
import { EMPTY_ROOT, Frontier, type Hash, type PerfectSource, consistencyPath, inclusionPath, rangeHash } from '../audit/merkle.ts';
import { loadOrCreateSecretFile } from '../crypto/secret-file.ts';
import type { RevocationRecord, RevocationStore } from '../store/types.ts';
import { type RevocationFeedResponse, revocationLeafHash } from './verify.ts';

/**
 * The revocation feed: when an exported episode stops existing, each export holding it gets an
 * entry (export id, local id, reason, day) — written by the store, in the transaction of the
 * deletion. This module makes those rows a verifiable log: an RFC 6962 Merkle tree over them
 * (the audit log's hashing and proofs), C2SP signed checkpoints under the feed's own origin, and
 * answers that carry an inclusion proof per entry and a consistency proof from the size the
 * reader saw last.
 *
 * The feed signs with its own Ed25519 key, keys/revocations-signing.key, not the audit log's.
 * Its verifier key is handed to every researcher who makes an export and pinned by their tools
 * outside the organisation, while the audit key serves security and witnesses: separate keys let
 * either be rotated, after a suspected leak, without breaking every pin of the other, and keep to
 * one key per purpose. Signed notes bind the key name (the origin) into the key id, so even one
 * key could not have a revocation checkpoint taken for an audit one; the second key costs one
 * more 32-byte file in keys/, which backups already keep.
 */

export const REVOCATIONS_KEY_FILE = 'revocations-signing.key';

export interface RevocationFeed {
  readonly origin: string;
  /** C2SP verifier key: `<origin>+<key id>+<base64 key>`. */
  readonly verifierKey: string;
  /** The feed's size now. */
  size(): Promise<number>;
  /** A signed checkpoint of the feed as it is now (signing a new one if it grew since the last). */
  checkpoint(): Promise<{ note: string; size: number; root: Buffer }>;
  /**
   * The answer of GET /v1/exports/revocations: the current checkpoint, the entries with
   * from ≤ index < size that `requesterId` may see (null: all), at most `limit`, each with its
   * inclusion proof, and a consistency proof from `since`. RangeError if since > size.
   */
  read(options: { since: number; from: number; limit: number; requesterId: string | null }): Promise<RevocationFeedResponse>;
}

export interface RevocationFeedOptions {
  keysDir: string;
  clock: () => number;
  /** The feed's name in its checkpoints, fixed on first open (default `lockstep/<random>/revocations`). */
  origin?: string;
}

const SEED_BYTES = 32;

function loadSeed(keysDir: string, create: boolean): Buffer {
  return loadOrCreateSecretFile(
    join(keysDir, REVOCATIONS_KEY_FILE),
    {
      name: 'the revocation feed signing key',
      bytes: SEED_BYTES,
      sizeRule: `it has exactly ${SEED_BYTES}`,
      missing: 'the revocation feed has signed checkpoints with it that researchers have pinned; restore it from where it was kept',
    },
    create,
  );
}

/** The verifier key of the feed whose origin is `origin`, from the key file (for tools reading a data directory). */
export function revocationVerifierKey(keysDir: string, origin: string): string {
  const seed = loadSeed(keysDir, false);
  try {
    return signerFromSeed(origin, seed).text;
  } finally {
    seed.fill(0);
  }
}

/**
 * Opens the feed over `store`: fixes its origin on first use and loads its signing key, creating
 * the key only while no checkpoint has been signed (afterwards a missing or different key is an
 * error, as for the audit log).
 */
export async function openRevocationFeed(store: RevocationStore, options: RevocationFeedOptions): Promise<RevocationFeed> {
  const origin = await store.initMeta('origin', options.origin ?? `lockstep/${randomBytes(6).toString('hex')}/revocations`);
  if (options.origin !== undefined && options.origin !== origin) throw new Error(`the revocation feed is named "${origin}", not "${options.origin}"; a feed's origin never changes`);
  const signed = (await store.latestCheckpoint()) !== undefined;
  const seed = loadSeed(options.keysDir, !signed);
  let signer: NoteSigner;
  try {
    signer = signerFromSeed(origin, seed);
  } finally {
    seed.fill(0);
  }
  const known = await store.getMeta('verifier');
  if (known !== undefined && known !== signer.text) {
    throw new Error(`${join(options.keysDir, REVOCATIONS_KEY_FILE)} is not the key the revocation feed signs with (${known}); restore the right key`);
  }

  // The tree, kept in memory and extended from the store as the feed grows: every perfect
  // subtree hash by level (the leaves are level 0), and the frontier for the current root.
  const levels: Hash[][] = [[]];
  const frontier = new Frontier();
  const perfect: PerfectSource = (level, index) => {
    const hash = levels[level]?.[index];
    if (!hash) throw new Error(`the revocation tree lacks the node at level ${level}, index ${index}`);
    return hash;
  };
  const push = (r: RevocationRecord) => {
    if (r.index !== frontier.size) throw new Error(`the revocation feed skips from ${frontier.size} to ${r.index}`);
    frontier.push(revocationLeafHash({ export: r.exportId, local: r.localId, reason: r.reason, day: r.day }), (level, index, hash) => {
      (levels[level] ??= [])[index] = hash;
    });
  };
  const rootAt = (size: number): Hash => (size === 0 ? EMPTY_ROOT : size === frontier.size ? frontier.root() : rangeHash(perfect, 0, size));

  // One catch-up at a time: concurrent readers would otherwise append the same rows twice.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const run = queue.then(f, f);
    queue = run.catch(() => undefined);
    return run;
  };
  const catchUp = async () => {
    const size = await store.size();
    if (size > frontier.size) for (const r of await store.range(frontier.size, size)) push(r);
    return frontier.size;
  };

  const checkpoint = () =>
    serial(async () => {
      const size = await catchUp();
      const latest = await store.latestCheckpoint();
      if (latest && latest.size === size) return { note: latest.note, size, root: Buffer.from(latest.root) };
      const root = rootAt(size);
      const note = signCheckpoint({ origin, size, root }, signer);
      await store.putCheckpoint({ size, root, note }, options.clock(), signer.text);
      return { note, size, root };
    });

  return {
    origin,
    verifierKey: signer.text,
    size: () => serial(catchUp),
    checkpoint,
    async read({ since, from, limit, requesterId }) {
      const head = await checkpoint();
      return serial(async () => {
        const { size, root } = head;
        if (since > size) throw new RangeError(`the feed has ${size} entries; since must be at most that`);
        const start = Math.max(from, since);
        // One more than asked for tells whether there is a next page.
        const rows = requesterId === null ? (await store.range(start, size)).slice(0, limit + 1) : await store.rangeOf(requesterId, start, size, limit + 1);
        const page = rows.slice(0, limit);
        const b64 = (h: Uint8Array) => Buffer.from(h).toString('base64');
        return {
          origin,
          verifierKey: signer.text,
          checkpoint: head.note,
          size,
          root: b64(root),
          since,
          from: start,
          entries: page.map((r) => ({
            index: r.index,
            export: r.exportId,
            local: r.localId,
            reason: r.reason,
            day: r.day,
            proof: inclusionPath(perfect, r.index, size).map(b64),
          })),
          consistency: since === 0 ? null : { from: since, root: b64(rootAt(since)), proof: consistencyPath(perfect, since, size).map(b64) },
          next: rows.length > limit ? rows[limit]!.index : null,
        };
      });
    },
  };
}
