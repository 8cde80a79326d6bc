/**
 * `lockstep export`: asks the server for an export of a grant's dataset, streams its
 * de-identified trajectory records and writes each requested format as they arrive, then the
 * dataset card and the manifest (the episodes in it, the files and their hashes, and where the
 * revocation feed stood when it was made).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createCard, TrajectoryRecord, trajectoryJsonSchema, type ChatShape, type DatasetCard } from '@lockstep/trajectory';
import type { Client } from '../client.ts';
import { createWriters, describeFiles, type ExportFormat, type WriterReport, type WrittenFile } from './writers.ts';

/** Where the signed revocation feed stood when the export was made, and the key that signs it. */
export interface RevocationsHead {
  origin: string;
  size: number;
  /** The feed's signed checkpoint at `size`: the next read is proven to extend it. */
  checkpoint: string;
  verifierKey: string;
}

/** The server's answer to POST /v1/grants/:id/exports. */
export interface ExportCreated {
  id: string;
  grant: string;
  purpose: string;
  program: { id: string; name: string };
  dataset: string;
  date: string;
  episodes: number;
  manifest: string[];
  revocations: RevocationsHead;
}

export const MANIFEST_FORMAT = 'lockstep.export-manifest';

export interface ExportManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  export: string;
  grant: string;
  purpose: string;
  program: string;
  date: string;
  /**
   * The revocation feed when the export was made: read it from `size` on, verified with
   * `verifierKey` (`lockstep export revoked --manifest manifest.json` does both).
   */
  revocations: RevocationsHead;
  /** The export-local ids of the episodes in it. */
  episodes: string[];
  files: WrittenFile[];
}

export interface ExportProgress {
  episodes: number;
  total: number;
  steps: number;
}

export interface ExportRequest {
  client: Client;
  grant: string;
  out: string;
  formats: readonly ExportFormat[];
  chatShapes: readonly ChatShape[];
  onStart?(created: ExportCreated): void;
  onProgress?(progress: ExportProgress): void;
}

export interface ExportSummary {
  created: ExportCreated;
  dir: string;
  card: DatasetCard;
  manifest: ExportManifest;
  reports: WriterReport[];
}

async function prepareDir(out: string): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir(out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(out, { recursive: true, mode: 0o755 });
    return true;
  }
  if (entries.length > 0) throw new Error(`${out} is not empty; give --out a new or empty folder, so that one export's files never mix with another's`);
  return false;
}

const enc = encodeURIComponent;

function parseLine(line: string, n: number): TrajectoryRecord {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new Error(`the server sent a line that is not JSON (episode ${n}); the export was stopped`);
  }
  const parsed = TrajectoryRecord.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`the server sent an invalid trajectory record (episode ${n}, ${issue?.path.join('.') || 'record'}: ${issue?.message}); the export was stopped`);
  }
  return parsed.data;
}

export async function runExport(req: ExportRequest): Promise<ExportSummary> {
  const dir = resolve(req.out);
  const created = await prepareDir(dir);
  try {
    const meta = await req.client.post<ExportCreated>(`/v1/grants/${enc(req.grant)}/exports`, {});
    req.onStart?.(meta);
    const card = createCard({ export: meta.id, program: meta.program.name, purpose: meta.purpose, grant: meta.grant, date: meta.date, formats: [...req.formats] });
    const writers = createWriters(dir, req.formats, req.chatShapes);
    const progress: ExportProgress = { episodes: 0, total: meta.episodes, steps: 0 };
    // The ids the export holds are the server's manifest (kept in `meta`, which the summary
    // returns), in download order; the download leaves out episodes deleted since. So a record is
    // matched by walking forward in it, and `got` marks those received: one byte per episode, no
    // set or list of ids beside the server's.
    const ids = meta.manifest;
    const got = new Uint8Array(ids.length);
    let next = 0;
    let streamError: unknown = null;
    try {
      for await (const line of req.client.lines(`/v1/exports/${enc(meta.id)}/episodes`)) {
        const record = parseLine(line, progress.episodes + 1);
        while (next < ids.length && ids[next] !== record.id) next++;
        if (next === ids.length) {
          const why = ids.includes(record.id) ? 'a second time or out of manifest order' : "which is not in the export's manifest";
          throw new Error(`the server sent episode ${record.id}, ${why}; the export was stopped`);
        }
        got[next++] = 1;
        for (const w of writers) await w.add(record);
        card.add(record);
        progress.episodes++;
        progress.steps += record.steps.length;
        req.onProgress?.(progress);
      }
    } catch (error) {
      streamError = error;
    }
    // Close every file even when the stream failed, so that nothing is left open.
    const finished = await Promise.allSettled(writers.map((w) => w.finish()));
    if (streamError) throw streamError;
    const failed = finished.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const paths = finished.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    const json = card.json();
    await writeFile(join(dir, 'dataset-card.json'), `${JSON.stringify(json, null, 2)}\n`, { flag: 'wx' });
    await writeFile(join(dir, 'dataset-card.md'), card.markdown(), { flag: 'wx' });
    await writeFile(join(dir, 'trajectory-v1.schema.json'), `${JSON.stringify(trajectoryJsonSchema(), null, 2)}\n`, { flag: 'wx' });
    // One entry per file, so per episode with playwright (about 200 bytes each): the manifest
    // lists every file with its hash, and the summary hands the list to `lockstep export`. It is
    // made here, once the writers are done, not held while the export streams.
    const files: WrittenFile[] = [];
    for await (const f of describeFiles(dir, [...paths, join(dir, 'dataset-card.json'), join(dir, 'dataset-card.md'), join(dir, 'trajectory-v1.schema.json')])) files.push(f);
    const manifest: ExportManifest = {
      format: MANIFEST_FORMAT,
      version: 1,
      export: meta.id,
      grant: meta.grant,
      purpose: meta.purpose,
      program: meta.program.name,
      date: meta.date,
      revocations: meta.revocations,
      episodes: ids.filter((_, k) => got[k] === 1),
      files,
    };
    await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
    return { created: meta, dir, card: json, manifest, reports: writers.map((w) => w.report()) };
  } catch (error) {
    // A half-written export is worse than none: take back what this run wrote.
    if (created) await rm(dir, { recursive: true, force: true });
    else for (const name of await readdir(dir).catch(() => [])) await rm(join(dir, name), { recursive: true, force: true });
    throw error;
  }
}
