import { describe, expect, it } from 'vitest';
import { Throttle } from './throttle.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Throttle', () => {
  it('fires on the leading edge, then once per window with the latest timestamp', async () => {
    const fired: [string, number][] = [];
    const t = new Throttle<string>(40, (k, pt) => fired.push([k, pt]));
    t.hit('a', 1);
    t.hit('a', 2);
    t.hit('a', 3);
    expect(fired).toEqual([['a', 1]]);
    await sleep(60);
    expect(fired).toEqual([['a', 1], ['a', 3]]);
  });

  it('keeps separate windows per key', () => {
    const fired: string[] = [];
    const t = new Throttle<string>(1000, (k) => fired.push(k));
    t.hit('a', 0);
    t.hit('b', 0);
    t.hit('a', 0);
    expect(fired).toEqual(['a', 'b']);
    t.cancel();
  });

  it('flush fires pending trailing calls now; cancel drops them', async () => {
    const fired: number[] = [];
    const t = new Throttle<number>(1000, (_k, pt) => fired.push(pt));
    t.hit(0, 1);
    t.hit(0, 2);
    t.flush();
    expect(fired).toEqual([1, 2]);
    t.hit(0, 3);
    t.cancel();
    await sleep(20);
    expect(fired).toEqual([1, 2]);
  });

  it('a zero window fires every hit', () => {
    let n = 0;
    const t = new Throttle<number>(0, () => n++);
    for (let i = 0; i < 10; i++) t.hit(0, i);
    expect(n).toBe(10);
  });

  it('bounds the events of a long burst', async () => {
    let n = 0;
    const t = new Throttle<number>(20, () => n++);
    const start = performance.now();
    for (let i = 0; i < 50; i++) {
      t.hit(0, 0);
      await sleep(2);
    }
    await sleep(30);
    const elapsed = performance.now() - start;
    expect(n).toBeLessThanOrEqual(Math.ceil(elapsed / 20) + 1);
    expect(n).toBeGreaterThanOrEqual(2); // the leading call and the trailing one at least
  });
});
