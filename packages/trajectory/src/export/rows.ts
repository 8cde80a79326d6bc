// Trajectory records → one flat row per step, and the rows as Arrow record batches: the table
// behind the Parquet export. The column set is fixed (STEP_SCHEMA) so that every batch of every
// export has the same schema; a column that does not apply to a step's action is null.
// Coordinates are CSS pixels as recorded (screen px = CSS px × screen_dpr; desktop: screen px,
// dpr 1); the computer13 and pyautogui columns carry the vocab modules' mapping, in screen pixels.
import { Bool, Dictionary, Field, Float64, Int32, List, RecordBatch, Schema, Struct, Table, Utf8, makeData, tableToIPC, vectorFromArray } from 'apache-arrow';
import type { Data, DataType } from 'apache-arrow';
import { ACTION_KINDS } from '../actions.ts';
import type { ActionKind, Screen } from '../actions.ts';
import { toComputer13 } from '../vocab/computer13.ts';
import type { Computer13Options } from '../vocab/computer13.ts';
import { actionPyautogui } from './chat.ts';
import type { Step, TrajectoryRecord } from './record.ts';

/** One step as a row. Keys are the column names; `null` where the column does not apply. */
export interface StepRow {
  episode_id: string;
  subject: string;
  task: string | null;
  platform: TrajectoryRecord['platform'];
  /** The step's index in the episode. */
  step: number;
  /** ms from the episode's start. */
  t: number;
  duration: number;
  kind: ActionKind;
  /** Pointer actions: where (CSS px of the viewport; nx, ny ∈ [0, 1]). Drags: where they started. */
  x: number | null;
  y: number | null;
  nx: number | null;
  ny: number | null;
  /** Drags: where the button was released (CSS px). */
  end_x: number | null;
  end_y: number | null;
  /** click: left/middle; double_click: left; right_click: right; drag: its button. */
  button: string | null;
  /** Triple clicks (3), held keys and hotkeys (repeats). */
  count: number | null;
  /** Modifiers held during a pointer action, `+`-joined. */
  mods: string | null;
  /** type: the text typed (redacted on the device; null when masked); select: the value chosen. */
  text: string | null;
  /** key: its name; hotkey: the combo (`ctrl+s`). */
  key: string | null;
  scroll_dx: number | null;
  scroll_dy: number | null;
  scroll_direction: string | null;
  /** navigate: where to, and why (`direct`, `action`, …); switch: why (`direct`, `return`, …). */
  url: string | null;
  cause: string | null;
  target_role: string | null;
  target_name: string | null;
  target_selector: string | null;
  target_tag: string | null;
  target_x: number | null;
  target_y: number | null;
  target_w: number | null;
  target_h: number | null;
  /** The last settled observation before the action: page (url, title) or screenshot (id). */
  obs_url: string | null;
  obs_title: string | null;
  obs_screenshot: string | null;
  obs_seq: number | null;
  obs_t: number | null;
  obs_settled: boolean | null;
  /** The screen the coordinates refer to (CSS px, device pixel ratio). */
  screen_width: number | null;
  screen_height: number | null;
  screen_dpr: number | null;
  /** A masked field was typed into or chosen from: its content was never read. */
  masked: boolean;
  /** Kinds of the spans masked in the step's text, in order, each once. */
  redactions: string[];
  /** The action in OSWorld computer_13, as JSON; null when it has no equivalent, `[]` when there is nothing to do. */
  computer13: string | null;
  /** The action as pyautogui code; null when it has no equivalent, '' when there is nothing to do. */
  pyautogui: string | null;
}

/** `kind` is dictionary-encoded with this fixed dictionary, so that every batch shares it. */
const KIND_TYPE = new Dictionary(new Utf8(), new Int32(), 0, false);
const KIND_DICTIONARY = vectorFromArray([...ACTION_KINDS], new Utf8());
const KIND_CODE = new Map<string, number>(ACTION_KINDS.map((k, i) => [k, i]));

const text = new Utf8();
const real = new Float64();
const int = new Int32();
const bool = new Bool();
const TEXT_LIST = new List<Utf8>(new Field('item', new Utf8(), false));

