/**
 * Schema of lockstep.db: metadata in plain columns, content only as sealed chunks.
 * Append new versions; never edit a released one.
 */
export const CONTENT_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    roles TEXT NOT NULL,
    label TEXT,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
  ) STRICT;

  CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'device')),
    principal_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX tokens_by_principal ON tokens (principal_id);

  CREATE TABLE enrollment_codes (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'device')),
    user_id TEXT REFERENCES users (id),
    bootstrap INTEGER NOT NULL DEFAULT 0,
    roles TEXT,
    created_by TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  ) STRICT;
  CREATE INDEX enrollment_codes_by_user ON enrollment_codes (user_id);

  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES users (id),
    platform TEXT CHECK (platform IN ('browser', 'desktop')),
    label TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX devices_by_subject ON devices (subject_id);

  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES users (id),
    device_id TEXT NOT NULL REFERENCES devices (id),
    created_at INTEGER NOT NULL,
    deleted_at INTEGER,
    first_t REAL,
    last_t REAL,
    event_count INTEGER NOT NULL DEFAULT 0,
    batch_count INTEGER NOT NULL DEFAULT 0,
    raw_bytes INTEGER NOT NULL DEFAULT 0,
    stored_bytes INTEGER NOT NULL DEFAULT 0,
    counts TEXT NOT NULL DEFAULT '{}',
    origins TEXT NOT NULL DEFAULT '[]'
  ) STRICT;
  CREATE INDEX sessions_by_subject ON sessions (subject_id, created_at);

  CREATE TABLE chunks (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    subject_id TEXT NOT NULL REFERENCES users (id),
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL
  ) STRICT;
  CREATE INDEX chunks_by_session ON chunks (session_id);

  CREATE TABLE batches (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    seq INTEGER NOT NULL,
    checksum TEXT NOT NULL,
    event_count INTEGER NOT NULL,
    raw_bytes INTEGER NOT NULL,
    stored_bytes INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    chunk_id TEXT NOT NULL REFERENCES chunks (id),
    UNIQUE (session_id, seq)
  ) STRICT;
  `,
];

/** Schema of keys/keyring.db: wrapped keys only. */
export const KEYRING_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
  ) STRICT;

  CREATE TABLE subject_keys (
    subject_id TEXT PRIMARY KEY,
    wrapped BLOB NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE session_keys (
    session_id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    wrapped BLOB NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX session_keys_by_subject ON session_keys (subject_id);
  `,
];
