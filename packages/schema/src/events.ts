import { z } from 'zod';
import { Box, Target } from './target.ts';

/**
 * Raw capture events, version 1.
 *
 * Every event carries `seq` (strictly increasing within a session) and `t` (milliseconds since
 * the session started, never decreasing). Coordinates are CSS pixels of the top-level viewport.
 */
export const EVENT_SCHEMA_VERSION = 1 as const;

const base = {
  seq: z.number().int().nonnegative(),
  t: z.number().finite().nonnegative(),
};

const point = {
  x: z.number().finite(),
  y: z.number().finite(),
};

export const Modifiers = z
  .object({
    alt: z.boolean(),
    ctrl: z.boolean(),
    meta: z.boolean(),
    shift: z.boolean(),
  })
  .strict();
export type Modifiers = z.infer<typeof Modifiers>;

export const PointerKind = z.enum([
  'move',
  'down',
  'up',
  'click',
  'dblclick',
  'contextmenu',
  'dragstart',
  'dragend',
  'drop',
]);
export type PointerKind = z.infer<typeof PointerKind>;

export const PointerEvent = z
  .object({
    ...base,
    type: z.literal('pointer'),
    kind: PointerKind,
    ...point,
    /** Button that changed (0 main, 1 middle, 2 secondary), for down/up/click kinds. */
    button: z.number().int().min(0).max(4).optional(),
    /** Bit mask of buttons held. */
    buttons: z.number().int().min(0).max(31).optional(),
    pointerType: z.enum(['mouse', 'pen', 'touch']).optional(),
    mods: Modifiers.optional(),
    target: Target.optional(),
  })
  .strict();
export type PointerEvent = z.infer<typeof PointerEvent>;

export const WheelEvent = z
  .object({
    ...base,
    type: z.literal('wheel'),
    ...point,
    dx: z.number().finite(),
    dy: z.number().finite(),
    /** 0 pixels, 1 lines, 2 pages (DOM deltaMode). */
    mode: z.number().int().min(0).max(2),
    mods: Modifiers.optional(),
    target: Target.optional(),
  })
  .strict();
export type WheelEvent = z.infer<typeof WheelEvent>;

export const ScrollEvent = z
  .object({
    ...base,
    type: z.literal('scroll'),
    /** Scroll offsets of the scrolled element (or of the page when target is absent). */
    scrollX: z.number().finite(),
    scrollY: z.number().finite(),
    target: Target.optional(),
  })
  .strict();
export type ScrollEvent = z.infer<typeof ScrollEvent>;

/** What a finding is about: a credential (`secret`) or data that identifies a person (`pii`). */
export const RedactionFamily = z.enum(['secret', 'pii']);
export type RedactionFamily = z.infer<typeof RedactionFamily>;

/** A finding's kind, as the redactor names it: `email`, `card-number`, `aws-access-key`, `unsettled`… */
export const RedactionKind = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a lowercase kind name');

/** Most masked spans one `input` event may list. */
export const MAX_REDACTIONS = 256;

/**
 * A span of a recorded `value` that the recorder masked on the device, in the recorded (masked)
 * value's offsets, end exclusive. With the `drop` mask style the span is empty (`start == end`):
 * it marks where text was removed.
 */
export const Redaction = z
  .object({
    start: z.number().int().nonnegative().max(1_000_000),
    end: z.number().int().nonnegative().max(1_000_000),
    kind: RedactionKind,
    family: RedactionFamily,
  })
  .strict()
  .refine((r) => r.end >= r.start, { message: 'end must not come before start', path: ['end'] });
export type Redaction = z.infer<typeof Redaction>;

export const KeyEvent = z
  .object({
    ...base,
    type: z.literal('key'),
    kind: z.enum(['down', 'up']),
    /**
     * DOM `key`. For masked targets a printable key is reported as `Unidentified` so that the
     * character cannot be recovered; named keys (Enter, Tab, Backspace, arrows…) are kept.
     */
    key: z.string().min(1).max(32),
    /** DOM `code` (physical key); absent for masked targets' printable keys. */
    code: z.string().max(32).optional(),
    /** The character the key produced, when printable and not masked. */
    char: z.string().max(8).optional(),
    mods: Modifiers,
    repeat: z.boolean().optional(),
    /** Content withheld: the key went to a masked target. */
    masked: z.literal(true).optional(),
    /**
     * This key typed a character of a finding: `key` and `char` are masked (shape style: `X`,
     * `x`, `9`, `*`; other styles: `Unidentified` and no `char`) and `code` is left out.
     */
    redacted: z.object({ kind: RedactionKind, family: RedactionFamily }).strict().optional(),
    target: Target.optional(),
  })
  .strict();
export type KeyEvent = z.infer<typeof KeyEvent>;

/** The `inputType` of an input event that reports a value the page set without a DOM event (see InputEvent). */
export const SYNC_INPUT_TYPE = 'sync';

