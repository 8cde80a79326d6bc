import type {
  BreakGlassRecord,
  BreakGlassStore,
  ConsentRecord,
  ConsentStore,
  DatasetRecord,
  DatasetStore,
  EpisodeDecision,
  EpisodeReason,
  EpisodeRecord,
  EpisodeStatus,
  EpisodeStore,
  GrantRecord,
  GrantStatus,
  GrantStore,
  ProgramRecord,
  ProgramStore,
  RevocationReason,
  SpanCut,
  StoredSpan,
} from '../types.ts';
import { type Db, checkpoint } from './sqlite.ts';

/** Programs, consent, episodes, datasets, grants and break-glass requests in lockstep.db (metadata only; episode copies sealed). */

interface ProgramRow {
  id: string;
  name: string;
  purposes: string;
  modalities: string;
  retention_days: number;
  idle_gap_ms: number;
  notice_version: number;
  notice_text: string;
  notice_updated_at: number;
  export_sites: string;
  export_page_text: number;
  desktop_apps: string;
  desktop_titles: string;
  screenshots: number;
  paused_at: number | null;
  paused_by: string | null;
  paused_reason: string | null;
  created_by: string;
  created_at: number;
}
const toProgram = (r: ProgramRow): ProgramRecord => ({
  id: r.id,
  name: r.name,
  purposes: JSON.parse(r.purposes) as string[],
  modalities: JSON.parse(r.modalities) as string[],
  retentionDays: r.retention_days,
  idleGapMs: r.idle_gap_ms,
  notice: { version: r.notice_version, text: r.notice_text, updatedAt: r.notice_updated_at },
  exportSites: JSON.parse(r.export_sites) as string[],
  exportPageText: r.export_page_text === 1,
  desktopApps: JSON.parse(r.desktop_apps) as string[],
  desktopTitles: JSON.parse(r.desktop_titles) as string[],
  screenshots: r.screenshots === 1,
  paused: r.paused_at === null ? null : { at: r.paused_at, by: r.paused_by ?? '', reason: r.paused_reason ?? '' },
  createdBy: r.created_by,
  createdAt: r.created_at,
});

interface ConsentRow {
  subject_id: string;
  program_id: string;
  notice_version: number;
  accepted_at: number;
  withdrawn_at: number | null;
  keep_released: number;
}
const toConsent = (r: ConsentRow): ConsentRecord => ({
  subjectId: r.subject_id,
  programId: r.program_id,
  noticeVersion: r.notice_version,
  acceptedAt: r.accepted_at,
  withdrawnAt: r.withdrawn_at,
  keepReleased: r.keep_released === 1,
});

interface EpisodeRow {
  id: string;
  session_id: string;
  subject_id: string;
  program_id: string;
  start_t: number;
  end_t: number;
  status: EpisodeStatus;
  label: string | null;
  reason: EpisodeReason | null;
  events: number | null;
  apps: number | null;
  created_at: number;
  released_at: number | null;
  deleted_at: number | null;
}
interface SpanRow {
  batch_seq: number;
  start_t: number;
  end_t: number;
  events: number | null;
  pages: number | null;
  cut: SpanCut | null;
}
const toEpisode = (r: EpisodeRow): EpisodeRecord => ({
  id: r.id,
  sessionId: r.session_id,
  subjectId: r.subject_id,
  programId: r.program_id,
  startT: r.start_t,
  endT: r.end_t,
  status: r.status,
  label: r.label,
  reason: r.reason,
  events: r.events,
  apps: r.apps,
  createdAt: r.created_at,
  releasedAt: r.released_at,
  deletedAt: r.deleted_at,
});

interface DatasetRow {
  id: string;
  program_id: string;
  name: string;
  created_by: string;
  created_at: number;
}
const toDataset = (r: DatasetRow): DatasetRecord => ({ id: r.id, programId: r.program_id, name: r.name, createdBy: r.created_by, createdAt: r.created_at });

