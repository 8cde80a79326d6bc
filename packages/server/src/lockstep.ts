import { loadOrCreateKek } from './crypto/kek.ts';
import { Keyring } from './crypto/keyring.ts';
import { reconcile } from './content/remove.ts';
import { type DataDirPaths, openEmbeddedStore } from './store/embedded/index.ts';
import type { Store } from './store/types.ts';

/** Everything the server works with: storage, the keyring and a trusted clock. */
export interface Lockstep {
  readonly store: Store;
  readonly keyring: Keyring;
  readonly clock: () => number;
  close(): Promise<void>;
}

export interface EmbeddedLockstep extends Lockstep {
  readonly paths: DataDirPaths;
}

export interface OpenLockstepOptions {
  /** Milliseconds since the Unix epoch; tests pass their own. */
  clock?: () => number;
}

/**
 * Opens (creating on first run) a data directory: the embedded store, the key-encryption key
 * and the keyring. Finishes any shredding a crash interrupted before returning.
 */
export async function openLockstep(dataDir: string, options: OpenLockstepOptions = {}): Promise<EmbeddedLockstep> {
  const clock = options.clock ?? Date.now;
  const store = await openEmbeddedStore(dataDir);
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
    const lockstep: EmbeddedLockstep = {
      store,
      keyring,
      clock,
      paths: store.paths,
      async close() {
        keyring.close();
        await store.close();
      },
    };
    await reconcile(lockstep);
    return lockstep;
  } catch (error) {
    await store.close();
    throw error;
  }
}
