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
  // The server's second redaction check: how many findings it had to mask itself, per kind for
  // the session and in total for the batch (metadata only; a device that sends unredacted
  // secrets is a finding for security).
  `
  ALTER TABLE sessions ADD COLUMN remasked TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE batches ADD COLUMN remasked INTEGER NOT NULL DEFAULT 0;
  `,
  // Least privilege (issue 4): programs and consent, devices bound to a program, activity spans
  // (event times only) for cutting episodes, episodes with their sealed released copies,
  // datasets, grants and break-glass requests.
  `
  CREATE TABLE programs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    purposes TEXT NOT NULL,
    modalities TEXT NOT NULL,
    retention_days INTEGER NOT NULL,
    idle_gap_ms INTEGER NOT NULL,
    notice_version INTEGER NOT NULL,
    notice_text TEXT NOT NULL,
    notice_updated_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE consents (
    subject_id TEXT NOT NULL REFERENCES users (id),
    program_id TEXT NOT NULL REFERENCES programs (id),
    notice_version INTEGER NOT NULL,
    accepted_at INTEGER NOT NULL,
    withdrawn_at INTEGER,
    keep_released INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (subject_id, program_id)
  ) STRICT;

  ALTER TABLE devices ADD COLUMN program_id TEXT REFERENCES programs (id);
  ALTER TABLE enrollment_codes ADD COLUMN program_id TEXT REFERENCES programs (id);

  CREATE TABLE activity_spans (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    batch_seq INTEGER NOT NULL,
    start_t REAL NOT NULL,
    end_t REAL NOT NULL
  ) STRICT;
  CREATE INDEX activity_spans_by_session ON activity_spans (session_id);

  CREATE TABLE episodes (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    subject_id TEXT NOT NULL REFERENCES users (id),
    program_id TEXT NOT NULL REFERENCES programs (id),
    start_t REAL NOT NULL,
    end_t REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'released', 'deleted')),
    label TEXT,
    created_at INTEGER NOT NULL,
    released_at INTEGER,
    deleted_at INTEGER
  ) STRICT;
  CREATE INDEX episodes_by_subject ON episodes (subject_id);
  CREATE INDEX episodes_by_session ON episodes (session_id, start_t);
  CREATE INDEX episodes_released ON episodes (program_id, status, released_at);

  CREATE TABLE episode_content (
    episode_id TEXT PRIMARY KEY REFERENCES episodes (id),
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL
  ) STRICT;

  CREATE TABLE datasets (
    id TEXT PRIMARY KEY,
    program_id TEXT NOT NULL REFERENCES programs (id),
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE dataset_episodes (
    dataset_id TEXT NOT NULL REFERENCES datasets (id),
    episode_id TEXT NOT NULL REFERENCES episodes (id),
    PRIMARY KEY (dataset_id, episode_id)
  ) STRICT;
  CREATE INDEX dataset_episodes_by_episode ON dataset_episodes (episode_id);

  CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    dataset_id TEXT NOT NULL REFERENCES datasets (id),
    requester_id TEXT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'denied', 'revoked')),
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    decided_by TEXT,
    decided_at INTEGER,
    revoked_by TEXT,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX grants_by_requester ON grants (requester_id);

  CREATE TABLE break_glass (
    id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES users (id),
    requester_id TEXT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    sessions TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'denied', 'closed')),
    steward_approver TEXT,
    security_approver TEXT,
    created_at INTEGER NOT NULL,
    approved_at INTEGER,
    expires_at INTEGER,
    duration_ms INTEGER NOT NULL
  ) STRICT;
  `,
  // De-identified exports and revocation that reaches the copies (issue 5): what a program lets
  // exports show; exports and their manifests (a random local id per episode); the revocation
  // feed (an RFC 6962 Merkle log whose leaves are computed from these rows) with its signed
  // checkpoints. The trigger is what makes revocation complete: whichever statement turns a
  // released episode into a deleted one (deleting it, withdrawing consent, erasing its subject,
  // or any path added later), every manifest row holding it gets its entry in that same
  // transaction, so a copy can never outlive its episode unannounced.
  `
  ALTER TABLE programs ADD COLUMN export_sites TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE programs ADD COLUMN export_page_text INTEGER NOT NULL DEFAULT 0 CHECK (export_page_text IN (0, 1));
  ALTER TABLE episodes ADD COLUMN deleted_reason TEXT CHECK (deleted_reason IN ('deleted', 'withdrawn'));

  CREATE TABLE exports (
    id TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants (id),
    requester_id TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    export_sites TEXT NOT NULL,
    export_page_text INTEGER NOT NULL CHECK (export_page_text IN (0, 1))
  ) STRICT;
  CREATE INDEX exports_by_requester ON exports (requester_id, created_at);

  CREATE TABLE export_episodes (
    export_id TEXT NOT NULL REFERENCES exports (id),
    local_id TEXT NOT NULL,
    episode_id TEXT NOT NULL REFERENCES episodes (id),
    PRIMARY KEY (export_id, local_id),
    UNIQUE (export_id, episode_id)
  ) STRICT;
  CREATE INDEX export_episodes_by_episode ON export_episodes (episode_id);

  -- seq is 1-based and dense (rows are never deleted); the Merkle leaf index is seq - 1.
  CREATE TABLE revocations (
    seq INTEGER PRIMARY KEY,
    export_id TEXT NOT NULL REFERENCES exports (id),
    local_id TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('deleted', 'withdrawn')),
    day TEXT NOT NULL
  ) STRICT;
  CREATE INDEX revocations_by_export ON revocations (export_id, seq);

  CREATE TABLE revocation_checkpoints (
    size INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    note TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE revocation_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  CREATE TRIGGER revoke_exported_copies AFTER UPDATE OF status ON episodes
  WHEN old.status = 'released' AND new.status = 'deleted'
  BEGIN
    INSERT INTO revocations (export_id, local_id, reason, day)
      SELECT m.export_id, m.local_id, coalesce(new.deleted_reason, 'deleted'), strftime('%Y-%m-%d', coalesce(new.deleted_at, 0) / 1000, 'unixepoch')
      FROM export_episodes m JOIN exports x ON x.id = m.export_id
      WHERE m.episode_id = new.id
      ORDER BY x.created_at, m.export_id;
  END;
  `,
  // Episodes cut at app switches and markers, and split and merged by their subject (issue 5):
  // each activity span gets its counts (events, top-level page navigations) and why an episode
  // must start at it ('app', 'marker'), times, counts and reasons only; the session keeps the
  // state its next batch is cut from (the app it was last in) sealed under its key, never in a
  // plain column; the subject's own cuts ('split') and joins ('join') are kept per session, so
  // that re-cutting as batches arrive keeps them; episodes keep why they start where they do,
  // and their counts. Rows made before have NULL counts and reasons.
  `
  ALTER TABLE activity_spans ADD COLUMN events INTEGER;
  ALTER TABLE activity_spans ADD COLUMN pages INTEGER;
  ALTER TABLE activity_spans ADD COLUMN cut TEXT CHECK (cut IN ('app', 'marker'));

  ALTER TABLE sessions ADD COLUMN segment_nonce BLOB;
  ALTER TABLE sessions ADD COLUMN segment_state BLOB;

  CREATE TABLE episode_decisions (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    t REAL NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('split', 'join')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, t)
  ) STRICT;

  ALTER TABLE episodes ADD COLUMN reason TEXT CHECK (reason IN ('start', 'idle', 'app', 'marker', 'subject'));
  ALTER TABLE episodes ADD COLUMN events INTEGER;
  ALTER TABLE episodes ADD COLUMN apps INTEGER;
  `,
  // The desktop agent and the kill switch (issue 6): what a program lets the desktop agent record
  // (application classes, title patterns, screenshots), and whether its capture is paused, since
  // when, by whom and why. Programs made before record nothing on the desktop and are not paused.
  `
  ALTER TABLE programs ADD COLUMN desktop_apps TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE programs ADD COLUMN desktop_titles TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE programs ADD COLUMN screenshots INTEGER NOT NULL DEFAULT 0 CHECK (screenshots IN (0, 1));
  ALTER TABLE programs ADD COLUMN paused_at INTEGER;
  ALTER TABLE programs ADD COLUMN paused_by TEXT;
  ALTER TABLE programs ADD COLUMN paused_reason TEXT;
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
  // Released episodes are sealed under their own key, wrapped by the KEK (not the subject key),
  // so that a subject who withdraws but keeps what they released does not lose it with their key.
  `
  CREATE TABLE episode_keys (
    episode_id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    wrapped BLOB NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX episode_keys_by_subject ON episode_keys (subject_id);
  `,
];
