// Uploads captured events to the Lockstep server in numbered batches. One batch is in flight
// at a time, so batches arrive in order. Network errors, 5xx and 429 are retried with capped,
// jittered exponential backoff; a batch leaves the queue only on a 2xx (201 new, 200 duplicate)
// or, for any other 4xx, as a permanent failure that is reported and kept in `failed`.
import { MAX_EVENTS_PER_BATCH, makeBatch } from '@lockstep/schema';
import type { BatchEnvelope, BatchReceipt, CaptureEvent } from '@lockstep/schema';

export interface UploaderOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8787 */
  server: string;
  /** Device token, sent as `authorization: Bearer <token>`. */
  token: string;
  device: string;
  session: string;
  /** Most events per batch (default 500, at most 5000). */
  maxBatchEvents?: number;
  /** Pushed events are sealed into a batch at least this often (default 1000 ms). */
  flushIntervalMs?: number;
  /** First retry delay (default 250 ms); doubles per attempt up to retryMaxMs (default 10 s), with jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Per-request timeout (default 30 s). */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  /** A batch was rejected for good (4xx other than 429). It stays in `failed`. */
  onError?: (error: UploadError) => void;
  /** A transient failure; the batch will be sent again after `delayMs`. */
  onRetry?: (error: UploadError, attempt: number, delayMs: number) => void;
  /** A batch was acknowledged; the receipt says, among other things, whether the server had to mask findings this device missed (`remasked`). */
  onReceipt?: (receipt: BatchReceipt) => void;
}

export interface UploadSummary {
  /** Batches acknowledged with a 2xx. */
  batches: number;
  /** Events in those batches. */
  events: number;
  /** Batches rejected for good (kept in `failed`). */
  failed: number;
}