/** Column types, in column order. */
const COLUMNS: { [K in keyof StepRow]-?: DataType } = {
  episode_id: text,
  subject: text,
  task: text,
  platform: text,
  step: int,
  t: real,
  duration: real,
  kind: KIND_TYPE,
  x: real,
  y: real,
  nx: real,
  ny: real,
  end_x: real,
  end_y: real,
  button: text,
  count: int,
  mods: text,
  text,
  key: text,
  scroll_dx: real,
  scroll_dy: real,
  scroll_direction: text,
  url: text,
  cause: text,
  target_role: text,
  target_name: text,
  target_selector: text,
  target_tag: text,
  target_x: real,
  target_y: real,
  target_w: real,
  target_h: real,
  obs_url: text,
  obs_title: text,
  obs_screenshot: text,
  obs_seq: int,
  obs_t: real,
  obs_settled: bool,
  screen_width: real,
  screen_height: real,
  screen_dpr: real,
  masked: bool,
  redactions: TEXT_LIST,
  computer13: text,
  pyautogui: text,
};

const REQUIRED = new Set<keyof StepRow>(['episode_id', 'subject', 'platform', 'step', 't', 'duration', 'kind', 'masked', 'redactions']);
const NAMES = Object.keys(COLUMNS) as (keyof StepRow)[];

/** The Arrow schema of step rows (and of the Parquet export). */
export const STEP_SCHEMA = new Schema(NAMES.map((name) => new Field(name, COLUMNS[name], !REQUIRED.has(name))));

/** Rows per record batch unless told otherwise. */
export const DEFAULT_BATCH_ROWS = 8192;

export type StepRowOptions = Pick<Computer13Options, 'platform' | 'scrollStepPx'>;

/** An episode's steps as rows, in step order. */
export function stepRows(record: TrajectoryRecord, opts: StepRowOptions = {}): StepRow[] {
  return record.steps.map((s) => stepRow(record, s, opts));
}

function stepRow(record: TrajectoryRecord, step: Step, opts: StepRowOptions): StepRow {
  const a = step.action;
  const o = step.observation ?? a.observation;
  const pointed = 'point' in a ? a : undefined;
  const target = 'target' in a ? a.target : undefined;
  const screen: Screen | undefined = pointed?.screen ?? (o?.kind === 'page' ? o.viewport : undefined) ?? record.screen;
  const c13 = toComputer13(a, opts);
  const row: StepRow = {
    episode_id: record.id,
    subject: record.subject,
    task: record.task,
    platform: record.platform,
    step: int32(step.index, 'step'),
    t: a.t,
    duration: a.duration,
    kind: a.kind,
    x: pointed?.point.x ?? null,
    y: pointed?.point.y ?? null,
    nx: pointed?.point.nx ?? null,
    ny: pointed?.point.ny ?? null,
    end_x: null,
    end_y: null,
    button: null,
    count: null,
    mods: pointed?.mods?.join('+') ?? null,
    text: null,
    key: null,
    scroll_dx: null,
    scroll_dy: null,
    scroll_direction: null,
    url: null,
    cause: null,
    target_role: target?.role ?? null,
    target_name: target?.name ?? null,
    target_selector: target?.selector ?? null,
    target_tag: target?.tag ?? null,
    target_x: target?.box?.x ?? null,
    target_y: target?.box?.y ?? null,
    target_w: target?.box?.w ?? null,
    target_h: target?.box?.h ?? null,
    obs_url: o?.kind === 'page' ? o.url : null,
    obs_title: o?.kind === 'page' ? o.title : null,
    obs_screenshot: o?.kind === 'screenshot' ? o.id : null,
    obs_seq: o ? int32(o.seq, 'obs_seq') : null,
    obs_t: o?.t ?? null,
    obs_settled: o?.settled ?? null,
    screen_width: screen?.width ?? null,
    screen_height: screen?.height ?? null,
    screen_dpr: screen?.dpr ?? null,
    masked: false,
    redactions: [],
    computer13: c13 === null ? null : JSON.stringify(c13),
    pyautogui: actionPyautogui(a, opts),
  };
  switch (a.kind) {
    case 'click':
      row.button = a.button;
      row.count = a.count ?? null;
      break;
    case 'double_click':
      row.button = 'left';
      break;
    case 'right_click':
      row.button = 'right';
      break;
    case 'drag':
      row.button = a.button;
      row.end_x = a.end.x;
      row.end_y = a.end.y;
      break;
    case 'scroll':
      row.scroll_dx = a.dx;
      row.scroll_dy = a.dy;
      row.scroll_direction = a.direction;
      break;
    case 'type':
      row.text = a.text ?? null;
      row.masked = a.masked === true;
      row.redactions = [...new Set(a.redactions?.map((r) => r.kind))];
      break;
    case 'select':
      row.text = a.value ?? null;
      row.masked = a.masked === true;
      break;
    case 'key':
      row.key = a.key;
      row.count = a.count ?? null;
      break;
    case 'hotkey':
      row.key = a.combo;
      row.count = a.count ?? null;
      break;
    case 'navigate':
      row.url = a.url;
      row.cause = a.cause;
      break;
    case 'switch':
      // The window switched to is the step's target (desktop: app class and title, as the record shows it).
      row.cause = a.cause ?? null;
      if (a.app !== undefined) {
        row.target_tag = 'window';
        row.target_role = 'window';
        row.target_selector = a.app;
        row.target_name = a.title ?? null;
      }
      break;
    case 'wait':
      break;
  }
  return row;
}

