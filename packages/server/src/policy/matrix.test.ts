import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readPolicySources } from './authorize.ts';
import { renderMatrix } from './matrix.ts';

const FILE = fileURLToPath(new URL('../../../../docs/authorization-matrix.md', import.meta.url));

describe('docs/authorization-matrix.md', () => {
  it('is what the policies decide (regenerate: UPDATE_MATRIX=1 npx vitest run packages/server/src/policy/matrix.test.ts)', () => {
    const rendered = renderMatrix(readPolicySources());
    if (process.env.UPDATE_MATRIX) writeFileSync(FILE, rendered);
    expect(existsSync(FILE), `${FILE} is missing`).toBe(true);
    expect(readFileSync(FILE, 'utf8')).toBe(rendered);
  });
});
