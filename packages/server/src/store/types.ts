/**
 * What Lockstep keeps, as one interface with one implementation per storage back end
 * (`embedded/`: SQLite files in a local directory). Nothing here knows SQL.
 *
 * Times are milliseconds since the Unix epoch. Content only ever reaches a store sealed:
 * chunks carry ciphertext, and keys are stored wrapped.
 */

export type Role = 'subject' | 'admin';
export const ROLES = ['subject', 'admin'] as const satisfies readonly Role[];
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
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface DeviceRecord {
  id: string;
  subjectId: string;
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
}

export interface AppendBatch {
  /** The session as it is bound on its first batch. */
  session: { id: string; subjectId: string; deviceId: string };
  batch: Omit<BatchRecord, 'sessionId' | 'chunkId'>;
  chunk: ChunkRecord;
  stats: BatchStats;
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
  /** Removes the session's batches and chunks and leaves a tombstone. False if unknown or already deleted. */
  remove(sessionId: string, now: number): Promise<boolean>;
  /** Sessions that still hold content (for reconciling with the keyring after a crash). */
  withContent(): Promise<Array<{ id: string; subjectId: string }>>;
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
}

export interface Store {
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
