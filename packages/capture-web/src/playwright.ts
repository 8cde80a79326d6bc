// attachRecorder(): records a Playwright page. The in-page recorder runs in every frame (init
// script for new documents, evaluate for the current ones) and sends its batches through a
// binding; the host validates, sequences and keeps them, and mirrors pause state across frames.
import type { Frame, Page } from 'playwright-core';
import type { CaptureEvent } from '@lockstep/schema';
import { recorderScript } from './bundle.ts';
import { pageOptions, type RecorderOptions } from './options.ts';
import { BINDING, GLOBAL } from './protocol.ts';
import type { BatchInfo, HostReply, RecorderHandle } from './protocol.ts';
import { Sequencer } from './sequencer.ts';

export interface Recording {
  /** Every event so far, in order (read-only view). */
  readonly events: readonly CaptureEvent[];
  readonly paused: boolean;
  /** Events dropped because they did not validate against the schema. */
  readonly invalid: number;
  /**
   * Set (to the marker's reason) once a document's on-device redaction failed: that document
   * stopped capturing text. Also reported through `onRedactionFailed`.
   */
  readonly redactionFailed: string | undefined;
  /** Epoch ms of the start marker (t = 0). */
  readonly startedAt: number;
  /** Pauses recording in every frame (marker reason `host`). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Resolves once every frame has handed over what it holds. */
  flush(): Promise<void>;
  /** Flushes every frame, detaches, appends the stop marker and resolves to all events. */
  stop(): Promise<CaptureEvent[]>;
}

/** How long to wait for a frame's batches to arrive after it said it sent them. */
const ARRIVAL_TIMEOUT_MS = 2000;
/** Slack on top of the flush interval before an event is put in order for good. */
const REORDER_SLACK_MS = 200;
/** Longest an event is held for ordering; frames that flush less often than this are ordered only within it. */
const REORDER_MAX_MS = 2000;

interface Held {
  /** Page timestamp (epoch ms); events of different frames are ordered by it. */
  pt: number;
  arrival: number;
  raw: unknown;
  frame: Frame;
}

const pageTime = (raw: unknown, fallback: number): number => {
  const pt = typeof raw === 'object' && raw !== null ? (raw as { pt?: unknown }).pt : undefined;
  return typeof pt === 'number' && Number.isFinite(pt) ? pt : fallback;
};
const isPauseMarker = (raw: unknown): boolean =>
  typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'marker' && (raw as { kind?: unknown }).kind !== 'redaction-failed';
/**
 * A document's hold (BatchInfo.hold: the oldest event it keeps back for redaction) older than
 * this is ignored: the page forces a release after 30 s, so such a hold is from a document
 * that went away without saying so.
 */
const HOLD_STALE_MS = 35_000;

type Method = 'flush' | 'stop' | 'pause' | 'resume';

/** Calls the in-page recorder of one frame; null when it has none (or the frame is gone). */
async function callFrame(frame: Frame, method: Method, silent = false): Promise<BatchInfo | null> {
  try {
    return await frame.evaluate(
      ([name, m, quiet]) => {
        const handle = (window as unknown as Record<string, RecorderHandle | undefined>)[name];
        if (!handle) return null;
        if (m === 'flush' || m === 'stop') return handle[m]();
        return handle[m]('host', quiet);
      },
      [GLOBAL, method, silent] as const,
    );
  } catch {
    return null;
  }
}

function isInfo(v: unknown): v is BatchInfo {
  return typeof v === 'object' && v !== null && typeof (v as BatchInfo).doc === 'string' && Number.isInteger((v as BatchInfo).n);
}