interface GrantRow {
  id: string;
  dataset_id: string;
  requester_id: string;
  purpose: string;
  status: GrantStatus;
  expires_at: number;
  created_at: number;
  decided_by: string | null;
  decided_at: number | null;
  revoked_by: string | null;
  revoked_at: number | null;
}
const toGrant = (r: GrantRow): GrantRecord => ({
  id: r.id,
  datasetId: r.dataset_id,
  requesterId: r.requester_id,
  purpose: r.purpose,
  status: r.status,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  revokedBy: r.revoked_by,
  revokedAt: r.revoked_at,
});

interface BreakGlassRow {
  id: string;
  subject_id: string;
  requester_id: string;
  reason: string;
  sessions: string;
  status: BreakGlassRecord['status'];
  steward_approver: string | null;
  security_approver: string | null;
  created_at: number;
  approved_at: number | null;
  expires_at: number | null;
  duration_ms: number;
}
const toBreakGlass = (r: BreakGlassRow): BreakGlassRecord => ({
  id: r.id,
  subjectId: r.subject_id,
  requesterId: r.requester_id,
  reason: r.reason,
  sessions: JSON.parse(r.sessions) as string[],
  status: r.status,
  stewardApprover: r.steward_approver,
  securityApprover: r.security_approver,
  createdAt: r.created_at,
  approvedAt: r.approved_at,
  expiresAt: r.expires_at,
  durationMs: r.duration_ms,
});