export const InputEvent = z
  .object({
    ...base,
    type: z.literal('input'),
    /** The field's new value; absent when the field is masked. */
    value: z.string().max(1_000_000).optional(),
    /** For checkboxes and radio buttons. */
    checked: z.boolean().optional(),
    /**
     * DOM InputEvent.inputType (insertText, deleteContentBackward, insertFromPaste…), when known.
     * `sync` is the recorder's own: no DOM event, but the field's value differed from the last
     * one recorded when it lost focus or the recording paused, stopped or was flushed (the page's
     * script set it: a field cleared after Enter, a form reset). It is page state, not something
     * the person did; its value is redacted like any other.
     */
    inputType: z.string().max(64).optional(),
    masked: z.literal(true).optional(),
    /** Spans of `value` masked on the device (sorted, not overlapping); absent when nothing was. */
    redactions: z.array(Redaction).min(1).max(MAX_REDACTIONS).optional(),
    target: Target,
  })
  .strict()
  .superRefine((e, ctx) => {
    if (!e.redactions) return;
    const len = e.value?.length;
    if (len === undefined) {
      ctx.addIssue({ code: 'custom', message: 'redactions need a value', path: ['redactions'] });
      return;
    }
    let last = 0;
    e.redactions.forEach((r, i) => {
      if (r.start < last || r.end > len) ctx.addIssue({ code: 'custom', message: 'redactions must be sorted, disjoint and inside the value', path: ['redactions', i] });
      last = r.end;
    });
  });
export type InputEvent = z.infer<typeof InputEvent>;

export const FocusEvent = z
  .object({
    ...base,
    type: z.literal('focus'),
    kind: z.enum(['focus', 'blur']),
    target: Target,
  })
  .strict();
export type FocusEvent = z.infer<typeof FocusEvent>;

export const NavigationEvent = z
  .object({
    ...base,
    type: z.literal('navigation'),
    /** load: a new document; push/replace: History API; pop: back/forward; hash: fragment change. */
    kind: z.enum(['load', 'push', 'replace', 'pop', 'hash']),
    url: z.string().max(8192),
    title: z.string().max(1024),
    frame: z.array(z.number().int().nonnegative()).max(16).optional(),
  })
  .strict();
export type NavigationEvent = z.infer<typeof NavigationEvent>;

export const ViewportEvent = z
  .object({
    ...base,
    type: z.literal('viewport'),
    width: z.number().finite().positive(),
    height: z.number().finite().positive(),
    /** Device pixel ratio: CSS px × dpr = screen px. */
    dpr: z.number().finite().positive(),
    scrollX: z.number().finite(),
    scrollY: z.number().finite(),
  })
  .strict();
export type ViewportEvent = z.infer<typeof ViewportEvent>;

/**
 * `redaction-failed`: the on-device redactor could not be built or threw, so the recorder stopped
 * capturing text (key characters and field values are withheld from then on); `reason` says why.
 * `away`: the person went to a window the program does not record (outside its allow-list): from
 * here until the next `window` event only markers are kept, and nothing says which window it was.
 * `gap`: the recorder could not keep what happened from here to the next event (its spool was
 * full, `reason: 'spool-full'`); nothing in between was recorded, and the gap says so.
 */
export const MarkerKind = z.enum(['start', 'stop', 'pause', 'resume', 'redaction-failed', 'away', 'gap']);
export type MarkerKind = z.infer<typeof MarkerKind>;

export const MarkerEvent = z
  .object({
    ...base,
    type: z.literal('marker'),
    kind: MarkerKind,
    /** Why, in a fixed vocabulary: user, shortcut, badge, kill-switch, error… */
    reason: z.string().max(64).optional(),
  })
  .strict();
export type MarkerEvent = z.infer<typeof MarkerEvent>;

/**
 * Desktop: the window that input goes to now (the focused top-level window), sent when it
 * changes (another window, or a new title) and only for windows the program records. `app` is
 * the program's class name as the window system gives it (X11 WM_CLASS: `xterm`, `code`), never
 * a path or a process id; `bounds` are screen pixels. On the desktop, pointer coordinates are
 * screen pixels too, and the `viewport` event gives the screen's size.
 */
export const WindowEvent = z
  .object({
    ...base,
    type: z.literal('window'),
    app: z.string().min(1).max(128),
    title: z.string().max(1024),
    bounds: Box,
    /** The title looks like a credential prompt (password, passphrase, sudo…): its keys carry no content. */
    credential: z.literal(true).optional(),
  })
  .strict();
export type WindowEvent = z.infer<typeof WindowEvent>;

/** Largest screenshot one `frame` event may carry, in bytes of its encoded image. */
export const MAX_FRAME_BYTES = 2_000_000;

/**
 * Desktop: a screenshot of the active window only (never the whole screen), the last settled
 * frame before an action, downscaled. `box` is the window's place on screen (screen pixels);
 * `width`×`height` is the image's size; `data` is the encoded image, base64.
 */
export const FrameEvent = z
  .object({
    ...base,
    type: z.literal('frame'),
    format: z.enum(['png', 'jpeg']),
    width: z.number().int().positive().max(8192),
    height: z.number().int().positive().max(8192),
    box: Box,
    data: z
      .string()
      .max(Math.ceil(MAX_FRAME_BYTES / 3) * 4)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
  })
  .strict();
export type FrameEvent = z.infer<typeof FrameEvent>;

export const CaptureEvent = z.discriminatedUnion('type', [
  PointerEvent,
  WheelEvent,
  ScrollEvent,
  KeyEvent,
  InputEvent,
  FocusEvent,
  NavigationEvent,
  ViewportEvent,
  MarkerEvent,
  WindowEvent,
  FrameEvent,
]);
export type CaptureEvent = z.infer<typeof CaptureEvent>;
export type EventType = CaptureEvent['type'];
export const EVENT_TYPES = [
  'pointer',
  'wheel',
  'scroll',
  'key',
  'input',
  'focus',
  'navigation',
  'viewport',
  'marker',
  'window',
  'frame',
] as const satisfies readonly EventType[];

/** An event as a recorder produces it, before the host assigns `seq` and session-relative `t`. */
export type UnsequencedEvent = CaptureEvent extends infer E ? (E extends CaptureEvent ? Omit<E, 'seq' | 't'> : never) : never;
