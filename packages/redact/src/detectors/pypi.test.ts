import { describe, expect, it } from 'vitest';
import { pypi } from './pypi.ts';
import { matched } from './testing.ts';

describe('pypi', () => {
  it('finds API tokens', () => {
    const t = `pypi-AgEIcHlwaS5vcmc${'Ab1_Cd2-'.repeat(8)}`;
    expect(matched(pypi, `TWINE_PASSWORD=${t}`)).toEqual([t]);
  });
  it('ignores package names', () => expect(matched(pypi, 'pypi-simple pypi-AgE')).toEqual([]));
});
