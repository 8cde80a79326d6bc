import type { Lockstep } from '../lockstep.ts';

/**
 * Deletion is recorded first in lockstep.db (a tombstone, content rows removed), then made
 * irreversible by destroying the keys. If a crash falls in between, `reconcile` finishes the
 * shredding on the next start, so a tombstone never outlives its keys by more than a restart.
 */

/** Deletes a session's content and destroys its key. False if unknown or already deleted. */
export async function deleteSession(lockstep: Lockstep, sessionId: string): Promise<boolean> {
  const removed = await lockstep.store.sessions.remove(sessionId, lockstep.clock());
  await lockstep.keyring.destroySession(sessionId);
  return removed;
}

/** Erases a user: content, devices, tokens and codes go, and their keys are destroyed. */
export async function eraseSubject(lockstep: Lockstep, userId: string) {
  const counts = await lockstep.store.subjects.erase(userId, lockstep.clock());
  const keys = await lockstep.keyring.destroySubject(userId);
  const episodeKeys = await lockstep.keyring.destroyEpisodesOf(userId);
  return { ...counts, subjectKey: keys.subject, sessionKeys: keys.sessions, episodeKeys };
}

/** Destroys keys left behind for deleted sessions and erased users. */
export async function reconcile(lockstep: Lockstep): Promise<{ sessionKeys: number; subjectKeys: number }> {
  const { store, keyring } = lockstep;
  const erased = new Set(await store.subjects.erasedIds());
  let sessionKeys = 0;
  let subjectKeys = 0;
  for (const { sessionId, subjectId } of await store.keys.listSessionKeys()) {
    const session = await store.sessions.get(sessionId);
    if (erased.has(subjectId) || (session && session.deletedAt !== null)) {
      if (await keyring.destroySession(sessionId)) sessionKeys++;
    }
  }
  for (const subjectId of erased) await keyring.destroyEpisodesOf(subjectId);
  for (const subjectId of await store.keys.listSubjectKeys()) {
    if (erased.has(subjectId)) {
      const result = await keyring.destroySubject(subjectId);
      if (result.subject) subjectKeys++;
      sessionKeys += result.sessions;
    }
  }
  return { sessionKeys, subjectKeys };
}
