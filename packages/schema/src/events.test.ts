import { describe, expect, it } from 'vitest';
import { BatchEnvelope, CaptureEvent, batchChecksum, describeIssue, makeBatch, newId } from './index.ts';

const rnd = (b: Uint8Array) => {
  for (let i = 0; i < b.length; i++) b[i] = (i * 37 + 11) & 0xff;
  return b;
};
const target = { tag: 'input', role: 'textbox', name: 'User name', id: 'user', selector: '#user', box: { x: 1, y: 2, w: 100, h: 20 } };

describe('CaptureEvent', () => {
  it('accepts every event kind', () => {
    const mods = { alt: false, ctrl: false, meta: false, shift: true };
    const events: unknown[] = [
      { seq: 0, t: 0, type: 'marker', kind: 'start' },
      { seq: 1, t: 1, type: 'viewport', width: 1280, height: 720, dpr: 1, scrollX: 0, scrollY: 0 },
      { seq: 2, t: 2, type: 'navigation', kind: 'load', url: 'http://127.0.0.1/', title: 'App' },
      { seq: 3, t: 3, type: 'pointer', kind: 'click', x: 10, y: 20, button: 0, buttons: 0, target },
      { seq: 4, t: 4, type: 'wheel', x: 10, y: 20, dx: 0, dy: 120, mode: 0 },
      { seq: 5, t: 5, type: 'scroll', scrollX: 0, scrollY: 120 },
      { seq: 6, t: 6, type: 'key', kind: 'down', key: 'A', code: 'KeyA', char: 'A', mods, target },
      { seq: 7, t: 7, type: 'input', value: 'A', inputType: 'insertText', target },
      { seq: 8, t: 8, type: 'focus', kind: 'blur', target },
      { seq: 9, t: 9, type: 'pointer', kind: 'dragstart', x: 1, y: 1 },
      { seq: 10, t: 10, type: 'window', app: 'xterm', title: 'bash', bounds: { x: 0, y: 0, w: 640, h: 480 } },
      { seq: 11, t: 11, type: 'window', app: 'xterm', title: '[sudo] password for ann:', bounds: { x: 0, y: 0, w: 640, h: 480 }, credential: true },
      { seq: 12, t: 12, type: 'frame', format: 'jpeg', width: 320, height: 240, box: { x: 0, y: 0, w: 640, h: 480 }, data: '/9j/4AAQSkZJRg==' },
      { seq: 13, t: 13, type: 'marker', kind: 'away' },
      { seq: 14, t: 14, type: 'marker', kind: 'gap', reason: 'spool-full' },
    ];
    for (const e of events) expect(CaptureEvent.safeParse(e).success, JSON.stringify(e)).toBe(true);
  });

  it('refuses a window event that names a process or host, and a frame that is not base64', () => {
    const bounds = { x: 0, y: 0, w: 640, h: 480 };
    const r = CaptureEvent.safeParse({ seq: 0, t: 0, type: 'window', app: 'xterm', title: 'bash', bounds, pid: 4242 });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssue(r.error).field).toBe('pid');
    const f = CaptureEvent.safeParse({ seq: 0, t: 0, type: 'frame', format: 'png', width: 1, height: 1, box: bounds, data: 'not base64!' });
    expect(f.success).toBe(false);
    if (!f.success) expect(describeIssue(f.error)).toEqual({ field: 'data', message: 'must be base64' });
  });

  it('rejects unknown fields and names them', () => {
    const r = CaptureEvent.safeParse({ seq: 0, t: 0, type: 'marker', kind: 'start', hostname: 'laptop-7' });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssue(r.error).field).toBe('hostname');
  });
});

describe('BatchEnvelope', () => {
  const device = newId('dev', rnd);
  const session = newId('ses', rnd);

  it('round-trips a batch made by makeBatch', () => {
    const batch = makeBatch(device, session, 0, [{ seq: 0, t: 0, type: 'marker', kind: 'start' }]);
    expect(BatchEnvelope.parse(batch)).toEqual(batch);
    expect(batch.checksum).toBe(batchChecksum(batch.events));
  });

  it('names the deepest bad field of a malformed event', () => {
    const bad = makeBatch(device, session, 1, [{ seq: 0, t: 0, type: 'pointer', kind: 'click', x: 1, y: 2, target: { ...target, selector: 5 } } as never]);
    const r = BatchEnvelope.safeParse(bad);
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssue(r.error).field).toBe('events[0].target.selector');
  });

  it('rejects ids of the wrong kind', () => {
    const r = BatchEnvelope.safeParse(makeBatch(session, session, 0, [{ seq: 0, t: 0, type: 'marker', kind: 'stop' }]));
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssue(r.error).field).toBe('device');
  });
});
