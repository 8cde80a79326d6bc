/**
 * Compile + export throughput and memory (issue 5).
 *
 * The session: the 14 tasks of the recorded suite (packages/trajectory/fixtures, recorded in
 * Chromium through the real recorder) played back to back, over and over, with seq and times
 * shifted and a 3-minute idle gap between tasks, until it holds one million events. It is
 * generated lazily, so the session itself is never in memory.
 *
 * Each format runs the whole path the CLI runs for an export, minus the network: the session's
 * events go through the segmenter (episodes cut at idle gaps), each episode is compiled into a
 * de-identified trajectory record (`buildTrajectory`, with site aliases and page text masked) and
 * handed to that format's writer from packages/cli (the same classes `lockstep export` uses),
 * which writes it to disk at once, and counted into the dataset card, as the CLI does.
 *
 * Anchor (same run): writing the raw events as JSON lines, the least any export must do. The
 * ratio is events/s of the format over events/s of the anchor.
 *
 * Memory: every 100 episodes the heap is collected and what is still in use is read;
 * `retainedHeapMiB` is the highest reading above the heap before the run (what the export holds
 * on to, garbage excluded), `peakRssMiB` the process's highest resident size (it includes
 * parquet-wasm's linear memory, which the V8 heap does not, and which holds one row group of
 * 65,536 rows at most). The writers stream, so what they hold must not grow with the session:
 * each format also runs on a session a tenth as long, and `growth` = retained(1M) /
 * retained(100k).
 *
 * Two things the reading leaves out, since they are not data the export holds: compiled code
 * (V8's code spaces), and the one-off cost of a first run. Each format (and the anchor) first
 * runs once unmeasured on the short session: until then its first measured run also paid for
 * the JIT's code, deopt data and feedback, lazily built tables and parquet-wasm's start, which
 * the later run found already made, so the first run looked like growth where there was none
 * (1 to 2 MiB of the first reading). The runs are timed after that warm-up as well.
 *
 * Size: bytes written per step for each format, against the raw events' JSON bytes per step.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CaptureEvent } from '@lockstep/schema';
import { buildTrajectory, createCard, createSiteAliases, Segmenter } from '@lockstep/trajectory';
import { createWriters, type ExportFormat } from '../packages/cli/src/export/writers.ts';
import { progress } from './lib/progress.ts';

const FIXTURES = new URL('../packages/trajectory/fixtures/', import.meta.url);
const GAP_MS = 180_000;
/** Events in the session (LOCKSTEP_BENCH_EXPORT_EVENTS overrides it for a quick look). */
const FULL = Number(process.env.LOCKSTEP_BENCH_EXPORT_EVENTS ?? 1_000_000);

interface Task {
  name: string;
  goal: string;
  events: CaptureEvent[];
}

async function loadSuite(): Promise<Task[]> {
  const { readFile } = await import('node:fs/promises');
  const suite = JSON.parse(await readFile(new URL('suite.json', FIXTURES), 'utf8')) as Array<{ name: string; goal: string }>;
  const tasks: Task[] = [];
  for (const t of suite) tasks.push({ ...t, events: JSON.parse(await readFile(new URL(`${t.name}.events.json`, FIXTURES), 'utf8')) as CaptureEvent[] });
  return tasks;
}

/** The suite, repeated with shifted seq and t, until `count` events. */
function* session(tasks: readonly Task[], count: number): Generator<CaptureEvent> {
  let seq = 0;
  let t0 = 0;
  for (let i = 0; ; i++) {
    const task = tasks[i % tasks.length]!;
    const first = task.events[0]!.t;
    let last = t0;
    for (const e of task.events) {
      if (seq >= count) return;
      last = t0 + (e.t - first);
      yield { ...e, seq: seq++, t: last } as CaptureEvent;
    }
    t0 = last + GAP_MS;
  }
}

/** Cuts the session into episodes as they end: memory holds one episode's events. */
function* episodes(events: Iterable<CaptureEvent>): Generator<CaptureEvent[]> {
  const seg = new Segmenter({ idleMs: 120_000 });
  let cur: CaptureEvent[] = [];
  for (const e of events) {
    if (seg.push(e) && cur.length) {
      yield cur;
      cur = [];
    }
    cur.push(e);
  }
  if (cur.length) yield cur;
}

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
/** Heap in use by data after a full collection (compiled code left out). */
function retained(): number {
  collect();
  let used = 0;
  for (const s of getHeapSpaceStatistics()) if (!s.space_name.startsWith('code_')) used += s.space_used_size;
  return used;
}

/** Reads retained heap every 100 episodes and RSS every episode. */
class MemoryWatch {
  private readonly base = retained();
  private n = 0;
  peakRetained = 0;
  peakRss = 0;
  tick(): void {
    this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss());
    if (++this.n % 100 === 0) this.peakRetained = Math.max(this.peakRetained, retained() - this.base);
  }
  end(): void {
    this.peakRetained = Math.max(this.peakRetained, retained() - this.base);
  }
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

