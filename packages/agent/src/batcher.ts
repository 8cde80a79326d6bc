// From the recorder to the spool: events are gathered into upload batches (numbered per session,
// so that an upload is idempotent and a crash re-sends the same batch) and written to the spool
// at least every flush or when a batch fills. When the spool is full, capture is stopped with a
// gap marker that starts where the first event that did not fit was; it resumes once uploads
// have made room (below RESUME_BELOW of the limit). Nothing is dropped without that marker.
import type { CaptureEvent } from '@lockstep/schema';
import type { Spool } from './spool.ts';

/** Capture resumes after a full spool once it is below this share of its limit. */
export const RESUME_BELOW = 0.8;

export interface BatcherOptions {
  spool: Spool;
  session: string;
  /** Most events per batch (default 500). */
  batchEvents?: number;
  /** A batch was written: upload soon. */
  written: () => void;
  /** The spool is full: stop capture (the recorder then emits the gap marker). */
  full: () => void;
  /** The spool has room again: resume capture. */
  room: () => void;
  log?: (line: string) => void;
}

export class SpoolBatcher {
  private readonly o: Required<BatcherOptions>;
  private seq = 0;
  private pending: CaptureEvent[] = [];
  private isFull = false;
  private gapAt: number | null = null;

  constructor(options: BatcherOptions) {
    this.o = { batchEvents: 500, log: () => {}, ...options };
  }

  /** Batches written so far in this session. */
  get batches(): number {
    return this.seq;
  }

  get full(): boolean {
    return this.isFull;
  }

  /** Events from the recorder: into the next batch, or, while the spool is full, dropped but for the gap marker. */
  take(events: readonly CaptureEvent[]): void {
    for (const e of events) {
      if (!this.isFull) this.pending.push(e);
      else if (e.type === 'marker' && e.kind === 'gap') {
        // Nothing was kept from the first event that did not fit: the gap starts there.
        const gap: CaptureEvent = { ...e, t: this.gapAt ?? e.t };
        if (this.o.spool.append({ session: this.o.session, seq: this.seq++, events: [gap] }, { reserve: true }) !== 'stored') {
          this.o.log('error: the spool cannot take even the gap marker (the disk may be full)');
        }
        this.o.written();
      }
    }
    if (this.pending.length >= this.o.batchEvents) this.write(this.o.batchEvents);
  }

  /** Writes what is gathered to the spool. */
  flush(): void {
    this.write(1);
  }

  /** Writes batches while at least `least` events are gathered. */
  private write(least: number): void {
    while (this.pending.length >= least && this.pending.length > 0 && !this.isFull) {
      const events = this.pending.splice(0, this.o.batchEvents);
      if (this.o.spool.append({ session: this.o.session, seq: this.seq, events }) === 'stored') {
        this.seq++;
        this.o.written();
        continue;
      }
      this.isFull = true;
      this.gapAt = events[0]!.t;
      this.pending = [];
      const { bytes, maxBytes } = this.o.spool.stats();
      this.o.log(
        `the spool is full (${Math.round(bytes / 1048576)} of ${Math.round(maxBytes / 1048576)} MiB, the server has not taken it yet): capture stopped, a gap is marked; it resumes once uploads make room`,
      );
      this.o.full();
    }
  }

  /** After uploads: resumes capture once the spool has room again. */
  checkRoom(): void {
    if (!this.isFull) return;
    const { bytes, maxBytes } = this.o.spool.stats();
    if (bytes >= maxBytes * RESUME_BELOW) return;
    this.isFull = false;
    this.gapAt = null;
    this.o.log('the spool has room again: capture resumes');
    this.o.room();
  }
}
