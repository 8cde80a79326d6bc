import { emptyStats, mergeStats } from '../stats.ts';
import type { AppendBatch, AppendOutcome, BatchRecord, ChunkRecord, SessionStore, SpanCut, StoredChunk, SubjectStore } from '../types.ts';
import { type SessionRow, toSession } from './rows.ts';
import { type Db, checkpoint } from './sqlite.ts';

interface BatchRow {
  session_id: string;
  seq: number;
  checksum: string;
  event_count: number;
  raw_bytes: number;
  stored_bytes: number;
  received_at: number;
  chunk_id: string;
}

const toBatch = (r: BatchRow): BatchRecord => ({
  sessionId: r.session_id,
  seq: r.seq,
  checksum: r.checksum,
  eventCount: r.event_count,
  rawBytes: r.raw_bytes,
  storedBytes: r.stored_bytes,
  receivedAt: r.received_at,
  chunkId: r.chunk_id,
});

/** Sessions, batches, chunks and subject erasure in lockstep.db. */
export function sessionStores(db: Db): { sessions: SessionStore; subjects: SubjectStore } {
  const q = {
    getSession: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
    listSessions: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE subject_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id'),
    getBatch: db.prepare<[string, number], BatchRow>('SELECT * FROM batches WHERE session_id = ? AND seq = ?'),
    deviceState: db.prepare<[string], { subject_id: string; revoked_at: number | null; deleted_at: number | null }>(
      'SELECT d.subject_id, d.revoked_at, u.deleted_at FROM devices d JOIN users u ON u.id = d.subject_id WHERE d.id = ?',
    ),
    insertSession: db.prepare<[string, string, string, number]>('INSERT INTO sessions (id, subject_id, device_id, created_at) VALUES (?, ?, ?, ?)'),
    insertChunk: db.prepare<[string, string, string, Uint8Array, Uint8Array]>(
      'INSERT INTO chunks (id, session_id, subject_id, nonce, ciphertext) VALUES (?, ?, ?, ?, ?)',
    ),
    insertBatch: db.prepare<[string, number, string, number, number, number, number, string, number]>(
      'INSERT INTO batches (session_id, seq, checksum, event_count, raw_bytes, stored_bytes, received_at, chunk_id, remasked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    updateStats: db.prepare<[number | null, number | null, number, number, number, number, string, string, string, string]>(
      'UPDATE sessions SET first_t = ?, last_t = ?, event_count = ?, batch_count = ?, raw_bytes = ?, stored_bytes = ?, counts = ?, origins = ?, remasked = ? WHERE id = ?',
    ),
    chunks: db.prepare<[string], { id: string; session_id: string; subject_id: string; nonce: Buffer; ciphertext: Buffer; seq: number }>(
      'SELECT c.id, c.session_id, c.subject_id, c.nonce, c.ciphertext, b.seq FROM batches b JOIN chunks c ON c.id = b.chunk_id WHERE b.session_id = ? ORDER BY b.seq',
    ),
    deleteBatches: db.prepare<[string]>('DELETE FROM batches WHERE session_id = ?'),
    deleteChunks: db.prepare<[string]>('DELETE FROM chunks WHERE session_id = ?'),
    tombstone: db.prepare<[number, string]>(
      `UPDATE sessions SET deleted_at = ?, first_t = NULL, last_t = NULL, event_count = 0, batch_count = 0, raw_bytes = 0, stored_bytes = 0, counts = '{}', origins = '[]', remasked = '{}',
         segment_nonce = NULL, segment_state = NULL WHERE id = ?`,
    ),
    setSegmentState: db.prepare<[Uint8Array, Uint8Array, string]>('UPDATE sessions SET segment_nonce = ?, segment_state = ? WHERE id = ?'),
    segmentState: db.prepare<[string], { segment_nonce: Buffer | null; segment_state: Buffer | null }>('SELECT segment_nonce, segment_state FROM sessions WHERE id = ? AND deleted_at IS NULL'),
    liveSessionsOf: db.prepare<[string], { id: string }>('SELECT id FROM sessions WHERE subject_id = ? AND deleted_at IS NULL'),
    withContent: db.prepare<[], { id: string; subject_id: string }>('SELECT id, subject_id FROM sessions WHERE deleted_at IS NULL'),
    revokeDevices: db.prepare<[number, string]>('UPDATE devices SET revoked_at = coalesce(revoked_at, ?), label = NULL WHERE subject_id = ?'),
    deleteTokens: db.prepare<[string, string]>('DELETE FROM tokens WHERE principal_id = ? OR principal_id IN (SELECT id FROM devices WHERE subject_id = ?)'),
    deleteCodes: db.prepare<[string]>('DELETE FROM enrollment_codes WHERE user_id = ?'),
    markErased: db.prepare<[number, string]>('UPDATE users SET deleted_at = coalesce(deleted_at, ?), label = NULL WHERE id = ?'),
    erased: db.prepare<[], { id: string }>('SELECT id FROM users WHERE deleted_at IS NOT NULL'),
    insertSpan: db.prepare<[string, number, number, number, number | null, number | null, SpanCut | null]>(
      'INSERT INTO activity_spans (session_id, batch_seq, start_t, end_t, events, pages, cut) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    deleteSpans: db.prepare<[string]>('DELETE FROM activity_spans WHERE session_id = ?'),
    deleteDecisions: db.prepare<[string]>('DELETE FROM episode_decisions WHERE session_id = ?'),
    pointBatch: db.prepare<[string, string, number]>('UPDATE batches SET chunk_id = ? WHERE session_id = ? AND seq = ?'),
    deleteChunk: db.prepare<[string]>('DELETE FROM chunks WHERE id = ?'),
    deleteOpenEpisodes: db.prepare<[number, string]>(`UPDATE episodes SET status = 'deleted', deleted_at = ?, label = NULL WHERE session_id = ? AND status = 'open'`),
    eraseEpisodeContent: db.prepare<[string]>('DELETE FROM episode_content WHERE episode_id IN (SELECT id FROM episodes WHERE subject_id = ?)'),
    eraseEpisodeMembership: db.prepare<[string]>('DELETE FROM dataset_episodes WHERE episode_id IN (SELECT id FROM episodes WHERE subject_id = ?)'),
    eraseEpisodes: db.prepare<[number, string]>(`UPDATE episodes SET status = 'deleted', deleted_at = coalesce(deleted_at, ?), label = NULL WHERE subject_id = ?`),
  };

  const removeContent = (sessionId: string, now: number) => {
    q.deleteBatches.run(sessionId);
    q.deleteChunks.run(sessionId);
    q.deleteSpans.run(sessionId);
    q.deleteDecisions.run(sessionId);
    q.deleteOpenEpisodes.run(now, sessionId);
    q.tombstone.run(now, sessionId);
  };

  const append = db.transaction((input: AppendBatch): AppendOutcome => {
    const { session, batch, chunk, stats } = input;
    const device = q.deviceState.get(session.deviceId);
    if (!device || device.revoked_at !== null || device.deleted_at !== null) return 'revoked';
    if (device.subject_id !== session.subjectId) return 'not-bound';
    const existing = q.getSession.get(session.id);
    if (existing) {
      if (existing.deleted_at !== null) return 'deleted';
      if (existing.subject_id !== session.subjectId || existing.device_id !== session.deviceId) return 'not-bound';
    }
    const stored = q.getBatch.get(session.id, batch.seq);
    if (stored) return stored.checksum === batch.checksum ? 'duplicate' : 'conflict';
    if (!existing) q.insertSession.run(session.id, session.subjectId, session.deviceId, batch.receivedAt);
    q.insertChunk.run(chunk.id, chunk.sessionId, chunk.subjectId, chunk.nonce, chunk.ciphertext);
    q.insertBatch.run(session.id, batch.seq, batch.checksum, batch.eventCount, batch.rawBytes, batch.storedBytes, batch.receivedAt, chunk.id, Object.values(stats.remasked).reduce((a, b) => a + b, 0));
    for (const s of stats.spans ?? []) q.insertSpan.run(session.id, batch.seq, s.start, s.end, s.events, s.pages, s.cut);
    if (input.segmentState) q.setSegmentState.run(input.segmentState.nonce, input.segmentState.ciphertext, session.id);
    const next = mergeStats(existing ? toSession(existing) : emptyStats(), stats, batch);
    q.updateStats.run(
      next.firstT,
      next.lastT,
      next.eventCount,
      next.batchCount,
      next.rawBytes,
      next.storedBytes,
      JSON.stringify(next.counts),
      JSON.stringify(next.origins),
      JSON.stringify(next.remasked),
      session.id,
    );
    return 'stored';
  });

  // Group commit: appends that arrive while one is pending are written together once the event
  // loop has handled the I/O at hand (setImmediate), in one durable transaction. Each append
  // runs in its own savepoint (a nested better-sqlite3 transaction), so one that throws is
  // rolled back alone; every caller is answered only after the COMMIT returned.
  type Pending = { input: AppendBatch; resolve: (outcome: AppendOutcome) => void; reject: (error: unknown) => void };
  let pending: Pending[] = [];
  const appendGroup = db.transaction((group: Pending[]) =>
    group.map((p): { ok: true; outcome: AppendOutcome } | { ok: false; error: unknown } => {
      try {
        return { ok: true, outcome: append(p.input) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
  const flush = () => {
    const group = pending;
    pending = [];
    let results;
    try {
      results = appendGroup.immediate(group);
    } catch (error) {
      for (const p of group) p.reject(error);
      return;
    }
    results.forEach((r, i) => (r.ok ? group[i]!.resolve(r.outcome) : group[i]!.reject(r.error)));
  };

  const replaceChunks = db.transaction((sessionId: string, chunks: Array<{ batchSeq: number; chunk: ChunkRecord }>): boolean => {
    const row = q.getSession.get(sessionId);
    if (!row || row.deleted_at !== null) return false;
    for (const { batchSeq, chunk } of chunks) {
      const old = q.getBatch.get(sessionId, batchSeq);
      if (!old) continue;
      q.insertChunk.run(chunk.id, chunk.sessionId, chunk.subjectId, chunk.nonce, chunk.ciphertext);
      q.pointBatch.run(chunk.id, sessionId, batchSeq);
      q.deleteChunk.run(old.chunk_id);
    }
    return true;
  });

  const remove = db.transaction((sessionId: string, now: number): boolean => {
    const row = q.getSession.get(sessionId);
    if (!row || row.deleted_at !== null) return false;
    removeContent(sessionId, now);
    return true;
  });

  const erase = db.transaction((userId: string, now: number) => {
    const live = q.liveSessionsOf.all(userId);
    for (const { id } of live) removeContent(id, now);
    const tokens = q.deleteTokens.run(userId, userId).changes;
    const devices = q.revokeDevices.run(now, userId).changes;
    q.deleteCodes.run(userId);
    q.eraseEpisodeMembership.run(userId);
    q.eraseEpisodeContent.run(userId);
    q.eraseEpisodes.run(now, userId);
    q.markErased.run(now, userId);
    return { sessions: live.length, devices, tokens };
  });

  return {
    sessions: {
      async get(id) {
        const row = q.getSession.get(id);
        return row && toSession(row);
      },
      async list(subjectId) {
        return q.listSessions.all(subjectId).map(toSession);
      },
      async getBatch(sessionId, seq) {
        const row = q.getBatch.get(sessionId, seq);
        return row && toBatch(row);
      },
      appendBatch(input) {
        return new Promise<AppendOutcome>((resolve, reject) => {
          if (pending.length === 0) setImmediate(flush);
          pending.push({ input, resolve, reject });
        });
      },
      async chunks(sessionId): Promise<StoredChunk[]> {
        return q.chunks.all(sessionId).map((r) => ({
          id: r.id,
          sessionId: r.session_id,
          subjectId: r.subject_id,
          nonce: r.nonce,
          ciphertext: r.ciphertext,
          batchSeq: r.seq,
        }));
      },
      async segmentState(sessionId) {
        const row = q.segmentState.get(sessionId);
        return row?.segment_nonce && row.segment_state ? { nonce: row.segment_nonce, ciphertext: row.segment_state } : undefined;
      },
      async remove(sessionId, now) {
        const removed = remove.immediate(sessionId, now);
        if (removed) checkpoint(db);
        return removed;
      },
      async withContent() {
        return q.withContent.all().map((r) => ({ id: r.id, subjectId: r.subject_id }));
      },
      async replaceChunks(sessionId, chunks) {
        const replaced = replaceChunks.immediate(sessionId, chunks);
        checkpoint(db);
        return replaced;
      },
    },
    subjects: {
      async erase(userId, now) {
        const counts = erase.immediate(userId, now);
        checkpoint(db);
        return counts;
      },
      async erasedIds() {
        return q.erased.all().map((r) => r.id);
      },
    },
  };
}
