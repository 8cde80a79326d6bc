import { type AuditLog, openAuditLog } from './audit/index.ts';
import { loadOrCreateKek } from './crypto/kek.ts';
import { Keyring } from './crypto/keyring.ts';
import { reconcile } from './content/remove.ts';
import { type RevocationFeed, openRevocationFeed } from './revocations/feed.ts';
import { type DataDirPaths, openEmbeddedStore } from './store/embedded/index.ts';
import type { Store } from './store/types.ts';

/** Everything the server works with: storage, the keyring, the audit log and a trusted clock. */
export interface Lockstep {
  readonly store: Store;
  readonly keyring: Keyring;
  /** Every authorization decision and content access (audit.db beside the store). */
  readonly audit: AuditLog;
  /** Deletions of exported episodes, as a signed Merkle log for the holders of the copies. */
  readonly revocations: RevocationFeed;
  readonly clock: () => number;
  close(): Promise<void>;
}

export interface EmbeddedLockstep extends Lockstep {
  readonly paths: DataDirPaths;
}

export interface OpenLockstepOptions {
  /** Milliseconds since the Unix epoch; tests pass their own. */
  clock?: () => number;
  /** The audit log's origin (checkpoint name), fixed when the log is created. */
  auditOrigin?: string;
  /** How often a checkpoint is signed while entries were appended (default 60 s). */
  auditCheckpointEveryMs?: number;
  /** The revocation feed's origin (checkpoint name), fixed when the feed is first opened. */
  revocationsOrigin?: string;
}

/**
 * Opens (creating on first run) a data directory: the embedded store, the key-encryption key
 * and the keyring. Finishes any shredding a crash interrupted before returning.
 */
export async function openLockstep(dataDir: string, options: OpenLockstepOptions = {}): Promise<EmbeddedLockstep> {
  const clock = options.clock ?? Date.now;
  const store = await openEmbeddedStore(dataDir);
  let audit: AuditLog | undefined;
  try {
    const fresh = await store.keys.isEmpty();
    if (fresh && (await store.sessions.withContent()).length > 0) {
      throw new Error(`${store.paths.keyring} holds no keys but ${store.paths.db} holds content; restore the keys directory from where it was kept`);
    }
    const kek = loadOrCreateKek(store.paths.kek, { create: fresh });
    let keyring: Keyring;
    try {
      keyring = await Keyring.open(kek, store.keys, { clock });
    } finally {
      kek.fill(0);
    }
    try {
      audit = openAuditLog(store.paths.root, {
        clock,
        keysDir: store.paths.keysDir,
        ...(options.auditOrigin ? { origin: options.auditOrigin } : {}),
        ...(options.auditCheckpointEveryMs !== undefined ? { checkpointEveryMs: options.auditCheckpointEveryMs } : {}),
      });
    } catch (error) {
      keyring.close();
      throw error;
    }
    const log = audit;
    let revocations: RevocationFeed;
    try {
      revocations = await openRevocationFeed(store.revocations, {
        keysDir: store.paths.keysDir,
        clock,
        ...(options.revocationsOrigin ? { origin: options.revocationsOrigin } : {}),
      });
    } catch (error) {
      keyring.close();
      throw error;
    }
    const lockstep: EmbeddedLockstep = {
      store,
      keyring,
      audit: log,
      revocations,
      clock,
      paths: store.paths,
      async close() {
        keyring.close();
        await log.close();
        await store.close();
      },
    };
    await reconcile(lockstep);
    return lockstep;
  } catch (error) {
    await audit?.close();
    await store.close();
    throw error;
  }
}
