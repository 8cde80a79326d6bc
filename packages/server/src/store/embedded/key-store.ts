import type { WrappedKeyStore } from '../types.ts';
import { type Db, checkpoint } from './sqlite.ts';

/** Wrapped keys in keys/keyring.db. A delete is checkpointed at once so no copy stays in the WAL. */
export class SqliteKeyStore implements WrappedKeyStore {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      getMeta: db.prepare<[string], { value: Buffer }>('SELECT value FROM meta WHERE name = ?'),
      setMeta: db.prepare<[string, Buffer]>('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      anyKey: db.prepare<[], { n: number }>('SELECT (SELECT count(*) FROM subject_keys) + (SELECT count(*) FROM session_keys) + (SELECT count(*) FROM meta) AS n'),
      getSubject: db.prepare<[string], { wrapped: Buffer }>('SELECT wrapped FROM subject_keys WHERE subject_id = ?'),
      putSubject: db.prepare<[string, Buffer, number]>('INSERT INTO subject_keys (subject_id, wrapped, created_at) VALUES (?, ?, ?) ON CONFLICT (subject_id) DO NOTHING'),
      getSession: db.prepare<[string], { subject_id: string; wrapped: Buffer }>('SELECT subject_id, wrapped FROM session_keys WHERE session_id = ?'),
      putSession: db.prepare<[string, string, Buffer, number]>(
        'INSERT INTO session_keys (session_id, subject_id, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO NOTHING',
      ),
      deleteSession: db.prepare<[string]>('DELETE FROM session_keys WHERE session_id = ?'),
      deleteSubject: db.prepare<[string]>('DELETE FROM subject_keys WHERE subject_id = ?'),
      deleteSessionsOf: db.prepare<[string]>('DELETE FROM session_keys WHERE subject_id = ?'),
      listSessions: db.prepare<[], { session_id: string; subject_id: string }>('SELECT session_id, subject_id FROM session_keys'),
      listSubjects: db.prepare<[], { subject_id: string }>('SELECT subject_id FROM subject_keys'),
      getEpisode: db.prepare<[string], { subject_id: string; wrapped: Buffer }>('SELECT subject_id, wrapped FROM episode_keys WHERE episode_id = ?'),
      putEpisode: db.prepare<[string, string, Buffer, number]>(
        'INSERT INTO episode_keys (episode_id, subject_id, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (episode_id) DO NOTHING',
      ),
      deleteEpisode: db.prepare<[string]>('DELETE FROM episode_keys WHERE episode_id = ?'),
      deleteEpisodesOf: db.prepare<[string]>('DELETE FROM episode_keys WHERE subject_id = ?'),
    };
  }

  async getMeta(name: string): Promise<Uint8Array | undefined> {
    return this.q.getMeta.get(name)?.value;
  }

  async setMeta(name: string, value: Uint8Array): Promise<void> {
    this.q.setMeta.run(name, Buffer.from(value));
  }

  async isEmpty(): Promise<boolean> {
    return (this.q.anyKey.get()?.n ?? 0) === 0;
  }

  async getSubjectKey(subjectId: string): Promise<Uint8Array | undefined> {
    return this.q.getSubject.get(subjectId)?.wrapped;
  }

  async putSubjectKey(subjectId: string, wrapped: Uint8Array, now: number): Promise<Uint8Array> {
    return this.db.transaction(() => {
      this.q.putSubject.run(subjectId, Buffer.from(wrapped), now);
      const row = this.q.getSubject.get(subjectId);
      if (!row) throw new Error('subject key vanished while being stored');
      return row.wrapped;
    }).immediate();
  }

  async getSessionKey(sessionId: string): Promise<{ subjectId: string; wrapped: Uint8Array } | undefined> {
    const row = this.q.getSession.get(sessionId);
    return row && { subjectId: row.subject_id, wrapped: row.wrapped };
  }

  async putSessionKey(sessionId: string, subjectId: string, wrapped: Uint8Array, now: number): Promise<{ subjectId: string; wrapped: Uint8Array }> {
    return this.db.transaction(() => {
      this.q.putSession.run(sessionId, subjectId, Buffer.from(wrapped), now);
      const row = this.q.getSession.get(sessionId);
      if (!row) throw new Error('session key vanished while being stored');
      return { subjectId: row.subject_id, wrapped: row.wrapped };
    }).immediate();
  }

  async deleteSessionKey(sessionId: string): Promise<boolean> {
    const deleted = this.q.deleteSession.run(sessionId).changes > 0;
    checkpoint(this.db);
    return deleted;
  }

  async deleteSubjectKeys(subjectId: string): Promise<{ subject: boolean; sessions: number }> {
    const result = this.db.transaction(() => ({
      sessions: this.q.deleteSessionsOf.run(subjectId).changes,
      subject: this.q.deleteSubject.run(subjectId).changes > 0,
    })).immediate();
    checkpoint(this.db);
    return result;
  }

  async listSessionKeys(): Promise<Array<{ sessionId: string; subjectId: string }>> {
    return this.q.listSessions.all().map((r) => ({ sessionId: r.session_id, subjectId: r.subject_id }));
  }

  async listSubjectKeys(): Promise<string[]> {
    return this.q.listSubjects.all().map((r) => r.subject_id);
  }

  async getEpisodeKey(episodeId: string): Promise<{ subjectId: string; wrapped: Uint8Array } | undefined> {
    const row = this.q.getEpisode.get(episodeId);
    return row && { subjectId: row.subject_id, wrapped: row.wrapped };
  }

  async putEpisodeKey(episodeId: string, subjectId: string, wrapped: Uint8Array, now: number): Promise<void> {
    this.q.putEpisode.run(episodeId, subjectId, Buffer.from(wrapped), now);
  }

  async deleteEpisodeKey(episodeId: string): Promise<boolean> {
    const deleted = this.q.deleteEpisode.run(episodeId).changes > 0;
    checkpoint(this.db);
    return deleted;
  }

  async deleteEpisodeKeysOf(subjectId: string): Promise<number> {
    const n = this.q.deleteEpisodesOf.run(subjectId).changes;
    checkpoint(this.db);
    return n;
  }
}
