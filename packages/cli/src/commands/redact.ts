// `lockstep redact`: the on-device redactor as a filter. Reads stdin line by line (constant
// memory, any input size) and writes each line masked, or with --jsonl, reads {"id","text"} lines
// and writes {"id","findings"} lines (offsets are JavaScript string indices into `text`).
//
// Bad JSONL lines: an error naming the line number goes to stderr, the line produces no output,
// the remaining lines are still processed, and the exit code is 1 — one broken record does not
// lose the rest of a large file, and a caller can still tell that something was skipped.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { createInterface } from 'node:readline';
import type { CustomTerm, Finding, MaskStyle, Redactor } from '@lockstep/redact';
import { createRedactor } from '@lockstep/redact';

const STYLES: readonly MaskStyle[] = ['shape', 'placeholder', 'drop'];

interface Opts {
  jsonl?: boolean;
  style: MaskStyle;
  term: string[];
  pattern: string[];
  keep: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

function parseStyle(value: string): MaskStyle {
  if (!STYLES.includes(value as MaskStyle)) throw new InvalidArgumentError(`"${value}" is not a style; choose from ${STYLES.join(', ')}.`);
  return value as MaskStyle;
}

const EXAMPLES = `
Examples:
  $ echo 'DB_PASSWORD=hunter22 psql -h db' | lockstep redact
  DB_PASSWORD=xxxxxx99 psql -h db
  $ echo 'mail anna@example.com' | lockstep redact --style placeholder
  mail ⟨email⟩
  $ lockstep redact --term Nightingale --term "Globex Corporation" < notes.txt > notes.masked.txt
  $ lockstep redact --pattern 'PRJ-\\d{4}' --keep ip-address < app.log
  $ printf '%s\\n' '{"id":"1","text":"call +44 20 7946 0958"}' | lockstep redact --jsonl
  {"id":"1","findings":[{"start":5,"end":21,"kind":"phone","family":"pii"}]}

Multi-line private keys: in text mode, lines after a "-----BEGIN … PRIVATE KEY-----" line are
masked whole until its END line. With --jsonl, each record is one text, so it needs no help.
A bad --jsonl line is reported on stderr with its line number and skipped; the exit code is then 1.`;

export function register(program: Command): void {
  program
    .command('redact')
    .description('Mask secrets and personal data in text read from stdin (the same redactor the recorders run on the device).')
    .option('--jsonl', 'read {"id","text"} JSON lines, write {"id","findings"} lines instead of masked text')
    .option('--style <style>', `how masked text is written: ${STYLES.join(', ')}`, parseStyle, 'shape' as MaskStyle)
    .option('--term <text>', 'also mask this exact term, case-insensitively (repeatable)', collect, [])
    .option('--pattern <regex>', 'also mask this pattern; it must pass the linear-time check (repeatable)', collect, [])
    .option('--keep <kind>', 'leave this kind alone, e.g. ip-address (repeatable)', collect, [])
    .addHelpText('after', EXAMPLES)
    .action(async (opts: Opts) => {
      const terms: CustomTerm[] = [...opts.term.map((term) => ({ term })), ...opts.pattern.map((pattern) => ({ pattern }))];
      const redactor = createRedactor({ style: opts.style, terms, disabledKinds: opts.keep });
      const failures = opts.jsonl ? await runJsonl(redactor) : await runText(redactor);
      if (failures > 0) {
        process.stderr.write(`lockstep redact: ${failures} bad line${failures === 1 ? '' : 's'} skipped\n`);
        process.exitCode = 1;
      }
    });
}

async function write(chunk: string): Promise<void> {
  if (!process.stdout.write(chunk)) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
}

function lines() {
  return createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
}

const BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----/;
const END = /-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----/;

async function runText(redactor: Redactor): Promise<number> {
  let inKey = false;
  for await (const line of lines()) {
    let out: string;
    if (inKey) {
      // the body of a key whose BEGIN line came earlier: mask the line whole, up to the END line
      const end = END.exec(line);
      out = end ? redactor.mask(line, [{ start: 0, end: end.index + end[0].length, kind: 'private-key', family: 'secret' }]) : redactor.mask(line, line ? [{ start: 0, end: line.length, kind: 'private-key', family: 'secret' }] : []);
      if (end) inKey = false;
    } else {
      out = redactor.mask(line);
      const begin = BEGIN.exec(line);
      if (begin && !END.test(line.slice(begin.index))) inKey = true;
    }
    await write(out + '\n');
  }
  return 0;
}

async function runJsonl(redactor: Redactor): Promise<number> {
  let lineNo = 0;
  let failures = 0;
  for await (const line of lines()) {
    lineNo++;
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      failures++;
      process.stderr.write(`lockstep redact: line ${lineNo}: not valid JSON (${(err as Error).message})\n`);
      continue;
    }
    const r = record as { id?: unknown; text?: unknown };
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      failures++;
      process.stderr.write(`lockstep redact: line ${lineNo}: expected an object {"id": …, "text": "…"}\n`);
      continue;
    }
    if (typeof r.text !== 'string') {
      failures++;
      process.stderr.write(`lockstep redact: line ${lineNo}: "text" must be a string\n`);
      continue;
    }
    if (typeof r.id !== 'string' && typeof r.id !== 'number') {
      failures++;
      process.stderr.write(`lockstep redact: line ${lineNo}: "id" must be a string or a number\n`);
      continue;
    }
    const findings: Finding[] = redactor.find(r.text).map(({ start, end, kind, family }) => ({ start, end, kind, family }));
    await write(`${JSON.stringify({ id: r.id, findings })}\n`);
  }
  return failures;
}
