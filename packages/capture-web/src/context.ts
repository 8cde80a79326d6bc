// What every observer gets from the recorder: options, where the document sits, the target
// describer with privacy applied, and the event sink.
import type { CaptureEvent, Target, UnsequencedEvent } from '@lockstep/schema';
import type { PageOptions } from './options.ts';
import type { Offset } from './frame.ts';
import type { Off } from './dom.ts';
import type { Throttle } from './throttle.ts';

/** An event as buffered in the page: unsequenced, plus its page timestamp (epoch ms). */
export type PageEvent = UnsequencedEvent & { pt: number };

/** The unsequenced shape of one event type. */
export type Unseq<T extends CaptureEvent['type']> = Extract<UnsequencedEvent, { type: T }>;

export type PauseReason = 'shortcut' | 'badge' | 'host';

/** The pseudo-field of keys typed outside any text field (its text is what the keys typed). */
export const LOOSE_KEYS = Object.freeze({ loose: true });

/** Where an event's text belongs, for the redaction buffer: a text field, or LOOSE_KEYS. */
export type FieldRef = Element | typeof LOOSE_KEYS;

export interface Ctx {
  readonly opts: PageOptions;
  /** This is the top document. */
  readonly top: boolean;
  /** True while paused: observers return early, and emit() keeps nothing but markers. */
  readonly paused: boolean;
  /** Frame path of this document; undefined in the top document. */
  frame(): number[] | undefined;
  /** Offset of this document's viewport in the top viewport (zero at the top). */
  offset(): Offset;
  /** Page timestamp (epoch ms) of an event, or of now. */
  time(ev?: Event): number;
  /** True for events that must not be recorded at all (no element, or the recording badge). */
  ignored(el: Element | null): el is null;
  /** The target descriptor, privacy rules applied. */
  target(el: Element): Target;
  /**
   * Buffers an event (dropped while paused unless it is a marker). `field` is the text field the
   * event edits, focuses or leaves (or LOOSE_KEYS): its text is redacted as a stream.
   */
  emit(ev: UnsequencedEvent, pt: number, field?: FieldRef): void;
  /** Holds an event back until the next emit() (or drops it with dropDeferred()). */
  defer(ev: UnsequencedEvent, pt: number): void;
  dropDeferred(): void;
  /** A throttle that the recorder flushes before pausing, flushing or stopping. */
  throttle<K>(ms: number, fire: (key: K, pt: number) => void): Throttle<K>;
  /** Registers a function that releases held-back data; the recorder calls it where it flushes throttles. */
  hold(release: () => void): Off;
  togglePause(reason: PauseReason): void;
}

/** Signature of every observer: start observing, return the disposer. */
export type Observer = (ctx: Ctx) => Off;
