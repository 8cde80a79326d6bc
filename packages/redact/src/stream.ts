// Redaction of keystroke streams: text that arrives one key at a time.
//
// A recorder sees a field's text as a stream of events: `key` events (the character a key
// produced) and `input` events (the field's whole new value after each change). A secret typed
// slowly, edited in the middle, pasted or split across two upload batches must not leave the
// device in any of them, so masking strings one event at a time is not enough. This module is
// the pure, DOM-free model the browser recorder runs its events through before they leave the
// page:
//
// * Provenance. Each field keeps its reconstructed text and, per character, an id. Every new
//   value is diffed against the previous one (common prefix and suffix): the characters in
//   between are deleted or inserted. Inserted characters are attributed to the `key` event that
//   typed them (pending key-downs with the same character, first come first served), or else to
//   the `input` event itself (paste, drop, autocomplete, IME, script). Fields that get no input
//   events (keys on a non-editable element) are reconstructed from the keys alone.
//
// * Hold. Events of a field under edit are held, not released on every transport flush. All
//   events behind a held event (any type, any field) wait behind it, so release order is
//   event order. A field is settled — detection runs, its events are masked and released —
//   when it is left (blur, pause, stop, navigation, a flush), or after `quietMs`
//   without edits if its text does not end in a token that could still grow into a finding
//   (no trailing whitespace yet, or a trailing token with digits: card numbers, phone
//   numbers and IBANs contain spaces). A hard cap (`maxHeldEvents`, `maxHoldMs`) forces a
//   settle; then the open token at the caret is masked as kind `unsettled` (fail safe). So
//   does a flush that is not final (`flush({ final: false })`: the recorder's routine
//   hand-overs — the host asking for what is held, the page going hidden): a half-typed
//   secret is not let out because someone switched tabs. Holding such a field on instead
//   would lose its events if the page is then discarded, and break "flush hands over
//   everything". A final flush (stop, navigation, pause: nothing typed afterwards is recorded
//   with that text) releases the last word as it stands.
//
// * Detection. Not per keystroke: the keystroke path only diffs and records. The held edits
//   are replayed from the text the field had when the hold began, and the redactor runs on a
//   window of `windowChars` around every edit *in the value that edit produced*, so a finding
//   that existed in any intermediate value (typed, then broken by a later edit or deleted) is
//   caught, and on the whole final text, so long findings are caught too. Each character of a
//   finding is tainted (taints are per character id, and survive later edits and releases).
//   Because taints are per id, a window can be detected any time after its edit: `work()`
//   runs these units (one window, or one whole-text pass) from idle time while the field is
//   still being typed in (the recorder calls it from requestIdleCallback, 4 ms at a time), so
//   a settle finds them done. The whole-text pass runs from idle time only once the field has
//   been quiet `fullAfterMs` (else it would run once per keystroke); it is skipped when the
//   last window already covered the whole text (short fields). A character deleted next to a tainted one (a typo fixed inside or at the end of
//   a secret) is tainted too, as is a key-down whose character never showed up in the field
//   (prevented, transformed) when the field has any taint in that hold.
//
// * Masking. Every held `input` value has its tainted characters masked in the configured style
//   and lists the masked spans (in the masked value's offsets) in `redactions`; every `key`
//   event that typed a tainted character has `key`/`char` masked (shape style: `X`/`x`/`9`/`*`;
//   other styles: key `Unidentified`, no char), `code` removed and `redacted: {kind, family}`
//   set. A key-up carries the key too and is masked with its key-down.
//
// * Fail closed. If the redactor throws, every held event loses its text (values and key
//   characters removed, `masked: true`), `onFailure` is called once, and from then on events
//   pass through stripped the same way.
//
// * Slices. No settle has to run in one go: with `sliceMs`, leave() and a quiet-period settle
//   do what fits in that time and leave the rest (windows, the whole-text pass, then masking,
//   which is O(held values × length) and resumable) to `work()`; the field's events are
//   released when it is done. A field typed in again before that is simply held on as one
//   hold (its later taints then also mask its earlier events), and the text it was left with
//   still gets its whole-text pass. flush() and the hold caps finish synchronously (stop,
//   navigation: the page is going away). The one unit that cannot be cut is a single
//   redactor.find() call: a window (~2×`windowChars`, a paste: its length) or the whole-text
//   pass of a long field (O(length); cut into chunks only above 65,536 characters).
//
// Detection is not skipped for "plain appends" (e.g. only at token boundaries): the
// detectors are a black box, and a finding can exist only in one intermediate value that
// ends inside a token (a card number, then one more digit), so every edit's value is checked.
//
// Cost: a keystroke costs one diff (O(length of the field), native string comparison) and a few
// array operations; detection (~one find() over ~130–260 characters per edit) and masking run
// in idle slices and settles. See bench/keystroke.ts.
import type { UnsequencedEvent } from '@lockstep/schema';
import type { Family, Finding, MaskStyle, Redactor } from './types.ts';

