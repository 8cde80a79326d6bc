import { describe, expect, it } from 'vitest';
import { gitlab } from './gitlab.ts';
import { matched } from './testing.ts';

describe('gitlab', () => {
  it('finds personal, trigger, deploy, runner tokens', () => {
    expect(matched(gitlab, 'export GITLAB_TOKEN=glpat-Xk3mP9qLz7Wv2Rt8YbNc')).toEqual(['glpat-Xk3mP9qLz7Wv2Rt8YbNc']);
    expect(matched(gitlab, 'gldt-SOqiEWixGQpCIwrgIGpa glrt-AbCdEfGhIjKlMnOpQrSt')).toEqual(['gldt-SOqiEWixGQpCIwrgIGpa', 'glrt-AbCdEfGhIjKlMnOpQrSt']);
    expect(matched(gitlab, 'GR1348941AbCdEfGhIjKlMnOpQrSt')).toEqual(['GR1348941AbCdEfGhIjKlMnOpQrSt']);
  });
  it('ignores short or glued look-alikes', () => {
    expect(matched(gitlab, 'glpat-short xglpat-Xk3mP9qLz7Wv2Rt8YbNc')).toEqual([]);
  });
});
