// The contract between the in-page recorder and the host.
import type { PauseReason } from './context.ts';

/** Binding the page calls with `(events, info)`; `events` is the batch as JSON text. */
export const BINDING = '__lockstepEmit';
/** Global under which each document exposes its RecorderHandle. */
export const GLOBAL = '__lockstep';

/** Sent with every batch: which document it comes from and its number there (0 = handshake). */
export interface BatchInfo {
  doc: string;
  n: number;
  /**
   * Page time (epoch ms) of the oldest event the document still holds back for redaction:
   * the host must not put later events of other documents in order before it has them.
   * Absent when nothing is held.
   */
  hold?: number;
}

/** What the host answers to every batch. */
export interface HostReply {
  paused?: boolean;
  stopped?: boolean;
}

/** The object the host reaches as `window.__lockstep`. */
export interface RecorderHandle {
  readonly paused: boolean;
  /** Pauses; `silent` skips the marker (the host uses it to mirror a pause made elsewhere). */
  pause(reason?: PauseReason, silent?: boolean): BatchInfo;
  resume(reason?: PauseReason, silent?: boolean): BatchInfo;
  /** Sends everything held, and says how many batches this document has sent so far. */
  flush(): BatchInfo;
  /** Flushes, then removes every listener and the badge. */
  stop(): BatchInfo;
}