type KeyEv = Extract<UnsequencedEvent, { type: 'key' }>;
type InputEv = Extract<UnsequencedEvent, { type: 'input' }>;

/** Any event the recorder emits; only `key` and `input` events of a field are looked into. */
export type StreamEvent = UnsequencedEvent;

export interface StreamOptions<E extends StreamEvent = StreamEvent> {
  redactor: Redactor;
  /** The redactor's mask style (shape by default): decides how a masked key looks. */
  style?: MaskStyle;
  /** Called with each event when it may leave, in the order the events were pushed. */
  release: (ev: E) => void;
  /** Called once when the redactor threw: from then on no text is let through. */
  onFailure?: (reason: string) => void;
  /** Clock (ms) for quiet periods and hold caps. */
  now?: () => number;
  /** Quiet time after which a field whose text ends in a closed token is settled (default 1500 ms). */
  quietMs?: number;
  /** A settle is forced when this many events are held (default 1000). */
  maxHeldEvents?: number;
  /** …or when the oldest held event is this old (default 30 s). */
  maxHoldMs?: number;
  /** Characters of context on each side of an edit that detection looks at (default 128). */
  windowChars?: number;
  /**
   * Most time (ms) that leave() and a quiet-period settle spend synchronously; what does not fit
   * is left to work(), and the field's events are released when it is done. Default: no limit
   * (settle at once). flush() and the hold caps always finish synchronously.
   */
  sliceMs?: number;
  /** A field quiet this long (ms) gets its whole-text pass from work() ahead of its settle (default 400). */
  fullAfterMs?: number;
  /** High-resolution clock (ms) for slice budgets (default performance.now). */
  timer?: () => number;
}

/** How the recorder describes where an event belongs. */
export interface Placement {
  /** The field (any key the caller chooses, e.g. an object per element); absent for events outside text fields. */
  field?: unknown;
  /** The field has no value to read: its text is what its key-downs typed (Backspace deletes, Enter is a newline). */
  keysOnly?: boolean;
}

export interface StreamRedactor<E extends StreamEvent = StreamEvent> {
  /** Takes the next event (in page order); it is released now, or later in order. */
  push(ev: E, where?: Placement): void;
  /** The field was left (blur): settle it and release what can go. */
  leave(field: unknown): void;
  /**
   * Drops what is kept of a field that will not be typed in again (its text, character ids and
   * their taints), so that a long recording does not keep every field it ever saw. Only a field
   * with nothing held is dropped: returns false (and keeps it) while its events are still held,
   * e.g. right after leave() with a settle left to work(). Typing in it later starts afresh.
   */
  forget(field: unknown): boolean;
  /**
   * Settles every field and releases everything. `final` (default true) is for the end of the
   * text (stop, navigation, pause): the field's last word is complete as it stands. A flush that
   * is not final (a routine hand-over: the host asking for what is held, the page hidden) masks
   * a field's trailing token that could still grow into a finding as `unsettled`, as the hold
   * caps do, instead of releasing a half-typed secret.
   */
  flush(opts?: { final?: boolean }): void;
  /**
   * Does pending work — detection around held edits, settles that leave() or tick() could not
   * finish in `sliceMs`, a quiet field's whole-text pass — while `timeLeft()` (ms) is above 0,
   * at least one unit per call; releases what it settles. Returns true while work remains.
   * Call from idle time (requestIdleCallback) while `pending`.
   */
  work(timeLeft: () => number): boolean;
  /** True when work() has something to do now. */
  readonly pending: boolean;
  /** Settles quiet fields and enforces the hold caps; call at `nextCheck()`. */
  tick(): void;
  /** When tick() should run next (clock ms), or undefined when nothing is held. */
  nextCheck(): number | undefined;
  /** Clock time at which the oldest held event was pushed, or undefined when nothing is held. */
  oldest(): number | undefined;
  /** Events held right now. */
  readonly held: number;
  /** True once the redactor has failed. */
  readonly failed: boolean;
}

interface Taint {
  kind: string;
  family: Family;
}

const UNSETTLED: Taint = { kind: 'unsettled', family: 'secret' };

/** Kinds that say only "this looked secret": a more specific finding over the same characters renames them. */
const GENERIC_KINDS = new Set(['unsettled', 'high-entropy-token']);

interface Entry<E> {
  ev: E;
  field: FieldState<E> | undefined;
  /** Clock time when pushed. */
  at: number;
  /** Settled (masked if needed): may leave once it reaches the head of the queue. */
  done: boolean;
  /** Key-down: the id of the character it typed, once known. */
  charId?: number;
  /** Key-up: its key-down. */
  down?: Entry<E>;
  /** Key-down that typed a tainted character (set when masked). */
  taint?: Taint;
}

