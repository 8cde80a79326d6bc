// The `jsonl` export: one trajectory record per line, UTF-8, `\n` line ends. Every record is
// checked against the schema before it is written and after it is read, so that neither a bug
// upstream nor a damaged file turns into silently wrong training data.
import { TrajectoryRecord } from './record.ts';

/** Most problems listed in one error message; the `issues` property has them all. */
const MAX_LISTED = 5;

export interface RecordIssue {
  /** Where in the record, as `steps[3].action.kind` (empty: the record itself). */
  path: string;
  message: string;
}

/** A record that does not match the trajectory format: which one, where, and what is wrong. */
export class TrajectoryRecordError extends Error {
  override readonly name = 'TrajectoryRecordError';

  constructor(
    /** The record's `id` when it has one. */
    readonly id: string | undefined,
    readonly issues: readonly RecordIssue[],
    /** Where the record came from, when it was read (`line 12`). */
    readonly where?: string,
  ) {
    const listed = issues.slice(0, MAX_LISTED).map((i) => `  ${i.path || '(record)'}: ${i.message}`);
    if (issues.length > MAX_LISTED) listed.push(`  … and ${issues.length - MAX_LISTED} more`);
    const which = id === undefined ? 'trajectory record without an id' : `trajectory record ${JSON.stringify(id)}`;
    super(`${where ? `${where}: ` : ''}${which} is invalid:\n${listed.join('\n')}`);
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function idOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('id' in value)) return undefined;
  return typeof value.id === 'string' ? value.id : undefined;
}

/** The record, checked, or a TrajectoryRecordError naming its id and every problem's path. */
function check(value: unknown, where?: string): TrajectoryRecord {
  const result = TrajectoryRecord.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message }));
  throw new TrajectoryRecordError(idOf(value), issues, where);
}

/** One line of the `jsonl` export (ending in `\n`), after checking the record against the schema. */
export function toJsonlLine(record: TrajectoryRecord): string {
  return `${JSON.stringify(check(record))}\n`;
}

/**
 * Reads a `jsonl` export: each line is parsed and checked, and the records come out one at a
 * time. `source` is the whole text or its text in chunks of any size (a file read as UTF-8
 * text, a fetch body decoded): lines may span chunks, only the current line is held. Blank
 * lines are skipped; `\r\n` line ends are accepted. A line that is not JSON or not a valid
 * record throws, naming the line.
 */
export async function* parseJsonl(source: string | Iterable<string> | AsyncIterable<string>): AsyncGenerator<TrajectoryRecord, void, undefined> {
  let line = 0;
  const parseLine = (text: string): TrajectoryRecord | null => {
    line++;
    const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).replace(/\r$/, '');
    if (trimmed.trim() === '') return null;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (e) {
      throw new Error(`line ${line}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
    return check(value, `line ${line}`);
  };

  let rest = '';
  for await (const chunk of typeof source === 'string' ? [source] : source) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const record = parseLine(text.slice(start, nl));
      start = nl + 1;
      if (record) yield record;
    }
    rest = text.slice(start);
  }
  const record = parseLine(rest);
  if (record) yield record;
}