export class UploadError extends Error {
  constructor(
    message: string,
    /** The batch's seq. */
    readonly batch: number,
    /** HTTP status; undefined for network errors. */
    readonly status: number | undefined,
    readonly permanent: boolean,
    /** The server's error body, when it sent JSON. */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

export class UploadTimeoutError extends Error {
  constructor(readonly pendingBatches: number) {
    super(`upload did not finish in time: ${pendingBatches} batch(es) not acknowledged`);
    this.name = 'UploadTimeoutError';
  }
}

interface Queued {
  batch: BatchEnvelope;
  body: string;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export class Uploader {
  private readonly url: string;
  private readonly maxBatch: number;
  private readonly interval: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly requestTimeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private open: CaptureEvent[] = [];
  private readonly queue: Queued[] = [];
  private readonly rejected: BatchEnvelope[] = [];
  private nextSeq = 0;
  private acked = { batches: 0, events: 0 };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pumping: Promise<void> | undefined;
  private closed = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;

  constructor(private readonly opts: UploaderOptions) {
    this.url = `${opts.server.replace(/\/+$/, '')}/v1/batches`;
    this.maxBatch = Math.max(1, Math.min(MAX_EVENTS_PER_BATCH, Math.floor(opts.maxBatchEvents ?? 500)));
    this.interval = Math.max(0, opts.flushIntervalMs ?? 1000);
    this.baseMs = Math.max(1, opts.retryBaseMs ?? 250);
    this.maxMs = Math.max(this.baseMs, opts.retryMaxMs ?? 10_000);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** Queues events for upload. */
  push(events: readonly CaptureEvent[]): void {
    if (this.closed) throw new Error('uploader is closed');
    if (events.length === 0) return;
    for (const e of events) this.open.push(e);
    // Full batches go now; the rest waits for more events or the timer.
    if (this.open.length >= this.maxBatch) this.seal(false);
    if (this.open.length > 0) this.timer ??= setTimeout(() => this.seal(), this.interval);
  }

  /** Events pushed but not yet acknowledged (rejected batches not included). */
  get pending(): number {
    return this.open.length + this.queue.reduce((n, q) => n + q.batch.events.length, 0);
  }

  /** Batches the server rejected for good, kept for the caller. */
  get failed(): readonly BatchEnvelope[] {
    return this.rejected;
  }

  /** Batches sealed but not yet acknowledged, oldest first. */
  pendingBatches(): BatchEnvelope[] {
    return this.queue.map((q) => q.batch);
  }

  get acknowledged(): Readonly<{ batches: number; events: number }> {
    return this.acked;
  }

  /** Seals what is pushed and resolves once every batch is acknowledged or rejected. */
  async flush(): Promise<void> {
    this.seal();
    while (this.pumping) await this.pumping;
  }

  /**
   * Flushes and stops taking events. Rejects with UploadTimeoutError (and stops retrying) if
   * not everything is settled within `timeoutMs` (default 30 s); unsent batches stay in
   * pendingBatches().
   */
  async close(options: { timeoutMs?: number } = {}): Promise<UploadSummary> {
    this.closed = true;
    const timeoutMs = options.timeoutMs ?? 30_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.flush().then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.abort.abort();
      this.wake?.();
      throw new UploadTimeoutError(this.queue.length + (this.open.length > 0 ? 1 : 0));
    }
    return { ...this.acked, failed: this.rejected.length };
  }

  /** Turns pushed events into numbered batches: all of them, or only full ones. */
  private seal(all = true): void {
    if (all) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.open.length >= (all ? 1 : this.maxBatch)) {
      const events = this.open.splice(0, this.maxBatch);
      const batch = makeBatch(this.opts.device, this.opts.session, this.nextSeq++, events);
      this.queue.push({ batch, body: JSON.stringify(batch) });
    }
    if (this.queue.length > 0 && !this.pumping) {
      this.pumping = this.pump().finally(() => {
        this.pumping = undefined;
        // Batches sealed while the last one was in flight.
        if (this.queue.length > 0 && !this.abort.signal.aborted) this.seal();
      });
    }
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && !this.abort.signal.aborted) {
      const head = this.queue[0] as Queued;
      for (let attempt = 0; !this.abort.signal.aborted; attempt++) {
        const outcome = await this.send(head);
        if (outcome === 'ok' || outcome instanceof UploadError) {
          this.queue.shift();
          if (outcome === 'ok') {
            this.acked = { batches: this.acked.batches + 1, events: this.acked.events + head.batch.events.length };
          } else {
            this.rejected.push(head.batch);
            this.report(() => this.opts.onError?.(outcome));
          }
          break;
        }
        const delay = this.backoff(attempt, outcome.retryAfter);
        this.report(() => this.opts.onRetry?.(outcome.error, attempt + 1, delay));
        await this.sleep(delay);
      }
    }
  }

  /** 'ok', a permanent UploadError, or a transient failure to retry. */
  private async send(q: Queued): Promise<'ok' | UploadError | { error: UploadError; retryAfter?: number }> {
    const seq = q.batch.seq;
    let res: Response;
    try {
      res = await this.fetchFn(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.opts.token}` },
        body: q.body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.requestTimeoutMs)]),
      });
    } catch (err) {
      return { error: new UploadError(`batch ${seq}: ${err instanceof Error ? err.message : String(err)}`, seq, undefined, false) };
    }
    const text = await res.text().catch(() => '');
    if (res.ok) {
      const onReceipt = this.opts.onReceipt;
      if (onReceipt) {
        try {
          const receipt = JSON.parse(text) as BatchReceipt;
          this.report(() => onReceipt(receipt));
        } catch {
          // A 2xx without a JSON receipt still acknowledges the batch.
        }
      }
      return 'ok';
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const detail = typeof body === 'object' && body !== null && 'message' in body ? `: ${String((body as { message: unknown }).message)}` : '';
    const error = new UploadError(`batch ${seq}: HTTP ${res.status}${detail}`, seq, res.status, false, body);
    if (res.status === 429 || res.status >= 500 || res.status === 408) return { error, retryAfter: retryAfterMs(res.headers.get('retry-after')) };
    return new UploadError(error.message, seq, res.status, true, body);
  }

  private backoff(attempt: number, retryAfter: number | undefined): number {
    const exp = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(attempt, 30));
    const jittered = exp * (0.5 + Math.random() / 2);
    return Math.round(Math.min(this.maxMs, Math.max(jittered, retryAfter ?? 0)));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private report(fn: () => void): void {
    try {
      fn();
    } catch {
      // A callback's error must not stop the uploads.
    }
  }
}
