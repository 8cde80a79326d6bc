// Episode segmentation: a streaming cutter over raw events (idle gaps, app switches, explicit
// markers), the subject's split and merge on the resulting cuts, and the episode summaries.
// On the desktop the app is the focused window's class (`window` events): a window of another
// app is a switch, a new title or another window of the same app is not. The `away` marker (the
// person left for a window the program does not record) and the `gap` marker (events were lost)
// cut like a pause: the next event that is not a marker starts an episode.
import type { CaptureEvent } from '@lockstep/schema';
import type { Action } from './actions.ts';
import type { ActionCounts, Cut, Episode } from './episode.ts';
import { EpisodeLabel } from './episode.ts';

export interface SegmentOptions {
  /** A gap of at least this long (ms) without any event starts a new episode. Default 120 s. */
  idleMs: number;
  /** Start a new episode when the app changes (web: the origin of a top-level navigation; desktop: the focused window's app). Default true. */
  cutOnAppSwitch: boolean;
  /** Start a new episode after a pause, stop, away or gap marker. Default true. */
  cutOnMarkers: boolean;
  /** The app a top-level URL belongs to. Default: its origin. */
  appOf: (url: string) => string;
}

export function originOf(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(url);
  return m ? m[1]!.toLowerCase() : url.split(/[?#]/)[0] ?? url;
}

export const DEFAULT_SEGMENT_OPTIONS: Readonly<SegmentOptions> = Object.freeze({
  idleMs: 120_000,
  cutOnAppSwitch: true,
  cutOnMarkers: true,
  appOf: originOf,
});

/**
 * Where a Segmenter stands after the events pushed so far: enough to carry on with the events
 * that follow (`new Segmenter(options, state)`), e.g. in the next upload batch of a session.
 */
export interface SegmenterState {
  /** Time of the last event pushed; null before the first (whose cut has reason `start`). */
  lastT: number | null;
  /** The app of the last top-level navigation (desktop: of the last window event); null before any. */
  app: string | null;
  /** A pause, stop, away or gap marker came after the last other event: the next other event starts an episode. */
  afterMarker: boolean;
}

/** Markers after which the next other event starts an episode. */
const CUTTING_MARKERS: ReadonlySet<string> = new Set(['pause', 'stop', 'away', 'gap']);

/** The app an event puts the session in: a top-level navigation's (by `appOf`), a window event's app class; null for other events. */
function appOfEvent(e: CaptureEvent, appOf: (url: string) => string): string | null {
  if (e.type === 'navigation' && !(e.frame && e.frame.length > 0)) return appOf(e.url);
  if (e.type === 'window') return e.app;
  return null;
}

/** Streaming cutter: push events in order; returns a cut when an episode starts at this event. */
export class Segmenter {
  private readonly o: SegmentOptions;
  private lastT: number | null = null;
  private app: string | null = null;
  private afterMarker = false;

  /** `state`: carry on from where another Segmenter stood (see `state`); default: a session's start. */
  constructor(options: Partial<SegmentOptions> = {}, state?: SegmenterState) {
    this.o = { ...DEFAULT_SEGMENT_OPTIONS, ...options };
    if (state) ({ lastT: this.lastT, app: this.app, afterMarker: this.afterMarker } = state);
  }

  get state(): SegmenterState {
    return { lastT: this.lastT, app: this.app, afterMarker: this.afterMarker };
  }

  push(e: CaptureEvent): Cut | null {
    const first = this.lastT === null;
    const gap = this.lastT === null ? 0 : e.t - this.lastT;
    this.lastT = e.t;
    if (e.type === 'marker') {
      if (CUTTING_MARKERS.has(e.kind)) this.afterMarker = true;
      return first ? { seq: e.seq, t: e.t, reason: 'start' } : null;
    }
    let reason: Cut['reason'] | null = first ? 'start' : null;
    if (!reason && this.afterMarker && this.o.cutOnMarkers) reason = 'marker';
    this.afterMarker = false;
    if (!reason && gap >= this.o.idleMs) reason = 'idle';
    const app = appOfEvent(e, this.o.appOf);
    if (app !== null) {
      if (!reason && this.app !== null && app !== this.app && this.o.cutOnAppSwitch) reason = 'app';
      this.app = app;
    }
    return reason ? { seq: e.seq, t: e.t, reason } : null;
  }
}

/** All cuts of a session. */
export function cutSession(events: Iterable<CaptureEvent>, options: Partial<SegmentOptions> = {}): Cut[] {
  const s = new Segmenter(options);
  const cuts: Cut[] = [];
  for (const e of events) {
    const c = s.push(e);
    if (c) cuts.push(c);
  }
  return cuts;
}

/** The subject splits an episode: a new one starts at event `seq` (time `t`). */
export function splitAt(cuts: readonly Cut[], seq: number, t: number): Cut[] {
  if (cuts.some((c) => c.seq === seq)) return [...cuts];
  return [...cuts, { seq, t, reason: 'subject' as const }].sort((a, b) => a.seq - b.seq);
}

/** The subject merges episode `index` with the one after it. */
export function mergeAt(cuts: readonly Cut[], index: number): Cut[] {
  if (index < 0 || index + 1 >= cuts.length) throw new RangeError(`no episode after episode ${index}`);
  return cuts.filter((_, i) => i !== index + 1);
}

/** A label in the subject's words, checked (trimmed, 1–500 characters). */
export function labelEpisode(episode: Episode, label: string): Episode {
  return { ...episode, label: EpisodeLabel.parse(label) };
}

/**
 * Episodes from cuts: one pass over the events (apps, counts, duration) and the actions (counts
 * per kind, assigned by their first event). `labels` maps episode index → label.
 */
export function buildEpisodes(cuts: readonly Cut[], events: Iterable<CaptureEvent>, actions: readonly Action[], options: Partial<SegmentOptions> & { labels?: Record<number, string> } = {}): Episode[] {
  const appOf = options.appOf ?? originOf;
  const sorted = [...cuts].sort((a, b) => a.seq - b.seq);
  const episodes: Episode[] = [];
  let i = -1;
  let app: string | null = null;
  for (const e of events) {
    while (i + 1 < sorted.length && e.seq >= sorted[i + 1]!.seq) {
      i++;
      const c = sorted[i]!;
      // An episode opened by a window event starts in that window's app, not in the one before.
      const carried = app && e.type !== 'window' ? [app] : [];
      episodes.push({ index: i, start: { seq: e.seq, t: e.t }, end: { seq: e.seq, t: e.t }, reason: c.reason, duration: 0, apps: carried, events: 0, actions: 0, counts: {} });
    }
    const ep = episodes[i];
    if (!ep) continue;
    ep.end = { seq: e.seq, t: e.t };
    ep.duration = Math.round((e.t - ep.start.t) * 10) / 10;
    ep.events++;
    const next = appOfEvent(e, appOf);
    if (next !== null) {
      app = next;
      if (!ep.apps.includes(app)) ep.apps.push(app);
    }
  }
  let j = 0;
  for (const a of actions) {
    while (j + 1 < episodes.length && a.seq.from >= episodes[j + 1]!.start.seq) j++;
    const ep = episodes[j];
    if (!ep || a.seq.from < ep.start.seq) continue;
    ep.actions++;
    const counts: ActionCounts = ep.counts;
    counts[a.kind] = (counts[a.kind] ?? 0) + 1;
  }
  for (const [k, v] of Object.entries(options.labels ?? {})) {
    const ep = episodes[Number(k)];
    if (ep) ep.label = EpisodeLabel.parse(v);
  }
  return episodes;
}
