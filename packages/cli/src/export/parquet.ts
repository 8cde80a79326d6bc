// Trajectory records → a Parquet file of step rows (one row per step, STEP_SCHEMA), written as a
// stream. How it stays bounded: records are pulled one at a time (the batch stream below asks
// for the next only when the writer wants it); each becomes rows, appended to one Arrow batch of
// `rowsPerBatch` rows; a full batch crosses into parquet-wasm as Arrow IPC and its ownership
// moves to the writer, which frees it once encoded. The writer (parquet's AsyncArrowWriter in
// wasm) keeps only the open row group, and hands its bytes to the output when `rowsPerGroup`
// rows are in; the output is piped to the file with backpressure. So the memory in use is one
// episode, one batch and one row group, whatever the number of episodes; only the footer's list
// of row groups grows with the file.
import { createWriteStream, openAsBlob } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import * as parquet from 'parquet-wasm/node';
import { StepBatcher, batchToIPC, stepBatches } from '@lockstep/trajectory';
import type { StepBatchOptions, TrajectoryRecord } from '@lockstep/trajectory';

export type ParquetCompression = 'zstd' | 'snappy';

export interface ParquetWriteOptions extends StepBatchOptions {
  /** Rows per row group (default 65 536): what the writer holds in memory at most. */
  rowsPerGroup?: number;
  /** Default: ZSTD when this parquet-wasm build has it, else Snappy. */
  compression?: ParquetCompression;
}

export const DEFAULT_ROWS_PER_GROUP = 65_536;

/**
 * Writes the step rows of `records` to a Parquet file at `path` and returns the number of rows.
 * The file appears only when complete: it is written next to `path` and renamed; on any error
 * the partial file is removed and the error thrown.
 */
export async function writeStepsParquet(records: AsyncIterable<TrajectoryRecord> | Iterable<TrajectoryRecord>, path: string, opts: ParquetWriteOptions = {}): Promise<number> {
  const rowsPerGroup = opts.rowsPerGroup ?? DEFAULT_ROWS_PER_GROUP;
  if (!Number.isInteger(rowsPerGroup) || rowsPerGroup < 1) throw new RangeError(`rows per row group must be a positive integer, got ${rowsPerGroup}`);
  const codec = CODECS[opts.compression ?? (zstdAvailable() ? 'zstd' : 'snappy')];
  if (codec === undefined) throw new RangeError(`parquet compression must be zstd or snappy, got ${String(opts.compression)}`);
  const partial = `${path}.${process.pid}.partial`;

  let rows = 0;
  // The wasm writer skips a batch it cannot take and ends the file quietly when its input stream
  // fails, so the source's error is kept here and the row count is checked against the footer.
  let failure: { error: unknown } | undefined;
  // Set when writing the file failed: the wasm writer would otherwise go on reading every record.
  let stopped = false;
  const batches = stepBatches(records, opts);
  const source = new ReadableStream<parquet.RecordBatch>(
    {
      async pull(controller) {
        try {
          if (stopped) {
            await batches.return();
            return controller.close();
          }
          const next = await batches.next();
          if (next.done) return controller.close();
          rows += next.value.numRows;
          controller.enqueue(toWasm(batchToIPC(next.value)));
        } catch (error) {
          failure = { error };
          controller.error(error);
        }
      },
      async cancel() {
        await batches.return();
      },
    },
    // Nothing is read ahead: a batch is made when the writer asks for it.
    { highWaterMark: 0 },
  );

  try {
    const properties = new parquet.WriterPropertiesBuilder().setCompression(codec).setMaxRowGroupSize(rowsPerGroup).setCreatedBy('lockstep').build();
    const bytes = await parquet.transformParquetStream(source, properties);
    await bytes.pipeTo(Writable.toWeb(createWriteStream(partial)));
    if (failure) throw failure.error;
    const stored = await rowsIn(partial);
    if (stored !== rows) throw new Error(`parquet export: the writer stored ${stored} of ${rows} rows`);
    await rename(partial, path);
    return rows;
  } catch (error) {
    stopped = true;
    await rm(partial, { force: true });
    throw failure ? failure.error : error;
  }
}

const CODECS: Partial<Record<string, parquet.Compression>> = { zstd: parquet.Compression.ZSTD, snappy: parquet.Compression.SNAPPY };

/** An Arrow IPC stream holding one batch → that batch in wasm memory. */
function toWasm(ipc: Uint8Array): parquet.RecordBatch {
  const table = parquet.Table.fromIPCStream(ipc);
  try {
    const batch = table.recordBatch(0);
    if (!batch) throw new Error('parquet export: an Arrow IPC stream without its record batch');
    return batch;
  } finally {
    table.free();
  }
}

/** Rows a Parquet file's footer counts (the file is read in ranges: footer only). */
async function rowsIn(path: string): Promise<number> {
  const file = await parquet.ParquetFile.fromFile(await openAsBlob(path));
  try {
    const meta = file.metadata();
    try {
      return Number(meta.fileMetadata().numRows());
    } finally {
      meta.free();
    }
  } finally {
    file.free();
  }
}

let zstd: boolean | undefined;

/** Whether this parquet-wasm build can write ZSTD (a build feature): tried once on an empty table. */
export function zstdAvailable(): boolean {
  if (zstd === undefined) {
    try {
      const empty = parquet.Table.fromIPCStream(batchToIPC(new StepBatcher().flush()));
      parquet.writeParquet(empty, new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.ZSTD).build());
      zstd = true;
    } catch {
      zstd = false;
    }
  }
  return zstd;
}
