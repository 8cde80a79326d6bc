import { z } from 'zod';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { CaptureEvent, EVENT_SCHEMA_VERSION } from './events.ts';
import { DeviceId, SessionId } from './ids.ts';

/** Most events one upload batch may carry. */
export const MAX_EVENTS_PER_BATCH = 5000;

/**
 * What a device uploads. `(device, session, seq)` names the batch: posting the same batch twice
 * stores it once, and batches may arrive in any order. `checksum` is the SHA-256 (hex) of
 * `JSON.stringify(events)` exactly as sent.
 */
export const BatchEnvelope = z
  .object({
    v: z.literal(EVENT_SCHEMA_VERSION),
    device: DeviceId,
    session: SessionId,
    seq: z.number().int().nonnegative(),
    events: z.array(CaptureEvent).min(1).max(MAX_EVENTS_PER_BATCH),
    checksum: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (SHA-256)'),
  })
  .strict();
export type BatchEnvelope = z.infer<typeof BatchEnvelope>;

export function batchChecksum(events: readonly unknown[]): string {
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify(events))));
}

export function makeBatch(device: string, session: string, seq: number, events: readonly CaptureEvent[]): BatchEnvelope {
  return { v: EVENT_SCHEMA_VERSION, device, session, seq, events: [...events], checksum: batchChecksum(events) };
}

/** The server's answer to an accepted batch. */
export const BatchReceipt = z
  .object({
    session: SessionId,
    seq: z.number().int().nonnegative(),
    events: z.number().int().nonnegative(),
    duplicate: z.boolean(),
    /**
     * Findings (per kind) that the server's second redaction check masked because the device had
     * not: the device's redaction is failing or bypassed. Absent when there were none.
     */
    remasked: z.record(z.string(), z.number().int().positive()).optional(),
  })
  .strict();
export type BatchReceipt = z.infer<typeof BatchReceipt>;

/** Every error the HTTP API returns has this shape. `field` names the offending input, when there is one. */
export const ApiError = z
  .object({
    error: z.string(),
    message: z.string(),
    field: z.string().optional(),
  })
  .strict();
export type ApiError = z.infer<typeof ApiError>;

/** Renders a path such as ['events', 3, 'target', 'selector'] as `events[3].target.selector`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(root)';
}

/** The first problem of a failed parse, as `{ field, message }`, for error messages that name the field. */
export function describeIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: '(root)', message: 'invalid input' };
  let path: PropertyKey[] = [...issue.path];
  let message = issue.message;
  // A union reports "invalid input" at its own path; its branch errors say what is really wrong.
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const deepest = issue.errors.flat().sort((a, b) => b.path.length - a.path.length)[0];
    if (deepest) {
      path = [...path, ...deepest.path];
      message = deepest.message;
    }
  }
  if (issue.code === 'unrecognized_keys') {
    return { field: formatPath([...path, issue.keys[0] ?? '']), message: `unknown field (${issue.keys.join(', ')})` };
  }
  return { field: formatPath(path), message };
}
