import { describe, expect, it } from 'vitest';
import { makeBatch } from '@lockstep/schema';
import { unpackEvents } from '../crypto/chunk.ts';
import { prepareBatch } from './prepare.ts';
import { createPreparePool } from './prepare-pool.ts';

const device = `dev_${'a'.repeat(22)}`;
const session = `ses_${'b'.repeat(22)}`;
const events = [
  { seq: 0, t: 1, type: 'marker' as const, kind: 'start' as const },
  { seq: 1, t: 2, type: 'navigation' as const, kind: 'load' as const, url: 'https://a.example/x?q=1', title: 'héllo' },
];
const body = (x: unknown) => Buffer.from(JSON.stringify(x), 'utf8');

describe('prepareBatch', () => {
  it('compresses exactly the events as received, with their stats', () => {
    const result = prepareBatch(body(makeBatch(device, session, 3, events)));
    if (!result.ok) throw new Error(result.message);
    expect(result.batch).toMatchObject({ device, session, seq: 3, eventCount: 2 });
    expect(unpackEvents(result.packed)).toBe(JSON.stringify(events));
    expect(result.rawBytes).toBe(Buffer.byteLength(JSON.stringify(events)));
    expect(result.stats).toMatchObject({ firstT: 1, lastT: 2, eventCount: 2, origins: ['https://a.example'] });
    expect(result.desktop).toEqual({ apps: [], frame: null });
  });

  it("summarises a desktop batch's apps and screenshots for the program's check", () => {
    const box = { x: 0, y: 0, w: 10, h: 10 };
    const desktop = [
      { seq: 0, t: 0, type: 'window' as const, app: 'XTerm', title: 't', bounds: box },
      { seq: 1, t: 1, type: 'frame' as const, format: 'png' as const, width: 1, height: 1, box, data: 'iVBORw0KGgo=' },
      { seq: 2, t: 2, type: 'window' as const, app: 'code', title: 't', bounds: box },
    ];
    const result = prepareBatch(body(makeBatch(device, session, 0, desktop)));
    if (!result.ok) throw new Error(result.message);
    expect(result.desktop).toEqual({ apps: [{ app: 'xterm', index: 0 }, { app: 'code', index: 2 }], frame: 1 });
  });

  it('reports invalid JSON, then a wrong checksum, then the first invalid field', () => {
    expect(prepareBatch(Buffer.alloc(0))).toMatchObject({ ok: false, error: 'invalid_json' });
    expect(prepareBatch(Buffer.from('{"events": ['))).toMatchObject({ ok: false, error: 'invalid_json' });
    expect(prepareBatch(Buffer.from('{"__proto__": {}}'))).toMatchObject({ ok: false, error: 'invalid_json' });
    const bad = { ...makeBatch(device, session, 0, events), seq: -1 };
    expect(prepareBatch(body({ ...bad, checksum: 'f'.repeat(64) }))).toMatchObject({ ok: false, error: 'checksum_mismatch', field: 'checksum' });
    expect(prepareBatch(body(bad))).toMatchObject({ ok: false, kind: 'invalid', field: 'seq' });
    const badEvent = [events[0], { ...events[1], url: 5 }];
    expect(prepareBatch(body(makeBatch(device, session, 0, badEvent as never)))).toMatchObject({ ok: false, kind: 'invalid', field: 'events[1].url' });
  });
});

describe('prepare pool', () => {
  it('gives the same answers on a worker thread as on this one', async () => {
    const pool = createPreparePool(1);
    try {
      expect(await pool.whenReady()).toBe(true);
      const good = body(makeBatch(device, session, 1, events));
      const inline = prepareBatch(Buffer.from(good));
      const viaWorker = await pool.prepare(Buffer.from(good));
      expect({ ...viaWorker, packed: null }).toEqual({ ...inline, packed: null });
      if (!viaWorker.ok) throw new Error(viaWorker.message);
      expect(unpackEvents(viaWorker.packed)).toBe(JSON.stringify(events));
      // A small buffer lives in Node's shared pool: it is copied, never transferred (which would detach the pool).
      const neighbour = Buffer.from('neighbour');
      const small = Buffer.from('{"v":1');
      expect(await pool.prepare(small)).toMatchObject({ ok: false, error: 'invalid_json' });
      expect(small.toString()).toBe('{"v":1');
      expect(neighbour.toString()).toBe('neighbour');
    } finally {
      await pool.close();
    }
  });
});
