import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type PrepareResult, prepareBatch } from './prepare.ts';

/**
 * Runs `prepareBatch` (parse, checksum, validation, compression: no keys, no store) on a small
 * pool of worker threads, so that the main thread is left with HTTP, keys and SQLite. Sealing
 * and the commit stay on the main thread. If the workers cannot be started (or one dies), the
 * pool falls back to preparing on the calling thread: slower, same answers.
 */
export interface PreparePool {
  prepare(body: Buffer): Promise<PrepareResult>;
  /** Resolves once every worker has started (true), or when one could not (false). For tests. */
  whenReady(): Promise<boolean>;
  close(): Promise<void>;
}

interface Job {
  resolve: (result: PrepareResult) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  /** Set once the worker has loaded its code; until then, batches are prepared on the calling thread. */
  ready: boolean;
  jobs: Map<number, Job>;
}

/** The worker's source: the sources are TypeScript, so it loads them through tsx like the CLI does. */
function workerSource(): string | undefined {
  try {
    // The ESM entry of tsx's API (require.resolve would give the CommonJS one, which cannot register in a worker).
    const pkgPath = createRequire(import.meta.url).resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> };
    const entry = pkg.exports['./esm/api']?.import?.default;
    if (!entry) return undefined;
    const tsx = new URL(entry, pathToFileURL(pkgPath)).href;
    const self = new URL('./prepare-worker.ts', import.meta.url).href;
    return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(self)}); });`;
  } catch {
    return undefined;
  }
}

export function createPreparePool(size = Math.min(2, availableParallelism() - 1)): PreparePool {
  const source = size > 0 ? workerSource() : undefined;
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;
  const started: Promise<boolean>[] = [];

  const drop = (slot: Slot, error: unknown) => {
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    for (const job of slot.jobs.values()) job.reject(error);
    slot.jobs.clear();
  };

  if (source) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(source, { eval: true });
      const slot: Slot = { worker, ready: false, jobs: new Map() };
      worker.unref();
      started.push(
        new Promise<boolean>((resolve) => {
          worker.on('message', (m: { ready?: boolean }) => m.ready && resolve(true));
          worker.once('error', () => resolve(false));
          worker.once('exit', () => resolve(false));
        }),
      );
      worker.on('message', ({ id, result, ready }: { id: number; result: PrepareResult | undefined; ready?: boolean }) => {
        if (ready) {
          slot.ready = true;
          return;
        }
        const job = slot.jobs.get(id);
        if (!job) return;
        slot.jobs.delete(id);
        if (!result) return job.reject(new Error('a batch worker could not prepare a batch'));
        job.resolve(result);
      });
      // Neither carries input: a worker error is about the worker, not a request's content.
      worker.on('error', () => drop(slot, new Error('a batch worker failed')));
      worker.on('exit', () => drop(slot, new Error('a batch worker exited')));
      slots.push(slot);
    }
  }

  return {
    async prepare(body) {
      const slot = closed ? undefined : slots.reduce<Slot | undefined>((best, s) => (!s.ready ? best : !best || s.jobs.size < best.jobs.size ? s : best), undefined);
      if (!slot) return prepareBatch(body);
      // Hand the bytes over (transfer, no copy) when the buffer owns its memory; otherwise (a small
      // buffer is a slice of Node's shared pool, which must never be transferred) copy them into
      // memory of their own first.
      let own: Uint8Array = body;
      if (body.byteOffset !== 0 || body.byteLength !== body.buffer.byteLength || body.byteLength < Buffer.poolSize) {
        own = new Uint8Array(body.length);
        own.set(body);
      }
      const id = nextId++;
      return new Promise<PrepareResult>((resolve, reject) => {
        slot.jobs.set(id, { resolve, reject });
        slot.worker.postMessage({ id, body: own }, [own.buffer as ArrayBuffer]);
      });
    },
    async whenReady() {
      return (await Promise.all(started)).every(Boolean) && slots.length > 0;
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
