/**
 * The export's file writers. Each takes trajectory records one at a time, as they arrive from the
 * server, and writes them out at once: memory holds one record per writer (and a Parquet row
 * group), never the export.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { once } from 'node:events';
import { chatRecords, toJsonlLine, toPlaywrightScript, type ChatShape, type TrajectoryRecord } from '@lockstep/trajectory';
import { writeStepsParquet } from './parquet.ts';
import { BoundedQueue } from './queue.ts';

export const EXPORT_FORMATS = ['jsonl', 'parquet', 'chat', 'playwright'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const CHAT_SHAPES: readonly ChatShape[] = ['anthropic', 'openai', 'pyautogui'];

export interface WrittenFile {
  /** Relative to the export folder, with forward slashes. */
  path: string;
  bytes: number;
  sha256: string;
}

/** What a writer says about its work, for the summary and the dataset card. */
export interface WriterReport {
  format: ExportFormat;
  /** Lines, rows or scripts written. */
  items: number;
  /** Steps a format could not express, episodes it does not apply to… */
  notes: string[];
}

export interface FormatWriter {
  readonly format: ExportFormat;
  add(record: TrajectoryRecord): Promise<void>;
  /**
   * Flushes and closes; returns what it wrote: its files, or for a format that writes one file
   * per episode, their folder (so that no writer keeps a list that grows with the export).
   */
  finish(): Promise<string[]>;
  report(): WriterReport;
}

/** A text file written line by line, waiting for the disk when its buffer is full. */
class LineFile {
  private readonly out: WriteStream;
  private error: Error | null = null;

  constructor(readonly path: string) {
    this.out = createWriteStream(path, { flags: 'wx', mode: 0o644 });
    this.out.on('error', (e) => (this.error = e));
  }

  async write(text: string): Promise<void> {
    if (this.error) throw this.error;
    // once() for 'drain' also rejects on 'error' and removes both of its listeners either way. (A
    // race with a separate once(out, 'error') would leave that listener behind at every full
    // buffer: one closure and promise per 16 KiB written, for the whole export.)
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    if (this.error) throw this.error;
    this.out.end();
    await once(this.out, 'finish');
  }
}

class JsonlWriter implements FormatWriter {
  readonly format = 'jsonl' as const;
  private readonly file: LineFile;
  private n = 0;
  constructor(dir: string) {
    this.file = new LineFile(join(dir, 'episodes.jsonl'));
  }
  async add(record: TrajectoryRecord): Promise<void> {
    await this.file.write(toJsonlLine(record));
    this.n++;
  }
  async finish(): Promise<string[]> {
    await this.file.close();
    return [this.file.path];
  }
  report(): WriterReport {
    return { format: this.format, items: this.n, notes: [] };
  }
}

class ChatWriter implements FormatWriter {
  readonly format = 'chat' as const;
  private readonly files: Array<[ChatShape, LineFile]>;
  private n = 0;
  private masked = 0;
  private readonly skipped = new Map<string, number>();
  constructor(dir: string, shapes: readonly ChatShape[]) {
    this.files = shapes.map((shape) => [shape, new LineFile(join(dir, `chat-${shape}.jsonl`))]);
  }
  async add(record: TrajectoryRecord): Promise<void> {
    for (const [shape, file] of this.files) {
      const chats = chatRecords(record, { shape });
      for (;;) {
        const next = chats.next();
        if (next.done) {
          this.masked += next.value.masked;
          for (const [kind, count] of Object.entries(next.value.skippedKinds)) {
            const key = `${shape}: ${kind}`;
            this.skipped.set(key, (this.skipped.get(key) ?? 0) + (count ?? 0));
          }
          break;
        }
        await file.write(`${JSON.stringify(next.value)}\n`);
        this.n++;
      }
    }
  }
  async finish(): Promise<string[]> {
    for (const [, file] of this.files) await file.close();
    return this.files.map(([, f]) => f.path);
  }
  report(): WriterReport {
    const notes = [...this.skipped].map(([what, count]) => `${count} ${what} steps have no equivalent in that shape and were left out`);
    if (this.masked) notes.push(`${this.masked} chats answer with typing into a masked field (flagged "masked": true)`);
    return { format: this.format, items: this.n, notes };
  }
}

/** One script per web episode, in `playwright/`; keeps counts only. */
class PlaywrightWriter implements FormatWriter {
  readonly format = 'playwright' as const;
  private readonly scripts: string;
  private n = 0;
  private desktop = 0;
  constructor(dir: string) {
    this.scripts = join(dir, 'playwright');
  }
  async add(record: TrajectoryRecord): Promise<void> {
    if (record.platform !== 'web') {
      this.desktop++;
      return;
    }
    if (this.n === 0) await mkdir(this.scripts, { recursive: true });
    await writeFile(join(this.scripts, `${record.id}.mjs`), toPlaywrightScript(record), { flag: 'wx', mode: 0o644 });
    this.n++;
  }
  async finish(): Promise<string[]> {
    return this.n === 0 ? [] : [this.scripts];
  }
  report(): WriterReport {
    return { format: this.format, items: this.n, notes: this.desktop ? [`${this.desktop} desktop episodes have no Playwright script`] : [] };
  }
}

/** Parquet reads an async iterable; the queue turns the pushes into one, with backpressure. */
class ParquetWriter implements FormatWriter {
  readonly format = 'parquet' as const;
  private readonly queue = new BoundedQueue<TrajectoryRecord>(2);
  private readonly done: Promise<number>;
  private rows = 0;
  readonly path: string;
  constructor(dir: string) {
    this.path = join(dir, 'steps.parquet');
    this.done = writeStepsParquet(this.queue, this.path).catch((error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      this.queue.fail(e);
      throw e;
    });
    // Surfaced by add() or finish(); keep Node from reporting it as unhandled in between.
    this.done.catch(() => undefined);
  }
  async add(record: TrajectoryRecord): Promise<void> {
    await this.queue.push(record);
  }
  async finish(): Promise<string[]> {
    this.queue.end();
    this.rows = await this.done;
    return [this.path];
  }
  report(): WriterReport {
    return { format: this.format, items: this.rows, notes: [] };
  }
}

export function createWriters(dir: string, formats: readonly ExportFormat[], chatShapes: readonly ChatShape[]): FormatWriter[] {
  return formats.map((f) => {
    switch (f) {
      case 'jsonl':
        return new JsonlWriter(dir);
      case 'parquet':
        return new ParquetWriter(dir);
      case 'chat':
        return new ChatWriter(dir, chatShapes);
      case 'playwright':
        return new PlaywrightWriter(dir);
    }
  });
}

/**
 * Size and SHA-256 of each file in `paths` (what the writers' finish() returned), read back from
 * disk; a folder stands for the files in it, in name order (for playwright/, id order).
 */
export async function* describeFiles(dir: string, paths: readonly string[]): AsyncGenerator<WrittenFile> {
  for (const path of paths) {
    if (!(await stat(path)).isDirectory()) {
      yield await describeFile(dir, path);
      continue;
    }
    for (const name of (await readdir(path)).sort()) yield* describeFiles(dir, [join(path, name)]);
  }
}

/** Size and SHA-256 of a written file, read back from disk. */
export async function describeFile(dir: string, path: string): Promise<WrittenFile> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { path: relative(dir, path).split('\\').join('/'), bytes: (await stat(path)).size, sha256: hash.digest('hex') };
}