interface Edit<E> {
  /** Where the change starts in the previous text. */
  at: number;
  del: number[];
  ins: number[];
  /** The text after the edit. */
  text: string;
  /** The input event whose value this is (absent for keys-only fields). */
  entry?: Entry<E>;
}

/** Detection progress over a field's held edits (replayed from the hold's base). */
interface Replay {
  /** The ids after the first `done` edits. */
  ids: number[];
  /** Edits whose window has been detected. */
  done: number;
  /** Bounds of the edited region (for the whole-text pass of very long texts). */
  lo: number;
  hi: number;
  /** Deleted ids with their neighbours at the time: [left, right, deleted]. */
  neighbours: Array<[number | undefined, number | undefined, number[]]>;
  /** `edits.length` when the whole text was last detected in this hold (-1: not yet). */
  full: number;
}

interface FieldState<E> {
  key: unknown;
  keysOnly: boolean;
  text: string;
  ids: number[];
  /** Text and ids when the current hold began; null when nothing of this field is held. */
  base: { text: string; ids: number[] } | null;
  edits: Edit<E>[];
  /** Key entries of the current hold (for attribution and masking). */
  keys: Entry<E>[];
  /** Key-downs whose character has not been seen in the value yet. */
  pending: Entry<E>[];
  /** Last key-down per code (or key), to pair key-ups with. */
  downs: Map<string, Entry<E>>;
  lastActivity: number;
  /** Detection done so far in this hold (null: none yet). */
  replay: Replay | null;
  /** The field was left (or went quiet) and is to be settled as soon as its detection is done. */
  leaving: boolean;
  /**
   * Edit counts at which the field was left and then typed in again before its settle was
   * done: the whole text as it was then still gets its pass (as a settle then would have).
   */
  owed: number[];
  /** Masking in progress (a settle done in slices): replay state over the held edits. */
  fin: { ids: number[]; tpos: number[]; anyTaint: Taint | undefined; k: number } | null;
}

const isPrintable = (key: string): boolean => key.length === 1 || (key.length === 2 && key.charCodeAt(0) >= 0xd800 && key.charCodeAt(0) <= 0xdbff);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\u00a0';
const hasDigit = (s: string): boolean => /\d/.test(s);

/** The shape of one character: letters to X/x, digits to 9, anything else to `*`. */
function shapeChar(c: string): string {
  if (/\d/.test(c)) return '9';
  if (c.toLowerCase() !== c.toUpperCase()) return c === c.toUpperCase() ? 'X' : 'x';
  return '*';
}

/**
 * The span of the token at `pos` that could still grow into a finding: the run of non-space
 * characters touching `pos`, extended backwards over earlier tokens joined by single spaces or
 * dashes while they hold digits (card, phone, IBAN groups). [start, end) in `text`.
 */
export function openToken(text: string, pos: number): [number, number] {
  let start = pos;
  let end = pos;
  while (start > 0 && !isSpace(text[start - 1])) start--;
  while (end < text.length && !isSpace(text[end])) end++;
  if (hasDigit(text.slice(start, end)) || start === end) {
    // Digit groups: walk back over "<group><single separator>" while groups hold digits.
    let s = start;
    for (let guard = 0; guard < 16 && s > 1 && (text[s - 1] === ' ' || text[s - 1] === '-') && !isSpace(text[s - 2]); guard++) {
      let t = s - 1;
      while (t > 0 && !isSpace(text[t - 1])) t--;
      if (!hasDigit(text.slice(t, s - 1))) break;
      s = t;
    }
    if (s < start && hasDigit(text.slice(s, start))) start = s;
  }
  return [start, end];
}

/**
 * True when the text around `pos` (where the last edit ended) cannot grow into a finding by
 * typing on: the caret sits after whitespace with no token at it, and the token before is
 * free of digits, or the text ends a line there.
 */
export function closedAt(text: string, pos: number): boolean {
  if (text.length === 0) return true;
  if (pos > 0 && text[pos - 1] === '\n' && (pos === text.length || isSpace(text[pos]))) return true;
  if (pos === 0 || !isSpace(text[pos - 1])) return false;
  if (pos < text.length && !isSpace(text[pos])) return false;
  let s = pos - 1;
  while (s > 0 && isSpace(text[s - 1])) s--;
  let t = s;
  while (t > 0 && !isSpace(text[t - 1])) t--;
  return !hasDigit(text.slice(t, s));
}

/** Common prefix and suffix of two strings: the edit that turns `a` into `b`. */
export function diff(a: string, b: string): { at: number; del: number; ins: number } {
  const min = Math.min(a.length, b.length);
  // Longest common prefix, then suffix, by binary search over native comparisons: O(n log n)
  // in memcmp rather than O(n) in interpreted character loops.
  let p: number;
  if (b.length >= a.length && b.slice(0, a.length) === a) p = a.length;
  else {
    let lo = 0;
    let hi = min;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (a.slice(lo, mid) === b.slice(lo, mid)) lo = mid;
      else hi = mid - 1;
    }
    p = lo;
  }
  const maxS = min - p;
  let lo = 0;
  let hi = maxS;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    // Suffixes of length lo already match; compare the next stretch.
    if (a.slice(a.length - mid, a.length - lo) === b.slice(b.length - mid, b.length - lo)) lo = mid;
    else hi = mid - 1;
  }
  return { at: p, del: a.length - p - lo, ins: b.length - p - lo };
}

