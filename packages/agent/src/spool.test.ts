import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { CaptureEvent } from '@lockstep/schema';
import { findPlaintext } from '@lockstep/server';
import { SPOOL_RESERVE_BYTES, Spool, SpoolDuplicateError, SpoolInUseError, SpoolKeyError, type QuarantinedBatch } from './spool.ts';

const dirs: string[] = [];
const spools: Spool[] = [];
afterEach(() => {
  for (const s of spools.splice(0)) s.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-spool-'));
  dirs.push(dir);
  return dir;
}

function open(path: string, opts: Partial<Parameters<typeof Spool.open>[1]> = {}): Spool {
  const spool = Spool.open(path, { key: KEY, maxBytes: 1 << 30, ...opts });
  spools.push(spool);
  return spool;
}

function closeAll(): void {
  for (const s of spools.splice(0)) s.close();
}

const KEY = randomBytes(32);
const SESSION_A = 'ses_spooltestaaaaaaaaaaaa';
const SESSION_B = 'ses_spooltestbbbbbbbbbbbb';
const target = { tag: 'input', role: 'textbox', name: 'Note', selector: '#note' };

/** Pointer moves and clicks, and (with `text`) one typed value. */
function events(from: number, n: number, text?: string): CaptureEvent[] {
  const out: CaptureEvent[] = [];
  for (let i = from; i < from + n; i++) {
    if (text !== undefined && i === from) out.push({ seq: i, t: i * 10, type: 'input', value: text, inputType: 'insertText', target });
    else out.push({ seq: i, t: i * 10, type: 'pointer', kind: i % 5 === 0 ? 'click' : 'move', x: 100 + i, y: 200 + (i % 7) });
  }
  return out;
}

/** Runs SQL on a closed spool file, as damage from outside would. */
function tamper(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

const fileBytes = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

describe('Spool', () => {
  it('keeps batches across reopening, hands them out oldest first, decrypted, and forgets them once acked', () => {
    const dir = tempDir();
    const path = join(dir, 'spool.db');
    let now = 1_000;
    const spool = open(path, { clock: () => now });
    expect(spool.stats()).toEqual({ batches: 0, bytes: 0, maxBytes: 1 << 30, oldestAt: null, quarantined: 0 });
    expect(spool.append({ session: SESSION_A, seq: 0, events: events(0, 5) })).toBe('stored');
    now = 2_000;
    expect(spool.append({ session: SESSION_B, seq: 0, events: events(0, 3) })).toBe('stored');
    expect(spool.append({ session: SESSION_A, seq: 1, events: events(5, 5) })).toBe('stored');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    closeAll();

    const again = open(path);
    const pending = again.pending(10);
    expect(pending.map((b) => [b.session, b.seq, b.events.length])).toEqual([
      [SESSION_A, 0, 5],
      [SESSION_B, 0, 3],
      [SESSION_A, 1, 5],
    ]);
    expect(pending[2]!.events).toEqual(events(5, 5));
    expect(again.pending(2).map((b) => b.id)).toEqual(pending.slice(0, 2).map((b) => b.id));
    const stats = again.stats();
    expect(stats).toMatchObject({ batches: 3, oldestAt: 1_000, quarantined: 0 });
    // Size = ciphertext: the JSON of the events plus the 16-byte GCM tag, per row.
    const json = [events(0, 5), events(0, 3), events(5, 5)].reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0);
    expect(stats.bytes).toBe(json + 3 * 16);

    again.ack(pending[0]!.id);
    again.ack(pending[0]!.id); // twice: no effect
    expect(again.pending(10).map((b) => b.id)).toEqual([pending[1]!.id, pending[2]!.id]);
    expect(again.stats()).toMatchObject({ batches: 2, oldestAt: 2_000, bytes: json + 3 * 16 - Buffer.byteLength(JSON.stringify(events(0, 5))) - 16 });
    again.ack(pending[1]!.id);
    again.ack(pending[2]!.id);
    expect(again.stats()).toMatchObject({ batches: 0, bytes: 0, oldestAt: null });
  });

  it('refuses a second (session, seq) and bad input with clear errors, storing nothing', () => {
    const spool = open(join(tempDir(), 'spool.db'));
    spool.append({ session: SESSION_A, seq: 0, events: events(0, 2) });
    const before = spool.stats();
    expect(() => spool.append({ session: SESSION_A, seq: 0, events: events(9, 2) })).toThrow(SpoolDuplicateError);
    expect(() => spool.append({ session: SESSION_A, seq: -1, events: events(0, 1) })).toThrow(/seq must be a non-negative integer/);
    expect(() => spool.append({ session: SESSION_A, seq: 1.5, events: events(0, 1) })).toThrow(/seq must be a non-negative integer/);
    expect(() => spool.append({ session: '', seq: 1, events: events(0, 1) })).toThrow(/session must be a non-empty string/);
    expect(() => spool.append({ session: SESSION_A, seq: 1, events: [] })).toThrow(/events must be a non-empty array/);
    expect(spool.stats()).toEqual(before);
    expect(spool.pending(10)[0]!.events).toEqual(events(0, 2));
  });

  it("answers 'full' at maxBytes without storing, but lets a reserved gap marker in, up to the fixed reserve", () => {
    const path = join(tempDir(), 'spool.db');
    const one = Buffer.byteLength(JSON.stringify(events(0, 40))) + 16;
    const spool = open(path, { maxBytes: one * 3 });
    for (let seq = 0; seq < 3; seq++) expect(spool.append({ session: SESSION_A, seq, events: events(0, 40) })).toBe('stored');
    expect(spool.stats().bytes).toBe(one * 3);
    expect(spool.append({ session: SESSION_A, seq: 3, events: events(0, 40) })).toBe('full');
    expect(spool.stats()).toMatchObject({ batches: 3, bytes: one * 3 });

    const gap: CaptureEvent = { seq: 120, t: 1200, type: 'marker', kind: 'gap', reason: 'spool-full' };
    expect(spool.append({ session: SESSION_A, seq: 3, events: [gap] }, { reserve: true })).toBe('stored');
    expect(spool.stats().bytes).toBeGreaterThan(one * 3);
    // The reserve is small and fixed: a big batch does not get in with it.
    const big: CaptureEvent[] = [{ seq: 121, t: 1210, type: 'input', value: 'x'.repeat(SPOOL_RESERVE_BYTES), target }];
    expect(spool.append({ session: SESSION_A, seq: 4, events: big }, { reserve: true })).toBe('full');
    expect(spool.pending(10).map((b) => b.seq)).toEqual([0, 1, 2, 3]);

    // Acks make room again.
    spool.ack(spool.pending(1)[0]!.id);
    closeAll();
    const again = open(path, { maxBytes: one * 3 });
    expect(again.stats().bytes).toBe(one * 2 + Buffer.byteLength(JSON.stringify([gap])) + 16);
    expect(again.append({ session: SESSION_A, seq: 4, events: events(122, 2) })).toBe('stored');
  });

  it("answers 'full' when the disk is full, storing nothing", () => {
    const spool = open(join(tempDir(), 'spool.db'));
    spool.append({ session: SESSION_A, seq: 0, events: events(0, 10) });
    const before = spool.stats();
    // SQLite's page limit fails writes exactly as a full file system does (SQLITE_FULL).
    const db = (spool as unknown as { db: Database.Database }).db;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    expect(spool.append({ session: SESSION_A, seq: 1, events: [{ seq: 10, t: 1, type: 'input', value: 'y'.repeat(100_000), target }] })).toBe('full');
    expect(spool.stats()).toEqual(before);
    expect(spool.pending(10).map((b) => b.seq)).toEqual([0]);
  });

  it('writes no event content to disk: the database and its WAL hold ciphertext only', () => {
    const dir = tempDir();
    const path = join(dir, 'spool.db');
    const marker = 'Plaintext marker: quarterly forecast for Northwind';
    const spool = open(path);
    for (let seq = 0; seq < 50; seq++) spool.append({ session: SESSION_A, seq, events: events(seq * 4, 4, `${marker} ${seq}`) });
    spool.append({ session: SESSION_B, seq: 0, events: [{ seq: 0, t: 0, type: 'key', kind: 'down', key: 'Q', char: marker, mods: { alt: false, ctrl: false, meta: false, shift: true } }] });
    // While open, the batches are in the WAL (no -shm file: exclusive locking keeps the index in memory).
    expect(readdirSync(dir).sort()).toEqual(['spool.db', 'spool.db-wal']);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(50 * marker.length);
    expect(findPlaintext(dir, [marker, 'Northwind'])).toEqual([]);
    spool.ack(spool.pending(1)[0]!.id);
    closeAll();
    expect(findPlaintext(dir, [marker, 'Northwind'])).toEqual([]);
    // The scan does find the marker when it is there in any of its forms.
    writeFileSync(join(dir, 'control'), `prefix ${Buffer.from(`xx${marker}`).toString('base64')}`);
    expect(findPlaintext(dir, [marker]).map((h) => h.file)).toEqual([join(dir, 'control')]);
  });

  it('quarantines a damaged row (kept, reported, skipped) and hands out the rest', () => {
    const path = join(tempDir(), 'spool.db');
    const first = open(path);
    for (let seq = 0; seq < 4; seq++) first.append({ session: SESSION_A, seq, events: events(seq * 3, 3) });
    closeAll();
    // Flip one byte in the middle of batch 1's ciphertext.
    tamper(path, "UPDATE batches SET events = CAST(substr(events, 1, 10) || x'ff' || substr(events, 12) AS BLOB) WHERE seq = 1");

    const reported: QuarantinedBatch[] = [];
    const spool = open(path, { onQuarantine: (q) => reported.push(q) });
    expect(spool.pending(2).map((b) => b.seq)).toEqual([0, 2]);
    expect(reported).toMatchObject([{ session: SESSION_A, seq: 1, reason: expect.stringMatching(/does not decrypt/) }]);
    expect(spool.stats()).toMatchObject({ batches: 3, quarantined: 1 });
    expect(spool.pending(10).map((b) => b.seq)).toEqual([0, 2, 3]);
    expect(reported).toHaveLength(1);
    closeAll();

    // Still there after reopening, still skipped; removed only when asked.
    const again = open(path);
    const [held] = again.quarantined();
    expect(held).toMatchObject({ session: SESSION_A, seq: 1 });
    expect(again.pending(10).map((b) => b.seq)).toEqual([0, 2, 3]);
    again.ack(held!.id);
    expect(again.stats()).toMatchObject({ batches: 3, quarantined: 0 });
  });

  it('binds each row to its (session, seq): rows swapped on disk do not decrypt', () => {
    const path = join(tempDir(), 'spool.db');
    const first = open(path);
    first.append({ session: SESSION_A, seq: 0, events: events(0, 3) });
    first.append({ session: SESSION_A, seq: 1, events: events(3, 3) });
    first.append({ session: SESSION_A, seq: 2, events: events(6, 3) });
    closeAll();
    tamper(path, 'UPDATE batches SET seq = CASE seq WHEN 0 THEN 10 WHEN 1 THEN 0 ELSE seq END WHERE seq IN (0, 1)');
    tamper(path, 'UPDATE batches SET seq = 1 WHERE seq = 10');
    const spool = open(path);
    expect(spool.pending(10).map((b) => b.seq)).toEqual([2]);
    expect(spool.quarantined().map((q) => q.seq).sort()).toEqual([0, 1]);
  });

  it('refuses to open under another key, changing nothing', () => {
    const path = join(tempDir(), 'spool.db');
    open(path).append({ session: SESSION_A, seq: 0, events: events(0, 3) });
    closeAll();
    expect(() => open(path, { key: randomBytes(32) })).toThrow(SpoolKeyError);
    expect(() => open(path, { key: randomBytes(32) })).toThrow(/another device key.*Nothing was changed/);
    const spool = open(path);
    expect(spool.stats()).toMatchObject({ batches: 1, quarantined: 0 });
    expect(spool.pending(1)[0]!.events).toEqual(events(0, 3));
  });

  it('refuses a file that is not a spool, changing nothing', () => {
    const path = join(tempDir(), 'spool.db');
    const junk = Buffer.from('this is not a database file, it is a text file of some length. '.repeat(100));
    writeFileSync(path, junk);
    expect(() => open(path)).toThrow(/spool .* is damaged .*nothing was changed. Move it aside/);
    expect(readFileSync(path).equals(junk)).toBe(true);
  });

  it('cannot be opened twice at once', () => {
    const path = join(tempDir(), 'spool.db');
    open(path).append({ session: SESSION_A, seq: 0, events: events(0, 1) });
    expect(() => Spool.open(path, { key: KEY, maxBytes: 1000 })).toThrow(SpoolInUseError);
  });

  it('gives the space of acked batches back: the files do not grow over fill-and-drain rounds or a long steady queue', { timeout: 30_000 }, () => {
    const dir = tempDir();
    const spool = open(join(dir, 'spool.db'));
    const perBatch = events(0, 60, 'some typed words '.repeat(20)); // ≈ 4 KiB of JSON
    const sizes: number[] = [];
    let seq = 0;
    let peak = 0;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 400; i++) spool.append({ session: SESSION_A, seq: seq++, events: perBatch });
      peak = Math.max(peak, fileBytes(dir));
      for (const b of spool.pending(400)) spool.ack(b.id);
      sizes.push(fileBytes(dir));
    }
    const held = 400 * (Buffer.byteLength(JSON.stringify(perBatch)) + 16);
    console.log(`[spool] ${(held / 1048576).toFixed(1)} MiB of batches per round; files at peak ${(peak / 1048576).toFixed(1)} MiB; after each drain: ${sizes.map((s) => `${(s / 1024).toFixed(0)} KiB`).join(', ')}`);
    expect(peak).toBeLessThan(held * 1.5 + 5 * 1048576);
    // Drained: back to a few pages, every round.
    for (const size of sizes) expect(size).toBeLessThan(256 * 1024);

    // Never drained: a queue of 50 batches that moves on by one, 1500 times.
    for (let i = 0; i < 50; i++) spool.append({ session: SESSION_A, seq: seq++, events: perBatch });
    let steady = 0;
    for (let i = 0; i < 1500; i++) {
      spool.append({ session: SESSION_A, seq: seq++, events: perBatch });
      spool.ack(spool.pending(1)[0]!.id);
      if (i % 100 === 99) steady = Math.max(steady, fileBytes(dir));
    }
    const queued = 50 * (Buffer.byteLength(JSON.stringify(perBatch)) + 16);
    console.log(`[spool] a queue of ${(queued / 1024).toFixed(0)} KiB moved on 1500 times (${((1500 * queued) / 50 / 1048576).toFixed(1)} MiB through it): files at most ${(steady / 1048576).toFixed(1)} MiB`);
    expect(steady).toBeLessThan(queued + 6 * 1048576);
  });

  it('appends durably in a few milliseconds (figures printed)', () => {
    const dir = tempDir();
    const spool = open(join(dir, 'spool.db'));
    const batch = events(0, 200, 'a sentence typed in the editor');
    const times: number[] = [];
    for (let seq = 0; seq < 200; seq++) {
      const start = process.hrtime.bigint();
      spool.append({ session: SESSION_A, seq, events: batch });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    const p50 = times[100]!;
    const p99 = times[197]!;
    const stats = spool.stats();
    const json = Buffer.byteLength(JSON.stringify(batch));
    closeAll();
    console.log(
      `[spool] append of a 200-event batch (${(json / 1024).toFixed(1)} KiB JSON), synchronous=FULL: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; ` +
        `${(stats.bytes / (200 * 200)).toFixed(1)} ciphertext bytes per event, ${(fileBytes(dir) / (200 * 200)).toFixed(1)} file bytes per event`,
    );
    expect(stats.bytes).toBe(200 * (json + 16));
    expect(p50).toBeLessThan(50);
  });
});
