import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { rootOf } from '../audit/merkle.ts';
import { deleteSession, eraseSubject } from '../content/remove.ts';
import { withdrawConsent } from '../domain/consent.ts';
import { deleteEpisode } from '../domain/episodes.ts';
import { newLocalId } from '../domain/ids.ts';
import { type EmbeddedLockstep, openLockstep } from '../lockstep.ts';
import type { RevocationRecord, RevocationStore, StoredCheckpoint } from '../store/types.ts';
import { exportedEpisodes } from '../testing/fixtures.ts';
import { REVOCATIONS_KEY_FILE, openRevocationFeed } from './feed.ts';
import { readRevocationVerifierKey } from './offline.ts';
import { RevocationVerifyError, revocationLeafHash, verifyRevocations } from './verify.ts';

const DAY = 24 * 3600 * 1000;

/** The feed's rows kept in memory, for checking the tree over many sizes without a database. */
function memoryStore(): RevocationStore & { add(n: number): void } {
  const rows: RevocationRecord[] = [];
  const checkpoints: StoredCheckpoint[] = [];
  const meta = new Map<string, string>();
  return {
    add(n) {
      for (let i = 0; i < n; i++) rows.push({ index: rows.length, exportId: `exp_${'x'.repeat(16)}${String(rows.length % 3)}`, localId: newLocalId(), reason: rows.length % 2 ? 'withdrawn' : 'deleted', day: '2026-01-0' + String(1 + (rows.length % 9)) });
    },
    async size() {
      return rows.length;
    },
    async range(from, to) {
      return rows.slice(from, to);
    },
    async rangeOf(requesterId, from, to, limit) {
      return rows.slice(from, to).filter((r) => r.exportId.endsWith(requesterId)).slice(0, limit);
    },
    async latestCheckpoint() {
      return checkpoints.at(-1);
    },
    async putCheckpoint(c, _now, verifier) {
      if (!meta.has('verifier')) meta.set('verifier', verifier);
      if (!checkpoints.some((x) => x.size === c.size)) checkpoints.push(c);
    },
    async getMeta(key) {
      return meta.get(key);
    },
    async initMeta(key, value) {
      if (!meta.has(key)) meta.set(key, value);
      return meta.get(key)!;
    },
  };
}

describe('the revocation feed as a Merkle log', () => {
  it('proves every entry and every extension, for every size up to 40, against the RFC 6962 root', async () => {
    const keys = mkdtempSync(join(tmpdir(), 'lockstep-feed-'));
    try {
      const store = memoryStore();
      const feed = await openRevocationFeed(store, { keysDir: keys, clock: () => 0, origin: 'example.test/revocations' });
      const kept: string[] = [];
      for (let size = 0; size <= 40; size++) {
        const answer = await feed.read({ since: 0, from: 0, limit: 1000, requesterId: null });
        expect(answer.size).toBe(size);
        const leaves = (await store.range(0, size)).map((r) => revocationLeafHash({ export: r.exportId, local: r.localId, reason: r.reason, day: r.day }));
        expect(answer.root).toBe(rootOf(leaves).toString('base64'));
        expect(verifyRevocations(answer, feed.verifierKey).entries).toHaveLength(size);
        kept.push(answer.checkpoint);
        // From every earlier checkpoint kept, the feed only grew.
        for (let since = 0; since <= size; since++) {
          const later = await feed.read({ since, from: since, limit: 1000, requesterId: null });
          expect(verifyRevocations(later, feed.verifierKey, { previous: kept[since]! }).extends).toBe(since);
        }
        store.add(1);
      }
      // A reader's own entries only, with proofs against the same root.
      const mine = await feed.read({ since: 0, from: 0, limit: 1000, requesterId: '1' });
      expect(mine.entries.length).toBeGreaterThan(0);
      expect(mine.entries.every((e) => e.export.endsWith('1'))).toBe(true);
      verifyRevocations(mine, feed.verifierKey);
    } finally {
      rmSync(keys, { recursive: true, force: true });
    }
  });

  it('refuses a previous checkpoint of another tree, another feed\'s key and a note signed by another key', async () => {
    const keys = mkdtempSync(join(tmpdir(), 'lockstep-feed-'));
    const otherKeys = mkdtempSync(join(tmpdir(), 'lockstep-feed-'));
    try {
      const store = memoryStore();
      const feed = await openRevocationFeed(store, { keysDir: keys, clock: () => 0, origin: 'example.test/revocations' });
      store.add(5);
      const five = await feed.read({ since: 0, from: 0, limit: 10, requesterId: null });
      store.add(3);
      const eight = await feed.read({ since: 5, from: 5, limit: 10, requesterId: null });
      verifyRevocations(eight, feed.verifierKey, { previous: five.checkpoint });

      // The same origin under another key: a rewritten history signed by someone else.
      const forgedStore = memoryStore();
      const forger = await openRevocationFeed(forgedStore, { keysDir: otherKeys, clock: () => 0, origin: 'example.test/revocations' });
      forgedStore.add(8);
      const forged = await forger.read({ since: 5, from: 5, limit: 10, requesterId: null });
      expect(() => verifyRevocations(forged, feed.verifierKey)).toThrow(/not signed by/);
      expect(() => verifyRevocations(eight, forger.verifierKey)).toThrow(RevocationVerifyError);
      // Its consistency proof, grafted onto the genuine answer, does not start from the kept root.
      const grafted = { ...eight, consistency: forged.consistency };
      expect(() => verifyRevocations(grafted, feed.verifierKey, { previous: five.checkpoint })).toThrow(RevocationVerifyError);
      // A missing consistency proof is not a pass.
      expect(() => verifyRevocations({ ...eight, consistency: null }, feed.verifierKey)).toThrow(/no consistency proof/);
      expect(() => verifyRevocations(eight, 'not a key')).toThrow(/verifier key/);
    } finally {
      rmSync(keys, { recursive: true, force: true });
      rmSync(otherKeys, { recursive: true, force: true });
    }
  });
});

