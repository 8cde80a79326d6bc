/**
 * Audit log: durable append rate (entries/s; each append resolves only after its group's COMMIT
 * with WAL + synchronous=FULL) and full verification rate (entries/s: every entry's hash
 * recomputed from its stored canonical bytes, the chain, the query columns and indexes against
 * the bytes, the Merkle tree and the stored checkpoints), against the floor measured in the same
 * run — one SHA-256 over each entry's leaf input (0x00 || canonical bytes, as stored), the least
 * work any verifier of these entries must do. The floor is measured as the bench always did
 * (node:crypto hash() with a Buffer digest) and, for reference, with a hex digest, which Node 20
 * returns about twice as fast for inputs of this size.
 */
import Database from 'better-sqlite3';
import { hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditInput, openAuditLog, verifyAuditDir } from '../packages/server/src/audit/index.ts';
import { progress } from './lib/progress.ts';

const ENTRIES = Number(process.env.BENCH_AUDIT_ENTRIES ?? 200_000);
/** Appends in flight at once (concurrent requests waiting on their entry). */
const CONCURRENCY = [16, 256, 1024];
const MAIN_CONCURRENCY = 256;

const input = (i: number): AuditInput => ({
  actor: `usr_${String(i % 97).padStart(20, '0')}`,
  actorRoles: ['subject'],
  action: i % 3 === 0 ? 'session.read' : 'session.list',
  resource: `Session::ses_${String(i).padStart(20, '0')}`,
  subject: `usr_${String(i % 89).padStart(20, '0')}`,
  decision: i % 11 === 0 ? 'deny' : 'allow',
  policies: ['subjects-read-and-delete-their-own-sessions'],
  kind: i % 2 === 0 ? 'decision' : 'content-access',
  detail: { route: 'GET /v1/sessions/:id', events: i % 500 },
});

/** CPU seconds of this process since `start` (the machine may be shared: wall time then overstates our cost). */
const cpuSeconds = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};

