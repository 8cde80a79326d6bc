import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, pageOptions } from './options.ts';

describe('pageOptions', () => {
  it('fills defaults', () => {
    expect(pageOptions()).toEqual(DEFAULT_OPTIONS);
    expect(pageOptions(null)).toEqual(DEFAULT_OPTIONS);
  });

  it('keeps only known in-page keys, clamped', () => {
    const o = pageOptions({ mouseMoveSampleMs: -5, scrollThrottleMs: 20, flushIntervalMs: 1, badge: true, onEvents: () => {} } as never);
    expect(o).toEqual({ ...DEFAULT_OPTIONS, mouseMoveSampleMs: 0, scrollThrottleMs: 20, flushIntervalMs: 10, badge: true });
    expect('onEvents' in o).toBe(false);
  });

  it('ignores values of the wrong type', () => {
    expect(pageOptions({ flushAtEvents: Number.NaN, pauseShortcut: 'no' } as never)).toEqual(DEFAULT_OPTIONS);
  });
});