export async function attachRecorder(page: Page, options: RecorderOptions = {}): Promise<Recording> {
  const seq = new Sequencer();
  const onEvents = options.onEvents;
  let redactionFailed: string | undefined;
  const deliver = (events: CaptureEvent[]): void => {
    for (const e of events) {
      if (e.type !== 'marker' || e.kind !== 'redaction-failed') continue;
      redactionFailed ??= e.reason ?? 'unavailable';
      try {
        options.onRedactionFailed?.(e.reason ?? 'unavailable');
      } catch {
        // A consumer's error must not break recording.
      }
    }
    if (events.length === 0 || !onEvents) return;
    try {
      onEvents(events);
    } catch {
      // A consumer's error must not break recording.
    }
  };

  // Batches received per document, and who waits for them.
  const arrived = new Map<string, number>();
  const waiters = new Set<{ info: BatchInfo; done: () => void }>();
  const noteArrival = (info: BatchInfo): void => {
    arrived.set(info.doc, (arrived.get(info.doc) ?? 0) + 1);
    for (const w of waiters) if (w.info.doc === info.doc && (arrived.get(info.doc) ?? 0) >= w.info.n) w.done();
  };
  const arrivalOf = (info: BatchInfo | null): Promise<void> => {
    if (!info || (arrived.get(info.doc) ?? 0) >= info.n) return Promise.resolve();
    return new Promise((resolve) => {
      const w = {
        info,
        done: () => {
          clearTimeout(timer);
          waiters.delete(w);
          resolve();
        },
      };
      const timer = setTimeout(w.done, ARRIVAL_TIMEOUT_MS);
      waiters.add(w);
    });
  };

  let stopped = false;
  /** Pause state being copied into frames; flush() waits for it. */
  const mirroring = new Set<Promise<unknown>>();
  /** Makes every frame but `except` match the pause state, without markers of their own. */
  const mirror = (paused: boolean, except: Frame | null): void => {
    for (const frame of page.frames()) {
      if (frame === except) continue;
      const p = callFrame(frame, paused ? 'pause' : 'resume', true).finally(() => mirroring.delete(p));
      mirroring.add(p);
    }
  };

  // Each frame flushes on its own timer, so batches of different frames arrive out of step.
  // Events are held for one flush interval (plus slack) and released in page-time order, so
  // that `seq` follows what happened, not when it arrived. A pause or resume releases at once.
  // A document that keeps events back for redaction (a field under edit) says so in its
  // batches' `hold`: events of other documents from that time on wait until it lets go, so
  // that its late events are still put in page-time order. (Within one document, the page
  // itself releases in order.)
  const reorderMs = Math.min(pageOptions(options).flushIntervalMs + REORDER_SLACK_MS, REORDER_MAX_MS);
  const held: Held[] = [];
  /** Per document: the page time of the oldest event it holds back (see BatchInfo.hold). */
  const holds = new Map<string, number>();
  let arrivals = 0;
  let releaseTimer: ReturnType<typeof setTimeout> | undefined;
  const release = (all: boolean): void => {
    if (releaseTimer) clearTimeout(releaseTimer);
    releaseTimer = undefined;
    held.sort((a, b) => a.pt - b.pt || a.arrival - b.arrival);
    const now = Date.now();
    let horizon = now - reorderMs;
    let waiting = false;
    for (const [doc, pt] of holds) {
      if (pt < now - HOLD_STALE_MS) holds.delete(doc);
      else if (pt <= horizon) {
        horizon = pt - 0.001;
        waiting = true;
      }
    }
    let n = all ? held.length : held.findIndex((h) => h.pt > horizon);
    if (n < 0) n = held.length;
    const ready = held.splice(0, n);
    // Hand over in runs from one frame, so a pause mirrors to every frame but its source.
    for (let i = 0; i < ready.length; ) {
      let j = i;
      while (j < ready.length && ready[j]!.frame === ready[i]!.frame) j++;
      const result = seq.accept(ready.slice(i, j).map((h) => h.raw));
      deliver(result.events);
      if (result.paused !== undefined) mirror(result.paused, ready[i]!.frame);
      i = j;
    }
    if (held.length > 0) releaseTimer = setTimeout(() => release(false), waiting ? reorderMs : Math.max(10, held[0]!.pt + reorderMs - Date.now()));
  };

  const onBatch = (source: { frame: Frame }, batch: unknown, info: unknown): HostReply => {
    if (stopped) return { stopped: true };
    try {
      const raw = typeof batch === 'string' ? (JSON.parse(batch) as unknown) : batch;
      if (isInfo(info)) {
        const hold = (info as { hold?: unknown }).hold;
        if (typeof hold === 'number' && Number.isFinite(hold)) holds.set(info.doc, hold);
        else holds.delete(info.doc);
      }
      if (isInfo(info) && info.n > 0) noteArrival(info);
      const now = Date.now();
      if (Array.isArray(raw)) for (const r of raw) held.push({ pt: pageTime(r, now), arrival: arrivals++, raw: r, frame: source.frame });
      else seq.accept(raw); // counted as invalid
      release(Array.isArray(raw) && raw.some(isPauseMarker));
    } catch {
      // Never throw into the page.
    }
    return { paused: seq.paused };
  };

  deliver([seq.marker('start')]);
  const binding = await page.exposeBinding(BINDING, onBatch);
  const script = await recorderScript(options);
  const init = await page.addInitScript({ content: script });
  await Promise.all(page.frames().map((frame) => (frame.url() === 'about:blank' ? undefined : frame.evaluate(script).catch(() => undefined))));

  const setPaused = async (paused: boolean): Promise<void> => {
    if (stopped || seq.paused === paused) return;
    // The top document records the marker, so it lands after what the page already sent.
    await arrivalOf(await callFrame(page.mainFrame(), paused ? 'pause' : 'resume'));
    release(true);
    if (seq.paused !== paused && !stopped) {
      deliver([seq.marker(paused ? 'pause' : 'resume', 'host')]);
      mirror(paused, null);
    }
    // Resolve once every frame has the new state.
    await Promise.all(mirroring);
  };

  let stopping: Promise<CaptureEvent[]> | undefined;
  const stop = (): Promise<CaptureEvent[]> =>
    (stopping ??= (async () => {
      const infos = await Promise.all(page.frames().map((frame) => callFrame(frame, 'stop')));
      await Promise.all(infos.map(arrivalOf));
      release(true);
      stopped = true;
      deliver([seq.marker('stop')]);
      await Promise.all([init.dispose().catch(() => {}), binding.dispose().catch(() => {})]);
      return [...seq.events];
    })());

  return {
    get events() {
      return seq.events;
    },
    get paused() {
      return seq.paused;
    },
    get invalid() {
      return seq.invalid;
    },
    get redactionFailed() {
      return redactionFailed;
    },
    startedAt: seq.start,
    pause: () => setPaused(true),
    resume: () => setPaused(false),
    flush: async () => {
      if (stopped) return;
      const infos = await Promise.all(page.frames().map((frame) => callFrame(frame, 'flush')));
      await Promise.all(infos.map(arrivalOf));
      release(true);
      await Promise.all(mirroring);
    },
    stop,
  };
}