async function appendRate(dataDir: string, count: number, concurrency: number, onDone: (n: number) => void): Promise<{ seconds: number }> {
  const log = openAuditLog(dataDir, { checkpointEveryMs: 0 });
  try {
    let next = 0;
    const start = performance.now();
    const worker = async () => {
      while (next < count) {
        await log.append(input(next++));
        onDone(1);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { seconds: (performance.now() - start) / 1000 };
  } finally {
    await log.close();
  }
}

function sha256Floor(dataDir: string): { seconds: number; cpuSeconds: number; hexSeconds: number; hexCpuSeconds: number; entries: number; bytes: number } {
  const db = new Database(join(dataDir, 'audit.db'), { readonly: true });
  const inputs = db
    .prepare<[], { body: Buffer }>('SELECT body FROM entries ORDER BY seq')
    .all()
    .map((row) => Buffer.concat([Buffer.from([0x00]), row.body]));
  db.close();
  const bytes = inputs.reduce((n, b) => n + b.length, 0);
  const measure = (digest: 'buffer' | 'hex') => {
    let best = Infinity;
    let cpu = Infinity;
    for (let round = 0; round < 3; round++) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      for (const b of inputs) hash('sha256', b, digest);
      best = Math.min(best, (performance.now() - start) / 1000);
      cpu = Math.min(cpu, cpuSeconds(cpuStart));
    }
    return { best, cpu };
  };
  const buffer = measure('buffer');
  const hex = measure('hex');
  return { seconds: buffer.best, cpuSeconds: buffer.cpu, hexSeconds: hex.best, hexCpuSeconds: hex.cpu, entries: inputs.length, bytes };
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-bench-audit-'));
  const loadAtStart = loadavg()[0];
  try {
    // Warm up (JIT, SQLite) on a log that is not measured.
    await appendRate(join(dir, 'warm'), 5_000, MAIN_CONCURRENCY, () => {});

    const byConcurrency: Record<string, number> = {};
    for (const c of CONCURRENCY) {
      if (c === MAIN_CONCURRENCY) continue;
      const n = Math.min(ENTRIES, c * 200);
      const r = await appendRate(join(dir, `c${c}`), n, c, () => {});
      byConcurrency[String(c)] = Math.round(n / r.seconds);
    }
    const dataDir = join(dir, 'main');
    const bar = progress('audit appends', ENTRIES);
    const appendCpuStart = process.cpuUsage();
    const appended = await appendRate(dataDir, ENTRIES, MAIN_CONCURRENCY, (n) => bar.tick(n));
    bar.done();
    const appendCpu = cpuSeconds(appendCpuStart);
    const appendPerSecond = ENTRIES / appended.seconds;
    byConcurrency[String(MAIN_CONCURRENCY)] = Math.round(appendPerSecond);

    let verifySeconds = Infinity;
    let verifyCpu = Infinity;
    for (let round = 0; round < 3; round++) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const result = verifyAuditDir(dataDir);
      verifySeconds = Math.min(verifySeconds, (performance.now() - start) / 1000);
      verifyCpu = Math.min(verifyCpu, cpuSeconds(cpuStart));
      if (!result.ok || result.entries !== ENTRIES) throw new Error(`verification failed: ${JSON.stringify(result)}`);
    }
    const verifyPerSecond = ENTRIES / verifySeconds;
    const floor = sha256Floor(dataDir);
    const floorPerSecond = floor.entries / floor.seconds;
    const ratio = verifyPerSecond / floorPerSecond;
    const hexFloorPerSecond = floor.entries / floor.hexSeconds;
    const appendTarget = 20_000;
    return {
      name: 'audit',
      description: 'audit log: durable appends/s (group commit, WAL, synchronous=FULL) and full verification entries/s vs. one SHA-256 per entry over the same canonical bytes',
      params: { entries: ENTRIES, concurrency: MAIN_CONCURRENCY, meanEntryBytes: Math.round(floor.bytes / floor.entries), durability: 'WAL, synchronous=FULL; an append resolves after its COMMIT' },
      results: {
        appendPerSecond: Math.round(appendPerSecond),
        appendSeconds: appended.seconds,
        appendPerSecondByConcurrency: byConcurrency,
        verifyPerSecond: Math.round(verifyPerSecond),
        verifySeconds,
        // Per CPU second of this process: comparable across runs on a shared machine.
        appendPerCpuSecond: Math.round(ENTRIES / appendCpu),
        verifyPerCpuSecond: Math.round(ENTRIES / verifyCpu),
        cpuRatio: ENTRIES / verifyCpu / (floor.entries / floor.cpuSeconds),
        loadAverage: loadavg()[0],
        loadAverageAtStart: loadAtStart,
        // Against the faster hex-digest floor (stricter than the target's floor).
        ratioVsHexDigestFloor: verifyPerSecond / hexFloorPerSecond,
        cpuRatioVsHexDigestFloor: ENTRIES / verifyCpu / (floor.entries / floor.hexCpuSeconds),
      },
      anchor: {
        name: 'SHA-256 (node:crypto hash, Buffer digest) of each entry’s leaf input (0x00 || canonical bytes as stored), in memory',
        entriesPerSecond: Math.round(floorPerSecond),
        entriesPerCpuSecond: Math.round(floor.entries / floor.cpuSeconds),
        seconds: floor.seconds,
        MBps: floor.bytes / floor.seconds / 1e6,
        hexDigestEntriesPerSecond: Math.round(hexFloorPerSecond),
        hexDigestEntriesPerCpuSecond: Math.round(floor.entries / floor.hexCpuSeconds),
      },
      ratio,
      target: { appendPerSecondAtLeast: appendTarget, ratioAtLeast: 0.25 },
      pass: appendPerSecond >= appendTarget && ratio >= 0.25,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