describe('revocation in the store', () => {
  let dir: string;
  let lockstep: EmbeddedLockstep;
  let now = Date.UTC(2026, 3, 1, 10);
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lockstep-revocations-'));
    lockstep = await openLockstep(dir, { clock: () => now });
  });
  afterEach(async () => {
    await lockstep.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const localOf = (x: { manifest: Array<{ localId: string; episodeId: string }> }, episodeId: string) => x.manifest.find((m) => m.episodeId === episodeId)?.localId;

  it('appends one entry per export holding an episode, whichever way the released episode ends, and never for one that was not released', async () => {
    const w = await exportedEpisodes(lockstep, now);
    const [a, b, c, open] = w.episodes as [typeof w.episodes[0], typeof w.episodes[0], typeof w.episodes[0], typeof w.episodes[0]];
    expect(open.status).toBe('open');
    for (const x of w.exports) expect(x.manifest).toHaveLength(3);

    await deleteEpisode(lockstep, a);
    let entries = await lockstep.store.revocations.range(0, 100);
    // Exports made at the same time come in export id order.
    const byExport = [...w.exports].sort((x, y) => (x.record.id < y.record.id ? -1 : 1));
    expect(entries.map((e) => [e.exportId, e.localId, e.reason, e.day])).toEqual(byExport.map((x) => [x.record.id, localOf(x, a.id), 'deleted', '2026-04-01']));

    // Deleting a session leaves its released episodes (they are sealed copies): nothing to announce.
    await deleteSession(lockstep, w.sessions[1]!);
    await deleteEpisode(lockstep, open).catch(() => undefined);
    expect(await lockstep.store.revocations.size()).toBe(2);

    now += DAY;
    await withdrawConsent(lockstep, w.subjectId, w.program.id, { keepReleased: true });
    expect(await lockstep.store.revocations.size()).toBe(2);
    // What was kept, deleted later: 'deleted'; the erasure of the subject: 'deleted' too.
    await deleteEpisode(lockstep, b);
    now += DAY;
    await eraseSubject(lockstep, w.subjectId);
    await eraseSubject(lockstep, w.subjectId);
    entries = await lockstep.store.revocations.range(0, 100);
    expect(entries.slice(2).map((e) => [e.localId, e.reason, e.day])).toEqual([
      ...byExport.map((x) => [localOf(x, b.id), 'deleted', '2026-04-02']),
      ...byExport.map((x) => [localOf(x, c.id), 'deleted', '2026-04-03']),
    ]);
    expect(entries.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('says withdrawn when consent is withdrawn without keeping what was released', async () => {
    const w = await exportedEpisodes(lockstep, now);
    await withdrawConsent(lockstep, w.subjectId, w.program.id, { keepReleased: false });
    const entries = await lockstep.store.revocations.range(0, 100);
    expect(entries).toHaveLength(6);
    expect(new Set(entries.map((e) => e.reason))).toEqual(new Set(['withdrawn']));
  });

  it('keeps its origin, key and checkpoints across restarts, and refuses to start with its key missing or replaced', async () => {
    const w = await exportedEpisodes(lockstep, now);
    await deleteEpisode(lockstep, w.episodes[0]!);
    const answer = await lockstep.revocations.read({ since: 0, from: 0, limit: 100, requesterId: null });
    const { origin, verifierKey } = lockstep.revocations;
    expect(readRevocationVerifierKey(dir)).toBe(verifierKey);
    await lockstep.close();

    lockstep = await openLockstep(dir, { clock: () => now });
    expect(lockstep.revocations.origin).toBe(origin);
    expect(lockstep.revocations.verifierKey).toBe(verifierKey);
    const again = await lockstep.revocations.read({ since: answer.size, from: answer.size, limit: 100, requesterId: null });
    expect(again.checkpoint).toBe(answer.checkpoint);
    verifyRevocations(again, verifierKey, { previous: answer.checkpoint });
    await lockstep.close();

    const keyFile = join(dir, 'keys', REVOCATIONS_KEY_FILE);
    rmSync(keyFile);
    await expect(openLockstep(dir)).rejects.toThrow(/revocation feed signing key .* is missing/);
    writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
    await expect(openLockstep(dir)).rejects.toThrow(/not the key the revocation feed signs with/);
    // Leave a data directory that opens, for afterEach.
    rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'lockstep-revocations-'));
    lockstep = await openLockstep(dir);
  });
});
