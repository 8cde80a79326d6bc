import type { ExportRecord, ExportStore, ManifestRow, RevocationReason, RevocationRecord, RevocationStore, StoredCheckpoint } from '../types.ts';
import type { Db } from './sqlite.ts';

/**
 * Exports, their manifests and the revocation feed in lockstep.db. Entries of the feed are
 * written by the revoke_exported_copies trigger (migrations.ts), never here: whatever deletes a
 * released episode appends them in its own transaction.
 */

interface ExportRow {
  id: string;
  grant_id: string;
  requester_id: string;
  created_at: number;
  export_sites: string;
  export_page_text: number;
}
const toExport = (r: ExportRow): ExportRecord => ({
  id: r.id,
  grantId: r.grant_id,
  requesterId: r.requester_id,
  createdAt: r.created_at,
  settings: { exportSites: JSON.parse(r.export_sites) as string[], exportPageText: r.export_page_text === 1 },
});

interface ManifestDbRow {
  export_id: string;
  local_id: string;
  episode_id: string;
}
const toManifest = (r: ManifestDbRow): ManifestRow => ({ exportId: r.export_id, localId: r.local_id, episodeId: r.episode_id });

interface RevocationRow {
  seq: number;
  export_id: string;
  local_id: string;
  reason: RevocationReason;
  day: string;
}
const toRevocation = (r: RevocationRow): RevocationRecord => ({ index: r.seq - 1, exportId: r.export_id, localId: r.local_id, reason: r.reason, day: r.day });

interface CheckpointRow {
  size: number;
  root: Buffer;
  note: string;
}
const toCheckpoint = (r: CheckpointRow): StoredCheckpoint => ({ size: r.size, root: r.root, note: r.note });

/** How many local ids a manifest may try before giving up on a collision (80 random bits each: never in practice). */
const LOCAL_ID_ATTEMPTS = 8;

export function exportStores(db: Db): { exports: ExportStore; revocations: RevocationStore } {
  const q = {
    insertExport: db.prepare<[string, string, string, number, string, number]>(
      'INSERT INTO exports (id, grant_id, requester_id, created_at, export_sites, export_page_text) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    isReleased: db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM episodes WHERE id = ? AND status = 'released'`),
    insertRow: db.prepare<[string, string, string]>('INSERT OR IGNORE INTO export_episodes (export_id, local_id, episode_id) VALUES (?, ?, ?)'),
    hasEpisode: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM export_episodes WHERE export_id = ? AND episode_id = ?'),
    getExport: db.prepare<[string], ExportRow>('SELECT * FROM exports WHERE id = ?'),
    listExports: db.prepare<[], ExportRow>('SELECT * FROM exports ORDER BY created_at, id'),
    exportsOf: db.prepare<[string], ExportRow>('SELECT * FROM exports WHERE requester_id = ? ORDER BY created_at, id'),
    manifest: db.prepare<[string], ManifestDbRow>('SELECT * FROM export_episodes WHERE export_id = ? ORDER BY local_id'),
    count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM export_episodes WHERE export_id = ?'),
    size: db.prepare<[], { n: number | null }>('SELECT max(seq) AS n FROM revocations'),
    range: db.prepare<[number, number], RevocationRow>('SELECT * FROM revocations WHERE seq > ? AND seq <= ? ORDER BY seq'),
    rangeOf: db.prepare<[string, number, number, number], RevocationRow>(
      `SELECT r.* FROM revocations r JOIN exports x ON x.id = r.export_id WHERE x.requester_id = ? AND r.seq > ? AND r.seq <= ? ORDER BY r.seq LIMIT ?`,
    ),
    latestCheckpoint: db.prepare<[], CheckpointRow>('SELECT size, root, note FROM revocation_checkpoints ORDER BY size DESC LIMIT 1'),
    insertCheckpoint: db.prepare<[number, Uint8Array, string, number]>('INSERT OR IGNORE INTO revocation_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)'),
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM revocation_meta WHERE key = ?'),
    initMeta: db.prepare<[string, string]>('INSERT OR IGNORE INTO revocation_meta (key, value) VALUES (?, ?)'),
  };

  const create = db.transaction((record: ExportRecord, episodeIds: readonly string[], newLocalId: () => string): ManifestRow[] => {
    q.insertExport.run(record.id, record.grantId, record.requesterId, record.createdAt, JSON.stringify(record.settings.exportSites), record.settings.exportPageText ? 1 : 0);
    for (const episodeId of new Set(episodeIds)) {
      // Released now, inside the transaction: an episode deleted since it was listed stays out
      // (its deletion, already committed, had no manifest row to announce).
      if (!q.isReleased.get(episodeId)) continue;
      let stored = false;
      for (let attempt = 0; attempt < LOCAL_ID_ATTEMPTS && !stored; attempt++) stored = q.insertRow.run(record.id, newLocalId(), episodeId).changes === 1;
      if (!stored && !q.hasEpisode.get(record.id, episodeId)) throw new Error('could not draw a unique local id for a manifest row');
    }
    return q.manifest.all(record.id).map(toManifest);
  });

  const putCheckpoint = db.transaction((c: StoredCheckpoint, now: number, verifier: string) => {
    q.initMeta.run('verifier', verifier);
    q.insertCheckpoint.run(c.size, c.root, c.note, now);
  });

  return {
    exports: {
      async create(record, episodeIds, newLocalId) {
        return create.immediate(record, episodeIds, newLocalId);
      },
      async get(id) {
        const row = q.getExport.get(id);
        return row && toExport(row);
      },
      async list(filter = {}) {
        return (filter.requesterId ? q.exportsOf.all(filter.requesterId) : q.listExports.all()).map(toExport);
      },
      async manifest(id) {
        return q.manifest.all(id).map(toManifest);
      },
      async counts(ids) {
        return new Map(ids.map((id) => [id, q.count.get(id)?.n ?? 0]));
      },
    },
    revocations: {
      async size() {
        return q.size.get()?.n ?? 0;
      },
      async range(from, to) {
        return q.range.all(from, to).map(toRevocation);
      },
      async rangeOf(requesterId, from, to, limit) {
        return q.rangeOf.all(requesterId, from, to, limit).map(toRevocation);
      },
      async latestCheckpoint() {
        const row = q.latestCheckpoint.get();
        return row && toCheckpoint(row);
      },
      async putCheckpoint(checkpoint, now, verifier) {
        putCheckpoint.immediate(checkpoint, now, verifier);
      },
      async getMeta(key) {
        return q.getMeta.get(key)?.value;
      },
      async initMeta(key, value) {
        q.initMeta.run(key, value);
        return q.getMeta.get(key)!.value;
      },
    },
  };
}