function int32(n: number, column: string): number {
  if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw new RangeError(`step rows: ${column} ${n} does not fit the Int32 column`);
  return n;
}

/**
 * Collects rows into Arrow record batches of `rowsPerBatch` rows (the last one may be shorter).
 * Each column is written straight into the Arrow buffers of the batch being filled (values,
 * validity bits, string offsets and bytes), which the batch then owns: a batch costs its own
 * rows and no more, and no per-value builder machinery runs.
 */
export class StepBatcher {
  readonly rowsPerBatch: number;
  readonly #columns: [keyof StepRow, ColumnWriter][];
  #length = 0;

  constructor(rowsPerBatch: number = DEFAULT_BATCH_ROWS) {
    if (!Number.isInteger(rowsPerBatch) || rowsPerBatch < 1) throw new RangeError(`rows per batch must be a positive integer, got ${rowsPerBatch}`);
    this.rowsPerBatch = rowsPerBatch;
    this.#columns = NAMES.map((name) => [name, columnWriter(name, COLUMNS[name], rowsPerBatch)]);
  }

  /** Rows added since the last batch. */
  get pending(): number {
    return this.#length;
  }

  /** Adds a row; returns a batch when this row filled one. */
  push(row: StepRow): RecordBatch | undefined {
    // Checked before anything is appended, so that a rejected row leaves no trace in the batch.
    for (const [name, column] of this.#columns) if (!column.accepts(row[name])) throw new TypeError(`step rows: ${name} cannot hold ${JSON.stringify(row[name])}`);
    for (const [name, column] of this.#columns) column.append(this.#length, row[name]);
    this.#length++;
    return this.#length >= this.rowsPerBatch ? this.flush() : undefined;
  }

  /** The rows added since the last batch, as a batch (with no rows when none were added). */
  flush(): RecordBatch {
    const length = this.#length;
    const children = this.#columns.map(([, column]) => column.finish(length));
    this.#length = 0;
    return new RecordBatch(STEP_SCHEMA, makeData({ type: new Struct(STEP_SCHEMA.fields), length, nullCount: 0, children }));
  }
}

/** Appends one column's values at row `i` (rows come in order from 0), and hands them over as Arrow data. */
interface ColumnWriter {
  accepts(value: unknown): boolean;
  /** Appends a value `accepts` took. */
  append(i: number, value: unknown): void;
  /** The first `length` values as Arrow data; the writer starts over with new buffers. */
  finish(length: number): Data;
}

function columnWriter(name: string, type: DataType, capacity: number): ColumnWriter {
  if (type === KIND_TYPE) return new KindColumn(name, capacity);
  if (type instanceof List) return new TextListColumn(name, capacity);
  if (type instanceof Utf8) return new TextColumn(name, capacity);
  if (type instanceof Float64) return new NumberColumn(name, capacity, Float64Array, (props) => makeData({ type: real, ...props }));
  if (type instanceof Int32) return new NumberColumn(name, capacity, Int32Array, (props) => makeData({ type: int, ...props }));
  if (type instanceof Bool) return new BoolColumn(name, capacity);
  throw new Error(`step rows: no column writer for ${name} (${String(type)})`);
}

const isNumber = (v: unknown): v is number | null => v === null || typeof v === 'number';
const isBool = (v: unknown): v is boolean | null => v === null || typeof v === 'boolean';
const isText = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isTextList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isKind = (v: unknown): v is ActionKind => typeof v === 'string' && KIND_CODE.has(v);

/** A value `accepts` refused reached `append`: a bug in this file. */
const unchecked = (column: string): Error => new Error(`step rows: ${column} got a value that was not checked`);

/** Validity bits (Arrow order: bit i & 7 of byte i >> 3), set for each non-null value. */
class Validity {
  bits: Uint8Array;
  nulls = 0;
  constructor(capacity: number) {
    this.bits = new Uint8Array(Math.ceil(capacity / 8));
  }
  set(i: number, valid: boolean): void {
    if (valid) this.bits[i >> 3]! |= 1 << (i & 7);
    else this.nulls++;
  }
  /** The bitmap for `makeData`: none when every value is there. */
  take(length: number): { nullCount: number; nullBitmap?: Uint8Array } {
    const out = this.nulls === 0 ? { nullCount: 0 } : { nullCount: this.nulls, nullBitmap: this.bits.subarray(0, Math.ceil(length / 8)) };
    this.bits = new Uint8Array(this.bits.length);
    this.nulls = 0;
    return out;
  }
}

/** What a number column's values become: Arrow data of its type. */
type NumberData<A> = (props: { length: number; nullCount: number; nullBitmap?: Uint8Array; data: A }) => Data;

class NumberColumn<A extends Float64Array | Int32Array> implements ColumnWriter {
  readonly accepts = isNumber;
  #values: A;
  #valid: Validity;
  constructor(
    private readonly name: string,
    private readonly capacity: number,
    private readonly array: { new (length: number): A },
    private readonly make: NumberData<A>,
  ) {
    this.#values = new array(capacity);
    this.#valid = new Validity(capacity);
  }
  append(i: number, value: unknown): void {
    if (!isNumber(value)) throw unchecked(this.name);
    if (value !== null) this.#values[i] = value;
    this.#valid.set(i, value !== null);
  }
  finish(length: number): Data {
    const data = this.make({ length, ...this.#valid.take(length), data: this.#values.subarray(0, length) as A });
    this.#values = new this.array(this.capacity);
    return data;
  }
}

class BoolColumn implements ColumnWriter {
  readonly accepts = isBool;
  #values: Validity;
  #valid: Validity;
  constructor(
    private readonly name: string,
    capacity: number,
  ) {
    this.#values = new Validity(capacity);
    this.#valid = new Validity(capacity);
  }
  append(i: number, value: unknown): void {
    if (!isBool(value)) throw unchecked(this.name);
    if (value) this.#values.set(i, true);
    this.#valid.set(i, value !== null);
  }
  finish(length: number): Data {
    const data = this.#values.bits.subarray(0, Math.ceil(length / 8));
    this.#values.take(length);
    return makeData({ type: bool, length, ...this.#valid.take(length), data });
  }
}

const utf8 = new TextEncoder();

/** UTF-8 strings: offsets and bytes, both grown by doubling. */
class TextColumn implements ColumnWriter {
  readonly accepts = isText;
  #offsets: Int32Array;
  #bytes: Uint8Array;
  #end = 0;
  #valid: Validity;
  constructor(
    private readonly name: string,
    private readonly capacity: number,
  ) {
    this.#offsets = new Int32Array(capacity + 1);
    this.#bytes = new Uint8Array(capacity * 16);
    this.#valid = new Validity(capacity);
  }
  append(i: number, value: unknown): void {
    if (!isText(value)) throw unchecked(this.name);
    if (i + 1 >= this.#offsets.length) this.#offsets = grow(this.#offsets, i + 2);
    if (value !== null && value.length > 0) {
      // UTF-16 code units take at most 3 bytes each in UTF-8.
      if (this.#end + value.length * 3 > this.#bytes.length) this.#bytes = grow(this.#bytes, this.#end + value.length * 3);
      this.#end += utf8.encodeInto(value, this.#bytes.subarray(this.#end)).written;
      if (this.#end > 2 ** 31 - 1) throw new RangeError(`step rows: more than 2 GiB of ${this.name} text in one batch; use fewer rows per batch`);
    }
    this.#offsets[i + 1] = this.#end;
    // Grown on demand for list items, whose count is not known in advance.
    if (i >= this.#valid.bits.length * 8) this.#valid.bits = grow(this.#valid.bits, this.#valid.bits.length * 2);
    this.#valid.set(i, value !== null);
  }
  finish(length: number): Data<Utf8> {
    const data = makeData({ type: text, length, ...this.#valid.take(length), valueOffsets: this.#offsets.subarray(0, length + 1), data: this.#bytes.subarray(0, this.#end) });
    this.#offsets = new Int32Array(this.capacity + 1);
    this.#bytes = new Uint8Array(this.#bytes.length);
    this.#end = 0;
    return data;
  }
}

/** A list of strings per row (never null): list offsets over one text column of items. */
class TextListColumn implements ColumnWriter {
  readonly accepts = isTextList;
  #offsets: Int32Array;
  #items: TextColumn;
  #count = 0;
  constructor(
    private readonly name: string,
    private readonly capacity: number,
  ) {
    this.#offsets = new Int32Array(capacity + 1);
    this.#items = new TextColumn(`${name} item`, capacity);
  }
  append(i: number, value: unknown): void {
    if (!isTextList(value)) throw unchecked(this.name);
    for (const item of value) this.#items.append(this.#count++, item);
    this.#offsets[i + 1] = this.#count;
  }
  finish(length: number): Data {
    const child = this.#items.finish(this.#count);
    const data = makeData({ type: TEXT_LIST, length, nullCount: 0, valueOffsets: this.#offsets.subarray(0, length + 1), child });
    this.#offsets = new Int32Array(this.capacity + 1);
    this.#count = 0;
    return data;
  }
}

/** Action kinds as codes into the fixed kind dictionary. */
class KindColumn implements ColumnWriter {
  readonly accepts = isKind;
  #codes: Int32Array;
  constructor(
    private readonly name: string,
    private readonly capacity: number,
  ) {
    this.#codes = new Int32Array(capacity);
  }
  append(i: number, value: unknown): void {
    if (!isKind(value)) throw unchecked(this.name);
    this.#codes[i] = KIND_CODE.get(value)!;
  }
  finish(length: number): Data {
    const data = makeData({ type: KIND_TYPE, length, nullCount: 0, data: this.#codes.subarray(0, length), dictionary: KIND_DICTIONARY });
    this.#codes = new Int32Array(this.capacity);
    return data;
  }
}

function grow<A extends Uint8Array | Int32Array>(a: A, atLeast: number): A {
  const bigger = new (a.constructor as { new (length: number): A })(Math.max(atLeast, a.length * 2));
  bigger.set(a);
  return bigger;
}

export interface StepBatchOptions extends StepRowOptions {
  rowsPerBatch?: number;
}

/**
 * The rows of a stream of episodes as record batches of `rowsPerBatch` rows; when there are no
 * steps at all, one empty batch, so that a writer still learns the schema. Holds one episode and
 * one batch at a time.
 */
export async function* stepBatches(records: AsyncIterable<TrajectoryRecord> | Iterable<TrajectoryRecord>, opts: StepBatchOptions = {}): AsyncGenerator<RecordBatch, void, undefined> {
  const batcher = new StepBatcher(opts.rowsPerBatch);
  let batches = 0;
  for await (const record of records) {
    for (const row of stepRows(record, opts)) {
      const batch = batcher.push(row);
      if (batch) {
        batches++;
        yield batch;
      }
    }
  }
  if (batcher.pending > 0 || batches === 0) yield batcher.flush();
}

/** One batch as an Arrow IPC stream (schema, kind dictionary, the batch): how batches cross into another Arrow implementation. */
export function batchToIPC(batch: RecordBatch): Uint8Array {
  return tableToIPC(new Table([batch]), 'stream');
}
