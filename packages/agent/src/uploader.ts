// Sends the spool's batches to the server, oldest first, and deletes each one only once the server
// has acknowledged it. A batch keeps its (session, seq) and its content from the moment it is
// spooled, so sending it again (after a crash between the server's 201 and our ack, or a lost
// reply) is answered 200 duplicate and stored once: delivery is exactly once.
//
// Replies:  201 / 200 with a receipt for this batch → ack.  410 (session deleted) → ack, reported.
// Network error, timeout, 408, 429, 5xx, or a 2xx without a matching receipt → retry after a
// capped, jittered exponential backoff (Retry-After honoured, up to 5 minutes); state 'offline'.
// 401, 403 (consent required, device revoked, refused), 404/405 (no batch endpoint there) or a
// redirect → stop; the spool keeps everything. Any other 4xx (400, 409, 413…) → that batch is
// quarantined in the spool and the rest go on.
import { createHash } from 'node:crypto';
import { EVENT_SCHEMA_VERSION } from '@lockstep/schema';
import type { BatchReceipt } from '@lockstep/schema';
import type { Spool, SpooledBatch } from './spool.ts';

export type UploaderState = 'idle' | 'sending' | 'offline' | 'stopped';

export interface UploaderStatus {
  state: UploaderState;
  /** Batches in the spool waiting for upload. */
  pending: number;
  lastError?: string;
}

export type UploadProblemKind = 'retry' | 'quarantined' | 'gone' | 'stopped';

export class UploadProblem extends Error {
  constructor(
    readonly kind: UploadProblemKind,
    message: string,
    readonly batch?: { id: number; session: string; seq: number },
    /** HTTP status; undefined for network errors. */
    readonly status?: number,
    /** The server's error code (`consent-required`, `conflict`…), when it sent one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'UploadProblem';
  }
}

export interface SpoolUploaderOptions {
  spool: Spool;
  /** Base URL of the server, e.g. http://127.0.0.1:8787 */
  server: string;
  /** Device token, sent as `authorization: Bearer <token>`. */
  token: string;
  device: string;
  fetch?: typeof fetch;
  /** First retry delay (default 250 ms), doubling per failed attempt up to retryMaxMs (default 10 s), with jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Per-request timeout (default 30 s). */
  requestTimeoutMs?: number;
  /** Batches sent at once (default 1, which keeps them in order; at most 8). */
  inFlight?: number;
  onState?: (status: UploaderStatus) => void;
  onReceipt?: (receipt: BatchReceipt, batch: { id: number; session: string; seq: number }) => void;
  onError?: (problem: UploadProblem) => void;
}

const RETRY_AFTER_MAX_MS = 5 * 60_000;

type Outcome =
  | { kind: 'acked' }
  | { kind: 'gone' | 'quarantine' | 'stop'; problem: UploadProblem }
  | { kind: 'retry'; problem: UploadProblem; retryAfterMs?: number }
  | { kind: 'aborted' };

export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(RETRY_AFTER_MAX_MS, Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.min(RETRY_AFTER_MAX_MS, Math.max(0, at - now)) : undefined;
}

export class SpoolUploader {
  private readonly url: string;
  private readonly fetchFn: typeof fetch;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly timeoutMs: number;
  private readonly inFlight: number;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private stopping = false;
  private wake: (() => void) | undefined;
  private kicked = false;
  private drainWaiters: Array<(drained: boolean) => void> = [];
  private status: UploaderStatus = { state: 'idle', pending: 0 };

  constructor(private readonly opts: SpoolUploaderOptions) {
    this.url = `${opts.server.replace(/\/+$/, '')}/v1/batches`;
    this.fetchFn = opts.fetch ?? fetch;
    this.baseMs = Math.max(1, opts.retryBaseMs ?? 250);
    this.maxMs = Math.max(this.baseMs, opts.retryMaxMs ?? 10_000);
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.inFlight = Math.min(8, Math.max(1, Math.floor(opts.inFlight ?? 1)));
  }

  get state(): UploaderStatus {
    return { ...this.status };
  }

  /** Starts sending (again, after a stop). */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.abort = new AbortController();
    this.loop = this.run().finally(() => {
      this.loop = undefined;
      this.settleDrains(false);
    });
  }

  /** A batch was spooled: send it soon. (Does not cut short a backoff after a failure.) */
  kick(): void {
    this.kicked = true;
    if (this.status.state === 'idle') this.wake?.();
  }

