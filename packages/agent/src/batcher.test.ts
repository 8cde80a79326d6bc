import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import { SpoolBatcher } from './batcher.ts';
import { Spool } from './spool.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function spoolOf(maxBytes: number): Spool {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-batcher-'));
  dirs.push(dir);
  return Spool.open(join(dir, 'spool.db'), { key: randomBytes(32), maxBytes });
}

const scroll = (seq: number, t: number): CaptureEvent => ({ seq, t, type: 'scroll', scrollX: 0, scrollY: seq });

describe('SpoolBatcher', () => {
  it('writes numbered batches when they fill and on flush', () => {
    const spool = spoolOf(1 << 20);
    let written = 0;
    const b = new SpoolBatcher({ spool, session: 'ses_a', batchEvents: 3, written: () => written++, full: () => {}, room: () => {} });
    b.take([0, 1, 2, 3].map((i) => scroll(i, i * 10)));
    expect(spool.pending(10).map((r) => [r.seq, r.events.length])).toEqual([[0, 3]]);
    b.flush();
    expect(spool.pending(10).map((r) => [r.seq, r.events.map((e) => e.seq)])).toEqual([
      [0, [0, 1, 2]],
      [1, [3]],
    ]);
    expect(written).toBe(2);
    spool.close();
  });

  it('stops capture when the spool is full, keeps the gap marker from the first lost event, and resumes when there is room', () => {
    const spool = spoolOf(600);
    const calls: string[] = [];
    const b: SpoolBatcher = new SpoolBatcher({
      spool,
      session: 'ses_b',
      batchEvents: 4,
      written: () => calls.push('written'),
      // As the recorder does on stop('spool-full'): it emits the gap marker (its own time) at once.
      full: () => {
        calls.push('full');
        b.take([{ seq: 99, t: 5000, type: 'marker', kind: 'gap', reason: 'spool-full' }]);
      },
      room: () => calls.push('room'),
    });
    let seq = 0;
    while (!b.full && seq < 200) {
      b.take([scroll(seq, seq * 100)]);
      seq++;
      b.flush();
    }
    expect(b.full).toBe(true);
    const rows = spool.pending(100);
    const gap = rows.at(-1)!.events[0]!;
    const kept = rows.slice(0, -1).flatMap((r) => r.events);
    // The gap starts at the first event that did not fit, right after the last one kept.
    expect(gap).toMatchObject({ type: 'marker', kind: 'gap', t: (kept.at(-1)!.seq + 1) * 100 });
    // While full, events are not kept.
    b.take([scroll(500, 60_000)]);
    b.flush();
    expect(spool.pending(100)).toHaveLength(rows.length);
    // Uploads make room: capture resumes.
    for (const r of rows) spool.ack(r.id);
    b.checkRoom();
    expect(calls.filter((c) => c !== 'written')).toEqual(['full', 'room']);
    expect(b.full).toBe(false);
    spool.close();
  });
});
