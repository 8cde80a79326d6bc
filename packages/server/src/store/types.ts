/**
 * What Lockstep keeps, as one interface with one implementation per storage back end
 * (`embedded/`: SQLite files in a local directory). Nothing here knows SQL.
 *
 * Times are milliseconds since the Unix epoch. Content only ever reaches a store sealed:
 * chunks carry ciphertext, and keys are stored wrapped.
 */
import type { CutReason } from '@lockstep/trajectory';

/**
 * subject: is recorded; researcher: requests grants on datasets; steward: approves grants (and
 * break-glass); security: reads the audit log and metadata, co-approves break-glass; admin:
 * configures programs, devices and users. None but subject reads content by default, and no role
 * exists for reading a person's data to judge their work.
 */
export type Role = 'subject' | 'researcher' | 'steward' | 'security' | 'admin';
export const ROLES = ['subject', 'researcher', 'steward', 'security', 'admin'] as const satisfies readonly Role[];
export type Platform = 'browser' | 'desktop';
export type PrincipalKind = 'user' | 'device';

export interface UserRecord {
  id: string;
  roles: Role[];
  label: string | null;
  createdAt: number;
  deletedAt: number | null;
}

export interface TokenRecord {
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  hash: string;
  kind: PrincipalKind;
  principalId: string;
  createdAt: number;
}

