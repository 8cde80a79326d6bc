import { describe, expect, it } from 'vitest';
import { simplifyPath } from './simplify.ts';

describe('simplifyPath (Ramer–Douglas–Peucker)', () => {
  it('keeps the ends, drops points near the line, keeps corners', () => {
    const line = Array.from({ length: 50 }, (_, i) => ({ x: i, y: i % 2 ? 0.4 : 0 }));
    expect(simplifyPath(line, 1)).toEqual([line[0], line[49]]);
    const corner = [{ x: 0, y: 0 }, { x: 5, y: 0.2 }, { x: 10, y: 0 }, { x: 10, y: 5 }, { x: 10, y: 10 }];
    expect(simplifyPath(corner, 1)).toEqual([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }]);
    expect(simplifyPath([{ x: 1, y: 1 }], 1)).toEqual([{ x: 1, y: 1 }]);
  });
});
