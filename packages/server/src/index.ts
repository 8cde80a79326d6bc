/** @lockstep/server: HTTP API, auth, Cedar policy, per-subject encryption and storage. */
export { startServer, type RunningServer, type StartServerOptions } from './start.ts';
export { buildApp, DEFAULT_BODY_LIMIT, type App, type BuildAppOptions } from './app.ts';
export { openLockstep, type EmbeddedLockstep, type Lockstep, type OpenLockstepOptions } from './lockstep.ts';
export { openEmbeddedStore, dataDirPaths, type DataDirPaths, type EmbeddedStore } from './store/embedded/index.ts';
export type * from './store/types.ts';
export { ingestBatch, type IngestInput, type IngestResult } from './content/ingest.ts';
export { readSessionEvents, ContentUnreadableError } from './content/read.ts';
export { deleteSession, eraseSubject } from './content/remove.ts';
export { createUser, enroll, issueBootstrapCode, issueDeviceCode, newDeviceId, newUserId, ENROLLMENT_TTL_MS, type Enrolled, type IssuedCode } from './accounts.ts';
export { type Principal, newEnrollmentCode, normalizeEnrollmentCode } from './auth.ts';
export { ACTIONS, type Action, type Authorizer, type Decision, PolicyLoadError, defaultAuthorizer, loadAuthorizer, readPolicySources } from './policy/authorize.ts';
export { PROMISES, PolicyPromiseError, checkPolicySources, describeViolation, type CheckReport, type Violation } from './policy/promises.ts';
export { renderMatrix } from './policy/matrix.ts';
export { KeyFileError } from './crypto/kek.ts';
export { KeyDestroyedError } from './crypto/keyring.ts';
export type { LogStream } from './http/logging.ts';
export { byteForms, filesContaining, filesUnder, findPlaintext, type LeakHit } from './leak-scan.ts';
export { DataDirInUseError } from './store/embedded/lock.ts';
export {
  type AuditInput,
  type AuditLog,
  type AuditRecord,
  AuditWriteError,
  type Checkpoint,
  CheckpointError,
  type VerifyResult,
  openAuditLog,
  openCheckpoint,
  parseCheckpointText,
  parseVerifierKey,
  proveConsistency,
  readLatestCheckpoint,
  readVerifierKey,
  verifyAuditDir,
  verifyConsistency,
  verifyInclusion,
} from './audit/index.ts';
export {
  type RevocationEntry,
  type RevocationFeedResponse,
  type RevocationReason,
  RevocationVerifyError,
  type VerifiedRevocations,
  revocationLeaf,
  verifyRevocations,
} from './revocations/verify.ts';
export { readRevocationVerifierKey } from './revocations/offline.ts';