export function governanceStores(db: Db): {
  programs: ProgramStore;
  consents: ConsentStore;
  episodes: EpisodeStore;
  datasets: DatasetStore;
  grants: GrantStore;
  breakGlass: BreakGlassStore;
} {
  const q = {
    insertProgram: db.prepare(
      `INSERT INTO programs (id, name, purposes, modalities, retention_days, idle_gap_ms, notice_version, notice_text, notice_updated_at, export_sites, export_page_text,
         desktop_apps, desktop_titles, screenshots, paused_at, paused_by, paused_reason, created_by, created_at)
       VALUES (@id, @name, @purposes, @modalities, @retention_days, @idle_gap_ms, @notice_version, @notice_text, @notice_updated_at, @export_sites, @export_page_text,
         @desktop_apps, @desktop_titles, @screenshots, @paused_at, @paused_by, @paused_reason, @created_by, @created_at)`,
    ),
    getProgram: db.prepare<[string], ProgramRow>('SELECT * FROM programs WHERE id = ?'),
    listPrograms: db.prepare<[], ProgramRow>('SELECT * FROM programs ORDER BY created_at, id'),
    setNotice: db.prepare<[number, string, number, string]>('UPDATE programs SET notice_version = ?, notice_text = ?, notice_updated_at = ? WHERE id = ?'),
    setExportSettings: db.prepare<[string, number, string]>('UPDATE programs SET export_sites = ?, export_page_text = ? WHERE id = ?'),
    setDesktopSettings: db.prepare<[string, string, number, string]>('UPDATE programs SET desktop_apps = ?, desktop_titles = ?, screenshots = ? WHERE id = ?'),
    pauseProgram: db.prepare<[number, string, string, string]>('UPDATE programs SET paused_at = ?, paused_by = ?, paused_reason = ? WHERE id = ? AND paused_at IS NULL'),
    resumeProgram: db.prepare<[string]>('UPDATE programs SET paused_at = NULL, paused_by = NULL, paused_reason = NULL WHERE id = ? AND paused_at IS NOT NULL'),
    getConsent: db.prepare<[string, string], ConsentRow>('SELECT * FROM consents WHERE subject_id = ? AND program_id = ?'),
    consentsOf: db.prepare<[string], ConsentRow>('SELECT * FROM consents WHERE subject_id = ? ORDER BY program_id'),
    putConsent: db.prepare<[string, string, number, number, number | null, number]>(
      `INSERT INTO consents (subject_id, program_id, notice_version, accepted_at, withdrawn_at, keep_released) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (subject_id, program_id) DO UPDATE SET notice_version = excluded.notice_version, accepted_at = excluded.accepted_at,
         withdrawn_at = excluded.withdrawn_at, keep_released = excluded.keep_released`,
    ),
    getEpisode: db.prepare<[string], EpisodeRow>('SELECT * FROM episodes WHERE id = ?'),
    episodesOf: db.prepare<[string], EpisodeRow>(
      `SELECT e.* FROM episodes e JOIN sessions s ON s.id = e.session_id WHERE e.subject_id = ? AND e.status != 'deleted' ORDER BY s.created_at DESC, e.session_id, e.start_t`,
    ),
    episodesOfSession: db.prepare<[string], EpisodeRow>('SELECT * FROM episodes WHERE session_id = ? ORDER BY start_t, id'),
    deleteOpen: db.prepare<[string]>(`DELETE FROM episodes WHERE session_id = ? AND status = 'open'`),
    insertEpisode: db.prepare(
      `INSERT INTO episodes (id, session_id, subject_id, program_id, start_t, end_t, status, label, reason, events, apps, created_at, released_at, deleted_at)
       VALUES (@id, @session_id, @subject_id, @program_id, @start_t, @end_t, @status, @label, @reason, @events, @apps, @created_at, @released_at, @deleted_at)`,
    ),
    setLabel: db.prepare<[string | null, string]>(`UPDATE episodes SET label = ? WHERE id = ? AND status = 'open'`),
    release: db.prepare<[number, string]>(`UPDATE episodes SET status = 'released', released_at = ? WHERE id = ? AND status = 'open'`),
    insertContent: db.prepare<[string, Uint8Array, Uint8Array]>('INSERT INTO episode_content (episode_id, nonce, ciphertext) VALUES (?, ?, ?)'),
    // The revoke_exported_copies trigger reads deleted_reason (see migrations.ts).
    remove: db.prepare<[number, RevocationReason, string]>(`UPDATE episodes SET status = 'deleted', deleted_at = ?, deleted_reason = ?, label = NULL WHERE id = ? AND status != 'deleted'`),
    deleteContent: db.prepare<[string]>('DELETE FROM episode_content WHERE episode_id = ?'),
    deleteMembership: db.prepare<[string]>('DELETE FROM dataset_episodes WHERE episode_id = ?'),
    content: db.prepare<[string], { nonce: Buffer; ciphertext: Buffer }>('SELECT nonce, ciphertext FROM episode_content WHERE episode_id = ?'),
    releasedIn: db.prepare<[string, number], EpisodeRow>(
      `SELECT * FROM episodes WHERE program_id = ? AND status = 'released' AND released_at <= ? ORDER BY released_at, id`,
    ),
    spans: db.prepare<[string], SpanRow>('SELECT batch_seq, start_t, end_t, events, pages, cut FROM activity_spans WHERE session_id = ? ORDER BY start_t, end_t, batch_seq'),
    spanRow: db.prepare<[string, number, number, number], SpanRow & { rowid: number }>(
      'SELECT rowid, batch_seq, start_t, end_t, events, pages, cut FROM activity_spans WHERE session_id = ? AND batch_seq = ? AND start_t = ? AND end_t = ?',
    ),
    setSpanEnd: db.prepare<[number, number | null, number | null, number]>('UPDATE activity_spans SET end_t = ?, events = ?, pages = ? WHERE rowid = ?'),
    insertSpan: db.prepare<[string, number, number, number, number | null, number | null]>(
      'INSERT INTO activity_spans (session_id, batch_seq, start_t, end_t, events, pages, cut) VALUES (?, ?, ?, ?, ?, ?, NULL)',
    ),
    decisions: db.prepare<[string], { t: number; kind: EpisodeDecision['kind'] }>('SELECT t, kind FROM episode_decisions WHERE session_id = ? ORDER BY t'),
    putDecision: db.prepare<[string, number, EpisodeDecision['kind'], number]>(
      'INSERT INTO episode_decisions (session_id, t, kind, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (session_id, t) DO UPDATE SET kind = excluded.kind, created_at = excluded.created_at',
    ),
    datasetsOf: db.prepare<[string], { dataset_id: string }>('SELECT dataset_id FROM dataset_episodes WHERE episode_id = ? ORDER BY dataset_id'),
    insertDataset: db.prepare<[string, string, string, string, number]>('INSERT INTO datasets (id, program_id, name, created_by, created_at) VALUES (?, ?, ?, ?, ?)'),
    insertMember: db.prepare<[string, string]>('INSERT OR IGNORE INTO dataset_episodes (dataset_id, episode_id) VALUES (?, ?)'),
    getDataset: db.prepare<[string], DatasetRow>('SELECT * FROM datasets WHERE id = ?'),
    listDatasets: db.prepare<[], DatasetRow>('SELECT * FROM datasets ORDER BY created_at, id'),
    datasetEpisodes: db.prepare<[string], { episode_id: string }>(
      `SELECT m.episode_id FROM dataset_episodes m JOIN episodes e ON e.id = m.episode_id WHERE m.dataset_id = ? AND e.status = 'released' ORDER BY e.released_at, e.id`,
    ),
    insertGrant: db.prepare(
      `INSERT INTO grants (id, dataset_id, requester_id, purpose, status, expires_at, created_at, decided_by, decided_at, revoked_by, revoked_at)
       VALUES (@id, @dataset_id, @requester_id, @purpose, @status, @expires_at, @created_at, @decided_by, @decided_at, @revoked_by, @revoked_at)`,
    ),
    getGrant: db.prepare<[string], GrantRow>('SELECT * FROM grants WHERE id = ?'),
    listGrants: db.prepare<[], GrantRow>('SELECT * FROM grants ORDER BY created_at, id'),
    grantsOf: db.prepare<[string], GrantRow>('SELECT * FROM grants WHERE requester_id = ? ORDER BY created_at, id'),
    updateGrant: db.prepare(
      `UPDATE grants SET status = @status, decided_by = @decided_by, decided_at = @decided_at, revoked_by = @revoked_by, revoked_at = @revoked_at WHERE id = @id`,
    ),
    insertBreakGlass: db.prepare(
      `INSERT INTO break_glass (id, subject_id, requester_id, reason, sessions, status, steward_approver, security_approver, created_at, approved_at, expires_at, duration_ms)
       VALUES (@id, @subject_id, @requester_id, @reason, @sessions, @status, @steward_approver, @security_approver, @created_at, @approved_at, @expires_at, @duration_ms)`,
    ),
    getBreakGlass: db.prepare<[string], BreakGlassRow>('SELECT * FROM break_glass WHERE id = ?'),
    listBreakGlass: db.prepare<[], BreakGlassRow>('SELECT * FROM break_glass ORDER BY created_at, id'),
    updateBreakGlass: db.prepare(
      `UPDATE break_glass SET status = @status, steward_approver = @steward_approver, security_approver = @security_approver, approved_at = @approved_at, expires_at = @expires_at
       WHERE id = @id AND status = @was_status AND steward_approver IS @was_steward AND security_approver IS @was_security`,
    ),
  };

  const episodeRow = (e: EpisodeRecord) => ({
    id: e.id,
    session_id: e.sessionId,
    subject_id: e.subjectId,
    program_id: e.programId,
    start_t: e.startT,
    end_t: e.endT,
    status: e.status,
    label: e.label,
    reason: e.reason,
    events: e.events,
    apps: e.apps,
    created_at: e.createdAt,
    released_at: e.releasedAt,
    deleted_at: e.deletedAt,
  });

  const replaceOpen = db.transaction((sessionId: string, open: EpisodeRecord[]) => {
    // Open episodes are a view on the session, re-cut as batches arrive; ids are carried over by the caller.
    q.deleteOpen.run(sessionId);
    for (const e of open) q.insertEpisode.run(episodeRow(e));
  });
  const release = db.transaction((id: string, now: number, content: { nonce: Uint8Array; ciphertext: Uint8Array }) => {
    if (q.release.run(now, id).changes !== 1) return false;
    q.insertContent.run(id, content.nonce, content.ciphertext);
    return true;
  });
  const remove = db.transaction((id: string, now: number, reason: RevocationReason) => {
    const changed = q.remove.run(now, reason, id).changes > 0;
    q.deleteContent.run(id);
    q.deleteMembership.run(id);
    return changed;
  });
  const split = db.transaction((sessionId: string, cut: Parameters<EpisodeStore['split']>[1], now: number) => {
    q.putDecision.run(sessionId, cut.t, 'split', now);
    for (const s of cut.spans) {
      const row = q.spanRow.get(sessionId, s.batchSeq, s.start, s.end);
      if (!row || !(row.start_t < cut.t && cut.t <= row.end_t && row.start_t <= cut.prevT && cut.prevT < cut.t)) continue;
      // Counts of spans indexed before counts were kept stay unknown on both sides.
      const part = (n: number | null, before: number) => (n === null ? [null, null] : [Math.min(n, before), Math.max(0, n - before)]);
      const [eventsBefore, eventsAfter] = part(row.events, s.before.events);
      const [pagesBefore, pagesAfter] = part(row.pages, s.before.pages);
      q.setSpanEnd.run(cut.prevT, eventsBefore ?? null, pagesBefore ?? null, row.rowid);
      q.insertSpan.run(sessionId, row.batch_seq, cut.t, row.end_t, eventsAfter ?? null, pagesAfter ?? null);
    }
  });
  const createDataset = db.transaction((d: DatasetRecord, episodeIds: string[]) => {
    q.insertDataset.run(d.id, d.programId, d.name, d.createdBy, d.createdAt);
    for (const e of episodeIds) q.insertMember.run(d.id, e);
  });
  const transition = db.transaction((id: string, from: GrantStatus[], to: Partial<GrantRecord> & { status: GrantStatus }) => {
    const row = q.getGrant.get(id);
    if (!row || !from.includes(row.status)) return false;
    const next = { ...toGrant(row), ...to };
    q.updateGrant.run({ id, status: next.status, decided_by: next.decidedBy, decided_at: next.decidedAt, revoked_by: next.revokedBy, revoked_at: next.revokedAt });
    return true;
  });

  return {
    programs: {
      async create(p) {
        q.insertProgram.run({
          id: p.id,
          name: p.name,
          purposes: JSON.stringify(p.purposes),
          modalities: JSON.stringify(p.modalities),
          retention_days: p.retentionDays,
          idle_gap_ms: p.idleGapMs,
          notice_version: p.notice.version,
          notice_text: p.notice.text,
          notice_updated_at: p.notice.updatedAt,
          export_sites: JSON.stringify(p.exportSites),
          export_page_text: p.exportPageText ? 1 : 0,
          desktop_apps: JSON.stringify(p.desktopApps),
          desktop_titles: JSON.stringify(p.desktopTitles),
          screenshots: p.screenshots ? 1 : 0,
          paused_at: p.paused?.at ?? null,
          paused_by: p.paused?.by ?? null,
          paused_reason: p.paused?.reason ?? null,
          created_by: p.createdBy,
          created_at: p.createdAt,
        });
      },
      async get(id) {
        const row = q.getProgram.get(id);
        return row && toProgram(row);
      },
      async list() {
        return q.listPrograms.all().map(toProgram);
      },
      async setNotice(id, notice) {
        return q.setNotice.run(notice.version, notice.text, notice.updatedAt, id).changes > 0;
      },
      async setExportSettings(id, settings) {
        return q.setExportSettings.run(JSON.stringify(settings.exportSites), settings.exportPageText ? 1 : 0, id).changes > 0;
      },
      async setDesktopSettings(id, settings) {
        return q.setDesktopSettings.run(JSON.stringify(settings.desktopApps), JSON.stringify(settings.desktopTitles), settings.screenshots ? 1 : 0, id).changes > 0;
      },
      async pause(id, pause) {
        return q.pauseProgram.run(pause.at, pause.by, pause.reason, id).changes > 0;
      },
      async resume(id) {
        return q.resumeProgram.run(id).changes > 0;
      },
    },
    consents: {
      async get(subjectId, programId) {
        const row = q.getConsent.get(subjectId, programId);
        return row && toConsent(row);
      },
      async listOf(subjectId) {
        return q.consentsOf.all(subjectId).map(toConsent);
      },
      async put(c) {
        q.putConsent.run(c.subjectId, c.programId, c.noticeVersion, c.acceptedAt, c.withdrawnAt, c.keepReleased ? 1 : 0);
      },
    },
    episodes: {
      async get(id) {
        const row = q.getEpisode.get(id);
        return row && toEpisode(row);
      },
      async listOf(subjectId) {
        return q.episodesOf.all(subjectId).map(toEpisode);
      },
      async ofSession(sessionId) {
        return q.episodesOfSession.all(sessionId).map(toEpisode);
      },
      async replaceOpen(sessionId, open) {
        replaceOpen.immediate(sessionId, open);
      },
      async setLabel(id, label) {
        return q.setLabel.run(label, id).changes > 0;
      },
      async release(id, now, content) {
        return release.immediate(id, now, content);
      },
      async remove(id, now, reason = 'deleted') {
        const changed = remove.immediate(id, now, reason);
        checkpoint(db);
        return changed;
      },
      async content(id) {
        return q.content.get(id);
      },
      async releasedIn(programId, before) {
        return q.releasedIn.all(programId, before).map(toEpisode);
      },
      async spans(sessionId): Promise<StoredSpan[]> {
        return q.spans.all(sessionId).map((r) => ({ batchSeq: r.batch_seq, start: r.start_t, end: r.end_t, events: r.events, pages: r.pages, cut: r.cut }));
      },
      async decisions(sessionId) {
        return q.decisions.all(sessionId).map((r) => ({ t: r.t, kind: r.kind }));
      },
      async split(sessionId, cut, now) {
        split.immediate(sessionId, cut, now);
      },
      async join(sessionId, t, now) {
        q.putDecision.run(sessionId, t, 'join', now);
      },
      async datasetsOf(id) {
        return q.datasetsOf.all(id).map((r) => r.dataset_id);
      },
    },
    datasets: {
      async create(d, episodeIds) {
        createDataset.immediate(d, episodeIds);
      },
      async get(id) {
        const row = q.getDataset.get(id);
        return row && toDataset(row);
      },
      async list() {
        return q.listDatasets.all().map(toDataset);
      },
      async episodes(id) {
        return q.datasetEpisodes.all(id).map((r) => r.episode_id);
      },
    },
    grants: {
      async create(g) {
        q.insertGrant.run({
          id: g.id,
          dataset_id: g.datasetId,
          requester_id: g.requesterId,
          purpose: g.purpose,
          status: g.status,
          expires_at: g.expiresAt,
          created_at: g.createdAt,
          decided_by: g.decidedBy,
          decided_at: g.decidedAt,
          revoked_by: g.revokedBy,
          revoked_at: g.revokedAt,
        });
      },
      async get(id) {
        const row = q.getGrant.get(id);
        return row && toGrant(row);
      },
      async list(filter = {}) {
        return (filter.requesterId ? q.grantsOf.all(filter.requesterId) : q.listGrants.all()).map(toGrant);
      },
      async transition(id, from, to) {
        return transition.immediate(id, from, to);
      },
    },
    breakGlass: {
      async create(b) {
        q.insertBreakGlass.run({
          id: b.id,
          subject_id: b.subjectId,
          requester_id: b.requesterId,
          reason: b.reason,
          sessions: JSON.stringify(b.sessions),
          status: b.status,
          steward_approver: b.stewardApprover,
          security_approver: b.securityApprover,
          created_at: b.createdAt,
          approved_at: b.approvedAt,
          expires_at: b.expiresAt,
          duration_ms: b.durationMs,
        });
      },
      async get(id) {
        const row = q.getBreakGlass.get(id);
        return row && toBreakGlass(row);
      },
      async list() {
        return q.listBreakGlass.all().map(toBreakGlass);
      },
      async update(expected, next) {
        return (
          q.updateBreakGlass.run({
            id: next.id,
            status: next.status,
            steward_approver: next.stewardApprover,
            security_approver: next.securityApprover,
            approved_at: next.approvedAt,
            expires_at: next.expiresAt,
            was_status: expected.status,
            was_steward: expected.stewardApprover,
            was_security: expected.securityApprover,
          }).changes === 1
        );
      },
    },
  };
}
