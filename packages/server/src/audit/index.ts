/**
 * The audit log: every authorization decision and every content access, hash-chained and
 * committed to an RFC 6962 Merkle tree, with C2SP signed-note checkpoints.
 */
export { type AuditLog, type AuditLogOptions, AuditWriteError, openAuditLog } from './log.ts';
export { type AuditDecision, AuditEntryError, type AuditInput, type AuditKind, type AuditRecord, type DetailValue } from './entry.ts';
export { type VerifyOptions, type VerifyResult } from './verify.ts';
export { type ConsistencyResult, type OfflineVerifyOptions, proveConsistency, readLatestCheckpoint, readVerifierKey, verifyAuditDir } from './offline.ts';
export {
  type Checkpoint,
  CheckpointError,
  openCheckpoint,
  parseCheckpointText,
  parseNote,
  parseVerifierKey,
} from './checkpoint.ts';
export { ProofError, leafHash, nodeHash, verifyConsistency, verifyInclusion, rootFromInclusionProof } from './merkle.ts';