export function createStreamRedactor<E extends StreamEvent = StreamEvent>(opts: StreamOptions<E>): StreamRedactor<E> {
  const { redactor, release } = opts;
  const style: MaskStyle = opts.style ?? 'shape';
  const now = opts.now ?? (() => Date.now());
  const quietMs = opts.quietMs ?? 1500;
  const maxHeld = opts.maxHeldEvents ?? 1000;
  const maxHoldMs = opts.maxHoldMs ?? 30_000;
  const W = opts.windowChars ?? 128;
  const sliceMs = opts.sliceMs ?? Infinity;
  const fullAfterMs = opts.fullAfterMs ?? 400;
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  const timer = opts.timer ?? (perf ? () => perf.now() : () => Date.now());
  /** Measured cost of detection (ms per character), to tell whether a unit fits in a slice. */
  let msPerChar = 0.001;

  const fields = new Map<unknown, FieldState<E>>();
  const taints = new Map<number, Taint>();
  let nextId = 1;
  let queue: Entry<E>[] = [];
  let head = 0;
  let failed = false;

  const fieldOf = (key: unknown, keysOnly: boolean): FieldState<E> => {
    let f = fields.get(key);
    if (!f) {
      f = { key, keysOnly, text: '', ids: [], base: null, edits: [], keys: [], pending: [], downs: new Map(), lastActivity: now(), replay: null, leaving: false, owed: [], fin: null };
      fields.set(key, f);
    }
    return f;
  };

  const strip = (ev: E): void => {
    if (ev.type === 'key') {
      const k = ev as KeyEv;
      if (isPrintable(k.key)) {
        k.key = 'Unidentified';
        delete k.code;
        k.masked = true;
      }
      delete k.char;
      delete k.redacted;
    } else if (ev.type === 'input') {
      const i = ev as InputEv;
      if (i.value !== undefined) {
        delete i.value;
        delete i.redactions;
        i.masked = true;
      }
    }
  };

  const drain = (): void => {
    while (head < queue.length) {
      const e = queue[head]!;
      if (!e.done) break;
      head++;
      release(e.ev);
    }
    if (head > 256 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  };

  /** Forgets a field's hold: its edits, keys and settle progress (its text and ids stay). */
  const endHold = (f: FieldState<E>): void => {
    f.base = null;
    f.edits = [];
    f.keys = [];
    f.pending = [];
    f.replay = null;
    f.leaving = false;
    f.owed = [];
    f.fin = null;
  };

  const fail = (err: unknown): void => {
    if (failed) return;
    failed = true;
    for (let i = head; i < queue.length; i++) {
      const e = queue[i]!;
      if (e.field) strip(e.ev);
      e.done = true;
    }
    for (const f of fields.values()) endHold(f);
    fields.clear();
    taints.clear();
    const reason = err instanceof Error && err.name ? err.name : 'error';
    try {
      opts.onFailure?.(reason.slice(0, 48));
    } catch {
      // the caller's problem
    }
  };

  /** Applies a new text to the field, recording the edit; returns the inserted ids. */
  const applyText = (f: FieldState<E>, text: string, entry: Entry<E> | undefined): Edit<E> => {
    const d = diff(f.text, text);
    const del = d.del > 0 ? f.ids.slice(d.at, d.at + d.del) : [];
    const ins: number[] = new Array<number>(d.ins);
    for (let i = 0; i < d.ins; i++) ins[i] = nextId++;
    if (d.del === 0 && d.at === f.ids.length) for (const id of ins) f.ids.push(id);
    else f.ids.splice(d.at, d.del, ...ins);
    f.text = text;
    const edit: Edit<E> = { at: d.at, del, ins, text };
    if (entry) edit.entry = entry;
    f.edits.push(edit);
    return edit;
  };

  const startHold = (f: FieldState<E>): void => {
    if (f.base) return;
    f.base = { text: f.text, ids: f.ids.slice() };
    f.edits = [];
    f.keys = [];
    f.replay = null;
    f.owed = [];
  };

  // The first finding to cover a character names it, except that a specific kind (say
  // `github-token`, found once the token was complete) replaces a generic one (a
  // `high-entropy-token` seen while it was half typed, or `unsettled`).
  const taintRange = (ids: readonly number[], from: number, to: number, t: Taint): void => {
    const specific = !GENERIC_KINDS.has(t.kind);
    for (let i = Math.max(0, from); i < to && i < ids.length; i++) {
      const had = taints.get(ids[i]!);
      if (!had || (specific && GENERIC_KINDS.has(had.kind))) taints.set(ids[i]!, t);
    }
  };

  const detect = (text: string, ids: readonly number[], from: number, to: number): void => {
    const s = Math.max(0, from);
    const e = Math.min(text.length, to);
    if (e <= s) return;
    const t0 = timer();
    const found: Finding[] = redactor.find(s === 0 && e === text.length ? text : text.slice(s, e));
    if (e - s >= 64) msPerChar = 0.8 * msPerChar + (0.2 * (timer() - t0)) / (e - s);
    for (const f of found) taintRange(ids, s + f.start, s + f.end, { kind: f.kind, family: f.family });
  };

  const maskKey = (e: Entry<E>, t: Taint): void => {
    const k = e.ev as KeyEv;
    const c = k.char ?? (isPrintable(k.key) ? k.key : undefined);
    if (c === undefined) return;
    if (style === 'shape') {
      const shaped = [...c].map(shapeChar).join('');
      k.key = shaped;
      if (k.char !== undefined) k.char = shaped;
    } else {
      k.key = 'Unidentified';
      delete k.char;
    }
    delete k.code;
    k.redacted = { kind: t.kind, family: t.family };
    e.taint = t;
  };

  /** Masked spans of the settle under way (cleared after each: it holds plaintext). */
  const pieces = new Map<string, string>();

  /** Masks the tainted positions `tpos` (sorted) of a held value. */
  const maskValue = (ev: InputEv, text: string, ids: readonly number[], tpos: readonly number[]): void => {
    if (tpos.length === 0) return;
    let out = '';
    let last = 0;
    const spans: { start: number; end: number; kind: string; family: Family }[] = [];
    for (let k = 0; k < tpos.length; ) {
      const i = tpos[k]!;
      const t = taints.get(ids[i]!)!;
      let j = i + 1;
      k++;
      while (k < tpos.length && tpos[k] === j && taints.get(ids[j]!)!.kind === t.kind) {
        j++;
        k++;
      }
      out += text.slice(last, i);
      // The same spans come back in every held value of a hold: masked once per settle.
      const span = text.slice(i, j);
      const memo = `${t.kind}\u0000${t.family}\u0000${span}`;
      let piece = pieces.get(memo);
      if (piece === undefined) {
        piece = redactor.mask(span, [{ start: 0, end: j - i, kind: t.kind, family: t.family }]);
        if (pieces.size >= 4096) pieces.clear();
        pieces.set(memo, piece);
      }
      spans.push({ start: out.length, end: out.length + piece.length, kind: t.kind, family: t.family });
      out += piece;
      last = j;
    }
    out += text.slice(last);
    ev.value = out;
    ev.redactions = spans.length > 256 ? [{ start: spans[0]!.start, end: spans.at(-1)!.end, kind: spans[0]!.kind, family: spans[0]!.family }] : spans;
  };

  /** Keeps the sorted tainted positions of a replayed text up to date across one edit: O(tainted). */
  const shiftTainted = (tpos: number[], edit: Edit<E>): number[] => {
    const end = edit.at + edit.del.length;
    const delta = edit.ins.length - edit.del.length;
    const out: number[] = [];
    let k = 0;
    while (k < tpos.length && tpos[k]! < edit.at) out.push(tpos[k++]!);
    for (let i = 0; i < edit.ins.length; i++) if (taints.has(edit.ins[i]!)) out.push(edit.at + i);
    while (k < tpos.length && tpos[k]! < end) k++;
    while (k < tpos.length) out.push(tpos[k++]! + delta);
    return out;
  };

  /** True while some detection of the field's held edits has not run yet. */
  const detectionLeft = (f: FieldState<E>): boolean => {
    if (!f.base || f.edits.length === 0) return false;
    const r = f.replay;
    return !r || r.done < f.edits.length || r.full !== f.edits.length;
  };

  /** True while some edit of the field has not had its window detected. */
  const windowsLeft = (f: FieldState<E>): boolean => f.base !== null && f.edits.length > (f.replay?.done ?? 0);

  /** Estimated cost (ms) of the field's next detection unit. */
  const nextCost = (f: FieldState<E>): number => {
    const done = f.replay?.done ?? 0;
    const edit = f.edits[done];
    if (edit) return (2 * W + edit.ins.length) * msPerChar;
    return Math.min(f.text.length, 65_536) * msPerChar;
  };

  /**
   * One unit of detection: the window around the next held edit *in the value that edit
   * produced* (so a finding that existed only in an intermediate value is caught), or, once
   * every edit is done, the whole current text (long findings). Taints are per character id,
   * so a unit may run any time after its edit: from idle time while the field is still typed in.
   */
  const stepDetect = (f: FieldState<E>): void => {
    const r = (f.replay ??= { ids: f.base!.ids.slice(), done: 0, lo: Infinity, hi: -Infinity, neighbours: [], full: -1 });
    const edit = f.edits[r.done];
    if (edit) {
      r.done++;
      const ids = r.ids;
      if (edit.del.length > 0) r.neighbours.push([ids[edit.at - 1], ids[edit.at + edit.del.length], edit.del]);
      if (edit.del.length === 0 && edit.at === ids.length) for (const id of edit.ins) ids.push(id);
      else ids.splice(edit.at, edit.del.length, ...edit.ins);
      if (edit.ins.length > 0 || edit.del.length > 0) {
        const from = edit.at - W;
        const to = edit.at + edit.ins.length + W;
        detect(edit.text, ids, from, to);
        // The window was the whole text of the latest value: no separate whole-text pass needed.
        if (r.done === f.edits.length && from <= 0 && to >= edit.text.length) r.full = r.done;
      }
      r.lo = Math.min(r.lo, edit.at);
      r.hi = Math.max(r.hi, edit.at + edit.ins.length);
      if (f.owed[0] === r.done) {
        f.owed.shift();
        if (r.full !== r.done) {
          if (edit.text.length <= 65_536) detect(edit.text, ids, 0, edit.text.length);
          else detect(edit.text, ids, r.lo - 4096, r.hi + 4096);
          r.full = r.done;
        }
      }
      return;
    }
    if (f.text.length <= 65_536) detect(f.text, f.ids, 0, f.text.length);
    else detect(f.text, f.ids, r.lo - 4096, r.hi + 4096);
    r.full = f.edits.length;
  };

  /**
   * Taints deleted neighbours, masks every held event of the field and marks them done: all of
   * it while `timeLeft()` > 0 (at least 16 edits at a time); true when done. Masking a value is
   * O(its length), so a long hold is masked over several slices; each value is masked from its
   * original text, so a masking begun again (new edits came in between) is the same.
   */
  const finalise = (f: FieldState<E>, forced: boolean, timeLeft: () => number = () => Infinity): boolean => {
    if (!f.base || failed) return true;
    if (!f.fin) {
      const neighbours = f.replay?.neighbours ?? [];
      // 2. Characters deleted next to tainted ones (typos inside or at the end of a secret).
      //    A short deletion (≤ 3 characters: backspaces) next to a tainted character is tainted;
      //    in a longer one, only characters with tainted ones on both sides are.
      for (const [left, right, del] of neighbours) {
        const seq = [left, ...del, right].map((id) => (id === undefined ? undefined : taints.get(id)));
        if (del.length <= 3) {
          const t = seq[0] ?? seq[seq.length - 1] ?? seq.find(Boolean);
          if (t) for (const id of del) if (!taints.has(id)) taints.set(id, t);
          continue;
        }
        let before: Taint | undefined;
        const after: Array<Taint | undefined> = new Array<Taint | undefined>(seq.length);
        for (let i = seq.length - 1, a: Taint | undefined; i >= 0; i--) after[i] = a = seq[i] ?? a;
        for (let i = 1; i <= del.length; i++) {
          before = seq[i - 1] ?? before;
          if (!seq[i] && before && after[i + 1]) taints.set(del[i - 1]!, before);
        }
      }
      // 3. A forced settle masks the token that could still be growing.
      if (forced && f.edits.length > 0) {
        const lastEdit = f.edits[f.edits.length - 1]!;
        const pos = Math.min(f.text.length, lastEdit.at + lastEdit.ins.length);
        if (!closedAt(f.text, pos)) {
          const [s, e] = openToken(f.text, pos);
          taintRange(f.ids, s, e, UNSETTLED);
        }
      }
      // 4. Masking: replay again, masking each held value; then the keys.
      const ids = f.base.ids.slice();
      let anyTaint: Taint | undefined;
      const tpos: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        const t = taints.get(ids[i]!);
        if (t) {
          anyTaint ??= t;
          tpos.push(i);
        }
      }
      f.fin = { ids, tpos, anyTaint, k: 0 };
    }
    const fin = f.fin;
    const ids = fin.ids;
    for (let n = 0; fin.k < f.edits.length; n++) {
      if (n >= 16 && (n & 15) === 0 && timeLeft() <= 0) return false;
      const edit = f.edits[fin.k++]!;
      if (edit.del.length === 0 && edit.at === ids.length) for (const id of edit.ins) ids.push(id);
      else ids.splice(edit.at, edit.del.length, ...edit.ins);
      if (fin.tpos.length > 0 || edit.ins.length > 0) fin.tpos = shiftTainted(fin.tpos, edit);
      if (!fin.anyTaint) for (const id of edit.ins) fin.anyTaint ??= taints.get(id);
      if (!fin.anyTaint) for (const id of edit.del) fin.anyTaint ??= taints.get(id);
      if (edit.entry && edit.entry.ev.type === 'input') maskValue(edit.entry.ev as InputEv, edit.text, ids, fin.tpos);
    }
    const anyTaint = fin.anyTaint;
    for (const k of f.keys) {
      const kev = k.ev as KeyEv;
      let t: Taint | undefined;
      if (kev.kind === 'down') {
        if (k.charId !== undefined) t = taints.get(k.charId);
        else if (kev.char !== undefined && anyTaint) t = anyTaint; // its character never showed: be careful
      } else if (k.down) t = k.down.taint ?? (k.down.charId !== undefined ? taints.get(k.down.charId) : undefined);
      if (t) maskKey(k, t);
    }
    // Done: everything of this hold may leave.
    for (let i = head; i < queue.length; i++) if (queue[i]!.field === f) queue[i]!.done = true;
    endHold(f);
    pieces.clear();
    // Forget taints of characters that are gone (key-ups of this hold are settled already).
    if (taints.size > f.ids.length + 4096) {
      const live = new Set<number>();
      for (const g of fields.values()) for (const id of g.ids) live.add(id);
      for (const id of taints.keys()) if (!live.has(id)) taints.delete(id);
    }
    return true;
  };

  /** Detects what is left, taints, masks and marks done every held event of the field, now. */
  const settle = (f: FieldState<E>, forced: boolean): void => {
    if (!f.base || failed) return;
    try {
      while (detectionLeft(f)) stepDetect(f);
      finalise(f, forced);
    } catch (err) {
      fail(err);
    }
  };

  /** The field whose work comes first: a left one, then one with edits not yet looked at, then a quiet one's whole-text pass. */
  const nextField = (leavingOnly: boolean): FieldState<E> | undefined => {
    for (const f of fields.values()) if (f.base && f.leaving) return f;
    if (leavingOnly) return undefined;
    for (const f of fields.values()) if (windowsLeft(f)) return f;
    const t = now();
    for (const f of fields.values()) if (detectionLeft(f) && t - f.lastActivity >= fullAfterMs) return f;
    return undefined;
  };

  /**
   * Runs units of work while they fit in `timeLeft()` (by their estimated cost); with
   * `progress`, the first unit runs whatever its cost. Settles left fields whose detection is done.
   */
  const run = (timeLeft: () => number, progress: boolean, leavingOnly: boolean): void => {
    let first = progress;
    try {
      for (let f = nextField(leavingOnly); f && !failed; f = nextField(leavingOnly)) {
        if (f.leaving && !detectionLeft(f)) {
          if (!first && timeLeft() <= 0) return;
          if (!finalise(f, false, timeLeft)) return;
        } else {
          if (!first) {
            const left = timeLeft();
            if (left <= 0 || nextCost(f) > left) return;
          }
          stepDetect(f);
        }
        first = false;
      }
    } catch (err) {
      fail(err);
    }
  };

  /** The field is to be settled (left, or quiet): as much as fits in `sliceMs` now, the rest from work(). */
  const settleSoon = (f: FieldState<E>): void => {
    if (!f.base || failed) return;
    f.leaving = true;
    if (sliceMs === Infinity) {
      settle(f, false);
      return;
    }
    const t0 = timer();
    run(() => sliceMs - (timer() - t0), false, true);
  };

  /** Settles every field now; `forced` masks open trailing tokens (of fields not left already). */
  const settleAll = (forced: boolean): void => {
    for (const f of fields.values()) settle(f, forced && !f.leaving);
  };

  const onKey = (f: FieldState<E>, e: Entry<E>): void => {
    const k = e.ev as KeyEv;
    f.keys.push(e);
    const pairKey = k.code || k.key;
    if (k.kind === 'down') {
      f.downs.set(pairKey, e);
      if (k.char === undefined) {
        if (f.keysOnly && (k.key === 'Backspace' || k.key === 'Enter') && !k.mods.ctrl && !k.mods.meta && !k.mods.alt) {
          applyText(f, k.key === 'Enter' ? `${f.text}\n` : f.text.slice(0, -1), undefined);
        }
        return;
      }
      if (f.keysOnly) {
        const edit = applyText(f, f.text + k.char, undefined);
        e.charId = edit.ins[0];
      } else {
        f.pending.push(e);
        if (f.pending.length > 64) f.pending.shift();
      }
    } else {
      const down = f.downs.get(pairKey);
      if (down && isPrintable(k.key)) {
        e.down = down;
        f.downs.delete(pairKey);
      }
    }
  };

  const onInput = (f: FieldState<E>, e: Entry<E>): void => {
    const i = e.ev as InputEv;
    if (i.value === undefined) return;
    const edit = applyText(f, i.value, e);
    // Attribute inserted characters to the key-downs that typed them.
    if (edit.ins.length > 0 && f.pending.length > 0) {
      const inserted = i.value.slice(edit.at, edit.at + edit.ins.length);
      let pos = 0;
      while (f.pending.length > 0 && pos < inserted.length) {
        const c = f.pending[0]!.ev as KeyEv;
        const ch = c.char!;
        if (inserted.startsWith(ch, pos)) {
          f.pending.shift()!.charId = edit.ins[pos];
          pos += ch.length;
        } else if (inserted.toLowerCase().startsWith(ch.toLowerCase(), pos)) {
          f.pending.shift()!.charId = edit.ins[pos]; // caps or a page script changed the case
          pos += ch.length;
        } else break;
      }
    }
  };

  const push = (ev: E, where: Placement = {}): void => {
    const t = now();
    if (failed) {
      if (where.field !== undefined) strip(ev);
      release(ev);
      return;
    }
    const f = where.field !== undefined ? fieldOf(where.field, where.keysOnly === true) : undefined;
    const e: Entry<E> = { ev, field: f, at: t, done: f === undefined };
    if (f) {
      const k = ev.type === 'key' ? (ev as KeyEv) : undefined;
      if (k?.masked || (ev.type === 'input' && (ev as InputEv).value === undefined)) {
        e.done = true; // nothing to read (masked target)
      } else if (k && k.kind === 'up' && !f.base) {
        // A key-up after its field was settled: mask it like its key-down.
        const down = f.downs.get(k.code || k.key);
        if (down && isPrintable(k.key)) {
          f.downs.delete(k.code || k.key);
          const taint = down.taint ?? (down.charId !== undefined ? taints.get(down.charId) : undefined);
          if (taint) maskKey(e, taint);
        }
        e.done = true;
      } else if (ev.type === 'key' || ev.type === 'input') {
        startHold(f);
        f.lastActivity = t;
        if (f.leaving && (ev.type === 'input' || k?.kind === 'down')) {
          // Typed in again before its settle was done: held on (one hold) until it is left or
          // quiet again; the text it was left with still gets its whole-text pass. (A key-up,
          // say of the last key, released after the blur, is not typing.)
          f.leaving = false;
          f.fin = null; // masked again from the start once its detection is done
          if (f.edits.length > 0 && f.replay?.full !== f.edits.length) f.owed.push(f.edits.length);
        }
        if (ev.type === 'key') onKey(f, e);
        else onInput(f, e);
      } else {
        e.done = true;
      }
    }
    if (e.done && head === queue.length) {
      release(ev);
      return;
    }
    queue.push(e);
    if (queue.length - head >= maxHeld) settleAll(true);
    drain();
  };

  /**
   * A quiet field is settled unless its text ends, at the last edit, in a token that could still
   * grow into a finding; that depends on the field alone, so it holds until the next edit.
   */
  const settlesWhenQuiet = (f: FieldState<E>): boolean => {
    const last = f.edits[f.edits.length - 1];
    const pos = last ? Math.min(f.text.length, last.at + last.ins.length) : f.text.length;
    return f.edits.length === 0 || closedAt(f.text, pos);
  };

  const tick = (): void => {
    if (failed) return;
    const t = now();
    const oldest = head < queue.length ? queue[head]!.at : t;
    if (t - oldest >= maxHoldMs) settleAll(true);
    else {
      for (const f of fields.values()) {
        if (!f.base || f.leaving || t - f.lastActivity < quietMs) continue;
        if (settlesWhenQuiet(f)) settleSoon(f);
      }
    }
    drain();
  };

  const pendingNow = (): boolean => !failed && nextField(false) !== undefined;

  return {
    push,
    leave(key) {
      const f = fields.get(key);
      if (f) settleSoon(f);
      drain();
    },
    forget(key) {
      const f = fields.get(key);
      if (!f) return true;
      if (f.base || f.leaving) return false;
      for (const id of f.ids) taints.delete(id);
      fields.delete(key);
      return true;
    },
    flush(o) {
      settleAll(o?.final === false);
      for (let i = head; i < queue.length; i++) queue[i]!.done = true;
      drain();
    },
    work(timeLeft) {
      if (failed) return false;
      run(timeLeft, true, false);
      drain();
      return pendingNow();
    },
    get pending() {
      return pendingNow();
    },
    tick,
    nextCheck() {
      if (head >= queue.length) return undefined;
      let next = queue[head]!.at + maxHoldMs;
      const t = now();
      for (const f of fields.values()) {
        if (!f.base || f.leaving) continue; // a left field is work()'s
        // A field that will not settle when quiet waits for its next edit or the hold cap: asking
        // again at a quiet time already past would only spin the caller's timer.
        if (settlesWhenQuiet(f)) next = Math.min(next, f.lastActivity + quietMs);
        // when its whole-text pass becomes idle work
        if (f.lastActivity + fullAfterMs > t && detectionLeft(f)) next = Math.min(next, f.lastActivity + fullAfterMs);
      }
      return next;
    },
    oldest() {
      return head < queue.length ? queue[head]!.at : undefined;
    },
    get held() {
      return queue.length - head;
    },
    get failed() {
      return failed;
    },
  };
}