interface Run {
  events: number;
  episodes: number;
  steps: number;
  seconds: number;
  eventsPerSecond: number;
  bytes: number;
  retainedHeapMiB: number;
  peakRssMiB: number;
}

/** Raw events as JSON lines: the anchor. */
async function rawRun(tasks: readonly Task[], count: number): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'lockstep-bench-raw-'));
  try {
    const mem = new MemoryWatch();
    const out = createWriteStream(join(dir, 'events.jsonl'));
    const bar = progress('raw jsonl', count);
    const started = performance.now();
    let n = 0;
    let eps = 0;
    for (const ep of episodes(session(tasks, count))) {
      for (const e of ep) if (!out.write(`${JSON.stringify(e)}\n`)) await once(out, 'drain');
      n += ep.length;
      eps++;
      bar.tick(ep.length);
      mem.tick();
    }
    out.end();
    await once(out, 'finish');
    const seconds = (performance.now() - started) / 1000;
    bar.done();
    mem.end();
    return { events: n, episodes: eps, steps: 0, seconds, eventsPerSecond: Math.round(n / seconds), bytes: await dirBytes(dir), retainedHeapMiB: mem.peakRetained / 2 ** 20, peakRssMiB: mem.peakRss / 2 ** 20 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function formatRun(tasks: readonly Task[], count: number, format: ExportFormat): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), `lockstep-bench-${format}-`));
  try {
    const mem = new MemoryWatch();
    const writers = createWriters(dir, [format], ['anthropic']);
    const card = createCard({ export: 'exp_bench', program: 'bench', purpose: 'benchmark', grant: 'grant_bench', date: '2026-01-01', formats: [format] });
    const sites = createSiteAliases();
    const bar = progress(format, count);
    const started = performance.now();
    let n = 0;
    let steps = 0;
    let i = 0;
    for (const ep of episodes(session(tasks, count))) {
      const record = buildTrajectory(ep, { id: `ep_${i}`, subject: 'bench-subject', task: tasks[i % tasks.length]!.goal, url: sites.url });
      for (const w of writers) await w.add(record);
      card.add(record);
      n += ep.length;
      steps += record.steps.length;
      i++;
      bar.tick(ep.length);
      mem.tick();
    }
    for (const w of writers) await w.finish();
    card.markdown();
    const seconds = (performance.now() - started) / 1000;
    bar.done();
    mem.end();
    return { events: n, episodes: i, steps, seconds, eventsPerSecond: Math.round(n / seconds), bytes: await dirBytes(dir), retainedHeapMiB: mem.peakRetained / 2 ** 20, peakRssMiB: mem.peakRss / 2 ** 20 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export async function run() {
  const tasks = await loadSuite();
  const formats: ExportFormat[] = ['jsonl', 'parquet', 'chat', 'playwright'];
  await rawRun(tasks, FULL / 10); // warm-up, see the header
  const raw = await rawRun(tasks, FULL);
  const rawSmall = await rawRun(tasks, FULL / 10);
  const results: Record<string, unknown> = {};
  let worstGrowth = 0;
  // Steps come from the jsonl run (every format sees the same records).
  let stepsFull = 0;
  for (const format of formats) {
    await formatRun(tasks, FULL / 10, format); // warm-up
    const full = await formatRun(tasks, FULL, format);
    const small = await formatRun(tasks, FULL / 10, format);
    stepsFull = full.steps;
    // Below 1 MiB the reading is noise (a few cached strings); count it as 1 MiB.
    const growth = Math.max(full.retainedHeapMiB, 1) / Math.max(small.retainedHeapMiB, 1);
    worstGrowth = Math.max(worstGrowth, growth);
    results[format] = {
      eventsPerSecond: full.eventsPerSecond,
      ratioToRawJsonl: round(full.eventsPerSecond / raw.eventsPerSecond, 3),
      seconds: round(full.seconds, 1),
      episodes: full.episodes,
      steps: full.steps,
      bytes: full.bytes,
      bytesPerStep: round(full.bytes / full.steps, 1),
      sizeToRaw: round(full.bytes / raw.bytes, 3),
      retainedHeapMiB: round(full.retainedHeapMiB, 2),
      retainedHeapMiBTenth: round(small.retainedHeapMiB, 2),
      peakRssMiB: round(full.peakRssMiB, 0),
      growth: round(growth, 2),
    };
  }
  return {
    session: { events: raw.events, episodes: raw.episodes, steps: stepsFull, source: 'the 14 recorded suite tasks, repeated' },
    anchor: { name: 'raw events as JSON lines', eventsPerSecond: raw.eventsPerSecond, bytes: raw.bytes, bytesPerStep: round(raw.bytes / stepsFull, 1), retainedHeapMiB: round(raw.retainedHeapMiB, 2), retainedHeapMiBTenth: round(rawSmall.retainedHeapMiB, 2), peakRssMiB: round(raw.peakRssMiB, 0) },
    results,
    // Memory is the figure with a rule: the writers stream, so a 10× longer session must not need 10× the heap.
    pass: worstGrowth < 2,
  };
}