  /**
   * Resolves true once no batch is waiting in the spool (quarantined ones aside), false if the
   * uploader stops or `timeoutMs` passes first. Needs start().
   */
  async drain(timeoutMs: number): Promise<boolean> {
    if (!this.loop) return this.opts.spool.stats().batches === 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waiter: ((drained: boolean) => void) | undefined;
    const result = new Promise<boolean>((resolve) => {
      waiter = resolve;
      this.drainWaiters.push(resolve);
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    this.kick();
    try {
      return await result;
    } finally {
      clearTimeout(timer);
      this.drainWaiters = this.drainWaiters.filter((w) => w !== waiter);
    }
  }

  /** Stops sending: requests in flight are abandoned (their batches stay spooled and are sent again later). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.wake?.();
    await this.loop;
    this.setStatus('stopped', this.status.lastError);
  }

  private async run(): Promise<void> {
    let failures = 0;
    try {
      while (!this.stopping) {
        this.kicked = false;
        const rows = this.opts.spool.pending(this.inFlight);
        if (rows.length === 0) {
          this.setStatus('idle');
          this.settleDrains(true);
          // Woken by kick(); the timer also picks up batches spooled by anything that did not kick.
          if (!this.kicked) await this.sleep(5_000);
          continue;
        }
        this.setStatus('sending', this.status.lastError);
        const outcomes = await Promise.all(rows.map((row) => this.send(row)));
        let retry: { problem: UploadProblem; retryAfterMs?: number } | undefined;
        let stop: UploadProblem | undefined;
        outcomes.forEach((outcome, i) => {
          const row = rows[i] as SpooledBatch;
          switch (outcome.kind) {
            case 'acked':
              this.opts.spool.ack(row.id);
              break;
            case 'gone':
              this.opts.spool.ack(row.id);
              this.report(outcome.problem);
              break;
            case 'quarantine':
              this.opts.spool.quarantine(row.id, outcome.problem.message);
              this.report(outcome.problem);
              break;
            case 'stop':
              stop ??= outcome.problem;
              break;
            case 'retry':
              retry ??= outcome;
              break;
            case 'aborted':
              break;
          }
        });
        if (stop) {
          this.stopping = true;
          this.setStatus('stopped', stop.message);
          this.report(stop);
          break;
        }
        if (this.stopping) break;
        if (retry) {
          failures++;
          this.setStatus('offline', retry.problem.message);
          this.report(retry.problem);
          await this.sleep(this.backoff(failures, retry.retryAfterMs));
        } else {
          failures = 0;
          if (this.status.lastError) this.setStatus('sending');
        }
      }
    } catch (error) {
      const message = `upload stopped: ${error instanceof Error ? error.message : String(error)}`;
      this.setStatus('stopped', message);
      this.report(new UploadProblem('stopped', message));
    }
  }

  private async send(row: SpooledBatch): Promise<Outcome> {
    const ref = { id: row.id, session: row.session, seq: row.seq };
    const name = `batch ${row.seq} of ${row.session}`;
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.opts.token}` },
        body: batchBody(this.opts.device, row.session, row.seq, row.events),
        redirect: 'manual',
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      text = await res.text();
    } catch (error) {
      if (this.abort.signal.aborted) return { kind: 'aborted' };
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      return { kind: 'retry', problem: new UploadProblem('retry', `${name}: server unreachable (${detail})`, ref) };
    }
    const body = parseJson(text);
    const code = typeof body?.error === 'string' ? body.error : undefined;
    const said = typeof body?.message === 'string' ? `: ${body.message}` : '';
    const problem = (kind: UploadProblemKind, message: string) => new UploadProblem(kind, message, ref, res.status, code);

    if (res.status === 200 || res.status === 201) {
      if (body && body.session === row.session && body.seq === row.seq && typeof body.duplicate === 'boolean') {
        const onReceipt = this.opts.onReceipt;
        if (onReceipt) this.guard(() => onReceipt(body as unknown as BatchReceipt, ref));
        return { kind: 'acked' };
      }
      return { kind: 'retry', problem: problem('retry', `${name}: HTTP ${res.status} without a receipt for this batch`) };
    }
    if (res.status === 410) return { kind: 'gone', problem: problem('gone', `${name} dropped: the session was deleted on the server${said}`) };
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      return { kind: 'retry', problem: problem('retry', `${name}: HTTP ${res.status}${said}`), retryAfterMs: retryAfterMs(res.headers.get('retry-after')) };
    }
    if (res.status === 401 || res.status === 403) {
      const why = code === 'consent-required' ? 'consent is required' : res.status === 401 ? 'the device token was refused (revoked?)' : `refused${said}`;
      return { kind: 'stop', problem: problem('stopped', `uploads stopped, ${why}; the spool keeps every batch`) };
    }
    if (res.status === 404 || res.status === 405 || (res.status >= 300 && res.status < 400) || res.status === 0) {
      return { kind: 'stop', problem: problem('stopped', `uploads stopped: ${this.url} is not a Lockstep batch endpoint (HTTP ${res.status})`) };
    }
    return { kind: 'quarantine', problem: problem('quarantined', `${name} refused (HTTP ${res.status}${code ? ` ${code}` : ''})${said}`) };
  }

  private backoff(failures: number, retryAfter: number | undefined): number {
    const exp = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(failures - 1, 30));
    const jittered = Math.round(exp / 2 + (Math.random() * exp) / 2);
    return Math.max(jittered, retryAfter ?? 0);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private setStatus(state: UploaderState, lastError?: string): void {
    let pending = this.status.pending;
    try {
      pending = this.opts.spool.stats().batches;
    } catch {
      // The spool was closed under us; keep the last count.
    }
    const next: UploaderStatus = lastError === undefined ? { state, pending } : { state, pending, lastError };
    if (next.state === this.status.state && next.pending === this.status.pending && next.lastError === this.status.lastError) return;
    this.status = next;
    const onState = this.opts.onState;
    if (onState) this.guard(() => onState({ ...next }));
  }

  private settleDrains(drained: boolean): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve(drained);
  }

  private report(problem: UploadProblem): void {
    const onError = this.opts.onError;
    if (onError) this.guard(() => onError(problem));
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch {
      // A callback's error must not stop the uploads.
    }
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The JSON of a batch envelope (as makeBatch in @lockstep/schema builds it), with the events
 * stringified once for both the body and its checksum, and the checksum from node:crypto.
 */
export function batchBody(device: string, session: string, seq: number, events: readonly unknown[]): string {
  const json = JSON.stringify(events);
  const checksum = createHash('sha256').update(json).digest('hex');
  return `{"v":${EVENT_SCHEMA_VERSION},"device":${JSON.stringify(device)},"session":${JSON.stringify(session)},"seq":${seq},"events":${json},"checksum":"${checksum}"}`;
}
