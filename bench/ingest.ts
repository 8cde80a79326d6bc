/**
 * Ingest throughput: events per second through HTTP into encrypted storage (one `lockstep up`
 * process), against the floor measured in the same run — the same batch bytes encrypted with
 * AES-256-GCM and inserted with better-sqlite3 directly, one durable transaction per batch, with
 * the server's own SQLite settings (WAL, synchronous=FULL).
 */
import Database from 'better-sqlite3';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBatch, newId } from '@lockstep/schema';
import { spawnServer } from '../packages/cli/src/testing/spawn.ts';
import { provision } from '../packages/cli/src/provision.ts';
import { batches, mixedEvents } from './lib/events.ts';
import { progress } from './lib/progress.ts';

const EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 200_000);
const BATCH = 500;
const CONCURRENCY = 4;
const rand = (b: Uint8Array) => new Uint8Array(randomBytes(b.length));

function floor(bodies: string[]): { seconds: number } {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-floor-'));
  try {
    const db = new Database(join(dir, 'floor.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE chunks (session TEXT NOT NULL, seq INTEGER NOT NULL, nonce BLOB NOT NULL, ct BLOB NOT NULL, PRIMARY KEY (session, seq))');
    const insert = db.prepare('INSERT INTO chunks (session, seq, nonce, ct) VALUES (?, ?, ?, ?)');
    const key = randomBytes(32);
    const tx = db.transaction((seq: number, body: string) => {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const ct = Buffer.concat([cipher.update(body, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      insert.run('ses_floor', seq, nonce, ct);
    });
    const start = performance.now();
    bodies.forEach((body, seq) => tx(seq, body));
    const seconds = (performance.now() - start) / 1000;
    db.close();
    return { seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function throughServer(bodies: string[], url: string, token: string, onDone: () => void): Promise<{ seconds: number }> {
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await fetch(`${url}/v1/batches`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      if (res.status !== 201) throw new Error(`batch rejected: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      onDone();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { seconds: (performance.now() - start) / 1000 };
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-bench-ingest-'));
  const server = await spawnServer(dir, ['--log-level', 'warn']);
  try {
    const { device } = await provision(server.url, server.bootstrapCode);
    const session = newId('ses', rand);
    const groups = batches(mixedEvents(EVENTS, 7), BATCH);
    const envelopes = groups.map((events, seq) => makeBatch(device.id, session, seq, events));
    const bodies = envelopes.map((b) => JSON.stringify(b));
    const eventBodies = groups.map((events) => JSON.stringify(events));
    const bytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);

    // warm both paths a little (JIT, SQLite page cache), on data that is not measured
    floor(eventBodies.slice(0, 10));
    const warmSession = newId('ses', rand);
    await throughServer(groups.slice(0, 10).map((e, i) => JSON.stringify(makeBatch(device.id, warmSession, i, e))), server.url, device.token, () => {});

    const f = floor(eventBodies);
    const bar = progress('ingest over HTTP', bodies.length);
    const s = await throughServer(bodies, server.url, device.token, () => bar.tick());
    bar.done();
    const serverRate = EVENTS / s.seconds;
    const floorRate = EVENTS / f.seconds;
    return {
      name: 'ingest',
      description: 'events/s through HTTP into encrypted storage (one server process) vs. AES-256-GCM + better-sqlite3 direct insert of the same bytes',
      params: { events: EVENTS, batchEvents: BATCH, batches: bodies.length, concurrency: CONCURRENCY, requestBytes: bytes, durability: 'WAL, synchronous=FULL, one transaction per batch' },
      results: { serverEventsPerSecond: Math.round(serverRate), serverSeconds: s.seconds, serverMBps: bytes / s.seconds / 1e6 },
      anchor: { name: 'AES-256-GCM + better-sqlite3, no HTTP', eventsPerSecond: Math.round(floorRate), seconds: f.seconds },
      ratio: serverRate / floorRate,
      target: { ratioAtLeast: 0.5 },
      pass: serverRate / floorRate >= 0.5,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
