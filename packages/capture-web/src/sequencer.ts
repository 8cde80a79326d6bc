// Host-side ordering of page events: validates each against the schema, assigns `seq` in
// arrival order and `t` in ms since the recording started (from the page timestamp, clamped so
// it never goes back and never runs ahead of the host clock), and tracks pause state from
// the markers. Pure: no browser, no Playwright.
import { CaptureEvent } from '@lockstep/schema';
import type { MarkerKind } from '@lockstep/schema';

export interface Accepted {
  events: CaptureEvent[];
  /** Set when a marker in this slice changed the pause state. */
  paused?: boolean;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

export class Sequencer {
  readonly events: CaptureEvent[] = [];
  /** Events dropped because they did not match the schema. */
  invalid = 0;
  paused = false;
  private lastT = 0;

  constructor(
    /** Epoch ms at which the recording started. */
    readonly start: number = Date.now(),
    private readonly now: () => number = Date.now,
  ) {}

  private nextT(pt: number | undefined): number {
    const ceiling = Math.max(this.lastT, this.now() - this.start);
    const raw = typeof pt === 'number' && Number.isFinite(pt) ? pt - this.start : ceiling;
    const t = round(Math.min(ceiling, Math.max(this.lastT, raw)));
    this.lastT = t;
    return t;
  }

  /** A marker made by the host (start, stop, or a pause the page could not record). */
  marker(kind: MarkerKind, reason?: string): CaptureEvent {
    const ev: CaptureEvent = { seq: this.events.length, t: kind === 'start' ? 0 : this.nextT(undefined), type: 'marker', kind };
    if (reason) ev.reason = reason;
    this.events.push(ev);
    if (kind === 'pause') this.paused = true;
    if (kind === 'resume') this.paused = false;
    return ev;
  }

  /**
   * Takes a batch from the page. Invalid events are counted and dropped; while paused only
   * markers are kept; a marker that does not change the pause state is dropped as a repeat.
   */
  accept(batch: unknown): Accepted {
    const out: CaptureEvent[] = [];
    let changed: boolean | undefined;
    if (!Array.isArray(batch)) {
      this.invalid++;
      return { events: out };
    }
    for (const raw of batch) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        this.invalid++;
        continue;
      }
      const { pt, ...rest } = raw as Record<string, unknown>;
      const isMarker = rest.type === 'marker';
      const isPauseMarker = isMarker && (rest.kind === 'pause' || rest.kind === 'resume');
      if (isMarker && !isPauseMarker && rest.kind !== 'redaction-failed') {
        this.invalid++; // start and stop belong to the host
        continue;
      }
      if (isPauseMarker && (rest.kind === 'pause') === this.paused) continue;
      if (this.paused && !isMarker) continue;
      const parsed = CaptureEvent.safeParse({ ...rest, seq: this.events.length, t: 0 });
      if (!parsed.success) {
        this.invalid++;
        continue;
      }
      const ev = parsed.data;
      ev.t = this.nextT(typeof pt === 'number' ? pt : undefined);
      this.events.push(ev);
      out.push(ev);
      if (ev.type === 'marker' && (ev.kind === 'pause' || ev.kind === 'resume')) {
        this.paused = ev.kind === 'pause';
        changed = this.paused;
      }
    }
    return changed === undefined ? { events: out } : { events: out, paused: changed };
  }
}
