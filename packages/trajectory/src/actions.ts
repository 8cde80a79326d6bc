// Compiled actions, version 1: what a person did, in a fixed vocabulary, each with its target
// element (desktop: the window), its coordinates (CSS pixels of the page, or screen pixels on
// the desktop, and normalised to [0, 1]) and a reference to the last settled observation before
// it. These types may move to packages/schema (actions.ts) once the schema is free to change; the
// shapes are meant to stay.
import { z } from 'zod';
import { Box, Redaction, Target } from '@lockstep/schema';

export const ACTION_SCHEMA_VERSION = 1 as const;

const seq = z.number().int().nonnegative();
const ms = z.number().finite().nonnegative();
const unit = z.number().finite().min(0).max(1);

/** The screen an action's coordinates refer to: the top-level viewport in CSS pixels, and its device pixel ratio. */
export const Screen = z
  .object({
    width: z.number().finite().positive(),
    height: z.number().finite().positive(),
    /** Device pixels per CSS pixel: screen px = CSS px × dpr. */
    dpr: z.number().finite().positive(),
  })
  .strict();
export type Screen = z.infer<typeof Screen>;

/** A point in CSS pixels of the top-level viewport (x, y) and normalised by the screen size (nx, ny ∈ [0, 1]). */
export const Point = z
  .object({
    x: z.number().finite(),
    y: z.number().finite(),
    nx: unit,
    ny: unit,
  })
  .strict();
export type Point = z.infer<typeof Point>;

/** The raw events an action was compiled from: `from` ≤ seq ≤ `to` (other actions' events may interleave). */
export const SeqRange = z.object({ from: seq, to: seq }).strict();
export type SeqRange = z.infer<typeof SeqRange>;

/**
 * What the screen or page showed before an action: the last *settled* state, i.e. the state after
 * event `seq`, which was followed by at least `settleMs` without events. For the web recorder this
 * is the page state (URL, title, viewport, scroll); on the desktop it is a screenshot (a `frame`
 * event), see the compiler.
 * `settled` is false when no quiet moment had been seen yet (the state is then the latest one).
 */
export const Observation = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('page'),
      seq,
      t: ms,
      settled: z.boolean(),
      url: z.string().max(8192),
      title: z.string().max(1024),
      viewport: Screen,
      scroll: z.object({ x: z.number().finite(), y: z.number().finite() }).strict(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('screenshot'),
      seq,
      t: ms,
      settled: z.boolean(),
      /** The screenshot: `frame-<seq>`, the seq of its `frame` event (the same as `seq`). */
      id: z.string().min(1).max(256),
      /** The image's size in its own pixels (it may be downscaled from the window's). */
      width: z.number().int().positive().optional(),
      height: z.number().int().positive().optional(),
      /** Where the window it shows is on the screen (screen px): screen x = box.x + image x × box.w / width. */
      box: Box.optional(),
    })
    .strict(),
]);
export type Observation = z.infer<typeof Observation>;

/**
 * Canonical key names: lower case, pyautogui-compatible where pyautogui has the key
 * (`enter`, `tab`, `escape`, `backspace`, `delete`, `space`, `left`, `pageup`, `f5`, `a`, `1`, `/`),
 * modifiers `ctrl`, `alt`, `shift`, `meta`.
 */
export const KeyName = z.string().min(1).max(32);
export type KeyName = z.infer<typeof KeyName>;

const base = {
  seq: SeqRange,
  /** Session time (ms) of the action's first event. */
  t: ms,
  /** From the first to the last event of the action (0 for instant ones). */
  duration: ms,
  observation: Observation.optional(),
};

/** Actions made with the pointer carry where, on what screen. */
const pointed = {
  point: Point,
  screen: Screen,
  target: Target.optional(),
  /** Modifiers held (ctrl+click…), canonical names; absent when none. */
  mods: z.array(KeyName).min(1).max(4).optional(),
};

export const ClickAction = z
  .object({
    ...base,
    kind: z.literal('click'),
    ...pointed,
    button: z.enum(['left', 'middle']),
    /** 3 for a triple click (select a paragraph); absent for a single click. */
    count: z.literal(3).optional(),
  })
  .strict();

export const DoubleClickAction = z
  .object({ ...base, kind: z.literal('double_click'), ...pointed })
  .strict();

export const RightClickAction = z
  .object({ ...base, kind: z.literal('right_click'), ...pointed })
  .strict();

export const DragAction = z
  .object({
    ...base,
    kind: z.literal('drag'),
    ...pointed,
    /** `pointer`: button down, moves, up; `html5`: the page's drag and drop (dragstart … drop). */
    via: z.enum(['pointer', 'html5']),
    button: z.enum(['left', 'middle', 'right']),
    /** Where the button was released (or the drop happened). `point` is where the drag started. */
    end: Point,
    /** The pointer's path, simplified (Ramer–Douglas–Peucker), first point = `point`, last = `end`. */
    path: z.array(Point).min(2).max(10_000),
    /** The element under the pointer at the end (the drop target for html5). `target` is the dragged element. */
    endTarget: Target.optional(),
  })
  .strict();

