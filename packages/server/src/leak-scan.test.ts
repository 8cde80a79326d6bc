import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { byteForms, findPlaintext } from './leak-scan.ts';

describe('the plaintext scan', () => {
  it('looks for forms that really occur when the text is embedded', () => {
    const text = 'needle-0123456789';
    const [, utf8] = byteForms(text)[0]!;
    const [, utf16] = byteForms(text)[1]!;
    expect(Buffer.from(`xx${text}yy`).includes(utf8)).toBe(true);
    expect(Buffer.from(`xx${text}yy`, 'utf16le').includes(utf16)).toBe(true);
    for (let prefix = 0; prefix < 6; prefix++) {
      const encoded = Buffer.from(Buffer.from('p'.repeat(prefix) + text + 'q').toString('base64'));
      expect(byteForms(text).some(([name, needle]) => name.startsWith('base64') && encoded.includes(needle)), `prefix ${prefix}`).toBe(true);
    }
  });

  it('finds each form in nested files, and nothing where there is nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-scan-'));
    try {
      mkdirSync(join(dir, 'a', 'b'), { recursive: true });
      writeFileSync(join(dir, 'a', 'b', 'utf16.bin'), Buffer.from('..secret-value-42..', 'utf16le'));
      writeFileSync(join(dir, 'b64.txt'), Buffer.from('x' + 'secret-value-42').toString('base64'));
      writeFileSync(join(dir, 'clean.txt'), 'nothing to see');
      const hits = findPlaintext(dir, ['secret-value-42']);
      expect(hits.map((h) => h.file.slice(dir.length)).sort()).toEqual(['/a/b/utf16.bin', '/b64.txt']);
      expect(findPlaintext(dir, ['absent-text-77'])).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
