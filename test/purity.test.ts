// The pure core (schema, redact, trajectory) runs in browsers, in the desktop agent and on the
// server alike. This test holds the lint rule that keeps Node and DOM APIs out of it.
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

async function lint(file: string, code: string) {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
  return result!.messages.map((m) => m.ruleId);
}

describe('the pure-core lint rule', () => {
  it.each(['packages/schema/src/x.ts', 'packages/redact/src/x.ts', 'packages/trajectory/src/x.ts'])('rejects Node and DOM in %s', async (file) => {
    expect(await lint(file, "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toContain('no-restricted-imports');
    expect(await lint(file, "import fs from 'fs';\nexport const a = fs;\n")).toContain('no-restricted-imports');
    expect(await lint(file, 'export const a = document.title;\n')).toContain('no-restricted-globals');
    expect(await lint(file, 'export const a = process.env;\n')).toContain('no-restricted-globals');
    expect(await lint(file, 'export const a = Buffer.from("x");\n')).toContain('no-restricted-globals');
  });

  it('allows Node in the tests and fixtures of a pure package, never in its sources', async () => {
    const code = "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n";
    expect(await lint('packages/redact/src/x.test.ts', code)).toEqual([]);
    expect(await lint('packages/trajectory/fixtures/record.ts', code)).toEqual([]);
    expect(await lint('packages/redact/src/x.tests.ts', code)).toContain('no-restricted-imports');
    expect(await lint('packages/redact/src/fixtures/x.ts', code)).toContain('no-restricted-imports');
  });

  it('allows the same code in a runtime package', async () => {
    expect(await lint('packages/server/src/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toEqual([]);
  });
});