export const ScrollAction = z
  .object({
    ...base,
    kind: z.literal('scroll'),
    ...pointed,
    /** Dominant direction. */
    direction: z.enum(['up', 'down', 'left', 'right']),
    /** The element that scrolled, when it was not the page (`target` is the element under the pointer). */
    container: Target.optional(),
    /** Summed deltas in CSS pixels, DOM sign (positive = down / right). */
    dx: z.number().finite(),
    dy: z.number().finite(),
  })
  .strict();

export const TypeAction = z
  .object({
    ...base,
    kind: z.literal('type'),
    /** The field (or, for keys typed outside any field, the element that had focus). */
    target: Target.optional(),
    /**
     * The field's value at the end of this typing (input events are authoritative; for keys typed
     * outside any field, the characters typed with corrections applied). Already redacted on the
     * device: see `redactions`. Absent when the field is masked.
     */
    text: z.string().max(1_000_000).optional(),
    /** The field's value before this typing, when it is known and not empty. */
    prior: z.string().max(1_000_000).optional(),
    /** Spans of `text` that were masked on the device ("typed a secret here"). */
    redactions: z.array(Redaction).min(1).optional(),
    /** The field is masked: something was typed, its content was never read. */
    masked: z.literal(true).optional(),
  })
  .strict();

export const SelectAction = z
  .object({
    ...base,
    kind: z.literal('select'),
    target: Target.optional(),
    /** The option value chosen (absent when masked). */
    value: z.string().max(1_000_000).optional(),
    masked: z.literal(true).optional(),
  })
  .strict();

export const KeyAction = z
  .object({
    ...base,
    kind: z.literal('key'),
    key: KeyName,
    /** Presses, when the key was held down and repeated. */
    count: z.number().int().min(2).optional(),
    target: Target.optional(),
  })
  .strict();

export const HotkeyAction = z
  .object({
    ...base,
    kind: z.literal('hotkey'),
    /** Modifiers in the order ctrl, alt, shift, meta, then the key. */
    keys: z.array(KeyName).min(2).max(5),
    /** `keys` joined with `+`: `ctrl+a`, `ctrl+shift+z`. */
    combo: z.string().min(3).max(64),
    /**
     * The platform's command modifier used, when one is: `ctrl` (Linux, Windows) or `meta` (⌘ on
     * macOS). An export for another platform swaps it.
     */
    command: z.enum(['ctrl', 'meta']).optional(),
    count: z.number().int().min(2).optional(),
    target: Target.optional(),
  })
  .strict();

export const NavigateAction = z
  .object({
    ...base,
    kind: z.literal('navigate'),
    /** The navigation event's kind: a new document, History API push/replace, back/forward in the document, fragment. */
    via: z.enum(['load', 'push', 'replace', 'pop', 'hash']),
    url: z.string().max(8192),
    title: z.string().max(1024),
    /**
     * Why the page changed. `action`: an action just before it (a link click, Enter in a form…),
     * named by `causeSeq`; the navigation is its consequence, not a separate thing the person did.
     * `initial`: the first page of the recording. `history`: back/forward with no action seen.
     * `direct`: a new document with no action seen (address bar, bookmark, reload, back to another
     * document). `script`: a same-document change with no action seen.
     */
    cause: z.enum(['action', 'initial', 'history', 'direct', 'script']),
    causeSeq: seq.optional(),
  })
  .strict();

export const SwitchAction = z
  .object({
    ...base,
    kind: z.literal('switch'),
    /** The application or tab switched to (desktop agent: window class; browser: tab index). */
    app: z.string().max(256).optional(),
    tab: z.number().int().nonnegative().optional(),
    title: z.string().max(1024).optional(),
    /**
     * Why the window changed (desktop). `action`: an action just before it (a click on the
     * window, alt+tab), named by `causeSeq`; a consequence, like a caused navigation. `initial`:
     * the first window of the recording. `return`: the person came back from a window the
     * program does not record (after an `away` marker). `direct`: no action seen.
     */
    cause: z.enum(['action', 'initial', 'direct', 'return']).optional(),
    causeSeq: seq.optional(),
  })
  .strict();

export const WaitAction = z
  .object({ ...base, kind: z.literal('wait') })
  .strict();

export const Action = z.discriminatedUnion('kind', [
  ClickAction,
  DoubleClickAction,
  RightClickAction,
  DragAction,
  ScrollAction,
  TypeAction,
  SelectAction,
  KeyAction,
  HotkeyAction,
  NavigateAction,
  SwitchAction,
  WaitAction,
]);
export type Action = z.infer<typeof Action>;
export type ActionKind = Action['kind'];
export type ActionOf<K extends ActionKind> = Extract<Action, { kind: K }>;

export const ACTION_KINDS = [
  'click',
  'double_click',
  'right_click',
  'drag',
  'scroll',
  'type',
  'select',
  'key',
  'hotkey',
  'navigate',
  'switch',
  'wait',
] as const satisfies readonly ActionKind[];

/** True for actions the person made; false for a navigation or a window switch caused by one of them. */
export function isPersonAction(a: Action): boolean {
  return !((a.kind === 'navigate' || a.kind === 'switch') && a.cause === 'action');
}