export interface EnrollmentCodeRecord {
  /** SHA-256 (hex) of the normalised code. */
  hash: string;
  kind: PrincipalKind;
  /** The user the code enrolls (kind user) or enrolls a device for (kind device); null for a bootstrap code. */
  userId: string | null;
  /** A bootstrap code creates its user on enrollment, with these roles. */
  bootstrap: boolean;
  roles: Role[] | null;
  /** For a device code: the program the device will record for. */
  programId?: string | null;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface DeviceRecord {
  id: string;
  subjectId: string;
  /** The program this device records for; a device without one captures nothing (no consent to check). */
  programId?: string | null;
  platform: Platform | null;
  label: string | null;
  createdAt: number;
  revokedAt: number | null;
}

/** Per-session metadata derived at ingest: never content, only counts, times and origins. */
export interface SessionStats {
  firstT: number | null;
  lastT: number | null;
  eventCount: number;
  batchCount: number;
  /** Bytes of the events' JSON as received, and of the sealed chunks kept for them. */
  rawBytes: number;
  storedBytes: number;
  /** Events per event type. */
  counts: Record<string, number>;
  /** Origins (scheme://host:port) of the pages navigated to. */
  origins: string[];
  /** Findings the server's second redaction check had to mask itself, per kind (the device should have). */
  remasked: Record<string, number>;
}

/**
 * Why an episode must start at an indexed span, whatever the gap before it: `app`, the person
 * moved to another app (for the web: a top-level navigation to another origin); `marker`, a
 * pause or stop marker came before it.
 */
export type SpanCut = 'app' | 'marker';

/**
 * A run of activity (metadata, for cutting episodes): the times of its first and last event (no
 * gap longer than SPAN_GAP_MS inside), how many events and top-level page navigations it holds,
 * and whether an episode must start at it (see content/spans.ts). Times, counts and a reason
 * only: never an app, a URL or any other content.
 */
export interface Span {
  start: number;
  end: number;
  /** Null for spans indexed before counts were kept. */
  events: number | null;
  pages: number | null;
  cut: SpanCut | null;
}

/** An indexed span with the batch it came from. */
export interface StoredSpan extends Span {
  batchSeq: number;
}

/** A subject's decision about where their episodes start: `split` starts one at event time `t`; `join` never starts one there. */
export interface EpisodeDecision {
  t: number;
  kind: 'split' | 'join';
}

/** A session's segmentation state (content/spans.ts) sealed under the session key: it holds the app the session was last in. */
export interface SealedState {
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

export interface SessionRecord extends SessionStats {
  id: string;
  subjectId: string;
  deviceId: string;
  createdAt: number;
  /** A deleted session keeps a tombstone (ids and times) so that late uploads cannot revive it. */
  deletedAt: number | null;
}

export interface BatchRecord {
  sessionId: string;
  seq: number;
  checksum: string;
  eventCount: number;
  /** Size of the events' JSON as received, and of the sealed chunk. */
  rawBytes: number;
  storedBytes: number;
  receivedAt: number;
  chunkId: string;
}

export interface ChunkRecord {
  id: string;
  sessionId: string;
  subjectId: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

/** A chunk as read back for a session, with the seq of the batch it holds. */
export interface StoredChunk extends ChunkRecord {
  batchSeq: number;
}

export interface BatchStats {
  firstT: number;
  lastT: number;
  eventCount: number;
  counts: Record<string, number>;
  origins: string[];
  /** Findings masked by the server's second check, per kind. */
  remasked: Record<string, number>;
  /** Runs of activity (event times only, for cutting episodes); absent in batches stored before episodes existed. */
  spans?: Span[];
}

export interface AppendBatch {
  /** The session as it is bound on its first batch. */
  session: { id: string; subjectId: string; deviceId: string };
  batch: Omit<BatchRecord, 'sessionId' | 'chunkId'>;
  chunk: ChunkRecord;
  stats: BatchStats;
  /** The session's segmentation state after this batch (content/spans.ts); absent: left as it was. */
  segmentState?: SealedState;
}

export type AppendOutcome =
  | 'stored'
  /** The same (session, seq) with the same checksum is already stored. */
  | 'duplicate'
  /** The same (session, seq) is stored with a different checksum. */
  | 'conflict'
  /** The session is bound to another device or subject. */
  | 'not-bound'
  /** The session was deleted. */
  | 'deleted'
  /** The device was revoked or its subject erased. */
  | 'revoked';

/** What an enrollment writes, decided once the code has been checked. */
export interface EnrollmentWrites {
  user?: UserRecord;
  device?: DeviceRecord;
  token: TokenRecord;
}

export interface UserStore {
  create(user: UserRecord): Promise<void>;
  get(id: string): Promise<UserRecord | undefined>;
  /** Users not deleted, oldest first. */
  list(): Promise<UserRecord[]>;
  setRoles(id: string, roles: Role[]): Promise<boolean>;
}

export interface TokenStore {
  create(token: TokenRecord): Promise<void>;
  find(hash: string): Promise<TokenRecord | undefined>;
}

export interface CodeStore {
  create(code: EnrollmentCodeRecord): Promise<void>;
  /** Marks every unused bootstrap code as expired; returns how many there were. */
  expireBootstrapCodes(now: number): Promise<number>;
  /**
   * In one transaction: finds the unused, unexpired code with this hash (whose user, if any,
   * still exists), lets `plan` decide what to write, writes it and marks the code used.
   * Returns undefined, writing nothing, when the code is not redeemable or `plan` declines.
   */
  redeem(
    hash: string,
    now: number,
    plan: (code: EnrollmentCodeRecord, user: UserRecord | undefined) => EnrollmentWrites | undefined,
  ): Promise<EnrollmentWrites | undefined>;
}

export interface DeviceStore {
  create(device: DeviceRecord): Promise<void>;
  get(id: string): Promise<DeviceRecord | undefined>;
  listOf(subjectId: string): Promise<DeviceRecord[]>;
  /** Revokes the device and deletes its tokens; false if unknown or already revoked. */
  revoke(id: string, now: number): Promise<boolean>;
}

export interface SessionStore {
  get(id: string): Promise<SessionRecord | undefined>;
  /** The subject's sessions that are not deleted, newest first. */
  list(subjectId: string): Promise<SessionRecord[]>;
  getBatch(sessionId: string, seq: number): Promise<BatchRecord | undefined>;
  /**
   * In one durable transaction: creates the session on its first batch, checks its binding,
   * stores the batch and its chunk and folds the batch's stats into the session. Idempotent on
   * (session, seq). Resolves only once the transaction is committed.
   */
  appendBatch(input: AppendBatch): Promise<AppendOutcome>;
  /** The session's chunks, in batch seq order. */
  chunks(sessionId: string): Promise<StoredChunk[]>;
  /** The session's sealed segmentation state (see AppendBatch.segmentState), if any. */
  segmentState(sessionId: string): Promise<SealedState | undefined>;
  /** Removes the session's batches and chunks and leaves a tombstone. False if unknown or already deleted. */
  remove(sessionId: string, now: number): Promise<boolean>;
  /** Sessions that still hold content (for reconciling with the keyring after a crash). */
  withContent(): Promise<Array<{ id: string; subjectId: string }>>;
  /**
   * In one transaction, points each listed batch of a live session at a new chunk and removes the
   * old chunks (used when part of a session is shredded and the rest re-sealed under a new key).
   */
  replaceChunks(sessionId: string, chunks: Array<{ batchSeq: number; chunk: ChunkRecord }>): Promise<boolean>;
}

export interface EraseCounts {
  sessions: number;
  devices: number;
  tokens: number;
}

export interface SubjectStore {
  /**
   * Erases a user: removes the content of all their sessions (leaving tombstones), revokes their
   * devices, deletes their tokens and unused codes, clears labels and marks the user deleted.
   */
  erase(userId: string, now: number): Promise<EraseCounts>;
  /** Users marked deleted (for reconciling with the keyring after a crash). */
  erasedIds(): Promise<string[]>;
}

/** Wrapped (encrypted) keys. Kept apart from content, so that content backups never carry keys. */
export interface WrappedKeyStore {
  getMeta(name: string): Promise<Uint8Array | undefined>;
  setMeta(name: string, value: Uint8Array): Promise<void>;
  /** True when no key of any kind has been stored yet. */
  isEmpty(): Promise<boolean>;
  getSubjectKey(subjectId: string): Promise<Uint8Array | undefined>;
  /** Stores the wrapped key unless the subject has one already; returns the one that is stored. */
  putSubjectKey(subjectId: string, wrapped: Uint8Array, now: number): Promise<Uint8Array>;
  getSessionKey(sessionId: string): Promise<{ subjectId: string; wrapped: Uint8Array } | undefined>;
  /** Stores the wrapped key unless the session has one already; returns the one that is stored. */
  putSessionKey(sessionId: string, subjectId: string, wrapped: Uint8Array, now: number): Promise<{ subjectId: string; wrapped: Uint8Array }>;
  deleteSessionKey(sessionId: string): Promise<boolean>;
  /** Deletes the subject's key and all their session keys. */
  deleteSubjectKeys(subjectId: string): Promise<{ subject: boolean; sessions: number }>;
  /** Every stored session key's owner (for reconciling with content after a crash). */
  listSessionKeys(): Promise<Array<{ sessionId: string; subjectId: string }>>;
  listSubjectKeys(): Promise<string[]>;
  /** Episode keys are wrapped by the KEK, not the subject key: a released episode may outlive its subject's key. */
  getEpisodeKey(episodeId: string): Promise<{ subjectId: string; wrapped: Uint8Array } | undefined>;
  putEpisodeKey(episodeId: string, subjectId: string, wrapped: Uint8Array, now: number): Promise<void>;
  deleteEpisodeKey(episodeId: string): Promise<boolean>;
  deleteEpisodeKeysOf(subjectId: string): Promise<number>;
}

// ---- Programs, consent, episodes, datasets, grants, break-glass (issue 4) ----

export interface ConsentNotice {
  version: number;
  text: string;
  updatedAt: number;
}

export interface ProgramRecord {
  id: string;
  name: string;
  /** From the fixed vocabulary in domain/purposes.ts. */
  purposes: string[];
  modalities: string[];
  retentionDays: number;
  /** Sessions are cut into episodes at gaps between events longer than this. */
  idleGapMs: number;
  notice: ConsentNotice;
  /** Host names whose names may appear in exports (every other site is aliased); normalised, lower case. */
  exportSites: string[];
  /** Page and window titles appear in exports as they were recorded; false masks them to their shape. */
  exportPageText: boolean;
  /** Desktop: the application classes recorded (lower case; empty: nothing on the desktop). */
  desktopApps: string[];
  /** Desktop: `*` patterns a window title must match to be recorded (empty: any title of a recorded app). */
  desktopTitles: string[];
  /** Desktop: screenshots of the active window may be taken. */
  screenshots: boolean;
  /** The kill switch: capture for the program is stopped while this is set. */
  paused: ProgramPause | null;
  createdBy: string;
  createdAt: number;
}

export interface ExportSettings {
  exportSites: string[];
  exportPageText: boolean;
}

export interface DesktopSettings {
  desktopApps: string[];
  desktopTitles: string[];
  screenshots: boolean;
}

export interface ProgramPause {
  at: number;
  /** The user who paused it. */
  by: string;
  reason: string;
}

export interface ConsentRecord {
  subjectId: string;
  programId: string;
  /** The notice version last accepted. */
  noticeVersion: number;
  acceptedAt: number;
  withdrawnAt: number | null;
  keepReleased: boolean;
}

export interface ProgramStore {
  create(program: ProgramRecord): Promise<void>;
  get(id: string): Promise<ProgramRecord | undefined>;
  list(): Promise<ProgramRecord[]>;
  /** Replaces the notice (a new version); false if unknown. */
  setNotice(id: string, notice: ConsentNotice): Promise<boolean>;
  /** Replaces what exports of the program may show; false if unknown. */
  setExportSettings(id: string, settings: ExportSettings): Promise<boolean>;
  /** Replaces what the desktop agent may record; false if unknown. */
  setDesktopSettings(id: string, settings: DesktopSettings): Promise<boolean>;
  /** Pauses capture for the program; false if unknown or already paused (the earlier pause stands). */
  pause(id: string, pause: ProgramPause): Promise<boolean>;
  /** Ends the pause; false if unknown or not paused. */
  resume(id: string): Promise<boolean>;
}

export interface ConsentStore {
  get(subjectId: string, programId: string): Promise<ConsentRecord | undefined>;
  listOf(subjectId: string): Promise<ConsentRecord[]>;
  put(consent: ConsentRecord): Promise<void>;
}

export type EpisodeStatus = 'open' | 'released' | 'deleted';

export interface EpisodeRecord {
  id: string;
  sessionId: string;
  subjectId: string;
  programId: string;
  /** Event times (ms since the session started) of the first and last event. */
  startT: number;
  endT: number;
  status: EpisodeStatus;
  /** The task, in the subject's words. */
  label: string | null;
  /** Why it starts where it does (null: cut before this was kept). */
  reason: EpisodeReason | null;
  /** How many events it holds (null: not known from the index). */
  events: number | null;
  /** How many apps it moves through: see cutEpisodes (null: not known from the index). */
  apps: number | null;
  createdAt: number;
  releasedAt: number | null;
  deletedAt: number | null;
}

/** Why an episode starts where it does (start, idle, app, marker, subject: see episode.ts in @lockstep/trajectory). */
export type EpisodeReason = CutReason;

export interface EpisodeStore {
  get(id: string): Promise<EpisodeRecord | undefined>;
  /** The subject's episodes that are not deleted, newest session first, then by start. */
  listOf(subjectId: string): Promise<EpisodeRecord[]>;
  ofSession(sessionId: string): Promise<EpisodeRecord[]>;
  /** Replaces the open (unreleased, undeleted) episodes of a session by `open`, in one transaction. */
  replaceOpen(sessionId: string, open: EpisodeRecord[]): Promise<void>;
  setLabel(id: string, label: string | null): Promise<boolean>;
  /** Marks an open episode released, storing its sealed copy; false unless it was open. */
  release(id: string, now: number, content: { nonce: Uint8Array; ciphertext: Uint8Array }): Promise<boolean>;
  /**
   * Marks the episode deleted and removes its sealed copy and dataset memberships. If it was
   * released, every export manifest holding it gets an entry on the revocation feed, with
   * `reason`, in the same transaction.
   */
  remove(id: string, now: number, reason?: RevocationReason): Promise<boolean>;
  content(id: string): Promise<{ nonce: Uint8Array; ciphertext: Uint8Array } | undefined>;
  /** Released episodes of a program, oldest release first. */
  releasedIn(programId: string, before: number): Promise<EpisodeRecord[]>;
  /** Activity spans of a session, from every stored batch, by start. */
  spans(sessionId: string): Promise<StoredSpan[]>;
  /** The subject's decisions about where the episodes of a session start, by time. */
  decisions(sessionId: string): Promise<EpisodeDecision[]>;
  /**
   * The subject splits at event time `t` (`prevT`: the time of the event before it), in one
   * transaction: the decision replaces any other at `t`, and each span row listed (start < t ≤
   * end) becomes [start, prevT] (with the counts `before`) and [t, end] (with the rest).
   */
  split(sessionId: string, split: { t: number; prevT: number; spans: ReadonlyArray<{ batchSeq: number; start: number; end: number; before: { events: number; pages: number } }> }, now: number): Promise<void>;
  /** The subject joins the episodes either side of event time `t`: no episode starts there any more (replaces any other decision at `t`). */
  join(sessionId: string, t: number, now: number): Promise<void>;
  /** Ids of the datasets holding the episode. */
  datasetsOf(id: string): Promise<string[]>;
}

export interface DatasetRecord {
  id: string;
  programId: string;
  name: string;
  createdBy: string;
  createdAt: number;
}

export interface DatasetStore {
  create(dataset: DatasetRecord, episodeIds: string[]): Promise<void>;
  get(id: string): Promise<DatasetRecord | undefined>;
  list(): Promise<DatasetRecord[]>;
  /** Ids of the (not deleted) episodes in the dataset. */
  episodes(id: string): Promise<string[]>;
}

export type GrantStatus = 'requested' | 'approved' | 'denied' | 'revoked';

export interface GrantRecord {
  id: string;
  datasetId: string;
  requesterId: string;
  purpose: string;
  status: GrantStatus;
  expiresAt: number;
  createdAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  revokedBy: string | null;
  revokedAt: number | null;
}

export interface GrantStore {
  create(grant: GrantRecord): Promise<void>;
  get(id: string): Promise<GrantRecord | undefined>;
  list(filter?: { requesterId?: string }): Promise<GrantRecord[]>;
  /** Moves the grant from `from` to the new state; false if it was not in `from` (a race lost). */
  transition(id: string, from: GrantStatus[], to: Partial<GrantRecord> & { status: GrantStatus }): Promise<boolean>;
}

export type BreakGlassStatus = 'requested' | 'approved' | 'denied' | 'closed';

export interface BreakGlassRecord {
  id: string;
  subjectId: string;
  requesterId: string;
  reason: string;
  /** Limited to these sessions; empty means all of the subject's sessions. */
  sessions: string[];
  status: BreakGlassStatus;
  stewardApprover: string | null;
  securityApprover: string | null;
  createdAt: number;
  /** When the second approval arrived; the access runs from then until expiresAt. */
  approvedAt: number | null;
  expiresAt: number | null;
  /** How long the access may last once approved (≤ 24 h). */
  durationMs: number;
}

export interface BreakGlassStore {
  create(record: BreakGlassRecord): Promise<void>;
  get(id: string): Promise<BreakGlassRecord | undefined>;
  list(): Promise<BreakGlassRecord[]>;
  /** Writes the record if its status and approvers are still those of `expected` (compare-and-set). */
  update(expected: BreakGlassRecord, next: BreakGlassRecord): Promise<boolean>;
}

// ---- Exports and the revocation feed (issue 5) ----

export interface ExportRecord {
  id: string;
  grantId: string;
  requesterId: string;
  createdAt: number;
  /** The program's export settings when the export was made (downloads apply the stricter of these and the current ones). */
  settings: ExportSettings;
}

/** One episode of an export: its id in the export (random, unrelated to the episode id) and the episode. */
export interface ManifestRow {
  exportId: string;
  localId: string;
  episodeId: string;
}

export interface ExportStore {
  /**
   * In one transaction: stores the export and a manifest row for each of `episodeIds` that is
   * still released at that moment, with a local id from `newLocalId`. Returns the manifest, in
   * local id order.
   */
  create(record: ExportRecord, episodeIds: readonly string[], newLocalId: () => string): Promise<ManifestRow[]>;
  get(id: string): Promise<ExportRecord | undefined>;
  /** Oldest first; only the requester's with `requesterId`. */
  list(filter?: { requesterId?: string }): Promise<ExportRecord[]>;
  /** The export's manifest, in local id order. */
  manifest(id: string): Promise<ManifestRow[]>;
  /** Manifest sizes of the given exports. */
  counts(ids: readonly string[]): Promise<Map<string, number>>;
}

/** Why a copy must go: its subject deleted the episode (or was erased), or withdrew consent. */
export type RevocationReason = 'deleted' | 'withdrawn';

/** One entry of the revocation feed: leaf `index` of its Merkle tree. */
export interface RevocationRecord {
  index: number;
  exportId: string;
  localId: string;
  reason: RevocationReason;
  /** UTC day of the deletion, YYYY-MM-DD. */
  day: string;
}

export interface StoredCheckpoint {
  size: number;
  root: Uint8Array;
  note: string;
}

/** The revocation feed's entries, signed checkpoints and settings (lockstep.db). */
export interface RevocationStore {
  size(): Promise<number>;
  /** Entries with from ≤ index < to, in index order. */
  range(from: number, to: number): Promise<RevocationRecord[]>;
  /** Entries with from ≤ index < to of the exports of `requesterId`, in index order, at most `limit`. */
  rangeOf(requesterId: string, from: number, to: number, limit: number): Promise<RevocationRecord[]>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** Stores a checkpoint; with `verifier`, records it as the feed's key unless one is recorded already. */
  putCheckpoint(checkpoint: StoredCheckpoint, now: number, verifier: string): Promise<void>;
  getMeta(key: string): Promise<string | undefined>;
  /** Sets the value unless one is set; returns the value that is set. */
  initMeta(key: string, value: string): Promise<string>;
}

export interface Store {
  readonly exports: ExportStore;
  readonly revocations: RevocationStore;
  readonly programs: ProgramStore;
  readonly consents: ConsentStore;
  readonly episodes: EpisodeStore;
  readonly datasets: DatasetStore;
  readonly grants: GrantStore;
  readonly breakGlass: BreakGlassStore;
  readonly users: UserStore;
  readonly tokens: TokenStore;
  readonly codes: CodeStore;
  readonly devices: DeviceStore;
  readonly sessions: SessionStore;
  readonly subjects: SubjectStore;
  readonly keys: WrappedKeyStore;
  /** Flushes journals so that deleted rows leave no copy in side files. */
  compact(): Promise<void>;
  close(): Promise<void>;
}
